"""Score the scrubber on generated messages: `python -m evals.pii.run [--n 2400] [--json]`.

Per entity type: precision, recall and F2 (a predicted span is right when it overlaps a planted
span of the same type), and the leak count: planted values still present in the scrubbed text,
digits compared without separators. "Overall precision" counts a prediction right when it
overlaps any planted span (a phone number typed as an identifier is still personal data).
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections import Counter, defaultdict

from evals.pii.generate import Message, generate
from pii import Pseudonymizer
from pii.policy import SCRUBBED_ENTITIES, STRICT_ENTITIES, fold


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def leaked(entity_type: str, value: str, scrubbed: str) -> bool:
    if entity_type in STRICT_ENTITIES or entity_type in {"FR_ID_DOCUMENT", "FR_BIRTH_DATE"}:
        digits = re.sub(r"[^0-9a-z]", "", value.lower())
        return len(digits) >= 4 and digits in re.sub(r"[^0-9a-z]", "", scrubbed.lower())
    if entity_type == "FR_ADDRESS":
        number_and_street = re.sub(r"\s+", " ", fold(value).split(" ", 2)[-1])
        return number_and_street in fold(scrubbed)
    words = [w for w in re.split(r"[\s\-]+", fold(value)) if len(w) >= 3]
    text = fold(scrubbed)
    return any(re.search(r"(?<!\w)" + re.escape(w) + r"(?!\w)", text) for w in words)


def evaluate(messages: list[Message]) -> dict:
    tp_gold, fn, tp_pred, fp = Counter(), Counter(), Counter(), Counter()
    leaks, planted, overall_fp, overall_pred = Counter(), Counter(), 0, 0
    false_positives: Counter[str] = Counter()
    latencies = []
    for msg in messages:
        pseudonymizer = Pseudonymizer()
        t0 = time.perf_counter()
        scrubbed = pseudonymizer.scrub(msg.text)
        latencies.append(time.perf_counter() - t0)
        predicted = pseudonymizer.entities_of_last_scrub
        for kind, start, end in msg.entities:
            planted[kind] += 1
            hit = any(
                p.type == kind and _overlaps((p.start, p.end), (start, end)) for p in predicted
            )
            (tp_gold if hit else fn)[kind] += 1
            leaks[kind] += leaked(kind, msg.text[start:end], scrubbed)
        for p in predicted:
            overall_pred += 1
            same = any(
                k == p.type and _overlaps((p.start, p.end), (s, e)) for k, s, e in msg.entities
            )
            (tp_pred if same else fp)[p.type] += 1
            if not any(_overlaps((p.start, p.end), (s, e)) for _, s, e in msg.entities):
                overall_fp += 1
                false_positives[f"{p.type}: {msg.text[p.start : p.end]}"] += 1
    per_entity = {}
    for kind in SCRUBBED_ENTITIES:
        precision = _ratio(tp_pred[kind], tp_pred[kind] + fp[kind])
        recall = _ratio(tp_gold[kind], tp_gold[kind] + fn[kind])
        per_entity[kind] = {
            "planted": planted[kind],
            "precision": precision,
            "recall": recall,
            "f2": _f2(precision, recall),
            "leaks": leaks[kind],
        }
    latencies.sort()
    return {
        "messages": len(messages),
        "messages_without_pii": sum(not m.entities for m in messages),
        "per_entity": per_entity,
        "overall_precision": _ratio(overall_pred - overall_fp, overall_pred),
        "strict_leaks": sum(leaks[k] for k in STRICT_ENTITIES),
        "top_false_positives": false_positives.most_common(15),
        "latency_ms_p50": round(latencies[len(latencies) // 2] * 1000, 2),
        "latency_ms_p95": round(latencies[int(len(latencies) * 0.95)] * 1000, 2),
    }


def _ratio(a: int, b: int) -> float:
    return round(a / b, 4) if b else 1.0


def _f2(p: float, r: float) -> float:
    return round(5 * p * r / (4 * p + r), 4) if p + r else 0.0


def print_report(report: dict) -> None:
    print(f"{report['messages']} messages ({report['messages_without_pii']} without personal data)")
    print(f"{'entity':<22}{'planted':>8}{'precision':>11}{'recall':>8}{'F2':>8}{'leaks':>7}")
    for kind, row in report["per_entity"].items():
        print(
            f"{kind:<22}{row['planted']:>8}{row['precision']:>11.3f}{row['recall']:>8.3f}"
            f"{row['f2']:>8.3f}{row['leaks']:>7}"
        )
    print(f"overall precision (any personal span): {report['overall_precision']:.3f}")
    print(f"leaks of NIR/phone/email/IBAN/FT id/card: {report['strict_leaks']}")
    print(f"latency p50 {report['latency_ms_p50']} ms, p95 {report['latency_ms_p95']} ms")
    if report["top_false_positives"]:
        print("most frequent false positives:")
        for text, count in report["top_false_positives"]:
            print(f"  {count:>4}  {text!r}")


def misses(messages: list[Message], kind: str, limit: int = 20) -> list[str]:
    """Messages where a planted value of this type was not found (for debugging)."""
    found = defaultdict(list)
    for msg in messages:
        p = Pseudonymizer()
        scrubbed = p.scrub(msg.text)
        for k, s, e in msg.entities:
            if k == kind and not any(
                x.type == k and _overlaps((x.start, x.end), (s, e))
                for x in p.entities_of_last_scrub
            ):
                found[kind].append(f"{msg.text[s:e]!r} in {msg.text!r} -> {scrubbed!r}")
    return found[kind][:limit]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2400, help="number of messages")
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--misses", metavar="ENTITY", help="show missed values of this type")
    args = parser.parse_args(argv)
    messages = generate(args.n, args.seed)
    if args.misses:
        print("\n".join(misses(messages, args.misses)))
        return 0
    report = evaluate(messages)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print_report(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

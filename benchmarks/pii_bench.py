"""Scrubbing latency and start-up time: `python benchmarks/pii_bench.py [--json]`.

Start-up is measured in a fresh interpreter (import + analyzer build + word lists). Latency is
per message with a per-conversation pseudonymizer, on generated chat messages (< 300 chars) and
on a 3,000-character paste (a CV pasted into the chat).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

STARTUP = (
    "import time; t, c = time.perf_counter(), time.process_time(); import pii; pii.warm_up(); "
    "print(time.perf_counter() - t, time.process_time() - c)"
)


def startup_seconds() -> tuple[float, float]:
    """Wall-clock and CPU seconds: on a shared machine the CPU figure is the stable one."""
    out = subprocess.run(
        [sys.executable, "-c", STARTUP], cwd=ROOT, capture_output=True, text=True, check=True
    )
    wall, cpu = out.stdout.strip().splitlines()[-1].split()
    return float(wall), float(cpu)


def percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    pick = lambda q: round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 2)  # noqa: E731
    return {
        "n": len(ordered),
        "p50_ms": pick(0.50),
        "p95_ms": pick(0.95),
        "max_ms": pick(1.0),
        "mean_ms": round(statistics.fmean(ordered) * 1000, 2),
    }


def time_scrubs(texts: list[str]) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU time per scrub."""
    from pii import Pseudonymizer

    wall, cpu = [], []
    pseudonymizer = Pseudonymizer()
    for text in texts:
        t0, c0 = time.perf_counter(), time.process_time()
        pseudonymizer.scrub(text)
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return wall, cpu


def paste(messages: list[str], size: int = 3000) -> str:
    text = ""
    for m in messages:
        if len(text) + len(m) + 1 > size:
            break
        text += m + "\n"
    return text.ljust(size, ".")[:size]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    import pii
    from evals.pii.generate import generate

    wall, cpu = startup_seconds()
    report = {
        "startup_wall_s": round(wall, 2),
        "startup_cpu_s": round(cpu, 2),
        "load_average_1min": round(os.getloadavg()[0], 2),
    }
    pii.warm_up()
    texts = [m.text for m in generate(args.messages, seed=7) if len(m.text) < 300]
    time_scrubs(texts[:50])  # warm caches
    pastes = [paste(texts[i : i + 60]) for i in range(0, 600, 30)]
    for key, batch in (("chat_under_300_chars", texts), ("paste_3000_chars", pastes)):
        wall_samples, cpu_samples = time_scrubs(batch)
        report[key] = {
            "wall": percentiles(wall_samples),
            "cpu": percentiles(cpu_samples),
            "mean_chars": round(statistics.fmean(map(len, batch))),
        }
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(
            f"machine load average (1 min): {report['load_average_1min']} on {os.cpu_count()} cores"
        )
        print(
            f"start-up (fresh process, import + analyzer + word lists): "
            f"{report['startup_wall_s']} s wall, {report['startup_cpu_s']} s CPU"
        )
        for key in ("chat_under_300_chars", "paste_3000_chars"):
            for clock in ("wall", "cpu"):
                r = report[key][clock]
                print(
                    f"{key} ({clock}): n={r['n']} p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms, "
                    f"max {r['max_ms']} ms"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Engine + offline understanding latency per turn (PII scrubbing excluded).

Replays every persona and times each `Conversation.handle` call (understanding + engine step).
Usage: python benchmarks/engine_bench.py [--personas evals/personas]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from chatbot.conversation import Conversation
from chatbot.rubric_loader import rubrics_in
from evals.personas import load_personas, replay

ROOT = Path(__file__).resolve().parent.parent


class TimedConversation(Conversation):
    timings: list[float] = []

    def handle(self, raw_text, now):
        start = time.perf_counter()
        turn = super().handle(raw_text, now)
        TimedConversation.timings.append((time.perf_counter() - start) * 1000)
        return turn


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--personas", type=Path, default=ROOT / "evals" / "personas")
    args = parser.parse_args()
    rubrics = rubrics_in(ROOT / "rubrics")
    personas = [p for p in load_personas(args.personas) if p.rubric in rubrics]
    # Warm-up: the first turn loads dateparser's French data.
    replay(personas[0], rubrics[personas[0].rubric], TimedConversation.begin)
    TimedConversation.timings.clear()
    for persona in personas:
        replay(persona, rubrics[persona.rubric], TimedConversation.begin)
    timings = sorted(TimedConversation.timings)
    quantiles = statistics.quantiles(timings, n=100)
    print(f"turns: {len(timings)} over {len(personas)} personas")
    print(
        f"per turn (ms): p50 {quantiles[49]:.2f}  p95 {quantiles[94]:.2f}  "
        f"p99 {quantiles[98]:.2f}  max {timings[-1]:.2f}"
    )


if __name__ == "__main__":
    main()

"""Latency of each offline answer parser over a fixed corpus of French answers.

Prints p50 and p95 in microseconds per call (warm: one untimed pass first).
Usage: python benchmarks/parsers_bench.py [--rounds 20]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
from collections.abc import Callable

from chatbot.rubric import Option
from chatbot.scales import BUILTIN_SCALES
from chatbot.understanding import parsers

NOW = dt.date(2026, 5, 12)
CORPUS = [
    "oui",
    "ouais bien sûr",
    "non",
    "je n'ai pas le permis",
    "pas encore, je le passe en juin",
    "j'ai 23 ans, le permis et une voiture",
    "vingt-deux ans",
    "bientôt 18",
    "1h30",
    "trois quarts d'heure",
    "à peu près 40 minutes en bus",
    "dès le 3 mars",
    "en septembre",
    "tout de suite",
    "dans deux semaines",
    "je sais pas trop",
    "un bac pro commerce",
    "CAP et bac pro",
    "je me débrouille",
    "pas de voiture, je prends le tramwai",
    "Bonjour, alors voilà, je suis maman de deux enfants et je cherche une formation depuis "
    "longtemps, j'habite à Épernay et je n'ai pas encore de voiture mais je compte la passer.",
]
OPTIONS = [
    Option(id="voiture", label="En voiture", synonyms=["voiture", "auto", "véhicule", "en caisse"]),
    Option(
        id="transports",
        label="En bus, tram ou train",
        synonyms=["bus", "tram", "tramway", "train", "ter", "transports en commun", "car"],
    ),
    Option(id="deux-roues", label="À vélo, scooter ou moto", synonyms=["vélo", "scooter", "moto"]),
    Option(id="a-pied", label="À pied", synonyms=["à pied", "en marchant", "marche"]),
    Option(id="aucun", label="Pas de solution", synonyms=["aucun", "pas de solution", "rien"]),
]
PARSERS: dict[str, Callable[[str], object]] = {
    "yes_no": parsers.parse_yes_no,
    "yes_no(about)": lambda text: parsers.parse_yes_no(text, ["permis"]),
    "number(ans)": lambda text: parsers.parse_number(text, "ans"),
    "duration": parsers.parse_duration,
    "date": lambda text: parsers.parse_date(text, NOW),
    "choice(multi)": lambda text: parsers.parse_choice(text, OPTIONS, multi=True),
    "level(diplome)": lambda text: parsers.parse_level(text, BUILTIN_SCALES["diplome"]),
    "level(cecrl)": lambda text: parsers.parse_level(text, BUILTIN_SCALES["cecrl"]),
    "is_dont_know": parsers.is_dont_know,
}


def measure(parse: Callable[[str], object], rounds: int) -> list[float]:
    for text in CORPUS:
        parse(text)
    timings = []
    for _ in range(rounds):
        for text in CORPUS:
            start = time.perf_counter()
            parse(text)
            timings.append((time.perf_counter() - start) * 1e6)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    print(f"{len(CORPUS)} texts x {args.rounds} rounds")
    print(f"{'parser':<16} {'p50 µs':>8} {'p95 µs':>8} {'max µs':>8}")
    for name, parse in PARSERS.items():
        timings = sorted(measure(parse, args.rounds))
        p50 = statistics.median(timings)
        p95 = timings[int(0.95 * (len(timings) - 1))]
        print(f"{name:<16} {p50:8.0f} {p95:8.0f} {timings[-1]:8.0f}")


if __name__ == "__main__":
    main()

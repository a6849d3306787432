"""Ranking score: one number in 0..100 that combines a result with the rubric's weights.

The score only orders candidates for the counsellor; it decides nothing. Each family weighs what
the rubric says (percent):
- prerequisites, mobility, availability: the share of their criteria whose verdict is `met`
  (`unclear` and `not_met` count for nothing);
- motivation, readiness: the weighted mean of level / max level of their dimensions (criterion
  `weight`); a dimension without a level counts 0.
A family with no criterion in the rubric is left out and the other weights are scaled back to 100.

`Ranker` holds what a rubric implies once, and reads either a `ScreeningResult` or its stored
JSON (the ranking page explains 100 rows per request without validating each result).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chatbot.results import ScreeningResult
from chatbot.rubric import Kind, Rubric

FAMILIES: tuple[tuple[Kind, str, str], ...] = (
    (Kind.prerequisite, "prerequisites", "prérequis"),
    (Kind.motivation, "motivation", "motivation"),
    (Kind.readiness, "readiness", "préparation"),
    (Kind.mobility, "mobility", "mobilité"),
    (Kind.availability, "availability", "disponibilité"),
)
LEVEL_KINDS = (Kind.motivation, Kind.readiness)


@dataclass(frozen=True)
class Part:
    """One family's contribution: `share` in 0..1, `points` out of `weight` (scaled)."""

    kind: Kind
    label: str
    share: float
    weight: float
    detail: str

    @property
    def points(self) -> float:
        return self.share * self.weight


@dataclass(frozen=True)
class _Family:
    kind: Kind
    label: str
    weight: float  # scaled so that the families present add up to 100
    criteria: tuple[tuple[str, float], ...]  # (criterion id, weight inside the family)


class Ranker:
    def __init__(self, rubric: Rubric):
        present = [
            (kind, getattr(rubric.weights, key), label)
            for kind, key, label in FAMILIES
            if any(c.kind == kind for c in rubric.criteria)
        ]
        total = sum(weight for _, weight, _ in present)
        self.families = [
            _Family(
                kind,
                label,
                100 * weight / total if total else 0.0,
                tuple((c.id, c.weight) for c in rubric.criteria if c.kind == kind),
            )
            for kind, weight, label in present
        ]

    def parts(self, result: ScreeningResult | dict[str, Any]) -> list[Part]:
        data = result.model_dump(mode="json") if isinstance(result, ScreeningResult) else result
        verdicts = {c["criterion_id"]: c["verdict"] for c in data["criteria"]}
        levels = {d["criterion_id"]: (d["level"], d["max_level"]) for d in data["dimensions"]}
        return [self._part(f, verdicts, levels) for f in self.families]

    def _part(self, family: _Family, verdicts, levels) -> Part:
        if family.kind in LEVEL_KINDS:
            share, detail = _level_share(family, levels)
        else:
            met = sum(verdicts.get(cid) == "met" for cid, _ in family.criteria)
            share, detail = met / len(family.criteria), f"{met} sur {len(family.criteria)}"
        return Part(family.kind, family.label, share, family.weight, detail)

    def score(self, result: ScreeningResult | dict[str, Any]) -> float:
        return round(sum(p.points for p in self.parts(result)), 1)

    def explain(self, result: ScreeningResult | dict[str, Any]) -> str:
        data = result.model_dump(mode="json") if isinstance(result, ScreeningResult) else result
        parts = self.parts(data)
        score = round(sum(p.points for p in parts), 1)
        pieces = [f"{p.label} {p.detail} ({_num(p.points)}/{_num(p.weight)})" for p in parts]
        line = f"{_num(score)} sur 100 : " + ", ".join(pieces) + "."
        blocking = [
            c["label"] for c in data["criteria"] if c["blocking"] and c["verdict"] == "not_met"
        ]
        if blocking:
            line += " Prérequis obligatoire non rempli : " + ", ".join(blocking) + "."
        return line


_RANKERS: dict[int, tuple[Rubric, Ranker]] = {}


def ranker(rubric: Rubric) -> Ranker:
    """The rubric's ranker, built once per rubric object (rubrics are loaded once and kept)."""
    cached = _RANKERS.get(id(rubric))
    if cached is None or cached[0] is not rubric:
        cached = _RANKERS[id(rubric)] = (rubric, Ranker(rubric))
    return cached[1]


def ranking_parts(rubric: Rubric, result: ScreeningResult) -> list[Part]:
    """The families present in the rubric, with weights scaled so that they add up to 100."""
    return ranker(rubric).parts(result)


def ranking_score(rubric: Rubric, result: ScreeningResult) -> float:
    """0..100, rounded to one decimal."""
    return ranker(rubric).score(result)


def explain_rank(rubric: Rubric, result: ScreeningResult) -> str:
    """One plain-French line: the score and what each family brought."""
    return ranker(rubric).explain(result)


def _level_share(family: _Family, levels: dict[str, tuple[int | None, int]]) -> tuple[float, str]:
    weighted, total_weight, shown = 0.0, 0.0, []
    for criterion_id, weight in family.criteria:
        total_weight += weight
        level, top = levels.get(criterion_id, (None, 0))
        if level is None or not top:
            shown.append("?")
            continue
        weighted += weight * level / top
        shown.append(f"{level}/{top}")
    share = weighted / total_weight if total_weight else 0.0
    return share, "niveau " + " et ".join(shown)


def _num(value: float) -> str:
    rounded = round(value, 1)
    text = f"{rounded:.0f}" if rounded == int(rounded) else f"{rounded:.1f}"
    return text.replace(".", ",")

"""Ranking score: one number in 0..100 that combines a result with the rubric's weights.

The score only orders candidates for the counsellor; it decides nothing. Each family weighs what
the rubric says (percent):
- prerequisites, mobility, availability: the share of their criteria whose verdict is `met`
  (`unclear` and `not_met` count for nothing);
- motivation, readiness: the weighted mean of level / max level of their dimensions (criterion
  `weight`); a dimension without a level counts 0.
A family with no criterion in the rubric is left out and the other weights are scaled back to 100.
"""

from __future__ import annotations

from dataclasses import dataclass

from chatbot.results import ScreeningResult, Verdict
from chatbot.rubric import Kind, Rubric

FAMILIES: tuple[tuple[Kind, str, str], ...] = (
    (Kind.prerequisite, "prerequisites", "prérequis"),
    (Kind.motivation, "motivation", "motivation"),
    (Kind.readiness, "readiness", "préparation"),
    (Kind.mobility, "mobility", "mobilité"),
    (Kind.availability, "availability", "disponibilité"),
)


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


def ranking_parts(rubric: Rubric, result: ScreeningResult) -> list[Part]:
    """The families present in the rubric, with weights scaled so that they add up to 100."""
    present = [
        (kind, getattr(rubric.weights, key), label)
        for kind, key, label in FAMILIES
        if any(c.kind == kind for c in rubric.criteria)
    ]
    total = sum(weight for _, weight, _ in present)
    parts = []
    for kind, weight, label in present:
        share, detail = _share(rubric, result, kind)
        scaled = 100 * weight / total if total else 0.0
        parts.append(Part(kind, label, share, scaled, detail))
    return parts


def ranking_score(rubric: Rubric, result: ScreeningResult) -> float:
    """0..100, rounded to one decimal."""
    return round(sum(part.points for part in ranking_parts(rubric, result)), 1)


def explain_rank(rubric: Rubric, result: ScreeningResult) -> str:
    """One plain-French line: the score and what each family brought."""
    parts = ranking_parts(rubric, result)
    score = round(sum(p.points for p in parts), 1)
    pieces = [f"{p.label} {p.detail} ({_num(p.points)}/{_num(p.weight)})" for p in parts]
    line = f"{_num(score)} sur 100 : " + ", ".join(pieces) + "."
    blocking = [c.label for c in result.criteria if c.blocking and c.verdict == Verdict.not_met]
    if blocking:
        line += " Prérequis obligatoire non rempli : " + ", ".join(blocking) + "."
    return line


def _share(rubric: Rubric, result: ScreeningResult, kind: Kind) -> tuple[float, str]:
    if kind in (Kind.motivation, Kind.readiness):
        return _level_share(rubric, result, kind)
    expected = [c.id for c in rubric.criteria if c.kind == kind]
    verdicts = {c.criterion_id: c.verdict for c in result.criteria}
    met = sum(verdicts.get(cid) == Verdict.met for cid in expected)
    return met / len(expected), f"{met} sur {len(expected)}"


def _level_share(rubric: Rubric, result: ScreeningResult, kind: Kind) -> tuple[float, str]:
    dimensions = {d.criterion_id: d for d in result.dimensions}
    weighted, total_weight, shown = 0.0, 0.0, []
    for criterion in (c for c in rubric.criteria if c.kind == kind):
        total_weight += criterion.weight
        found = dimensions.get(criterion.id)
        if found is None or found.level is None or not found.max_level:
            shown.append("?")
            continue
        weighted += criterion.weight * found.level / found.max_level
        shown.append(f"{found.level}/{found.max_level}")
    share = weighted / total_weight if total_weight else 0.0
    return share, "niveau " + " et ".join(shown)


def _num(value: float) -> str:
    rounded = round(value, 1)
    text = f"{rounded:.0f}" if rounded == int(rounded) else f"{rounded:.1f}"
    return text.replace(".", ",")

"""LLM scoring of motivation and readiness against the rubric's anchored levels.

One call scores every answered dimension; it is repeated `samples` times and each level is the
median of the valid readings, their spread lowering the confidence. A reading is valid only if
its level exists and each evidence quote is copied verbatim from the candidate's messages.
The candidate's words are data: clauses that try to steer the score are dropped before the
model sees them, and when a manipulation attempt shows (offline cue or the model's own flag)
the level can never rise above the offline level.
"""

from __future__ import annotations

import logging
import statistics
from collections.abc import Callable

from pydantic import BaseModel, Field

from chatbot.llm import LLMError, ModelGateway, render
from chatbot.results import DimensionScore, Method
from chatbot.rubric import Criterion, Rubric
from chatbot.scoring import _clauses as clauses_of
from chatbot.understanding.signals import is_manipulation
from pii import Scrubbed

log = logging.getLogger(__name__)

SAMPLE_TEMPERATURE = 0.7
MAX_TOKENS_PER_DIMENSION = 110


class LevelReading(BaseModel):
    criterion_id: str
    level: int
    rationale: str
    evidence: list[str] = Field(default_factory=list)
    manipulation: bool = False


# The schema's docstrings are sent to the model: short, in French.
class Scoring(BaseModel):
    """Un niveau par critère."""

    scores: list[LevelReading]


def without_manipulation(message: Scrubbed, rescrub: Callable[[str], Scrubbed]) -> Scrubbed | None:
    """The message less the clauses that try to steer the score (None if nothing is left)."""
    if not is_manipulation(message):
        return message
    kept = [c for c in clauses_of(message) if not is_manipulation(c)]
    return rescrub(". ".join(kept)) if kept else None


def score_dimensions(
    gateway: ModelGateway,
    rubric: Rubric,
    messages: dict[str, list[Scrubbed]],
    offline: dict[str, DimensionScore],
    samples: int,
    rescrub: Callable[[str], Scrubbed],
) -> dict[str, DimensionScore]:
    """LLM scores for the dimensions that have answers; the others are left to offline scoring."""
    flagged = {cid for cid, texts in messages.items() if any(is_manipulation(t) for t in texts)}
    cleaned = {
        cid: [m for t in texts if (m := without_manipulation(t, rescrub)) is not None]
        for cid, texts in messages.items()
    }
    dimensions = [d for d in rubric.dimensions if cleaned.get(d.id)]
    if not dimensions:
        return {}
    readings = _samples(gateway, rubric, dimensions, cleaned, samples)
    scores = {}
    for dimension in dimensions:
        valid = [r for r in readings.get(dimension.id, [])]
        if valid:
            scores[dimension.id] = _aggregate(
                dimension, valid, samples, offline.get(dimension.id), dimension.id in flagged
            )
    return scores


def _samples(gateway, rubric, dimensions, cleaned, samples) -> dict[str, list[LevelReading]]:
    instructions = render(
        "score.j2",
        title=rubric.training.title,
        dimensions=[
            {"id": d.id, "label": d.label, "levels": [lv.model_dump() for lv in d.levels]}
            for d in dimensions
        ],
    )
    candidate = [Scrubbed.concat(*cleaned[d.id], sep="\n") for d in dimensions]
    readings: dict[str, list[LevelReading]] = {}
    for _ in range(samples):
        try:
            scoring = gateway.structured(
                instructions,
                candidate,
                Scoring,
                purpose="score",
                max_tokens=MAX_TOKENS_PER_DIMENSION * len(dimensions),
                temperature=SAMPLE_TEMPERATURE if samples > 1 else 0,
            )
        except LLMError:
            log.warning("scoring sample failed", exc_info=True)
            continue
        for reading in scoring.scores:
            if _valid(reading, dimensions, cleaned):
                readings.setdefault(reading.criterion_id, []).append(reading)
    return readings


def _valid(reading: LevelReading, dimensions: list[Criterion], cleaned) -> bool:
    dimension = next((d for d in dimensions if d.id == reading.criterion_id), None)
    if dimension is None or reading.level not in {lv.level for lv in dimension.levels}:
        return False
    said = "\n".join(cleaned[dimension.id])
    quotes = [q.strip().strip("«»\"' ").strip() for q in reading.evidence]
    reading.evidence = quotes
    return bool(reading.rationale.strip()) and all(q and q in said for q in quotes)


def _aggregate(
    dimension: Criterion,
    readings: list[LevelReading],
    samples: int,
    offline: DimensionScore | None,
    flagged: bool,
) -> DimensionScore:
    top = max(lv.level for lv in dimension.levels)
    levels = [r.level for r in readings]
    level = statistics.median_low(levels)
    spread = max(levels) - min(levels)
    manipulated = flagged or any(r.manipulation for r in readings)
    chosen = next(r for r in readings if r.level == level)
    rationale = (
        f"Niveau {level} sur {top} : {chosen.rationale.strip()} "
        f"(médiane de {len(readings)} lecture(s) sur {samples}, écart {spread})."
    )
    if manipulated:
        cap = offline.level if offline and offline.level is not None else 0
        if level > cap:
            level = cap
            rationale += f" Tentative d'influencer la note : niveau ramené à {cap}, à vérifier."
        else:
            rationale += " Tentative d'influencer la note repérée : sans effet sur le niveau."
    evidence = list(
        dict.fromkeys(q for r in readings if r.level == chosen.level for q in r.evidence)
    )
    confidence = 0.9 * (1 - spread / max(1, top)) * len(readings) / samples
    return DimensionScore(
        criterion_id=dimension.id,
        kind=dimension.kind,
        label=dimension.label,
        level=level,
        max_level=top,
        rationale=rationale,
        evidence=evidence,
        confidence=round(max(0.1, confidence), 2),
        method=Method.llm,
    )

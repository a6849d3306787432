"""Builds the `ScreeningResult` from the engine state: verdicts, levels, summaries, flags."""

from __future__ import annotations

from chatbot.answers import display_value
from chatbot.engine import ScreeningState
from chatbot.results import CriterionResult, DimensionScore, Flag, ScreeningResult, Verdict
from chatbot.rubric import Kind, Rubric
from chatbot.scoring import score_dimension


def build_result(
    rubric: Rubric, state: ScreeningState, dimensions: dict[str, DimensionScore] | None = None
) -> ScreeningResult:
    """`dimensions` may carry scores from another scorer (the LLM); the rest is scored offline."""
    dimensions = dimensions or {}
    criteria = [_criterion_result(rubric, state, c) for c in rubric.closed_criteria]
    scores = [
        dimensions.get(c.id) or score_dimension(c, state.texts.get(c.id, []))
        for c in rubric.dimensions
    ]
    flags = list(state.flags)
    if any(c.blocking and c.verdict == Verdict.not_met for c in criteria):
        flags.append(Flag.blocking_not_met)
    if state.phase != "done":
        flags.append(Flag.incomplete)
    if state.notes:
        flags.append(Flag.rubric_changed)
    return ScreeningResult(
        rubric_id=rubric.id,
        rubric_version=rubric.version,
        session_id=state.session_id,
        complete=state.phase == "done",
        criteria=criteria,
        dimensions=scores,
        mobility=_summary(rubric, state, Kind.mobility),
        availability=_summary(rubric, state, Kind.availability),
        flags=list(dict.fromkeys(flags)),
        notes=list(state.notes),
    )


def _criterion_result(rubric: Rubric, state: ScreeningState, criterion) -> CriterionResult:
    record = state.answers.get(criterion.id)
    base = dict(
        criterion_id=criterion.id,
        kind=criterion.kind,
        label=criterion.label,
        blocking=criterion.blocking,
    )
    if record is None:
        return CriterionResult(**base, verdict=Verdict.unclear, note="pas de réponse")
    return CriterionResult(
        **base,
        verdict=record.verdict,
        value=record.value,
        evidence=record.evidence,
        method=record.method,
        confidence=record.confidence,
        note=record.note,
    )


def _summary(rubric: Rubric, state: ScreeningState, kind: Kind) -> str:
    parts = []
    for criterion in rubric.closed_criteria:
        if criterion.kind != kind:
            continue
        record = state.answers.get(criterion.id)
        shown = (
            "à vérifier"
            if record is None or record.value is None
            else display_value(rubric, criterion, record.value)
        )
        parts.append(f"{criterion.label} : {shown}")
    return " ; ".join(parts) or "—"

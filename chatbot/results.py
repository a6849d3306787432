"""`ScreeningResult`: the one structured result read by the dashboard, the API, exports and evals."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field

from chatbot.commands import Value
from chatbot.rubric import Kind


class Verdict(StrEnum):
    met = "met"
    not_met = "not_met"
    unclear = "unclear"


class Method(StrEnum):
    offline = "offline"
    llm = "llm"
    counsellor = "counsellor"


class Flag(StrEnum):
    handoff_requested = "handoff_requested"
    blocking_not_met = "blocking_not_met"
    inconsistent_answers = "inconsistent_answers"
    manipulation_attempt = "manipulation_attempt"
    unclear_answers = "unclear_answers"
    incomplete = "incomplete"
    rubric_changed = "rubric_changed"


class CriterionResult(BaseModel):
    criterion_id: str
    kind: Kind
    label: str
    blocking: bool
    verdict: Verdict
    value: Value = None
    evidence: str | None = None  # verbatim words of the candidate (scrubbed)
    method: Method = Method.offline
    confidence: float = Field(default=0.0, ge=0, le=1)
    note: str | None = None


class DimensionScore(BaseModel):
    criterion_id: str
    kind: Kind  # motivation | readiness
    label: str
    level: int | None  # None: no answer at all
    max_level: int
    rationale: str  # plain French
    evidence: list[str] = []  # verbatim quotes; empty means "no evidence found", said in rationale
    confidence: float = Field(default=0.0, ge=0, le=1)
    method: Method = Method.offline


class ScreeningResult(BaseModel):
    rubric_id: str
    rubric_version: str
    session_id: str | None = None
    complete: bool
    criteria: list[CriterionResult]
    dimensions: list[DimensionScore]
    mobility: str  # one-line French summary
    availability: str
    flags: list[Flag] = []
    notes: list[str] = []  # for the counsellor, e.g. answers dropped when the rubric changed

    def criterion(self, criterion_id: str) -> CriterionResult:
        return next(c for c in self.criteria if c.criterion_id == criterion_id)

    def dimension(self, criterion_id: str) -> DimensionScore:
        return next(d for d in self.dimensions if d.criterion_id == criterion_id)

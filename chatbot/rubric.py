"""The rubric format: one YAML file per training, written by trainers.

These models describe the *structure* of a rubric (every key, its type, what is required).
The checks that relate fields to one another (unique ids, rules consistent with answer types,
contiguous levels, fair questioning…) live in `chatbot.rubric_checks`; the YAML reading and the
line-numbered error messages live in `chatbot.rubric_loader`.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, StringConstraints

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
RomeCode = Annotated[str, StringConstraints(pattern=r"^[A-N][0-9]{4}$")]


class Strict(BaseModel):
    """Unknown keys are errors: a typo such as `quesiton` must never pass silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Kind(StrEnum):
    prerequisite = "prerequisite"
    mobility = "mobility"
    availability = "availability"
    motivation = "motivation"
    readiness = "readiness"


DIMENSION_KINDS = (Kind.motivation, Kind.readiness)


class AnswerType(StrEnum):
    yes_no = "yes_no"
    number = "number"
    date = "date"
    duration = "duration"
    choice = "choice"
    multi_choice = "multi_choice"
    level = "level"
    free_text = "free_text"


class WhenUnclear(StrEnum):
    """What the result says when, after the allowed tries, the answer is still unclear."""

    counsellor_checks = "counsellor_checks"  # verdict `unclear`, flagged for the counsellor
    not_met = "not_met"
    met = "met"


class Option(Strict):
    id: Slug
    label: Text
    synonyms: list[Text] = []


class Certification(Strict):
    name: Text
    rncp: Annotated[str, StringConstraints(pattern=r"^RNCP[0-9]{3,6}$")] | None = None
    level: int | None = Field(default=None, ge=3, le=8, description="Niveau du cadre national")


class Provider(Strict):
    name: Text
    contact: Text | None = None


class Site(Strict):
    address: Text
    commune: Text
    postal_code: Annotated[str, StringConstraints(pattern=r"^[0-9]{5}$")]


class Session(Strict):
    id: Slug
    start: dt.date
    end: dt.date
    schedule: Text
    seats: int = Field(gt=0)


class Job(Strict):
    missions: list[Text] = Field(min_length=1)
    working_conditions: Text
    pay_range: Text
    hiring_outlook: Text


class FaqEntry(Strict):
    question: Text
    answer: Text
    keywords: list[Text] = []


class Training(Strict):
    title: Text
    rome: list[RomeCode] = Field(min_length=1)
    sector: Literal["santé", "social", "industrie", "transport", "btp", "services", "autre"]
    certification: Certification
    provider: Provider
    site: Site
    sessions: list[Session] = Field(min_length=1)
    duration: Text
    funding: Text
    pay_during_training: Text
    job: Job
    faq: list[FaqEntry] = Field(min_length=1)


class ScaleLevel(Strict):
    id: Slug
    label: Text
    synonyms: list[Text] = []


class Answer(Strict):
    """How the candidate's answer is read. Which keys apply depends on `type`."""

    type: AnswerType
    unit: Text | None = None  # number
    min: float | None = None  # number: plausible bounds (outside them, the answer is re-asked)
    max: float | None = None
    options: list[Option] = []  # choice, multi_choice
    scale: Slug | None = None  # level: a scale defined under `scales` or a built-in one


class Rule(Strict):
    """Turns a parsed answer into a verdict. Keys must suit the answer type."""

    equals: bool | None = None  # yes_no
    min: float | str | None = None  # number, duration (minutes), level (level id)
    max: float | str | None = None
    any_of: list[Slug] | None = Field(default=None)  # choice, multi_choice
    none_of: list[Slug] | None = None
    before: dt.date | Literal["session_start", "session_end"] | None = None  # date
    after: dt.date | Literal["today"] | None = None


class AnchoredLevel(Strict):
    level: int = Field(ge=0, le=10)
    descriptor: Text
    indicators: list[Text] = Field(min_length=1)


class Criterion(Strict):
    id: Slug
    kind: Kind
    label: Text  # short name shown to counsellors and in the recap
    question: Text
    # Words a candidate may use to answer this before it is asked ("j'ai 23 ans, le permis…").
    keywords: list[Text] = []
    help: Text | None = None
    follow_up: Text | None = None
    answer: Answer = Answer(type=AnswerType.free_text)
    rule: Rule | None = None
    blocking: bool = False
    when_unclear: WhenUnclear = WhenUnclear.counsellor_checks
    max_tries: int = Field(default=2, ge=1, le=4)
    levels: list[AnchoredLevel] = []  # motivation and readiness only
    weight: float = Field(default=1.0, ge=0)  # weight of a dimension inside its kind
    justification: Text | None = None  # required when a question touches a protected ground


class Weights(Strict):
    prerequisites: float = Field(ge=0)
    motivation: float = Field(ge=0)
    readiness: float = Field(ge=0)
    mobility: float = Field(ge=0)
    availability: float = Field(ge=0)


class Rubric(Strict):
    model_config = ConfigDict(extra="forbid", frozen=True, title="Rubrique de formation")

    id: Slug
    training: Training
    scales: dict[Slug, list[ScaleLevel]] = {}
    criteria: list[Criterion] = Field(min_length=1)
    weights: Weights
    # Content hash set by the loader, never written by hand.
    _version: str = PrivateAttr(default="")

    @property
    def version(self) -> str:
        return self._version

    def criterion(self, criterion_id: str) -> Criterion:
        return next(c for c in self.criteria if c.id == criterion_id)

    @property
    def closed_criteria(self) -> list[Criterion]:
        return [c for c in self.criteria if c.kind not in DIMENSION_KINDS]

    @property
    def dimensions(self) -> list[Criterion]:
        return [c for c in self.criteria if c.kind in DIMENSION_KINDS]

    def scale(self, name: str) -> list[ScaleLevel]:
        from chatbot.scales import BUILTIN_SCALES

        return self.scales.get(name) or BUILTIN_SCALES[name]

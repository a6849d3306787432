"""LLM understanding: the same commands as the offline understander, from structured output.

The model reads one scrubbed message with a compact view of the state (the pending question, the
criteria still open, the ids already answered), never the transcript. Its output is checked
before the engine sees it: known criterion ids, values that the offline parsers can read, and
evidence copied verbatim from the message. Anything else raises `InvalidOutput`, and the
conversation hands the turn to the offline understander (the fallback is recorded).
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from chatbot.commands import (
    AskQuestion,
    Command,
    Correct,
    Handoff,
    Manipulation,
    SetAnswer,
)
from chatbot.llm import InvalidOutput, ModelGateway, render
from chatbot.rubric import DIMENSION_KINDS, AnswerType, Criterion, Rubric
from chatbot.understanding import signals
from chatbot.understanding.base import MAX_CHARS, TurnContext
from chatbot.understanding.offline import OfflineUnderstander
from chatbot.understanding.offline import _not_understood as not_understood
from chatbot.understanding.offline import _parse as parse_for  # the offline value readers
from pii import Scrubbed

SHORT_ANSWER_WORDS = 8
SURE = 0.8


class FoundAnswer(BaseModel):
    criterion_id: str
    value: str
    evidence: str


# The schema's docstrings are sent to the model: short, in French. Manipulation, corrections and
# "don't know" are read by the offline cues, which keeps the schema (sent each turn) small.
class Reading(BaseModel):
    """Lecture d'un message du candidat."""

    answers: list[FoundAnswer] = Field(default_factory=list)
    question: str | None = None
    handoff: bool = False


class LLMUnderstander:
    """`cascade`: short messages that the offline parsers read with confidence skip the model."""

    def __init__(self, gateway: ModelGateway, cascade: bool = True):
        self.gateway = gateway
        self.cascade = cascade
        self.offline = OfflineUnderstander()
        self.last_method = "llm"
        # the scrubbed message of the last turn, kept for phrasing and scoring
        self.last_text: Scrubbed | None = None

    def understand(self, text: Scrubbed, context: TurnContext) -> list[Command]:
        self.last_method, self.last_text = "offline", text
        if context.pending is None or context.state.phase != "questions" or _not_a_reading(text):
            return self.offline.understand(text, context)
        if self.cascade:
            offline = self.offline.understand(text, context)
            if _offline_suffices(offline, text, context):
                return offline
        self.last_method = "llm"
        reading = self.gateway.structured(
            understanding_instructions(context),
            [text],
            Reading,
            purpose="understand",
            max_tokens=250,
        )
        return commands_from(reading, text, context)


def _not_a_reading(text: str) -> bool:
    """Empty, too long or wordless: offline says so without a model."""
    return not text.strip() or len(text) > MAX_CHARS or not signals.has_words(text)


def _offline_suffices(commands: list[Command], text: str, context: TurnContext) -> bool:
    if len(text.split()) > SHORT_ANSWER_WORDS or len(commands) != 1:
        return False
    (command,) = commands
    pending = context.pending
    return (
        pending is not None
        and type(command) is SetAnswer
        and command.criterion_id == pending.id
        and pending.kind not in DIMENSION_KINDS
        and command.confidence >= SURE
    )


def understanding_instructions(context: TurnContext):
    rubric, state, pending = context.rubric, context.state, context.pending
    if pending is None:  # the model reads answers to a question: there is always one here
        raise ValueError("no question pending")
    others = [
        c.id for c in rubric.closed_criteria if c.id != pending.id and c.id not in state.answers
    ]
    return render(
        "understand.j2",
        title=rubric.training.title,
        pending={
            "id": pending.id,
            "question": pending.question,
            "expected": expected(rubric, pending),
        },
        others=others,
        answered=sorted(state.answers),
    )


def expected(rubric: Rubric, criterion: Criterion) -> str:
    answer = criterion.answer
    match answer.type:
        case AnswerType.yes_no:
            return "oui ou non"
        case AnswerType.number:
            return f"un nombre{f' en {answer.unit}' if answer.unit else ''}"
        case AnswerType.date:
            return "une date"
        case AnswerType.duration:
            return "une durée"
        case AnswerType.choice | AnswerType.multi_choice:
            several = (
                "une ou plusieurs options"
                if answer.type == AnswerType.multi_choice
                else "une option"
            )
            return f"{several} parmi : " + ", ".join(o.label for o in answer.options)
        case AnswerType.level:
            levels = rubric.scale(answer.scale or "")
            return "un niveau parmi : " + ", ".join(s.label for s in levels)
    return "un texte libre, evidence = les phrases qui répondent"


# --- checking the model's reading ------------------------------------------------------------


def commands_from(reading: Reading, text: str, context: TurnContext) -> list[Command]:
    commands: list[Command] = []
    if signals.is_manipulation(text):
        commands.append(Manipulation(evidence=text[:300]))
    if reading.handoff or signals.is_handoff(text):
        return [*commands, Handoff()]
    correcting = signals.is_correction(text)
    for found in reading.answers:
        command = _answer(found, text, context, correcting)
        if command is not None:
            commands.append(command)
    pending = context.pending
    if (
        pending is not None
        and pending.kind in DIMENSION_KINDS
        and not _answers(commands, pending.id)
    ):
        # Free text: the message itself is the answer unless it says "I don't know" (offline rule).
        offline = OfflineUnderstander().understand(text, context)
        commands += [c for c in _answers(offline, pending.id) if c not in commands]
    # A question only if the message asks one: an invented question would re-ask forever.
    if reading.question and reading.question.strip() and any(signals.question_sentences(text)):
        commands.append(AskQuestion(question=reading.question.strip()[:300]))
    if not any(isinstance(c, SetAnswer | AskQuestion) for c in commands):
        commands.append(not_understood(text, context))
    return commands


def _answers(commands: list[Command], criterion_id: str) -> list[SetAnswer]:
    return [c for c in commands if isinstance(c, SetAnswer) and c.criterion_id == criterion_id]


def verbatim(quote: str, text: str) -> str:
    """The quote as it stands in the message, or InvalidOutput: no paraphrase is ever kept."""
    quote = quote.strip().strip("«»\"' ").strip()
    if not quote or quote not in text:
        raise InvalidOutput("evidence is not a verbatim quote of the message")
    return quote


def _answer(
    found: FoundAnswer, text: str, context: TurnContext, correcting: bool
) -> SetAnswer | None:
    rubric, state = context.rubric, context.state
    if found.criterion_id not in {c.id for c in rubric.criteria}:
        raise InvalidOutput(f"unknown criterion {found.criterion_id!r}")
    criterion = rubric.criterion(found.criterion_id)
    evidence = verbatim(found.evidence, text)
    if criterion.kind in DIMENSION_KINDS:
        words = text.strip() if criterion.id == context.state.pending else evidence
        return SetAnswer(criterion_id=criterion.id, value=words, evidence=evidence, source="llm")
    parsed = parse_for(criterion, found.value, context, cued=False) or parse_for(
        criterion, evidence, context, cued=False
    )
    if parsed is None:
        raise InvalidOutput(f"value {found.value!r} cannot be read for {criterion.id}")
    previous = state.answers.get(criterion.id)
    if previous is not None and previous.value == parsed.value:
        return None
    kind = Correct if previous is not None and correcting else SetAnswer
    return kind(
        criterion_id=criterion.id,
        value=parsed.value,
        evidence=evidence,
        confidence=min(parsed.confidence, 0.9),
        note=parsed.note,
        source="llm",
    )

"""The screening dialogue: a pure, deterministic function of (rubric, state, commands, now).

No I/O, no clock, no Chainlit: the same inputs always give the same state and reply, so a
screening can be replayed from its stored turns, simulated in a terminal and evaluated.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel

from chatbot import messages as msg
from chatbot.answers import display_value, verdict_for
from chatbot.commands import (
    AskQuestion,
    AskWhich,
    Command,
    Confirm,
    Correct,
    Handoff,
    Manipulation,
    OffTopic,
    ProposeCorrection,
    Revisit,
    SetAnswer,
    Unclear,
    Undo,
    Value,
)
from chatbot.faq import answer_question
from chatbot.results import Flag, Method, Verdict
from chatbot.rubric import DIMENSION_KINDS, AnswerType, Criterion, Rubric, WhenUnclear

Phase = Literal["questions", "recap", "done"]


class AnswerRecord(BaseModel):
    value: Value = None
    evidence: str | None = None
    verdict: Verdict
    method: Method = Method.offline
    confidence: float = 0.0
    note: str | None = None


class UndoPoint(BaseModel):
    """What an automatic correction replaced, kept one turn so the candidate can refuse it."""

    criterion_id: str
    previous: AnswerRecord | None = None


class ModelMemory(BaseModel):
    """LLM mode: what a resumed conversation needs from before (the engine never reads it)."""

    tokens_in: int = 0  # the screening's token meter (chatbot.llm.TokenMeter)
    tokens_out: int = 0
    calls: int = 0
    failed_calls: int = 0
    # the scrubbed messages that answered each motivation / readiness criterion, scored at the end
    messages: dict[str, list[str]] = {}


class ScreeningState(BaseModel):
    rubric_id: str
    rubric_version: str  # of the rubric the state follows (see `adapt`)
    session_id: str | None = None
    contact: str = "votre conseiller France Travail"
    phase: Phase = "questions"
    pending: str | None = None
    answers: dict[str, AnswerRecord] = {}
    tries: dict[str, int] = {}
    texts: dict[str, list[str]] = {}  # candidate's own words for motivation / readiness
    flags: list[Flag] = []
    manipulation_evidence: list[str] = []
    questions_asked: int = 0
    turns: int = 0
    proposal: ProposeCorrection | None = None  # a correction waiting for the candidate's yes
    undo: UndoPoint | None = None  # the correction of the last turn, which one tap refuses
    notes: list[str] = []  # for the counsellor (a rubric changed during the screening)
    llm: ModelMemory | None = None


class Button(BaseModel):
    label: str
    value: str  # sent as the candidate's message when clicked: typing works the same


class Reply(BaseModel):
    messages: list[str]
    buttons: list[Button] = []
    progress: str | None = None
    criterion_id: str | None = None
    done: bool = False
    handoff: bool = False


class _Turn:
    """Mutable scratch space for one step; the state is copied before any change."""

    def __init__(self, rubric: Rubric, state: ScreeningState, now: dt.date):
        self.rubric, self.state, self.now = rubric, state, now
        self.lines: list[str] = []
        self.handoff = False
        self.acknowledged = False
        self.undo_point: UndoPoint | None = None  # the previous turn's, for an Undo command
        self.proposal: ProposeCorrection | None = None  # the previous turn's
        self.which: list[str] = []
        self.qualified = ""


def start(
    rubric: Rubric, session_id: str | None = None, contact: str | None = None
) -> tuple[ScreeningState, Reply]:
    state = ScreeningState(
        rubric_id=rubric.id, rubric_version=rubric.version, session_id=session_id
    )
    if contact:
        state.contact = contact
    turn = _Turn(rubric, state, dt.date.min)
    return state, _advance(turn)


def step(
    rubric: Rubric, state: ScreeningState, commands: list[Command], now: dt.date
) -> tuple[ScreeningState, Reply]:
    state = state.model_copy(deep=True)
    state.turns += 1
    turn = _Turn(rubric, state, now)
    if state.phase == "done":
        return state, Reply(messages=[msg.ALREADY_DONE], done=True)
    turn.undo_point, state.undo = state.undo, None
    turn.proposal, state.proposal = state.proposal, None
    retry_reason = None
    for command in _checked(rubric, state, commands, turn.proposal):
        retry_reason = _apply(turn, command) or retry_reason
    if state.proposal is not None:
        return state, _confirm(turn, state.proposal)
    if turn.which:
        return state, _which(turn)
    if retry_reason is not None and state.pending and state.pending not in state.answers:
        return state, _retry(turn, retry_reason)
    if retry_reason not in (None, "off_topic") and state.phase == "recap":
        return state, recap_choices(rubric, turn.lines)
    return state, _advance(turn)


RUBRIC_CHANGED = (
    "La rubrique a été modifiée pendant le questionnaire (version {before} → {after}) : "
    "les réponses aux critères toujours présents sont gardées."
)
ANSWER_DROPPED = (
    "Réponse écartée : le critère « {criterion} » n'existe plus dans la rubrique "
    "(le candidat avait répondu : {said})."
)
ANSWER_REASKED = (
    "Réponse écartée : la forme de réponse du critère « {criterion} » a changé, la question "
    "est reposée (le candidat avait répondu : {said})."
)


def adapt(rubric: Rubric, state: ScreeningState, now: dt.date) -> ScreeningState:
    """A screening begun with another version of its rubric, carried on with this one.

    Answers to criteria that still exist are kept (their verdict by the new rule); those whose
    criterion was removed, or whose value no longer fits its answer type, are dropped with a note
    for the counsellor; the next unanswered criterion is asked if the pending one is gone."""
    if state.rubric_version == rubric.version:
        return state
    state = state.model_copy(deep=True)
    known = [c.id for c in rubric.criteria]
    state.notes.append(RUBRIC_CHANGED.format(before=state.rubric_version, after=rubric.version))
    for criterion_id, record in list(state.answers.items()):
        said = f"« {record.evidence} »" if record.evidence else repr(record.value)
        if criterion_id not in known:
            del state.answers[criterion_id]
            state.notes.append(ANSWER_DROPPED.format(criterion=criterion_id, said=said))
            continue
        criterion = rubric.criterion(criterion_id)
        if criterion.kind in DIMENSION_KINDS or record.value is None:
            continue
        if not _fits(rubric, criterion, record.value):
            del state.answers[criterion_id]
            state.notes.append(ANSWER_REASKED.format(criterion=criterion_id, said=said))
            continue
        record.verdict = verdict_for(
            criterion,
            record.value,
            rubric=rubric,
            session_start=session_start(rubric, state),
            session_end=session_end(rubric, state),
            today=now,
        )
    state.tries = {k: v for k, v in state.tries.items() if k in known}
    state.texts = {k: v for k, v in state.texts.items() if k in known}
    if state.llm is not None:
        state.llm.messages = {k: v for k, v in state.llm.messages.items() if k in known}
    if state.proposal is not None and state.proposal.criterion_id not in known:
        state.proposal = None
    if state.undo is not None and state.undo.criterion_id not in known:
        state.undo = None
    unanswered = [c for c in known if c not in state.answers]
    if state.phase != "done" and state.pending not in unanswered:
        state.phase, state.pending = ("questions", unanswered[0]) if unanswered else ("recap", None)
    state.rubric_version = rubric.version
    return state


def _fits(rubric: Rubric, criterion: Criterion, value: Value) -> bool:
    """Whether a stored value is still an answer of the criterion's type (and options)."""
    kind = criterion.answer.type
    if kind == AnswerType.yes_no:
        return isinstance(value, bool)
    if kind in (AnswerType.number, AnswerType.duration):
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == AnswerType.date:
        try:
            dt.date.fromisoformat(str(value))
        except ValueError:
            return False
        return True
    if kind in (AnswerType.choice, AnswerType.multi_choice):
        ids = value if isinstance(value, list) else [value]
        return set(ids) <= {o.id for o in criterion.answer.options}
    if kind == AnswerType.level:
        return value in {lvl.id for lvl in rubric.scale(criterion.answer.scale)}
    return isinstance(value, str)


def pending_reply(rubric: Rubric, state: ScreeningState) -> Reply | None:
    """The question waiting for an answer, asked again as it was (a candidate coming back)."""
    turn = _Turn(rubric, state.model_copy(deep=True), dt.date.min)
    if state.phase == "questions" and state.pending:
        criterion = rubric.criterion(state.pending)
        return _ask(turn, criterion, criterion.question)
    if state.phase == "recap":
        return _recap(turn)
    return None


def session_start(rubric: Rubric, state: ScreeningState) -> dt.date:
    sessions = rubric.training.sessions
    chosen = next((s for s in sessions if s.id == state.session_id), None)
    return (chosen or min(sessions, key=lambda s: s.start)).start


def session_end(rubric: Rubric, state: ScreeningState) -> dt.date:
    chosen = next((s for s in rubric.training.sessions if s.id == state.session_id), None)
    return (chosen or min(rubric.training.sessions, key=lambda s: s.start)).end


# --- applying commands ---------------------------------------------------------------------------

RetryReason = Literal[
    "vague", "dont_know", "invalid", "out_of_bounds", "off_topic", "which", "qualified"
]


def _checked(
    rubric: Rubric,
    state: ScreeningState,
    commands: list[Command],
    accepted: ProposeCorrection | None = None,
) -> list[Command]:
    """The business rules on what understanding found, whichever understanding it was.

    One value fills one criterion: answers quoting the same words keep the one asked (or the
    first). While an open question is asked, the message is its answer: what it seems to say
    about an earlier answer is only proposed to the candidate, never applied."""
    pending = rubric.criterion(state.pending) if state.pending else None
    open_question = pending is not None and _is_open(pending)
    setters = [c for c in commands if type(c) in (SetAnswer, Correct)]
    quoted = {_quote(c) for c in setters if c.criterion_id == state.pending}
    kept: list[Command] = []
    for command in commands:
        if command in setters and command.criterion_id != state.pending:
            if _confirms(command, accepted):
                pass  # the candidate said yes to the correction proposed
            elif open_question:
                previous = state.answers.get(command.criterion_id)
                if previous is None or previous.value == command.value:
                    continue
                command = ProposeCorrection(**command.model_dump(exclude={"type"}))
            elif _quote(command) in quoted:
                continue
            else:
                quoted.add(_quote(command))
        kept.append(command)
    return kept


def _confirms(command: SetAnswer, proposal: ProposeCorrection | None) -> bool:
    return (
        proposal is not None
        and command.criterion_id == proposal.criterion_id
        and command.value == proposal.value
    )


def _quote(command: SetAnswer) -> tuple[str, str]:
    return command.evidence, repr(command.value)


def _is_open(criterion: Criterion) -> bool:
    return criterion.kind in DIMENSION_KINDS or criterion.answer.type == AnswerType.free_text


def _apply(turn: _Turn, command: Command) -> RetryReason | None:
    state = turn.state
    match command:
        case ProposeCorrection():
            if state.proposal is None and command.criterion_id in state.answers:
                state.proposal = command
            return None
        case Correct() | SetAnswer():
            return _set_answer(turn, command)
        case Undo():
            _undo(turn)
            return "off_topic"
        case AskWhich(criterion_ids=ids):
            turn.which = [i for i in ids if i in {c.id for c in turn.rubric.criteria}]
            return None
        case Unclear(reason=reason, evidence=evidence):
            pending = state.pending and turn.rubric.criterion(state.pending)
            if evidence and pending and pending.kind in DIMENSION_KINDS:
                state.texts.setdefault(pending.id, []).append(evidence)
            return reason
        case AskQuestion(question=question):
            turn.lines.append(answer_question(turn.rubric, question) or msg.DONT_KNOW_ANSWER)
            return "off_topic"
        case Handoff():
            _flag(state, Flag.handoff_requested)
            turn.handoff = True
            turn.lines.append(msg.HANDOFF.format(contact=state.contact))
            return "off_topic"
        case Manipulation(evidence=evidence):
            _flag(state, Flag.manipulation_attempt)
            state.manipulation_evidence.append(evidence)
            turn.lines.append(msg.MANIPULATION)
            return "off_topic"
        case OffTopic(reason=reason):
            turn.lines.append(_OFF_TOPIC_LINES[reason])
            return "off_topic"
        case Revisit(criterion_id=criterion_id):
            if state.phase in ("recap", "questions"):
                state.pending = criterion_id
                state.phase = "questions"
                state.answers.pop(criterion_id, None)
                state.texts.pop(criterion_id, None)
                state.tries.pop(criterion_id, None)
            return None
        case Confirm():
            if state.phase == "recap":
                state.phase = "done"
            return None
    return None


_OFF_TOPIC_LINES = {
    "off_topic": msg.OFF_TOPIC,
    "greeting": msg.GREETING,
    "rude": msg.RUDE,
    "other_language": msg.OTHER_LANGUAGE,
    "empty": msg.EMPTY,
    "too_long": msg.TOO_LONG,
    "noise": msg.NOISE,
}


def _set_answer(turn: _Turn, command: SetAnswer) -> RetryReason | None:
    state, rubric = turn.state, turn.rubric
    if command.criterion_id not in {c.id for c in rubric.criteria}:
        return None
    criterion = rubric.criterion(command.criterion_id)
    if criterion.kind in DIMENSION_KINDS:
        state.texts.setdefault(criterion.id, []).append(str(command.value))
        record = AnswerRecord(
            value=" ".join(state.texts[criterion.id]),
            evidence=command.evidence,
            verdict=Verdict.met,
            confidence=command.confidence,
        )
        state.answers[criterion.id] = record
        _acknowledge(turn)
        return None
    if not _within_bounds(criterion, command.value):
        return "out_of_bounds" if criterion.id == state.pending else None
    if command.qualified:
        return _qualified(turn, criterion, command)
    verdict = verdict_for(
        criterion,
        command.value,
        rubric=rubric,
        session_start=session_start(rubric, state),
        session_end=session_end(rubric, state),
        today=turn.now,
    )
    previous = state.answers.get(criterion.id)
    record = AnswerRecord(
        value=command.value,
        evidence=command.evidence,
        verdict=verdict,
        confidence=command.confidence,
        note=command.note,
        method=Method(command.source),
    )
    state.answers[criterion.id] = record
    if previous is not None and previous.value != command.value:
        if not isinstance(command, Correct):
            _flag(state, Flag.inconsistent_answers)
        elif turn.proposal is None or turn.proposal.criterion_id != criterion.id:
            state.undo = UndoPoint(criterion_id=criterion.id, previous=previous)
        turn.lines.append(
            msg.CORRECTED.format(
                label=criterion.label, value=display_value(rubric, criterion, command.value)
            )
        )
    else:
        _acknowledge(turn)
    return None


def _qualified(turn: _Turn, criterion: Criterion, command: SetAnswer) -> RetryReason | None:
    """ "Oui, sauf le mercredi": the counsellor checks, or the candidate is asked to say yes or
    no, as the rubric's `when_unclear` implies."""
    state = turn.state
    if criterion.when_unclear == WhenUnclear.counsellor_checks or criterion.id != state.pending:
        state.answers[criterion.id] = AnswerRecord(
            evidence=command.evidence,
            verdict=Verdict.unclear,
            confidence=command.confidence,
            note="réponse avec une réserve",
            method=Method(command.source),
        )
        _flag(state, Flag.unclear_answers)
        _acknowledge(turn)
        return None
    turn.qualified = command.evidence
    return "qualified"


def _undo(turn: _Turn) -> None:
    state, rubric = turn.state, turn.rubric
    if turn.proposal is not None:
        turn.lines.append(msg.KEPT)
        return
    point = turn.undo_point
    if point is None:
        return
    criterion = rubric.criterion(point.criterion_id)
    if point.previous is None:
        state.answers.pop(criterion.id, None)
        turn.lines.append(msg.UNDONE_EMPTY.format(label=criterion.label))
        return
    state.answers[criterion.id] = point.previous
    shown = display_value(rubric, criterion, point.previous.value)
    turn.lines.append(msg.UNDONE.format(label=criterion.label, value=shown))


def _within_bounds(criterion: Criterion, value: Value) -> bool:
    if criterion.answer.type != AnswerType.number or not isinstance(value, int | float):
        return True
    low, high = criterion.answer.min, criterion.answer.max
    return (low is None or value >= low) and (high is None or value <= high)


def _acknowledge(turn: _Turn) -> None:
    if not turn.acknowledged:
        turn.lines.append(msg.ACK[turn.state.turns % len(msg.ACK)])
        turn.acknowledged = True


def _flag(state: ScreeningState, flag: Flag) -> None:
    if flag not in state.flags:
        state.flags.append(flag)


# --- what to say next ----------------------------------------------------------------------------


def _retry(turn: _Turn, reason: RetryReason) -> Reply:
    state, criterion = turn.state, turn.rubric.criterion(turn.state.pending)
    if reason == "off_topic":  # a side question or remark does not use up a try
        turn.lines.append(msg.BACK_TO_QUESTION)
        return _ask(turn, criterion, criterion.question)
    state.tries[criterion.id] = state.tries.get(criterion.id, 0) + 1
    if state.tries[criterion.id] >= criterion.max_tries:
        _give_up(turn, criterion)
        turn.lines.append(msg.MOVE_ON)
        return _advance(turn)
    hint = {
        "dont_know": msg.RETRY_DONT_KNOW,
        "out_of_bounds": msg.RETRY_OUT_OF_BOUNDS,
        "qualified": msg.QUALIFIED.format(said=turn.qualified),
    }.get(reason)
    if criterion.kind in DIMENSION_KINDS:
        hint = hint or msg.RETRY_FREE_TEXT
    elif criterion.answer.type == AnswerType.yes_no:
        hint = hint or msg.RETRY_YES_NO
    elif criterion.answer.type == AnswerType.number:
        unit = f" {criterion.answer.unit}" if criterion.answer.unit else ""
        example = msg.RETRY_NUMBER.format(example=f"3{unit}")
        hint = hint or (msg.NOT_UNDERSTOOD if criterion.follow_up else example)  # not said twice
    turn.lines.append(hint or msg.RETRY_DEFAULT)
    question = criterion.follow_up or criterion.help or criterion.question
    if question == criterion.help:
        question = f"{criterion.help} {criterion.question}"
    return _ask(turn, criterion, question)


def _give_up(turn: _Turn, criterion: Criterion) -> None:
    state = turn.state
    if criterion.kind in DIMENSION_KINDS:
        state.answers[criterion.id] = AnswerRecord(verdict=Verdict.unclear)
        return
    verdict = {
        WhenUnclear.counsellor_checks: Verdict.unclear,
        WhenUnclear.not_met: Verdict.not_met,
        WhenUnclear.met: Verdict.met,
    }[criterion.when_unclear]
    state.answers[criterion.id] = AnswerRecord(verdict=verdict, note="réponse pas claire")
    _flag(state, Flag.unclear_answers)


def _advance(turn: _Turn) -> Reply:
    state, rubric = turn.state, turn.rubric
    if state.phase == "questions":
        following = next((c for c in rubric.criteria if c.id not in state.answers), None)
        if following is not None:
            return _ask(turn, following, following.question)
        state.phase, state.pending = "recap", None
        return _recap(turn)
    if state.phase == "recap":
        return _recap(turn)
    state.pending = None
    turn.lines.append(msg.CLOSING.format(contact=state.contact))
    return Reply(messages=turn.lines, done=True, handoff=turn.handoff)


def _ask(turn: _Turn, criterion: Criterion, question: str) -> Reply:
    state, rubric = turn.state, turn.rubric
    state.pending = criterion.id
    state.questions_asked += 1
    index = [c.id for c in rubric.criteria].index(criterion.id) + 1
    return Reply(
        messages=[*turn.lines, question],
        buttons=_with_undo(state, _buttons(rubric, criterion)),
        progress=msg.PROGRESS.format(index=index, total=len(rubric.criteria)),
        criterion_id=criterion.id,
        handoff=turn.handoff,
    )


def _buttons(rubric: Rubric, criterion: Criterion) -> list[Button]:
    answer = criterion.answer
    if answer.type == AnswerType.yes_no:
        return [Button(label=msg.YES, value=msg.YES), Button(label=msg.NO, value=msg.NO)]
    if answer.type in (AnswerType.choice, AnswerType.multi_choice):
        return [Button(label=o.label, value=o.label) for o in answer.options]
    if answer.type == AnswerType.level:
        return [Button(label=lvl.label, value=lvl.label) for lvl in rubric.scale(answer.scale)]
    return []


def _recap(turn: _Turn) -> Reply:
    rubric, state = turn.rubric, turn.state
    lines = [msg.RECAP_INTRO]
    for criterion in rubric.criteria:
        record = state.answers.get(criterion.id)
        if record is None or record.verdict == Verdict.unclear and record.value is None:
            shown = msg.UNCLEAR_VALUE if record else msg.NO_ANSWER
        else:
            shown = display_value(rubric, criterion, record.value)
        lines.append(f"• {criterion.label} : {shown}")
    turn.lines.append("\n".join(lines))
    return Reply(
        messages=[*turn.lines, msg.RECAP_ASK],
        buttons=_with_undo(
            state,
            [
                Button(label=msg.RECAP_YES, value=msg.RECAP_YES),
                Button(label=msg.RECAP_NO, value=msg.RECAP_NO),
            ],
        ),
        handoff=turn.handoff,
    )


def _with_undo(state: ScreeningState, buttons: list[Button]) -> list[Button]:
    """After an automatic correction, one tap refuses it."""
    if state.undo is None:
        return buttons
    return [*buttons, Button(label=msg.NOT_THAT, value=msg.NOT_THAT)]


def _confirm(turn: _Turn, proposal: ProposeCorrection) -> Reply:
    rubric = turn.rubric
    criterion = rubric.criterion(proposal.criterion_id)
    value = display_value(rubric, criterion, proposal.value)
    question = msg.PROPOSE_CORRECTION.format(label=criterion.label, value=value)
    return Reply(
        messages=[*turn.lines, question],
        buttons=[
            Button(label=msg.YES, value=msg.YES),
            Button(label=msg.NOT_THAT, value=msg.NOT_THAT),
        ],
        criterion_id=turn.state.pending,
        handoff=turn.handoff,
    )


def _which(turn: _Turn) -> Reply:
    labels = [turn.rubric.criterion(cid).label for cid in turn.which]
    return Reply(
        messages=[*turn.lines, msg.WHICH],
        buttons=[Button(label=label, value=label) for label in labels],
        criterion_id=turn.state.pending,
        handoff=turn.handoff,
    )


def recap_choices(rubric: Rubric, lines: list[str]) -> Reply:
    """Buttons to pick the answer to correct, when the candidate says something is wrong."""
    return Reply(
        messages=[*lines, msg.RECAP_WHICH],
        buttons=[Button(label=c.label, value=c.label) for c in rubric.criteria],
    )

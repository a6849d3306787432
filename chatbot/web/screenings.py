"""The candidate chat's work, without Chainlit: open, consent, turns, result — all stored at once.

Every function here is synchronous (database, parsing, scoring): the chat runs them in worker
threads so that the event loop keeps serving other candidates. Text reaching the database is
always scrubbed; the pseudonymiser's mapping lives only in the live chat session.

A write takes the screening's lock first and commits once (`repo.lock_open_screening`). It
raises `repo.ScreeningClosed` for a screening that takes no more answers, `repo.StaleState` when
another tab stored a turn first, and the database's own error when it cannot be reached; in
every case nothing was stored and the conversation is as it was before the message.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session

from chatbot.conversation import Conversation
from chatbot.engine import Reply, ScreeningState, adapt
from chatbot.llm import prompts_hash
from chatbot.messages import chat_text
from chatbot.modes import make_conversation, resume_conversation
from chatbot.ranking import ranking_score
from chatbot.rubric import Rubric
from chatbot.rubric_loader import read_folder, rubrics_in
from chatbot.settings import get_settings
from chatbot.web.invitations import Invitation, InvitationError, invitation_url
from storage import campaigns, repo
from storage.db import get_engine, session_scope
from storage.models import Role, Screening, ScreeningStatus

log = logging.getLogger(__name__)


class TurnNotStored(Exception):
    """The database did not take the turn (unreachable, read-only, …): nothing of it is stored
    and the conversation is rolled back; the candidate sends the message again."""


UNKNOWN_TRAINING = (
    "Cette formation n'est plus proposée dans ce questionnaire. "
    "Demandez un nouveau lien à votre conseiller France Travail."
)


# --- rubrics and trainings --------------------------------------------------------------------


def rubrics() -> dict[str, Rubric]:
    return rubrics_in(get_settings().rubrics_dir)


def skipped_rubrics() -> list[str]:
    """The rubric files that do not load: their trainings are not offered until fixed."""
    return sorted(Path(name).name for name in read_folder(get_settings().rubrics_dir).broken)


def report_skipped_rubrics() -> None:
    """Each broken rubric file in the log, with its line and field (French, no candidate data)."""
    for line in read_folder(get_settings().rubrics_dir).report():
        log.error("%s", line)


def rubric_for(invitation: Invitation) -> Rubric:
    """The invitation's rubric; raises InvitationError if the training or session is unknown."""
    rubric = rubrics().get(invitation.training_id)
    if rubric is None:
        raise InvitationError(UNKNOWN_TRAINING)
    sessions = {s.id for s in rubric.training.sessions}
    if invitation.session_id is not None and invitation.session_id not in sessions:
        raise InvitationError(UNKNOWN_TRAINING)
    return rubric


@cache
def prepare() -> None:
    """Check the schema and record the trainings and sessions of the rubrics (once). Instances
    started together may insert the same training at once: the loser of that race finds the
    rows the winner wrote on its second try."""
    for attempt in (1, 2):
        try:
            with session_scope(get_engine()) as db:
                repo.sync_trainings(db, rubrics().values())
            return
        except sa.exc.IntegrityError:
            if attempt == 2:
                raise


# --- scrubbing ----------------------------------------------------------------------------------


def new_scrubber():
    """One pseudonymiser per live conversation."""
    from pii import Pseudonymizer

    return Pseudonymizer()


class DeferredRestore:
    """Wraps a pseudonymiser so that replies keep their placeholders: they are stored as they
    are and restored only for display, so personal data never reaches the database."""

    def __init__(self, inner):
        self.inner = inner

    def scrub(self, text: str):
        return self.inner.scrub(text)

    def scrub_chat(self, chat):
        return self.inner.scrub_chat(chat)

    def restore(self, text: str) -> str:
        return text


# --- opening a link ------------------------------------------------------------------------------


@dataclass
class Opening:
    """What the chat needs to show when a link is opened."""

    status: ScreeningStatus
    rubric: Rubric
    screening_id: int | None = None
    state: ScreeningState | None = None
    history: list[tuple[Role, str]] = field(default_factory=list)


def invite(invitation: Invitation) -> tuple[str, int]:
    """Create (or reuse) the candidate's open screening; return the link and the screening id."""
    rubric = rubric_for(invitation)
    prepare()
    with session_scope() as db:
        repo.lock_link(db, invitation.candidate_ref, rubric.id, invitation.session_id)
        screening = open_or_create(db, invitation, rubric)
        return invitation_url(invitation), screening.id


def open_screening(invitation: Invitation) -> Opening:
    rubric = rubric_for(invitation)
    prepare()
    with session_scope() as db:
        ref, training, session = invitation.candidate_ref, rubric.id, invitation.session_id
        repo.lock_link(db, ref, training, session)
        latest = repo.latest_screening(db, ref, training, session)
        if latest is not None and latest.status == ScreeningStatus.completed:
            return Opening(ScreeningStatus.completed, rubric, latest.id)
        screening = open_or_create(db, invitation, rubric)
        campaigns.mark_opened(db, screening.id)  # a campaign's "opened" step
        db.commit()
        state = None
        if screening.state_json:  # begun with another version of the rubric: carried over
            stored = ScreeningState.model_validate(screening.state_json)
            state = adapt(rubric, stored, dt.date.today())
        history = [(t.role, t.text) for t in repo.list_turns(db, screening.id)]
        return Opening(screening.status, rubric, screening.id, state, history)


def open_or_create(db: Session, invitation: Invitation, rubric: Rubric) -> Screening:
    """The open screening; else the declined one, asked again (one row per candidate); else new."""
    ref, session_id = invitation.candidate_ref, invitation.session_id
    found = repo.find_open_screening(db, ref, rubric.id, session_id)
    latest = found or repo.latest_screening(db, ref, rubric.id, session_id)
    if found is None and latest is not None and latest.status == ScreeningStatus.declined:
        found = repo.reopen_declined(db, latest.id)
    return found or repo.create_screening(
        db,
        invitation.candidate_ref,
        rubric.id,
        rubric_version=rubric.version,
        session_id=invitation.session_id,
        prompts_hash=prompts_hash() if get_settings().llm_enabled else None,
    )


# --- consent -------------------------------------------------------------------------------------


def decline(screening_id: int) -> None:
    with session_scope() as db:
        repo.lock_open_screening(db, screening_id, [ScreeningStatus.invited])
        repo.record_decline(db, screening_id)


def accept(screening_id: int, rubric: Rubric, session_id: str | None, scrubber) -> tuple:
    """Record consent and ask the first question, in one transaction. Returns (conversation,
    first reply). Also for a screening consented earlier whose first question was never stored."""
    conversation, reply = make_conversation(
        rubric, session_id, get_settings().counsellor_contact, DeferredRestore(scrubber)
    )
    with session_scope() as db:
        statuses = [ScreeningStatus.invited, ScreeningStatus.consented]
        screening = repo.lock_open_screening(db, screening_id, statuses)
        if screening.status == ScreeningStatus.invited:
            repo.record_consent(db, screening_id)
        repo.save_state(
            db,
            screening_id,
            conversation.state,
            pending_criterion_id=reply.criterion_id,
            turns=[_reply_turn(reply)],
        )
    return conversation, reply


def resume(rubric: Rubric, state: ScreeningState, scrubber) -> Conversation:
    return resume_conversation(rubric, state, DeferredRestore(scrubber))


# --- turns ---------------------------------------------------------------------------------------


def take_turn(screening_id: int, conversation: Conversation, text: str, today: dt.date) -> Reply:
    """Understand one message and store it with the reply, the new state and, at the end, the
    result: one transaction, under the screening's lock, or nothing and the conversation rolled
    back. The reply keeps its placeholders (restore them for display)."""
    saved = _checkpoint(conversation)
    pending, version = conversation.state.pending, conversation.state.turns
    try:
        turn = conversation.handle(text, today)
    except Exception:
        _roll_back(conversation, saved)
        _store_unhandled(screening_id, conversation, text, pending)
        raise
    reply = turn.reply
    try:
        result = conversation.result() if reply.done else None
        with session_scope() as db:
            repo.lock_open_screening(db, screening_id, state_turns=version)
            _store_turn(db, screening_id, conversation, turn, pending, result)
    except (repo.ScreeningClosed, repo.StaleState):
        _roll_back(conversation, saved)
        raise
    except Exception as problem:
        _roll_back(conversation, saved)
        raise TurnNotStored(f"turn of screening {screening_id} not stored") from problem
    return reply


def _store_turn(db: Session, screening_id: int, conversation, turn, pending, result) -> None:
    reply = turn.reply
    candidate = repo.NewTurn(
        Role.candidate, turn.candidate_text, pending, turn.method, turn.fallback
    )
    repo.save_state(
        db,
        screening_id,
        conversation.state,
        pending_criterion_id=reply.criterion_id,
        turns=[candidate, _reply_turn(reply)],
    )
    if turn.tokens_in or turn.tokens_out:
        repo.add_tokens(db, screening_id, turn.tokens_in, turn.tokens_out)
    if reply.handoff:
        repo.mark_handoff(db, screening_id)
    if result is not None:
        score = ranking_score(conversation.rubric, result)
        repo.save_result(db, screening_id, result, ranking_score=score)


def _checkpoint(conversation: Conversation) -> dict:
    """What a turn changes in a conversation (the state; in LLM mode, the answers kept)."""
    saved: dict = {"state": conversation.state}
    kept = getattr(conversation, "dimension_messages", None)
    if kept is not None:
        saved["dimension_messages"] = {key: list(value) for key, value in kept.items()}
    return saved


def _roll_back(conversation: Conversation, saved: dict) -> None:
    for name, value in saved.items():
        setattr(conversation, name, value)


def _store_unhandled(screening_id: int, conversation: Conversation, text: str, pending) -> None:
    """Keep the candidate's (scrubbed) words even when understanding them failed."""
    try:
        scrubbed = conversation.scrubber.scrub(text)
        with session_scope() as db:
            version = conversation.state.turns
            repo.lock_open_screening(db, screening_id, state_turns=version)
            repo.append_turn(db, screening_id, Role.candidate, str(scrubbed), criterion_id=pending)
    except Exception:
        log.exception("could not store the candidate's message of screening %s", screening_id)


def _reply_turn(reply: Reply) -> repo.NewTurn:
    return repo.NewTurn(Role.assistant, render(reply), reply.criterion_id)


def render(reply: Reply) -> str:
    """One chat message, as the candidate sees it and as it is stored."""
    return chat_text(reply.messages, reply.progress)

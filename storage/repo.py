"""Repository functions in domain terms. None of them commits: they flush, and the caller owns
the transaction (`storage.db.session_scope` commits once at the end of its block), so that a
candidate's turn — message, reply, state, result, tokens, flags — is stored whole or not at all.

A candidate's turn first takes the screening's lock (`lock_open_screening`): one writer per
screening, turns numbered inside the lock, and no write at all to a closed screening.
Times default to now, in UTC.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

import sqlalchemy as sa
from pydantic import BaseModel, TypeAdapter
from sqlmodel import Session, col, select

from chatbot.results import Flag, Method, ScreeningResult, Verdict
from chatbot.rubric import Kind, Rubric
from storage import campaigns, revocations
from storage.db import write_lock_first
from storage.models import (
    OPEN_STATUSES,
    AuditLog,
    Candidate,
    CriterionResultRow,
    Decision,
    DimensionScoreRow,
    Override,
    Role,
    Screening,
    ScreeningStatus,
    Training,
    TrainingSession,
    Turn,
)
from storage.types import utcnow

ERASED_REF_PREFIX = "efface-"
_CHILD_TABLES = (Turn, CriterionResultRow, DimensionScoreRow, Override)
_JSON_ADAPTER = TypeAdapter(dict[str, Any])
_SCREENING, _TURN = Screening.__table__, Turn.__table__
_BEFORE_ANSWERS = (ScreeningStatus.invited, ScreeningStatus.consented)
_LOCK = (  # built once: a turn's statements cost more to build than to run on SQLite
    sa.select(_SCREENING.c.status, _SCREENING.c.state_json["turns"].as_integer())
    .where(_SCREENING.c.id == sa.bindparam("screening_id"))
    .with_for_update()
)


# --- candidates, trainings ----------------------------------------------------------------


def get_or_create_candidate(db: Session, ref: str) -> Candidate:
    candidate = db.exec(select(Candidate).where(Candidate.ref == ref)).first()
    if candidate is None:
        candidate = Candidate(ref=ref)
        db.add(candidate)
        db.flush()
    return candidate


def sync_trainings(db: Session, rubrics: Iterable[Rubric]) -> None:
    """Insert or update one training per rubric and its sessions (sessions are never deleted:
    screenings refer to them)."""
    for rubric in rubrics:
        training = db.get(Training, rubric.id) or Training(id=rubric.id)
        training.title = rubric.training.title
        training.sector = rubric.training.sector
        training.version = rubric.version
        db.add(training)
        for spec in rubric.training.sessions:
            row = db.get(TrainingSession, (rubric.id, spec.id))
            row = row or TrainingSession(training_id=rubric.id, id=spec.id)
            row.start, row.end, row.seats = spec.start, spec.end, spec.seats
            db.add(row)
    db.flush()


# --- screenings ---------------------------------------------------------------------------


def get_screening(db: Session, screening_id: int) -> Screening:
    screening = db.get(Screening, screening_id)
    if screening is None:
        raise LookupError(f"no screening {screening_id}")
    return screening


def create_screening(
    db: Session,
    candidate_ref: str,
    training_id: str,
    *,
    rubric_version: str,
    session_id: str | None = None,
    prompts_hash: str | None = None,
) -> Screening:
    candidate = get_or_create_candidate(db, candidate_ref)
    screening = Screening(
        candidate_id=candidate.id,
        training_id=training_id,
        session_id=session_id,
        rubric_version=rubric_version,
        prompts_hash=prompts_hash,
    )
    db.add(screening)
    db.flush()
    return screening


def find_open_screening(
    db: Session, candidate_ref: str, training_id: str, session_id: str | None = None
) -> Screening | None:
    """The latest screening of this candidate for this training and session that can resume."""
    return latest_screening(db, candidate_ref, training_id, session_id, statuses=OPEN_STATUSES)


def latest_screening(
    db: Session,
    candidate_ref: str,
    training_id: str,
    session_id: str | None = None,
    statuses: Iterable[ScreeningStatus] | None = None,
) -> Screening | None:
    """The latest screening of this candidate for this training and session (any status)."""
    query = (
        select(Screening)
        .join(Candidate)
        .where(
            Candidate.ref == candidate_ref,
            Screening.training_id == training_id,
            col(Screening.session_id).is_(None)
            if session_id is None
            else Screening.session_id == session_id,
        )
        .order_by(col(Screening.created_at).desc(), col(Screening.id).desc())
    )
    if statuses is not None:
        query = query.where(col(Screening.status).in_(list(statuses)))
    return db.exec(query).first()


# The statuses a candidate's turn may write to; consent is given or refused only when invited.
TURN_STATUSES = (ScreeningStatus.consented, ScreeningStatus.in_progress)


class ScreeningClosed(Exception):
    """The screening takes no more writes from the chat: completed, erased, declined, or purged
    (`status` None)."""

    def __init__(self, status: ScreeningStatus | None):
        super().__init__(f"screening {status or 'purged'}")
        self.status = status


class StaleState(Exception):
    """Another tab stored a turn since this one read the state: reload instead of overwriting."""


class Locked(NamedTuple):
    """The screening a write has locked: what the write needs to know of it."""

    id: int
    status: ScreeningStatus


def lock_open_screening(
    db: Session,
    screening_id: int,
    statuses: Iterable[ScreeningStatus] = TURN_STATUSES,
    *,
    state_turns: int | None = None,
) -> Locked:
    """Lock the screening for this transaction (PostgreSQL `SELECT … FOR UPDATE`, SQLite
    `BEGIN IMMEDIATE`: call it first) and check it may still be written to: its status is one of
    `statuses`, and its stored state has `state_turns` turns (the writer's version of it)."""
    write_lock_first(db)
    row = db.exec(_LOCK, params={"screening_id": screening_id}).first()
    if row is None or row[0] not in tuple(statuses):
        raise ScreeningClosed(None if row is None else row[0])
    stored_turns = row[1] or 0
    if state_turns is not None and stored_turns != state_turns:
        raise StaleState(f"state at turn {stored_turns}, writer at turn {state_turns}")
    return Locked(screening_id, row[0])


def lock_link(db: Session, candidate_ref: str, training_id: str, session_id: str | None) -> None:
    """Serialise the openings of one candidate's link for this transaction (call it first): two
    tabs opening it at the same instant would otherwise both find no screening and create two,
    or fail on the candidate's unique reference. PostgreSQL: an advisory lock on the link;
    SQLite: the database's write lock."""
    if db.get_bind().dialect.name == "sqlite":
        write_lock_first(db)
        return
    link = "\x1f".join([candidate_ref, training_id, session_id or ""]).encode()
    key = int.from_bytes(hashlib.blake2b(link, digest_size=8).digest(), "big", signed=True)
    db.exec(sa.select(sa.func.pg_advisory_xact_lock(key)))


def mark_handoff(db: Session, screening_id: int) -> None:
    """The candidate asked for a person: visible to counsellors before the screening ends."""
    db.exec(sa.update(Screening).where(col(Screening.id) == screening_id).values(handoff=True))
    db.flush()


def record_consent(db: Session, screening_id: int, *, now: dt.datetime | None = None) -> Screening:
    screening = get_screening(db, screening_id)
    screening.status = ScreeningStatus.consented
    screening.consent_at = screening.updated_at = now or utcnow()
    db.add(screening)
    db.flush()
    return screening


def record_decline(db: Session, screening_id: int, *, now: dt.datetime | None = None) -> Screening:
    """Declining keeps nothing beyond the refusal: no state, no turns, no result."""
    screening = get_screening(db, screening_id)
    _delete_children(db, [screening_id])
    _clear_content(screening)
    revocations.revoke_link_of(db, screening)  # the same link no longer starts again
    screening.status = ScreeningStatus.declined
    screening.declined_at = screening.updated_at = now or utcnow()
    db.add(screening)
    db.flush()
    return screening


def reopen_declined(db: Session, screening_id: int, *, now: dt.datetime | None = None) -> Screening:
    """A candidate who declined opens the link again: the same screening asks for consent anew
    (`declined_at` keeps the earlier refusal)."""
    screening = get_screening(db, screening_id)
    screening.status = ScreeningStatus.invited
    screening.updated_at = now or utcnow()
    db.add(screening)
    db.flush()
    return screening


def save_state(
    db: Session,
    screening_id: int,
    state: Mapping[str, Any] | BaseModel,
    *,
    pending_criterion_id: str | None = None,
    turns: Iterable[NewTurn] = (),
) -> None:
    """Store the engine state; a consented screening becomes in progress. `turns` are the
    messages that led to it (scrubbed, numbered here as by `append_turn`): stored in the same
    flush, one UPDATE of the screening and one INSERT."""
    status = _SCREENING.c.status
    _store_turns(
        db,
        screening_id,
        turns,
        state_json=_jsonable(state),
        pending_criterion_id=pending_criterion_id,
        status=sa.case((status.in_(_BEFORE_ANSWERS), ScreeningStatus.in_progress), else_=status),
    )


def add_tokens(db: Session, screening_id: int, token_in: int, token_out: int) -> None:
    """Add a model call's token counts (one atomic UPDATE: concurrent calls add up)."""
    db.exec(
        sa.update(Screening)
        .where(col(Screening.id) == screening_id)
        .values(
            token_in=Screening.token_in + token_in,
            token_out=Screening.token_out + token_out,
        )
    )
    db.flush()


# --- turns --------------------------------------------------------------------------------


class NewTurn(NamedTuple):
    """A message to store (scrubbed text only), numbered by the repository."""

    role: Role
    text: str
    criterion_id: str | None = None
    method: Method | None = None
    fallback: bool = False


def append_turn(
    db: Session,
    screening_id: int,
    role: Role,
    text: str,
    *,
    criterion_id: str | None = None,
    method: Method | None = None,
    fallback: bool = False,
) -> None:
    """Store one scrubbed message, numbered after the last one."""
    _store_turns(db, screening_id, [NewTurn(role, text, criterion_id, method, fallback)])


def _store_turns(db: Session, screening_id: int, turns: Iterable[NewTurn], **values) -> None:
    """Number `turns` after the screening's last one (its `last_seq`, counted in the row the
    chat locked first, see `lock_open_screening`, so that two tabs never take the same number)
    and store them with the screening's new `values`: one UPDATE, one INSERT. Core statements,
    not the ORM: a turn's writes cost a third of what the unit of work made of them."""
    turns, now = list(turns), utcnow()
    db.flush()  # what the session holds is written before these statements
    last = db.exec(
        sa.update(_SCREENING)
        .where(_SCREENING.c.id == screening_id)
        .values(last_seq=_SCREENING.c.last_seq + len(turns), updated_at=now, **values)
        .returning(_SCREENING.c.last_seq)
    ).scalar_one_or_none()
    if last is None:
        raise LookupError(f"no screening {screening_id}")
    first = last - len(turns) + 1
    if turns:
        rows = [
            {**turn._asdict(), "screening_id": screening_id, "seq": seq, "created_at": now}
            for seq, turn in enumerate(turns, start=first)
        ]
        db.exec(sa.insert(_TURN), params=rows)
    stale = db.identity_map.get(db.identity_key(Screening, screening_id))
    if stale is not None:  # an object of this screening the session holds: read those again
        db.expire(stale, ["last_seq", "updated_at", *values])


def list_turns(db: Session, screening_id: int) -> list[Turn]:
    return list(db.exec(select(Turn).where(Turn.screening_id == screening_id).order_by(Turn.seq)))


# --- results, overrides, decisions ----------------------------------------------------------


def save_result(
    db: Session,
    screening_id: int,
    result: ScreeningResult,
    *,
    ranking_score: float | None = None,
    now: dt.datetime | None = None,
) -> None:
    """Store the result, its rows and the denormalised columns; a complete result completes the
    screening. `ranking_score` comes from the scoring module (storage does not know the weights)."""
    screening = get_screening(db, screening_id)
    _store_result(db, screening, result, ranking_score)
    now = now or utcnow()
    if result.complete and screening.status != ScreeningStatus.completed:
        screening.status = ScreeningStatus.completed
        screening.completed_at = now
    screening.updated_at = now
    db.add(screening)
    db.flush()


def load_result(db: Session, screening_id: int) -> ScreeningResult | None:
    stored = get_screening(db, screening_id).result_json
    return None if stored is None else ScreeningResult.model_validate(stored)


def record_override(
    db: Session,
    screening_id: int,
    target_id: str,
    after: Verdict | int | None,
    *,
    reason: str,
    counsellor: str,
    ranking_score: float | None,
) -> Override:
    """A counsellor changes a verdict (criterion) or a level (dimension). The reason is mandatory;
    the change is audited. Pass the ranking score recomputed on the changed result."""
    if not reason.strip():
        raise ValueError("an override needs a reason")
    screening = db.get(Screening, screening_id, with_for_update=True, populate_existing=True)
    if screening is None:
        raise LookupError(f"no screening {screening_id}")
    result = load_result(db, screening_id)
    if result is None:
        raise ValueError(f"screening {screening_id} has no result to override")
    before = _apply_override(result, target_id, after)
    _store_result(db, screening, result, ranking_score)
    override = Override(
        screening_id=screening_id,
        target_id=target_id,
        before=before,
        after=after,
        reason=reason.strip(),
        counsellor=counsellor,
    )
    db.add(override)
    screening.updated_at = override.at
    db.add(screening)
    db.flush()
    details = {"target_id": target_id, "before": before, "after": after, "override_id": override.id}
    audit(db, counsellor, "override", screening_id=screening_id, details=details)
    db.flush()
    return override


def record_decision(
    db: Session, screening_id: int, decision: Decision | None, *, counsellor: str
) -> None:
    """The counsellor's decision (None withdraws it); audited with the previous one."""
    screening = get_screening(db, screening_id)
    details = {"before": screening.decision, "after": decision}
    screening.decision = decision
    screening.decision_by = counsellor if decision else None
    screening.decision_at = utcnow() if decision else None
    db.add(screening)
    audit(db, counsellor, "decision", screening_id=screening_id, details=details)
    db.flush()


# --- audit, GDPR ----------------------------------------------------------------------------


def audit(
    db: Session,
    actor: str,
    action: str,
    *,
    screening_id: int | None = None,
    candidate_ref: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> AuditLog:
    entry = AuditLog(
        actor=actor,
        action=action,
        screening_id=screening_id,
        candidate_ref=candidate_ref,
        details=_jsonable(details) if details is not None else None,
    )
    db.add(entry)
    db.flush()
    return entry


def revoke_link(
    db: Session, candidate_ref: str, training_id: str, session_id: str | None, *, actor: str
) -> None:
    """A counsellor's revocation: the candidate's links for this training and session, issued
    until now, stop working; a new invitation works again. Audited."""
    revocations.revoke(db, revocations.link_subject(candidate_ref, training_id, session_id))
    details = {"training_id": training_id, "session_id": session_id}
    audit(db, actor, "revoke_link", candidate_ref=candidate_ref, details=details)
    db.flush()


def purge_older_than(
    db: Session,
    days: int,
    *,
    actor: str = "system",
    now: dt.datetime | None = None,
    include_open: bool = False,
) -> int:
    """Delete screenings with no activity for `days` days, and candidates left without any.
    Open screenings (invited, consented, in progress) are kept unless `include_open`: a candidate
    may be answering. Returns the number of screenings deleted; the purge itself is audited."""
    cutoff = (now or utcnow()) - dt.timedelta(days=days)
    query = select(Screening.id).where(Screening.updated_at < cutoff)
    if not include_open:
        query = query.where(col(Screening.status).not_in(list(OPEN_STATUSES)))
    ids = list(db.exec(query))
    for chunk in _chunks(ids, 500):
        _delete_children(db, chunk)
        db.exec(sa.delete(Screening).where(col(Screening.id).in_(chunk)))
    orphans = sa.delete(Candidate).where(
        ~sa.exists().where(col(Screening.candidate_id) == Candidate.id)
    )
    candidates = db.exec(orphans).rowcount
    details = {"days": days, "screenings": len(ids), "candidates": candidates}
    if include_open:
        details["include_open"] = True
    audit(db, actor, "purge", details=details)
    db.flush()
    return len(ids)


def erase_candidate(db: Session, ref: str, *, actor: str) -> int:
    """Erase one candidate's data (right to erasure). Screenings stay as empty `erased` rows so
    that counts and statistics hold; the reference is replaced by a random one. Audited.
    Returns the number of screenings erased (0 for an unknown reference)."""
    candidate = db.exec(select(Candidate).where(Candidate.ref == ref)).first()
    if candidate is None:
        return 0
    # Locked first: a turn being stored ends before, or finds the screening erased.
    mine = select(Screening).where(Screening.candidate_id == candidate.id).with_for_update()
    screenings = list(db.exec(mine))
    _delete_children(db, [s.id for s in screenings])
    for screening in screenings:
        _clear_content(screening)
        screening.status = ScreeningStatus.erased
        screening.updated_at = utcnow()
        db.add(screening)
    candidate.ref = ERASED_REF_PREFIX + secrets.token_hex(16)
    db.add(candidate)
    revocations.revoke(db, revocations.candidate_subject(ref))  # every link of theirs, too
    campaigns.forget_contacts(db, candidate.id)  # e-mail address and mobile number
    # The audit keeps what happened, never whom it was about: the random reference stands in.
    db.exec(
        sa.update(AuditLog)
        .where(col(AuditLog.candidate_ref) == ref)
        .values(candidate_ref=candidate.ref)
    )
    details = {"screenings": [s.id for s in screenings]}
    audit(db, actor, "erase", candidate_ref=candidate.ref, details=details)
    db.flush()
    return len(screenings)


def export_candidate(db: Session, ref: str, *, actor: str) -> dict[str, Any]:
    """Everything stored about one candidate, as JSON-ready data (right of access). Audited."""
    candidate = db.exec(select(Candidate).where(Candidate.ref == ref)).first()
    if candidate is None:
        raise LookupError(f"no candidate {ref!r}")
    screenings = db.exec(
        select(Screening).where(Screening.candidate_id == candidate.id).order_by(Screening.id)
    )
    export = {
        "candidate_ref": ref,
        "created_at": candidate.created_at.isoformat(),
        "exported_at": utcnow().isoformat(),
        "screenings": [_export_screening(db, s) for s in screenings],
    }
    audit(db, actor, "export", candidate_ref=ref)
    return export


# --- helpers --------------------------------------------------------------------------------


def _jsonable(value: Mapping[str, Any] | BaseModel) -> dict[str, Any]:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    return _JSON_ADAPTER.dump_python(dict(value), mode="json")


def _chunks(ids: list[int], size: int) -> Iterable[list[int]]:
    return (ids[i : i + size] for i in range(0, len(ids), size))


def _delete_children(db: Session, screening_ids: list[int]) -> None:
    if not screening_ids:
        return
    # Explicit rather than relying on ON DELETE CASCADE, which SQLite honours only with a pragma.
    for table in _CHILD_TABLES:
        db.exec(sa.delete(table).where(col(table.screening_id).in_(screening_ids)))


def _clear_content(screening: Screening) -> None:
    for field in _CONTENT_FIELDS:
        setattr(screening, field, None)
    screening.handoff = False
    screening.last_seq = 0  # its turns are deleted with it


# The screening columns derived from its result, for fast lists and rankings.
RESULT_COLUMNS = (
    "prerequisites_met",
    "prerequisites_not_met",
    "prerequisites_unclear",
    "blocking_not_met",
    "motivation_level",
    "readiness_level",
    "ranking_score",
    "mobility",
    "availability",
    "flags",
)
_CONTENT_FIELDS = (
    "state_json",
    "result_json",
    "pending_criterion_id",
    "decision",
    "decision_by",
    "decision_at",
    *RESULT_COLUMNS,
)


def _apply_override(result: ScreeningResult, target_id: str, after: Verdict | int | None) -> Any:
    """Change `result` in place; return the value before."""
    if any(c.criterion_id == target_id for c in result.criteria):
        criterion = result.criterion(target_id)
        before, criterion.verdict = criterion.verdict.value, Verdict(after)
        criterion.method = Method.counsellor
        return before
    if any(d.criterion_id == target_id for d in result.dimensions):
        dimension = result.dimension(target_id)
        if after is not None and not (isinstance(after, int) and 0 <= after <= dimension.max_level):
            raise ValueError(f"level {after!r} outside 0..{dimension.max_level}")
        before, dimension.level = dimension.level, after
        dimension.method = Method.counsellor
        return before
    raise LookupError(f"no criterion or dimension {target_id!r} in the result")


def _store_result(
    db: Session, screening: Screening, result: ScreeningResult, ranking_score: float | None
) -> None:
    blocking_not_met = any(c.blocking and c.verdict == Verdict.not_met for c in result.criteria)
    flags = [f for f in result.flags if f != Flag.blocking_not_met]
    if blocking_not_met:
        flags.append(Flag.blocking_not_met)
    result.flags = flags
    prerequisites = [c for c in result.criteria if c.kind == Kind.prerequisite]
    screening.result_json = result.model_dump(mode="json")
    screening.prerequisites_met = sum(c.verdict == Verdict.met for c in prerequisites)
    screening.prerequisites_not_met = sum(c.verdict == Verdict.not_met for c in prerequisites)
    screening.prerequisites_unclear = sum(c.verdict == Verdict.unclear for c in prerequisites)
    screening.blocking_not_met = blocking_not_met
    screening.motivation_level = _mean_level(result, Kind.motivation)
    screening.readiness_level = _mean_level(result, Kind.readiness)
    screening.ranking_score = ranking_score
    screening.mobility = result.mobility
    screening.availability = result.availability
    screening.flags = "".join(f",{f}" for f in flags) + "," if flags else None
    screening.handoff = screening.handoff or Flag.handoff_requested in flags
    _delete_result_rows(db, screening.id)
    db.add_all(_criterion_rows(screening.id, result) + _dimension_rows(screening.id, result))


def _delete_result_rows(db: Session, screening_id: int | None) -> None:
    for table in (CriterionResultRow, DimensionScoreRow):
        db.exec(sa.delete(table).where(col(table.screening_id) == screening_id))


def _mean_level(result: ScreeningResult, kind: Kind) -> float | None:
    levels = [
        d.level / d.max_level
        for d in result.dimensions
        if d.kind == kind and d.level is not None and d.max_level
    ]
    return sum(levels) / len(levels) if levels else None


def _criterion_rows(screening_id: int | None, result: ScreeningResult) -> list[Any]:
    return [
        CriterionResultRow(
            screening_id=screening_id,
            criterion_id=c.criterion_id,
            kind=c.kind,
            blocking=c.blocking,
            verdict=c.verdict,
            value=c.model_dump(mode="json")["value"],
            evidence=c.evidence,
            method=c.method,
            confidence=c.confidence,
            note=c.note,
        )
        for c in result.criteria
    ]


def _dimension_rows(screening_id: int | None, result: ScreeningResult) -> list[Any]:
    return [
        DimensionScoreRow(
            screening_id=screening_id,
            criterion_id=d.criterion_id,
            kind=d.kind,
            level=d.level,
            max_level=d.max_level,
            method=d.method,
            confidence=d.confidence,
        )
        for d in result.dimensions
    ]


def _export_screening(db: Session, screening: Screening) -> dict[str, Any]:
    overrides = db.exec(
        select(Override).where(Override.screening_id == screening.id).order_by(Override.id)
    )
    data = screening.model_dump(mode="json", exclude={"candidate_id"})
    data["turns"] = [
        t.model_dump(mode="json", exclude={"id", "screening_id"})
        for t in list_turns(db, screening.id)
    ]
    data["overrides"] = [o.model_dump(mode="json", exclude={"screening_id"}) for o in overrides]
    return data

"""SQLModel tables. Candidates are known by a pseudonymous reference only; turns hold scrubbed text.

Enumerations are stored as short strings (no native PostgreSQL ENUM types: adding a value
must not need a migration dance). The screening row carries a few denormalised columns, filled
from its `ScreeningResult`, so the session list and the ranking read one indexed table.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from chatbot.results import Method, Verdict
from chatbot.rubric import Kind
from storage.types import UTCDateTime, utcnow


class ScreeningStatus(StrEnum):
    invited = "invited"
    consented = "consented"
    declined = "declined"
    in_progress = "in_progress"
    completed = "completed"
    abandoned = "abandoned"
    erased = "erased"


OPEN_STATUSES = (ScreeningStatus.invited, ScreeningStatus.consented, ScreeningStatus.in_progress)


class Decision(StrEnum):
    retenu = "retenu"
    non_retenu = "non_retenu"
    a_recontacter = "a_recontacter"


class Role(StrEnum):
    candidate = "candidate"
    assistant = "assistant"


def _when(**kw: Any) -> Any:
    return Field(sa_type=UTCDateTime(), **kw)


def _created() -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime(), nullable=False)


def _short(length: int, **kw: Any) -> Any:
    return Field(sa_type=sa.String(length), **kw)


def _enum(enum: type[StrEnum], **kw: Any) -> Any:
    """A VARCHAR(16) without CHECK constraint in the database, the enum member in Python."""
    stored = sa.Enum(
        enum,
        native_enum=False,
        create_constraint=False,
        length=16,
        values_callable=lambda members: [m.value for m in members],
    )
    return Field(sa_type=stored, **kw)


def _text(**kw: Any) -> Any:
    return Field(sa_type=sa.Text, **kw)


def _json(**kw: Any) -> Any:
    return Field(default=None, sa_type=sa.JSON, nullable=True, **kw)


class Candidate(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    ref: str = _short(128, unique=True)
    created_at: dt.datetime = _created()


class Training(SQLModel, table=True):
    id: str = _short(64, primary_key=True)  # the rubric id
    title: str = _text()
    sector: str = _short(32)
    version: str = _short(64)  # rubric content hash at the last sync


class TrainingSession(SQLModel, table=True):
    __tablename__ = "training_session"

    training_id: str = _short(64, primary_key=True, foreign_key="training.id")
    id: str = _short(64, primary_key=True)  # the rubric's session id (unique within a training)
    start: dt.date
    end: dt.date
    seats: int


class Screening(SQLModel, table=True):
    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["training_id", "session_id"], ["training_session.training_id", "training_session.id"]
        ),
        sa.Index("ix_screening_session_status", "training_id", "session_id", "status"),
        sa.Index(
            "ix_screening_ranking",
            "training_id",
            "session_id",
            "blocking_not_met",
            "ranking_score",
        ),
        sa.Index("ix_screening_candidate_training", "candidate_id", "training_id", "session_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    candidate_id: int = Field(foreign_key="candidate.id")
    training_id: str = _short(64, foreign_key="training.id")
    session_id: str | None = _short(64, default=None)
    rubric_version: str = _short(64)
    prompts_hash: str | None = _short(64, default=None)
    status: ScreeningStatus = _enum(ScreeningStatus, default=ScreeningStatus.invited)
    consent_at: dt.datetime | None = _when(default=None)
    declined_at: dt.datetime | None = _when(default=None)
    created_at: dt.datetime = _created()
    updated_at: dt.datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime(), nullable=False, index=True
    )
    completed_at: dt.datetime | None = _when(default=None)
    handoff: bool = False
    token_in: int = 0
    token_out: int = 0
    pending_criterion_id: str | None = _short(64, default=None)  # drop-off statistics
    last_seq: int = 0  # `seq` of its latest turn (0: none yet), numbered under the row's lock
    state_json: dict[str, Any] | None = _json()
    result_json: dict[str, Any] | None = _json()
    decision: Decision | None = _enum(Decision, default=None)
    decision_by: str | None = _short(254, default=None)
    decision_at: dt.datetime | None = _when(default=None)
    # Denormalised from result_json (see repo.save_result); None until a result exists.
    prerequisites_met: int | None = None
    prerequisites_not_met: int | None = None
    prerequisites_unclear: int | None = None
    blocking_not_met: bool | None = None
    motivation_level: float | None = None  # mean of level / max_level, 0..1
    readiness_level: float | None = None
    ranking_score: float | None = None  # from the scoring module, given by the caller
    mobility: str | None = _text(default=None)
    availability: str | None = _text(default=None)
    flags: str | None = _text(default=None)  # ",flag_a,flag_b," so that LIKE '%,flag_a,%' filters


class Turn(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("screening_id", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    screening_id: int = Field(foreign_key="screening.id", ondelete="CASCADE")
    seq: int
    role: Role = _enum(Role)
    text: str = _text()  # scrubbed text only
    criterion_id: str | None = _short(64, default=None)
    created_at: dt.datetime = _created()
    method: Method | None = _enum(Method, default=None)
    fallback: bool = False


class CriterionResultRow(SQLModel, table=True):
    __tablename__ = "criterion_result"
    __table_args__ = (sa.Index("ix_criterion_result_criterion", "criterion_id", "verdict"),)

    screening_id: int = Field(foreign_key="screening.id", primary_key=True, ondelete="CASCADE")
    criterion_id: str = _short(64, primary_key=True)
    kind: Kind = _enum(Kind)
    blocking: bool
    verdict: Verdict = _enum(Verdict)
    value: Any = _json()
    evidence: str | None = _text(default=None)
    method: Method = _enum(Method)
    confidence: float
    note: str | None = _text(default=None)


class DimensionScoreRow(SQLModel, table=True):
    __tablename__ = "dimension_score"
    __table_args__ = (sa.Index("ix_dimension_score_criterion", "criterion_id", "level"),)

    screening_id: int = Field(foreign_key="screening.id", primary_key=True, ondelete="CASCADE")
    criterion_id: str = _short(64, primary_key=True)
    kind: Kind = _enum(Kind)
    level: int | None = None
    max_level: int
    method: Method = _enum(Method)
    confidence: float


class Override(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    screening_id: int = Field(foreign_key="screening.id", index=True, ondelete="CASCADE")
    target_id: str = _short(64)  # criterion or dimension id
    before: Any = _json()  # verdict (str) or level (int | None)
    after: Any = _json()
    reason: str = _text()
    counsellor: str = _short(254)
    at: dt.datetime = _created()


class Counsellor(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = _short(254, unique=True)
    password_hash: str | None = _text(default=None)  # None for OIDC-only accounts
    active: bool = True
    failed_logins: int = 0  # in a row; slows the next attempts down (chatbot/web/auth.py)
    session_version: int = 0  # in every session cookie: moving it on ends every session
    created_at: dt.datetime = _created()


class InvitationRevocation(SQLModel, table=True):
    """Links issued before `revoked_at` no longer open: the candidate refused, was erased, or a
    counsellor revoked the link. `subject` is a keyed hash (storage/revocations.py), never the
    candidate's reference, so nothing here names an erased candidate."""

    __tablename__ = "invitation_revocation"

    subject: str = _short(64, primary_key=True)
    revoked_at: dt.datetime = _created()


class AuditLog(SQLModel, table=True):
    """Kept when screenings are purged or erased: no foreign keys, no free text from candidates."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime(), nullable=False, index=True
    )
    actor: str = _short(254)  # counsellor email, "system", "cli"
    action: str = _short(64)
    screening_id: int | None = Field(default=None, index=True)
    candidate_ref: str | None = _short(128, default=None, index=True)
    details: dict[str, Any] | None = _json()


class Channel(StrEnum):
    email = "email"
    sms = "sms"


class SendStatus(StrEnum):
    sent = "sent"
    failed = "failed"


class CampaignInvitation(SQLModel, table=True):
    """One candidate invited from the dashboard to one session (storage/campaigns.py). The
    e-mail address and mobile number are kept only to send and remind; erasure clears them."""

    __tablename__ = "campaign_invitation"
    __table_args__ = (sa.Index("ix_campaign_invitation_session", "training_id", "session_id"),)

    id: int | None = Field(default=None, primary_key=True)
    screening_id: int = Field(foreign_key="screening.id", unique=True, ondelete="CASCADE")
    training_id: str = _short(64)
    session_id: str | None = _short(64, default=None)
    email: str | None = _short(254, default=None)
    mobile: str | None = _short(20, default=None)  # E.164, +33…
    invited_at: dt.datetime = _created()
    invited_by: str = _short(254)
    sent_at: dt.datetime | None = _when(default=None)  # the first message that left
    last_sent_at: dt.datetime | None = _when(default=None)
    reminders: int = 0
    opened_at: dt.datetime | None = _when(default=None)
    opted_out_at: dt.datetime | None = _when(default=None)


class CampaignMessage(SQLModel, table=True):
    """Every message sent or tried: channel, time, status. Never its text nor its link."""

    __tablename__ = "campaign_message"

    id: int | None = Field(default=None, primary_key=True)
    invitation_id: int = Field(foreign_key="campaign_invitation.id", index=True, ondelete="CASCADE")
    channel: Channel = _enum(Channel)
    kind: str = _short(16)  # invitation | reminder
    at: dt.datetime = _created()
    status: SendStatus = _enum(SendStatus)
    error: str | None = _short(64, default=None)  # the exception's class name, no text

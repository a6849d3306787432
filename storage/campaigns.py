"""Recruitment campaigns: candidates invited from the dashboard, the messages sent to them, their
statuses and each session's funnel (issue 15).

A campaign is every `CampaignInvitation` of one training session. A candidate's status is read
from the invitation (sent, opened, opted out) and from the screening it opened (consent,
refusal, completion); nothing is stored twice. Functions that change something flush; the caller
commits (one transaction per request or per command).
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Session, col, select

from storage.models import (
    CampaignInvitation,
    CampaignMessage,
    Candidate,
    Channel,
    Screening,
    ScreeningStatus,
    SendStatus,
)
from storage.types import utcnow


class CandidateStatus(StrEnum):
    """Where a candidate is, the furthest step first."""

    invited = "invited"
    sent = "sent"
    opened = "opened"
    consented = "consented"
    in_progress = "in_progress"
    completed = "completed"
    declined = "declined"
    expired = "expired"
    opted_out = "opted_out"


# The funnel's steps: how many candidates reached each one (whatever happened next).
FUNNEL_STEPS = (
    CandidateStatus.invited,
    CandidateStatus.sent,
    CandidateStatus.opened,
    CandidateStatus.consented,
    CandidateStatus.completed,
)
_UNDER_WAY = (ScreeningStatus.in_progress, ScreeningStatus.abandoned)
_STARTED = (ScreeningStatus.consented, *_UNDER_WAY)


@dataclass(frozen=True)
class CampaignRow:
    """One invited candidate with the screening's dates (one row of the funnel query)."""

    invitation_id: int
    screening_id: int
    ref: str
    email: str | None
    mobile: str | None
    invited_at: dt.datetime
    sent_at: dt.datetime | None
    last_sent_at: dt.datetime | None
    reminders: int
    opened_at: dt.datetime | None
    opted_out_at: dt.datetime | None
    screening_status: ScreeningStatus
    consent_at: dt.datetime | None
    declined_at: dt.datetime | None
    completed_at: dt.datetime | None
    pending_criterion_id: str | None

    @property
    def first_reply_at(self) -> dt.datetime | None:
        """The candidate's first answer: a yes or a no to the consent question."""
        replies = [t for t in (self.consent_at, self.declined_at) if t is not None]
        return min(replies, default=None)

    def link_expires_at(self, invitation_days: int) -> dt.datetime:
        """When the latest link sent (or the first one made) stops working."""
        return (self.last_sent_at or self.invited_at) + dt.timedelta(days=invitation_days)

    def status(self, now: dt.datetime, invitation_days: int) -> CandidateStatus:
        s = self.screening_status
        if self.opted_out_at is not None:
            return CandidateStatus.opted_out
        if s == ScreeningStatus.completed:
            return CandidateStatus.completed
        if s == ScreeningStatus.declined:
            return CandidateStatus.declined
        if self.link_expires_at(invitation_days) <= now:
            return CandidateStatus.expired
        if s == ScreeningStatus.consented:
            return CandidateStatus.consented
        if s in _UNDER_WAY:
            return CandidateStatus.in_progress
        if self.opened_at is not None:
            return CandidateStatus.opened
        return CandidateStatus.sent if self.sent_at is not None else CandidateStatus.invited


# --- writing -----------------------------------------------------------------------------------


def upsert_invitation(
    db: Session,
    screening: Screening,
    *,
    email: str | None,
    mobile: str | None,
    by: str,
    now: dt.datetime | None = None,
) -> CampaignInvitation:
    """The campaign row of `screening`: new, or the earlier one with the contacts updated."""
    row = db.exec(
        select(CampaignInvitation).where(CampaignInvitation.screening_id == screening.id)
    ).first()
    if row is None:
        row = CampaignInvitation(
            screening_id=screening.id,
            training_id=screening.training_id,
            session_id=screening.session_id,
            invited_at=now or utcnow(),
            invited_by=by,
        )
    row.email = email or row.email
    row.mobile = mobile or row.mobile
    db.add(row)
    db.flush()
    return row


def record_message(
    db: Session,
    invitation: CampaignInvitation,
    channel: Channel,
    kind: str,
    *,
    error: Exception | None = None,
    now: dt.datetime | None = None,
) -> CampaignMessage:
    """One message sent (or tried): channel, time, status, the error's class name only."""
    now = now or utcnow()
    message = CampaignMessage(
        invitation_id=invitation.id,
        channel=channel,
        kind=kind,
        at=now,
        status=SendStatus.failed if error else SendStatus.sent,
        error=type(error).__name__[:64] if error else None,
    )
    db.add(message)
    if error is None:
        invitation.sent_at = invitation.sent_at or now
        invitation.last_sent_at = now
        db.add(invitation)
    db.flush()
    return message


def mark_opened(db: Session, screening_id: int, *, now: dt.datetime | None = None) -> None:
    """The candidate opened their link (first time only)."""
    db.exec(
        sa.update(CampaignInvitation)
        .where(
            col(CampaignInvitation.screening_id) == screening_id,
            col(CampaignInvitation.opened_at).is_(None),
        )
        .values(opened_at=now or utcnow())
    )


def opt_out(db: Session, invitation_id: int, *, now: dt.datetime | None = None) -> bool:
    """No more messages to this candidate for this campaign; False if unknown."""
    row = db.get(CampaignInvitation, invitation_id)
    if row is None:
        return False
    row.opted_out_at = row.opted_out_at or now or utcnow()
    db.add(row)
    db.flush()
    return True


def opt_out_mobile(db: Session, mobile: str, *, now: dt.datetime | None = None) -> int:
    """ "STOP" by SMS: every campaign that texts this number stops. Returns how many."""
    result = db.exec(
        sa.update(CampaignInvitation)
        .where(
            col(CampaignInvitation.mobile) == mobile,
            col(CampaignInvitation.opted_out_at).is_(None),
        )
        .values(opted_out_at=now or utcnow())
    )
    return result.rowcount


def count_reminder(db: Session, invitation: CampaignInvitation) -> None:
    invitation.reminders += 1
    db.add(invitation)
    db.flush()


def forget_contacts(db: Session, candidate_id: int) -> None:
    """Erasure: the candidate's e-mail address and mobile number go."""
    screenings = select(Screening.id).where(Screening.candidate_id == candidate_id)
    db.exec(
        sa.update(CampaignInvitation)
        .where(col(CampaignInvitation.screening_id).in_(screenings))
        .values(email=None, mobile=None)
    )


# --- reading -----------------------------------------------------------------------------------


def _same_session(column, session_id: str | None):
    return col(column).is_(None) if session_id is None else column == session_id


def _row_query():
    return (
        select(
            CampaignInvitation.id,
            CampaignInvitation.screening_id,
            Candidate.ref,
            CampaignInvitation.email,
            CampaignInvitation.mobile,
            CampaignInvitation.invited_at,
            CampaignInvitation.sent_at,
            CampaignInvitation.last_sent_at,
            CampaignInvitation.reminders,
            CampaignInvitation.opened_at,
            CampaignInvitation.opted_out_at,
            Screening.status,
            Screening.consent_at,
            Screening.declined_at,
            Screening.completed_at,
            Screening.pending_criterion_id,
        )
        .join(Screening, col(Screening.id) == col(CampaignInvitation.screening_id))
        .join(Candidate, col(Candidate.id) == col(Screening.candidate_id))
    )


def _in_session(training_id: str, session_id: str | None) -> list:
    return [
        CampaignInvitation.training_id == training_id,
        _same_session(CampaignInvitation.session_id, session_id),
    ]


def rows(
    db: Session,
    training_id: str,
    session_id: str | None,
    *,
    offset: int = 0,
    limit: int | None = None,
) -> list[CampaignRow]:
    """The candidates invited to this session, in invitation order (all, or one page)."""
    query = (
        _row_query()
        .where(*_in_session(training_id, session_id))
        .order_by(col(CampaignInvitation.id))
        .offset(offset)
        .limit(limit)
    )
    return [CampaignRow(*values) for values in db.exec(query)]


def row(db: Session, invitation_id: int) -> CampaignRow | None:
    found = db.exec(_row_query().where(CampaignInvitation.id == invitation_id)).first()
    return CampaignRow(*found) if found else None


def open_rows(db: Session) -> list[CampaignRow]:
    """Candidates of every campaign who may still get a message: not opted out, not finished."""
    query = _row_query().where(
        col(CampaignInvitation.opted_out_at).is_(None),
        col(Screening.status).in_([ScreeningStatus.invited, *_STARTED]),
    )
    return [CampaignRow(*values) for values in db.exec(query.order_by(col(CampaignInvitation.id)))]


def messages(db: Session, invitation_id: int) -> list[CampaignMessage]:
    query = select(CampaignMessage).where(CampaignMessage.invitation_id == invitation_id)
    return list(db.exec(query.order_by(col(CampaignMessage.id))))


# --- the funnel ----------------------------------------------------------------------------------


@dataclass
class Funnel:
    """A session's figures: the same numbers on the page, in the API and in the CSV."""

    invited: int
    steps: dict[str, int]  # FUNNEL_STEPS: candidates who reached each step
    statuses: dict[str, int]  # CandidateStatus: candidates there now
    median_first_reply_minutes: float | None
    median_completion_minutes: float | None
    completed_within_5h: int
    completed_within_48h: int
    dropoff: dict[str | None, int] = field(default_factory=dict)  # criterion -> stopped there

    def rate(self, count: int) -> float | None:
        return count / self.invited if self.invited else None

    @property
    def figures(self) -> list[tuple[str, float | int | None]]:
        """(name, value) pairs, for the CSV and the API."""
        figures: list[tuple[str, float | int | None]] = []
        for step, count in self.steps.items():
            figures += [(f"etape_{step}", count), (f"taux_{step}", self.rate(count))]
        figures += [(f"statut_{s}", n) for s, n in self.statuses.items()]
        figures += [
            ("mediane_premiere_reponse_minutes", self.median_first_reply_minutes),
            ("mediane_questionnaire_termine_minutes", self.median_completion_minutes),
            ("termines_en_5_heures", self.completed_within_5h),
            ("taux_termines_en_5_heures", self.rate(self.completed_within_5h)),
            ("termines_en_48_heures", self.completed_within_48h),
            ("taux_termines_en_48_heures", self.rate(self.completed_within_48h)),
        ]
        return figures


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _minutes_between(db: Session, later, earlier):
    """Minutes from `earlier` to `later`, computed by the database."""
    if db.get_bind().dialect.name == "sqlite":
        return (sa.func.julianday(later) - sa.func.julianday(earlier)) * 1440.0
    return sa.extract("epoch", later - earlier) / 60.0


def _status_case(now: dt.datetime, invitation_days: int):
    """`CampaignRow.status` in SQL, the same tests in the same order."""
    ci, s = CampaignInvitation, Screening
    last_sent = sa.func.coalesce(ci.last_sent_at, ci.invited_at)
    return sa.case(
        (col(ci.opted_out_at).is_not(None), CandidateStatus.opted_out.value),
        (col(s.status) == ScreeningStatus.completed, CandidateStatus.completed.value),
        (col(s.status) == ScreeningStatus.declined, CandidateStatus.declined.value),
        (last_sent <= now - dt.timedelta(days=invitation_days), CandidateStatus.expired.value),
        (col(s.status) == ScreeningStatus.consented, CandidateStatus.consented.value),
        (col(s.status).in_(_UNDER_WAY), CandidateStatus.in_progress.value),
        (col(ci.opened_at).is_not(None), CandidateStatus.opened.value),
        (col(ci.sent_at).is_not(None), CandidateStatus.sent.value),
        else_=CandidateStatus.invited.value,
    )


def funnel(
    db: Session,
    training_id: str,
    session_id: str | None,
    now: dt.datetime,
    invitation_days: int,
) -> Funnel:
    """A session's figures, aggregated by the database (a few indexed queries)."""
    ci, s = CampaignInvitation, Screening

    def joined(*columns):
        return (
            sa.select(*columns)
            .select_from(ci)
            .join(s, col(s.id) == col(ci.screening_id))
            .where(*_in_session(training_id, session_id))
        )

    replied = sa.or_(col(s.consent_at).is_not(None), col(s.declined_at).is_not(None))
    status = _status_case(now, invitation_days)
    by_status = db.execute(  # one pass: each status, and how far its candidates went
        joined(
            status,
            sa.func.count(),
            sa.func.count(ci.sent_at),
            sa.func.sum(sa.case((sa.or_(col(ci.opened_at).is_not(None), replied), 1), else_=0)),
            sa.func.count(s.consent_at),
            sa.func.count(s.completed_at),
        ).group_by(status)
    ).all()
    steps = {
        step.value: sum(int(group[index + 1] or 0) for group in by_status)
        for index, step in enumerate(FUNNEL_STEPS)
    }
    first_reply = sa.case(
        (col(s.consent_at).is_(None), s.declined_at),
        (col(s.declined_at).is_(None), s.consent_at),
        (col(s.consent_at) < col(s.declined_at), s.consent_at),
        else_=s.declined_at,
    )
    minutes = db.execute(
        joined(
            _minutes_between(db, first_reply, ci.invited_at),
            _minutes_between(db, s.completed_at, ci.invited_at),
        ).where(replied)
    ).all()
    to_reply = [float(reply) for reply, _ in minutes]
    to_finish = [float(finish) for _, finish in minutes if finish is not None]
    dropoff = db.execute(
        joined(s.pending_criterion_id, sa.func.count())
        .where(
            col(s.completed_at).is_(None),
            col(s.consent_at).is_not(None),
            col(s.status).in_(_STARTED),
        )
        .group_by(s.pending_criterion_id)
        .order_by(sa.func.count().desc(), s.pending_criterion_id)
    ).all()
    counts = {group[0]: int(group[1]) for group in by_status}
    return Funnel(
        invited=steps[CandidateStatus.invited.value],
        steps=steps,
        statuses={st.value: counts.get(st.value, 0) for st in CandidateStatus},
        median_first_reply_minutes=_median(to_reply),
        median_completion_minutes=_median(to_finish),
        completed_within_5h=sum(m <= 5 * 60 for m in to_finish),
        completed_within_48h=sum(m <= 48 * 60 for m in to_finish),
        dropoff={cid: int(n) for cid, n in dropoff},
    )

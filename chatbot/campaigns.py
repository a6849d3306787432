"""Recruitment campaigns: invite a session's candidates, send their links, remind, re-send.

The dashboard (chatbot/web/dashboard/campaign.py) and `screening remind` call these. Each
function takes the caller's database session and commits what it did. Messages are recorded
(channel, time, status) in storage/campaigns.py; their text and links are never logged.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlmodel import Session

from chatbot import outbox
from chatbot.candidates_csv import CandidateLine
from chatbot.outbox.email import Mailer
from chatbot.outbox.sms import SmsGateway, gateway
from chatbot.settings import Settings
from chatbot.web.invitations import Invitation, invitation_url
from storage import campaigns, repo, revocations
from storage.campaigns import CampaignRow
from storage.models import OPEN_STATUSES, CampaignInvitation, Channel, ScreeningStatus, Training
from storage.types import utcnow

log = logging.getLogger(__name__)

PARIS = ZoneInfo("Europe/Paris")
DAY_STARTS, DAY_ENDS = 8, 20  # reminders only between 8 h and 20 h, Paris time


@dataclass(frozen=True)
class Invited:
    invitation_id: int
    screening_id: int
    ref: str
    email: str | None
    mobile: str | None
    link: str


@dataclass
class Sent:
    emails: int = 0
    sms: int = 0
    failed: int = 0
    reminded: list[int] = field(default_factory=list)  # invitation ids
    skipped_night: bool = False


def invite(
    db: Session,
    settings: Settings,
    training_id: str,
    session_id: str | None,
    lines: list[CandidateLine],
    *,
    by: str,
) -> list[Invited]:
    """One screening (reused if open) and one campaign row per line, and a link for each."""
    from chatbot.web import screenings  # the chat's whole stack: not for `screening remind`

    invited = []
    rubric = None
    for line in lines:
        invitation = Invitation(line.ref, training_id, session_id)
        rubric = rubric or screenings.rubric_for(invitation)
        screening = screenings.open_or_create(db, invitation, rubric)
        row = campaigns.upsert_invitation(
            db, screening, email=line.email, mobile=line.mobile, by=by
        )
        link = invitation_url(invitation, settings)
        invited.append(Invited(row.id, screening.id, line.ref, row.email, row.mobile, link))
    details = {"training_id": training_id, "session_id": session_id, "candidates": len(lines)}
    repo.audit(db, by, "campaign_invite", details=details)
    db.commit()
    return invited


def _deadline(now: dt.datetime, settings: Settings) -> dt.date:
    """The last full day the link works: a link sent now expires `invitation_days` later."""
    expires = (now + dt.timedelta(days=settings.invitation_days)).astimezone(PARIS)
    return expires.date() - dt.timedelta(days=1)


def _link(row: CampaignRow | Invited, training_id: str, session_id, settings: Settings) -> str:
    return invitation_url(Invitation(row.ref, training_id, session_id), settings)


class Sender:
    """Sends one message per channel a candidate has, and records every send."""

    def __init__(self, db: Session, settings: Settings, sms: SmsGateway | None = None):
        self.db, self.settings = db, settings
        self.sms = sms or gateway(settings)
        self.mailer = Mailer(settings) if settings.email_enabled else None
        self.report = Sent()

    def __enter__(self) -> Sender:
        return self

    def __exit__(self, *exc) -> None:
        if self.mailer is not None:
            self.mailer.__exit__(*exc)

    def send(self, invitation_id: int, kind: str, *, started: bool = False, now=None) -> int:
        """Invitation or reminder to one candidate; returns how many messages left."""
        now = now or utcnow()
        invitation = self.db.get(CampaignInvitation, invitation_id)
        if invitation is None or invitation.opted_out_at is not None:
            return 0
        row = campaigns.row(self.db, invitation_id)
        training = self.db.get(Training, invitation.training_id)
        link = _link(row, invitation.training_id, invitation.session_id, self.settings)
        context = {
            "training": training.title if training else invitation.training_id,
            "deadline": _deadline(now, self.settings),
            "link": link,
            "stop_link": outbox.stop_link(invitation.id, self.settings),
            "contact": self.settings.counsellor_contact,
            "started": started,
        }
        template = "reminder" if kind == "reminder" else "invitation"
        left = 0
        if invitation.email and self.mailer is not None:
            mail = outbox.compose(f"email_{template}", **context)
            left += self._try(
                invitation,
                Channel.email,
                kind,
                now,
                lambda: self.mailer.send(
                    invitation.email, mail.subject, mail.body, unsubscribe=context["stop_link"]
                ),
            )
        if invitation.mobile and self.sms is not None:
            text = outbox.compose(f"sms_{template}", **context).body
            left += self._try(
                invitation, Channel.sms, kind, now, lambda: self.sms.send(invitation.mobile, text)
            )
        return left

    def _try(self, invitation, channel: Channel, kind: str, now, send) -> int:
        try:
            send()
        except Exception as problem:  # recorded and counted; one failure never stops a batch
            message = campaigns.record_message(
                self.db, invitation, channel, kind, error=problem, now=now
            )
            log.warning("campaign message %s (%s) failed: %s", message.id, channel, message.error)
            self.report.failed += 1
            return 0
        message = campaigns.record_message(self.db, invitation, channel, kind, now=now)
        log.info("campaign message %s sent (%s, %s)", message.id, channel, kind)
        if channel == Channel.email:
            self.report.emails += 1
        else:
            self.report.sms += 1
        return 1


def send_invitations(
    db: Session, settings: Settings, invitation_ids: list[int], sms: SmsGateway | None = None
) -> Sent:
    with Sender(db, settings, sms) as sender:
        for invitation_id in invitation_ids:
            sender.send(invitation_id, "invitation")
            db.commit()  # each candidate's sends are kept even if a later one breaks
    return sender.report


# --- reminders -------------------------------------------------------------------------------------


def daytime(now: dt.datetime) -> bool:
    return DAY_STARTS <= now.astimezone(PARIS).hour < DAY_ENDS


def reminder_due(row: CampaignRow, now: dt.datetime, settings: Settings) -> str | None:
    """ "not_started" (no answer yet, link perhaps never opened), "unfinished", or None."""
    if row.reminders >= settings.reminders_max or row.sent_at is None:
        return None
    if row.opted_out_at is not None or row.link_expires_at(settings.invitation_days) <= now:
        return None
    last = row.last_sent_at or row.invited_at
    if row.screening_status == ScreeningStatus.invited:
        wait = dt.timedelta(hours=settings.remind_unopened_hours)
        return "not_started" if last + wait <= now else None
    if row.screening_status in (ScreeningStatus.consented, ScreeningStatus.in_progress):
        wait = dt.timedelta(hours=settings.remind_unfinished_hours)
        since = max(last, row.consent_at or last)
        return "unfinished" if since + wait <= now else None
    return None


def remind(
    db: Session, settings: Settings, now: dt.datetime | None = None, sms: SmsGateway | None = None
) -> Sent:
    """One reminder to each candidate due one (see `reminder_due`), during the day only."""
    now = now or utcnow()
    if not daytime(now):
        return Sent(skipped_night=True)
    due = [
        (row, kind) for row in campaigns.open_rows(db) if (kind := reminder_due(row, now, settings))
    ]
    with Sender(db, settings, sms) as sender:
        for row, kind in due:
            if sender.send(row.invitation_id, "reminder", started=kind == "unfinished", now=now):
                invitation = db.get(CampaignInvitation, row.invitation_id)
                campaigns.count_reminder(db, invitation)
                sender.report.reminded.append(row.invitation_id)
            db.commit()
    return sender.report


# --- revoke and re-send ------------------------------------------------------------------------------


def resend(
    db: Session,
    settings: Settings,
    invitation_id: int,
    *,
    by: str,
    sms: SmsGateway | None = None,
) -> Sent:
    """The candidate's earlier links stop working and a new one is sent. Audited.

    Links carry their issue time in whole seconds, and a link issued at or before a revocation
    is refused: the new link is made in the next second, so that it works and every earlier
    one, even from this very second, does not (the counsellor waits under a second)."""
    invitation = db.get(CampaignInvitation, invitation_id)
    row = campaigns.row(db, invitation_id)
    if invitation is None or row is None:
        raise LookupError(invitation_id)
    revoked = utcnow()
    subject = revocations.link_subject(row.ref, invitation.training_id, invitation.session_id)
    revocations.revoke(db, subject, now=revoked)
    details = {"training_id": invitation.training_id, "session_id": invitation.session_id}
    repo.audit(db, by, "resend_link", screening_id=row.screening_id, details=details)
    db.commit()
    time.sleep(1 - revoked.microsecond / 1_000_000)
    with Sender(db, settings, sms) as sender:
        sender.send(invitation_id, "resend")
        db.commit()
    return sender.report


def links(db: Session, settings: Settings, training_id: str, session_id: str | None):
    """(row, link or "") for the links export: a fresh link for who may still answer."""
    for row in campaigns.rows(db, training_id, session_id):
        usable = row.opted_out_at is None and row.screening_status in OPEN_STATUSES
        yield row, _link(row, training_id, session_id, settings) if usable else ""

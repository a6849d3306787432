"""Revoked invitation links. A link is refused when it was issued before a revocation of its
own subject (this candidate, this training, this session) or of the whole candidate (erasure).

Subjects are HMAC-SHA256 digests keyed with the server's secret: the table can say "this link is
no longer valid" without keeping a candidate's reference, even after erasure.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from sqlmodel import Session, col, select

from chatbot.signing import secret_key
from storage.models import Candidate, InvitationRevocation, Screening
from storage.types import utcnow


def _subject(*parts: str | None) -> str:
    message = "\0".join(part or "" for part in parts).encode()
    return hmac.new(secret_key().encode(), message, hashlib.sha256).hexdigest()


def link_subject(candidate_ref: str, training_id: str, session_id: str | None) -> str:
    return _subject("link", candidate_ref, training_id, session_id)


def candidate_subject(candidate_ref: str) -> str:
    return _subject("candidate", candidate_ref)


def revoke(db: Session, subject: str, *, now: dt.datetime | None = None) -> None:
    """Every link of `subject` issued until now stops working (flushed; the caller commits)."""
    row = db.get(InvitationRevocation, subject) or InvitationRevocation(subject=subject)
    row.revoked_at = now or utcnow()
    db.add(row)
    db.flush()


def revoke_link_of(db: Session, screening: Screening) -> None:
    """The link that opened `screening` stops working (refusal, a counsellor's revocation)."""
    candidate = db.get(Candidate, screening.candidate_id)
    if candidate is not None:
        revoke(db, link_subject(candidate.ref, screening.training_id, screening.session_id))


def revoked_at(
    db: Session, candidate_ref: str, training_id: str, session_id: str | None
) -> dt.datetime | None:
    """The latest revocation that covers this candidate's link, if any."""
    subjects = [
        candidate_subject(candidate_ref),
        link_subject(candidate_ref, training_id, session_id),
    ]
    query = select(InvitationRevocation.revoked_at).where(
        col(InvitationRevocation.subject).in_(subjects)
    )
    return max(db.exec(query), default=None)

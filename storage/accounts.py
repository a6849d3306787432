"""Counsellor accounts: every write to the `counsellor` table, each one statement or one
transaction, so that concurrent logins count every failure and a change ends every session.

Passwords arrive here already hashed (chatbot/web/auth.py checks and hashes them). Each function
commits its own work: an account change stands alone.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col, select

from storage import repo
from storage.models import Counsellor


def normalise_email(email: str) -> str:
    return email.strip().lower()


def get_counsellor(db: Session, email: str) -> Counsellor | None:
    return db.exec(select(Counsellor).where(Counsellor.email == normalise_email(email))).first()


def save_counsellor(
    db: Session, email: str, password_hash: str | None, *, actor: str
) -> Counsellor:
    """Create an account, or reset its password and reactivate it; either way every session
    opened before ends (the session version moves on)."""
    email = normalise_email(email)
    counsellor = get_counsellor(db, email) or Counsellor(email=email)
    counsellor.password_hash = password_hash
    counsellor.active = True
    counsellor.failed_logins = 0
    counsellor.session_version += 1
    db.add(counsellor)
    repo.audit(db, actor, "counsellor_add", details={"email": email})
    db.commit()
    return counsellor


def set_active(db: Session, email: str, active: bool, *, actor: str) -> None:
    """Enable or disable an account; disabling ends its sessions at once."""
    email = normalise_email(email)
    changed = db.exec(
        sa.update(Counsellor)
        .where(col(Counsellor.email) == email)
        .values(active=active, session_version=Counsellor.session_version + 1)
    ).rowcount
    if not changed:
        db.rollback()
        raise LookupError(email)
    repo.audit(db, actor, "counsellor_active", details={"email": email, "active": active})
    db.commit()


def end_sessions(db: Session, email: str) -> None:
    """Log the account out everywhere (logout, or a suspicion)."""
    db.exec(
        sa.update(Counsellor)
        .where(col(Counsellor.email) == normalise_email(email))
        .values(session_version=Counsellor.session_version + 1)
    )
    db.commit()


def count_failure(db: Session, email: str) -> int:
    """One more failed login in a row, counted by the database itself (`failed + 1`), so that
    parallel attempts all count. Runs for unknown addresses too (it then changes nothing and
    returns 0), so both cases cost the same."""
    row = db.exec(
        sa.update(Counsellor)
        .where(col(Counsellor.email) == normalise_email(email))
        .values(failed_logins=Counsellor.failed_logins + 1)
        .returning(col(Counsellor.failed_logins))
    ).first()
    db.commit()
    return row[0] if row else 0


def record_login(db: Session, email: str, password_hash: str | None = None, **details) -> None:
    """A successful login: the failure count restarts; `password_hash` replaces an outdated one."""
    values: dict = {"failed_logins": 0}
    if password_hash is not None:
        values["password_hash"] = password_hash
    email = normalise_email(email)
    db.exec(sa.update(Counsellor).where(col(Counsellor.email) == email).values(**values))
    repo.audit(db, email, "login", details=details or None)
    db.commit()

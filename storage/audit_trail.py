"""Reading the audit log: what an administrator looks at (`screening audit`)."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select

from storage.models import AuditLog


def entries(
    db: Session,
    *,
    screening_id: int | None = None,
    actor: str | None = None,
    action: str | None = None,
    since: dt.datetime | None = None,
    limit: int = 200,
) -> list[AuditLog]:
    """The latest entries first, filtered by screening, actor, action and date."""
    query = select(AuditLog).order_by(col(AuditLog.at).desc(), col(AuditLog.id).desc())
    if screening_id is not None:
        query = query.where(AuditLog.screening_id == screening_id)
    if actor is not None:
        query = query.where(AuditLog.actor == actor.strip().lower())
    if action is not None:
        query = query.where(AuditLog.action == action)
    if since is not None:
        query = query.where(AuditLog.at >= since)
    return list(db.exec(query.limit(limit)))

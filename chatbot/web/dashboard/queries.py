"""Read queries for the dashboard, built for 100,000 screenings: lists read the denormalised
columns of `screening` (never `result_json`, except for the one page of ranked rows shown)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from storage.models import (
    Candidate,
    Decision,
    DimensionScoreRow,
    Override,
    Screening,
    ScreeningStatus,
    Training,
    TrainingSession,
    Turn,
)

NO_SESSION = "_"  # URL segment for screenings without a session (slugs never start with "_")
PAGE_SIZE = 50
STARTED = (ScreeningStatus.in_progress, ScreeningStatus.completed, ScreeningStatus.abandoned)
OPEN = (ScreeningStatus.consented, ScreeningStatus.in_progress)

# Sort keys offered in URLs ("-" prefix: descending) and the columns they order by.
SORTS: dict[str, Any] = {
    "score": Screening.ranking_score,
    "motivation": Screening.motivation_level,
    "preparation": Screening.readiness_level,
    "prerequis": Screening.prerequisites_met,
    "statut": Screening.status,
    "date": Screening.updated_at,
    "reference": Candidate.ref,
}
DEFAULT_SORT = "-score"

LIST_COLUMNS = (
    Screening.id,
    Candidate.ref,
    Screening.status,
    Screening.updated_at,
    Screening.prerequisites_met,
    Screening.prerequisites_not_met,
    Screening.prerequisites_unclear,
    Screening.blocking_not_met,
    Screening.motivation_level,
    Screening.readiness_level,
    Screening.ranking_score,
    Screening.mobility,
    Screening.availability,
    Screening.flags,
    Screening.decision,
    Screening.handoff,
)


def session_key(session_id: str | None) -> str:
    return session_id or NO_SESSION


def session_from_key(key: str) -> str | None:
    return None if key == NO_SESSION else key


def _in_session(training_id: str, session_id: str | None) -> list[Any]:
    same_session = (
        col(Screening.session_id).is_(None)
        if session_id is None
        else Screening.session_id == session_id
    )
    return [Screening.training_id == training_id, same_session]


# --- trainings and sessions --------------------------------------------------------------------


@dataclass
class SessionCounts:
    training_id: str
    session_id: str | None
    start: dt.date | None = None
    end: dt.date | None = None
    seats: int | None = None
    by_status: dict[str, int] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return session_key(self.session_id)

    @property
    def invited(self) -> int:
        return sum(self.by_status.values())

    @property
    def in_progress(self) -> int:
        return sum(self.by_status.get(s, 0) for s in OPEN)

    @property
    def completed(self) -> int:
        return self.by_status.get(ScreeningStatus.completed, 0)

    @property
    def not_started(self) -> int:
        return self.by_status.get(ScreeningStatus.invited, 0)

    @property
    def other(self) -> int:
        return self.invited - self.in_progress - self.completed - self.not_started


@dataclass
class TrainingOverview:
    id: str
    title: str
    sector: str
    sessions: list[SessionCounts]


def overview(db: Session) -> list[TrainingOverview]:
    """Every training with its sessions (known ones, and any met in screenings) and counts."""
    counts: dict[tuple[str, str | None], SessionCounts] = {}
    for row in db.exec(select(TrainingSession).order_by(TrainingSession.start)):
        counts[(row.training_id, row.id)] = SessionCounts(
            row.training_id, row.id, row.start, row.end, row.seats
        )
    grouped = select(
        Screening.training_id, Screening.session_id, Screening.status, sa.func.count()
    ).group_by(Screening.training_id, Screening.session_id, Screening.status)
    for training_id, session_id, status, count in db.exec(grouped):
        entry = counts.setdefault((training_id, session_id), SessionCounts(training_id, session_id))
        entry.by_status[str(status)] = count
    trainings = db.exec(select(Training).order_by(Training.title))
    return [
        TrainingOverview(
            t.id, t.title, t.sector, [c for (tid, _), c in counts.items() if tid == t.id]
        )
        for t in trainings
    ]


def training(db: Session, training_id: str) -> Training | None:
    return db.get(Training, training_id)


def session_exists(db: Session, training_id: str, session_id: str | None) -> bool:
    if session_id is None:
        return db.get(Training, training_id) is not None
    return db.get(TrainingSession, (training_id, session_id)) is not None


# --- candidate lists -------------------------------------------------------------------------


@dataclass(frozen=True)
class ListQuery:
    sort: str = DEFAULT_SORT
    status: str | None = None
    decision: str | None = None
    flag: str | None = None
    blocking: str | None = None  # "oui" | "non"
    page: int = 1

    def order_by(self) -> list[Any]:
        key = self.sort.lstrip("-")
        column = SORTS.get(key, Screening.ranking_score)
        descending = self.sort.startswith("-") if key in SORTS else True
        ordered = column.desc() if descending else column.asc()
        return [ordered.nulls_last(), Screening.id.asc()]

    def conditions(self) -> list[Any]:
        found: list[Any] = []
        if self.status in ScreeningStatus.__members__:
            found.append(Screening.status == ScreeningStatus(self.status))
        if self.decision == "aucune":
            found.append(col(Screening.decision).is_(None))
        elif self.decision in Decision.__members__:
            found.append(Screening.decision == Decision(self.decision))
        if self.flag:
            found.append(col(Screening.flags).contains(f",{self.flag},", autoescape=True))
        if self.blocking in ("oui", "non"):
            found.append(Screening.blocking_not_met == (self.blocking == "oui"))
        return found


@dataclass
class Page:
    rows: list[Any]
    total: int
    page: int
    size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size


def candidates(db: Session, training_id: str, session_id: str | None, query: ListQuery) -> Page:
    where = _in_session(training_id, session_id) + query.conditions()
    total = db.exec(select(sa.func.count()).select_from(Screening).where(*where)).one()
    page = Page([], total, max(1, query.page))
    page.page = min(page.page, page.pages)
    rows = db.exec(
        select(*LIST_COLUMNS)
        .join(Candidate, Candidate.id == Screening.candidate_id)
        .where(*where)
        .order_by(*query.order_by())
        .limit(PAGE_SIZE)
        .offset(page.offset)
    )
    page.rows = list(rows)
    return page


def all_candidates(db: Session, training_id: str, session_id: str | None, *, with_result: bool):
    """Every screening of a session, in ranking order, streamed (exports)."""
    columns = (*LIST_COLUMNS, Screening.completed_at) + (
        (Screening.result_json,) if with_result else ()
    )
    return db.exec(
        select(*columns)
        .join(Candidate, Candidate.id == Screening.candidate_id)
        .where(*_in_session(training_id, session_id))
        .order_by(col(Screening.ranking_score).desc().nulls_last(), Screening.id)
        .execution_options(yield_per=1000)
    )


# --- ranking ----------------------------------------------------------------------------------


def ranking_counts(db: Session, training_id: str, session_id: str | None) -> dict[str, int]:
    counted = db.exec(
        select(Screening.blocking_not_met, sa.func.count())
        .where(
            *_in_session(training_id, session_id),
            Screening.status == ScreeningStatus.completed,
            col(Screening.ranking_score).is_not(None),
        )
        .group_by(Screening.blocking_not_met)
    )
    by_blocking = {bool(blocking): n for blocking, n in counted}
    return {"ranked": by_blocking.get(False, 0), "apart": by_blocking.get(True, 0)}


def ranked(
    db: Session, training_id: str, session_id: str | None, *, blocked: bool, page: int
) -> list[Any]:
    """One page of completed screenings by descending score; `blocked`: those with an unmet
    blocking prerequisite (shown apart)."""
    return list(
        db.exec(
            select(*LIST_COLUMNS, Screening.result_json)
            .join(Candidate, Candidate.id == Screening.candidate_id)
            .where(
                *_in_session(training_id, session_id),
                Screening.blocking_not_met == blocked,
                col(Screening.ranking_score).is_not(None),
                Screening.status == ScreeningStatus.completed,
            )
            .order_by(col(Screening.ranking_score).desc(), Screening.id)
            .limit(PAGE_SIZE)
            .offset((max(1, page) - 1) * PAGE_SIZE)
        )
    )


# --- one screening --------------------------------------------------------------------------


@dataclass
class ScreeningDetail:
    screening: Screening
    candidate_ref: str
    turns: list[Turn]
    overrides: list[Override]


def detail(db: Session, screening_id: int) -> ScreeningDetail | None:
    found = db.exec(
        select(Screening, Candidate.ref)
        .join(Candidate, Candidate.id == Screening.candidate_id)
        .where(Screening.id == screening_id)
    ).first()
    if found is None:
        return None
    screening, ref = found
    turns = db.exec(select(Turn).where(Turn.screening_id == screening_id).order_by(Turn.seq))
    overrides = db.exec(
        select(Override).where(Override.screening_id == screening_id).order_by(Override.id)
    )
    return ScreeningDetail(screening, ref, list(turns), list(overrides))


# --- statistics -------------------------------------------------------------------------------


@dataclass
class TrainingStats:
    by_status: dict[str, int]
    dropoff: dict[str, int]  # pending question of unfinished screenings -> count
    levels: dict[str, dict[int | None, int]]  # dimension -> level -> count

    @property
    def invitations(self) -> int:
        return sum(self.by_status.values())

    @property
    def starts(self) -> int:
        return sum(self.by_status.get(s, 0) for s in STARTED)

    @property
    def completions(self) -> int:
        return self.by_status.get(ScreeningStatus.completed, 0)


def training_stats(db: Session, training_id: str) -> TrainingStats:
    in_training = Screening.training_id == training_id
    statuses = db.exec(
        select(Screening.status, sa.func.count()).where(in_training).group_by(Screening.status)
    )
    dropoff = db.exec(
        select(Screening.pending_criterion_id, sa.func.count())
        .where(
            in_training,
            col(Screening.status).in_((ScreeningStatus.in_progress, ScreeningStatus.abandoned)),
        )
        .group_by(Screening.pending_criterion_id)
    )
    levels: dict[str, dict[int | None, int]] = defaultdict(dict)
    for criterion_id, level, count in db.exec(
        select(DimensionScoreRow.criterion_id, DimensionScoreRow.level, sa.func.count())
        .join(Screening, Screening.id == DimensionScoreRow.screening_id)
        .where(in_training)
        .group_by(DimensionScoreRow.criterion_id, DimensionScoreRow.level)
    ):
        levels[criterion_id][level] = count
    return TrainingStats(
        {str(s): n for s, n in statuses},
        {str(c or ""): n for c, n in dropoff},
        dict(levels),
    )

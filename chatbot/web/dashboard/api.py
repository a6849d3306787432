"""JSON REST API under /api/ (read-only; logged-in counsellors only; OpenAPI at /api/docs).

Writes (overrides, decisions, erasure) go through the pages' CSRF-protected forms.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query
from fastapi.openapi.utils import get_openapi
from fastapi.responses import FileResponse, HTMLResponse
from pydantic import BaseModel
from sqlmodel import Session
from swagger_ui_bundle import swagger_ui_path

from chatbot.ranking import ranker
from chatbot.results import ScreeningResult
from chatbot.settings import Settings
from chatbot.web.auth import api_counsellor, app_settings, audit_access, db_session
from chatbot.web.dashboard import common, exports, queries
from chatbot.web.dashboard.explain import flag_list
from chatbot.web.dashboard.templating import STATIC

router = APIRouter(
    prefix="/api",
    dependencies=[Depends(api_counsellor), Depends(audit_access)],
    tags=["dashboard"],
)
SESSION_PATH = "/trainings/{training_id}/sessions/{key}"
TITLE = "Pré-qualification : API conseiller"


class SessionOut(BaseModel):
    key: str
    session_id: str | None
    start: dt.date | None
    end: dt.date | None
    seats: int | None
    invited: int
    in_progress: int
    completed: int


class TrainingOut(BaseModel):
    id: str
    title: str
    sector: str
    sessions: list[SessionOut]


class ScreeningRow(BaseModel):
    screening_id: int
    candidate_ref: str
    status: str
    updated_at: dt.datetime
    prerequisites_met: int | None
    prerequisites_not_met: int | None
    prerequisites_unclear: int | None
    blocking_not_met: bool | None
    motivation_level: float | None
    readiness_level: float | None
    ranking_score: float | None
    mobility: str | None
    availability: str | None
    flags: list[str]
    decision: str | None


class ScreeningPage(BaseModel):
    total: int
    page: int
    pages: int
    screenings: list[ScreeningRow]


class RankedRow(ScreeningRow):
    rank: int
    explanation: str


class Ranking(BaseModel):
    weights: dict[str, float]
    ranked: list[RankedRow]
    apart: list[RankedRow]
    counts: dict[str, int]


class OverrideOut(BaseModel):
    target_id: str
    before: Any
    after: Any
    reason: str
    counsellor: str
    at: dt.datetime


class TurnOut(BaseModel):
    seq: int
    role: str
    text: str
    criterion_id: str | None
    at: dt.datetime


class ScreeningOut(BaseModel):
    screening_id: int
    candidate_ref: str
    training_id: str
    session_id: str | None
    status: str
    decision: str | None
    decision_by: str | None
    token_in: int
    token_out: int
    ranking_score: float | None
    result: ScreeningResult | None
    overrides: list[OverrideOut]
    turns: list[TurnOut]


class StatisticsOut(BaseModel):
    invitations: int
    starts: int
    completions: int
    by_status: dict[str, int]
    dropoff_by_question: dict[str, int]
    levels: dict[str, dict[str, int]]


def _row(row: Any) -> dict[str, Any]:
    return dict(
        screening_id=row.id,
        candidate_ref=row.ref,
        status=str(row.status),
        updated_at=row.updated_at,
        prerequisites_met=row.prerequisites_met,
        prerequisites_not_met=row.prerequisites_not_met,
        prerequisites_unclear=row.prerequisites_unclear,
        blocking_not_met=row.blocking_not_met,
        motivation_level=row.motivation_level,
        readiness_level=row.readiness_level,
        ranking_score=row.ranking_score,
        mobility=row.mobility,
        availability=row.availability,
        flags=flag_list(row.flags),
        decision=str(row.decision) if row.decision else None,
    )


@router.get("/trainings", response_model=list[TrainingOut])
def trainings(db: Session = Depends(db_session)):
    """Trainings and their sessions, with counts."""
    return [
        TrainingOut(
            id=t.id,
            title=t.title,
            sector=t.sector,
            sessions=[
                SessionOut(
                    key=s.key,
                    session_id=s.session_id,
                    start=s.start,
                    end=s.end,
                    seats=s.seats,
                    invited=s.invited,
                    in_progress=s.in_progress,
                    completed=s.completed,
                )
                for s in t.sessions
            ],
        )
        for t in queries.overview(db)
    ]


@router.get(SESSION_PATH + "/screenings", response_model=ScreeningPage)
def screenings(
    training_id: str,
    key: str,
    sort: str = queries.DEFAULT_SORT,
    status: str | None = None,
    decision: str | None = None,
    flag: str | None = None,
    blocking: str | None = Query(None, pattern="^(oui|non)$"),
    page: int = Query(1, ge=1),
    db: Session = Depends(db_session),
):
    """The candidates of one session (`key`: the session id, `_` for none), 50 per page."""
    session_id = common.session_or_404(db, training_id, key)
    query = queries.ListQuery(sort, status, decision, flag, blocking, page)
    listing = queries.candidates(db, training_id, session_id, query)
    return ScreeningPage(
        total=listing.total,
        page=listing.page,
        pages=listing.pages,
        screenings=[ScreeningRow(**_row(r)) for r in listing.rows],
    )


@router.get(SESSION_PATH + "/ranking", response_model=Ranking)
def ranking(
    training_id: str,
    key: str,
    page: int = Query(1, ge=1),
    db: Session = Depends(db_session),
    settings: Settings = Depends(app_settings),
):
    session_id = common.session_or_404(db, training_id, key)
    rubric = common.rubric_of(settings, training_id)
    if rubric is None:
        raise HTTPException(404, "rubrique introuvable")

    def ranked(blocked: bool) -> list[RankedRow]:
        rows = queries.ranked(db, training_id, session_id, blocked=blocked, page=page)
        first = (page - 1) * queries.PAGE_SIZE + 1
        return [
            RankedRow(
                **_row(r),
                rank=first + i,
                explanation=ranker(rubric).explain(r.result_json),
            )
            for i, r in enumerate(rows)
        ]

    return Ranking(
        weights=rubric.weights.model_dump(),
        ranked=ranked(False),
        apart=ranked(True),
        counts=queries.ranking_counts(db, training_id, session_id),
    )


@router.get(SESSION_PATH + "/export")
def export(training_id: str, key: str, db: Session = Depends(db_session)):
    """Every screening of the session with its full result (JSON download)."""
    session_id = common.session_or_404(db, training_id, key)
    return exports.json_response(db, training_id, session_id, f"{training_id}-{key}")


@router.get("/screenings/{screening_id}", response_model=ScreeningOut)
def screening(screening_id: int, db: Session = Depends(db_session)):
    detail = common.detail_or_404(db, screening_id)
    s = detail.screening
    return ScreeningOut(
        screening_id=screening_id,
        candidate_ref=detail.candidate_ref,
        training_id=s.training_id,
        session_id=s.session_id,
        status=str(s.status),
        decision=str(s.decision) if s.decision else None,
        decision_by=s.decision_by,
        token_in=s.token_in,
        token_out=s.token_out,
        ranking_score=s.ranking_score,
        result=common.result_of(detail),
        overrides=[OverrideOut(**o.model_dump()) for o in detail.overrides],
        turns=[
            TurnOut(
                seq=t.seq,
                role=str(t.role),
                text=t.text,
                criterion_id=t.criterion_id,
                at=t.created_at,
            )
            for t in detail.turns
        ],
    )


@router.get("/trainings/{training_id}/statistics", response_model=StatisticsOut)
def statistics(training_id: str, db: Session = Depends(db_session)):
    if queries.training(db, training_id) is None:
        raise HTTPException(404, common.NOT_FOUND)
    stats = queries.training_stats(db, training_id)
    return StatisticsOut(
        invitations=stats.invitations,
        starts=stats.starts,
        completions=stats.completions,
        by_status=stats.by_status,
        dropoff_by_question=stats.dropoff,
        levels={
            dim: {("aucun" if lvl is None else str(lvl)): n for lvl, n in by_level.items()}
            for dim, by_level in stats.levels.items()
        },
    )


class CampaignOut(BaseModel):
    """A session's campaign: the same figures as its page and its CSV."""

    invited: int
    steps: dict[str, int]
    rates: dict[str, float | None]
    statuses: dict[str, int]
    median_first_reply_minutes: float | None
    median_completion_minutes: float | None
    completed_within_5h: int
    completed_within_48h: int
    dropoff_by_question: dict[str, int]


@router.get(SESSION_PATH + "/campaign", response_model=CampaignOut)
def campaign(
    training_id: str,
    key: str,
    db: Session = Depends(db_session),
    settings: Settings = Depends(app_settings),
):
    from chatbot.web.dashboard.campaign import session_funnel

    session_id = common.session_or_404(db, training_id, key)
    funnel = session_funnel(db, settings, training_id, session_id)
    return CampaignOut(
        invited=funnel.invited,
        steps=funnel.steps,
        rates={step: funnel.rate(n) for step, n in funnel.steps.items()},
        statuses=funnel.statuses,
        median_first_reply_minutes=funnel.median_first_reply_minutes,
        median_completion_minutes=funnel.median_completion_minutes,
        completed_within_5h=funnel.completed_within_5h,
        completed_within_48h=funnel.completed_within_48h,
        dropoff_by_question={cid or "": n for cid, n in funnel.dropoff.items()},
    )


# --- documentation, behind the same login -----------------------------------------------------

docs = APIRouter(prefix="/api", dependencies=[Depends(api_counsellor)], include_in_schema=False)


@docs.get("/openapi.json")
def openapi_schema():
    return get_openapi(title=TITLE, version="1", routes=router.routes)


DOCS_PAGE = f"""<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>{TITLE}</title>
<link rel="stylesheet" href="/api/docs/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/api/docs/swagger-ui-bundle.js"></script>
<script src="/api/docs/api-docs.js"></script></body></html>"""
# Served from here, not from a CDN: no counsellor's browser talks to a third party.
DOCS_ASSETS = {
    "swagger-ui.css": swagger_ui_path / "swagger-ui.css",
    "swagger-ui-bundle.js": swagger_ui_path / "swagger-ui-bundle.js",
    "api-docs.js": STATIC / "api-docs.js",
}


@docs.get("/docs")
def openapi_docs():
    return HTMLResponse(DOCS_PAGE)


@docs.get("/docs/{name}")
def openapi_docs_asset(name: str):
    if name not in DOCS_ASSETS:
        raise HTTPException(404, common.NOT_FOUND)
    return FileResponse(DOCS_ASSETS[name])


def include(app: FastAPI) -> None:
    app.include_router(router)
    app.include_router(docs)

"""Server-rendered pages under /conseiller/ (every route needs a logged-in counsellor)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from chatbot.ranking import explain_rank, ranker, ranking_parts
from chatbot.settings import Settings
from chatbot.web.auth import (
    CurrentCounsellor,
    app_settings,
    audit_access,
    csrf_checked,
    db_session,
    page_counsellor,
)
from chatbot.web.dashboard import common, exports, queries
from chatbot.web.dashboard.charts import bar_chart
from chatbot.web.dashboard.explain import (
    DECISIONS,
    FLAGS,
    STATUSES,
    answer_text,
    change_text,
    rule_text,
    target_label,
)
from chatbot.web.dashboard.templating import render
from storage import repo
from storage.models import Decision
from storage.types import utcnow

router = APIRouter(
    prefix="/conseiller", dependencies=[Depends(page_counsellor), Depends(audit_access)]
)
SESSION_PATH = "/formations/{training_id}/sessions/{key}"


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


@router.get("/", name="home")
def home(request: Request, db: Session = Depends(db_session)):
    return render(request, "home.html", trainings=queries.overview(db))


@router.get(SESSION_PATH, name="session")
def session_page(
    request: Request,
    training_id: str,
    key: str,
    tri: str = queries.DEFAULT_SORT,
    statut: str | None = None,
    decision: str | None = None,
    signalement: str | None = None,
    bloquant: str | None = None,
    page: int = Query(1, ge=1),
    db: Session = Depends(db_session),
):
    session_id = common.session_or_404(db, training_id, key)
    query = queries.ListQuery(tri, statut, decision, signalement, bloquant, page)
    listing = queries.candidates(db, training_id, session_id, query)
    filters = {
        "tri": tri,
        "statut": statut or "",
        "decision": decision or "",
        "signalement": signalement or "",
        "bloquant": bloquant or "",
    }
    return render(
        request,
        "session.html",
        training=queries.training(db, training_id),
        key=key,
        session_id=session_id,
        listing=listing,
        filters=filters,
        query_for=lambda **changes: urlencode({**filters, **changes}),
        statuses=STATUSES,
        decisions=DECISIONS,
        flags=FLAGS,
    )


@router.get(SESSION_PATH + "/classement", name="ranking")
def ranking_page(
    request: Request,
    training_id: str,
    key: str,
    page: int = Query(1, ge=1),
    page_apart: int = Query(1, ge=1),
    db: Session = Depends(db_session),
    settings: Settings = Depends(app_settings),
):
    session_id = common.session_or_404(db, training_id, key)
    rubric = common.rubric_of(settings, training_id)

    def explained(rows):
        return [(row, ranker(rubric).explain(row.result_json) if rubric else "") for row in rows]

    ranked = queries.ranked(db, training_id, session_id, blocked=False, page=page)
    apart = queries.ranked(db, training_id, session_id, blocked=True, page=page_apart)
    return render(
        request,
        "ranking.html",
        training=queries.training(db, training_id),
        key=key,
        session_id=session_id,
        rubric=rubric,
        counts=queries.ranking_counts(db, training_id, session_id),
        ranked=explained(ranked),
        apart=explained(apart),
        page=page,
        page_apart=page_apart,
        page_size=queries.PAGE_SIZE,
    )


@router.get(SESSION_PATH + "/export.csv", name="export_csv")
def export_csv(training_id: str, key: str, db: Session = Depends(db_session)):
    session_id = common.session_or_404(db, training_id, key)
    return exports.csv_response(db, training_id, session_id, f"{training_id}-{key}")


@router.get(SESSION_PATH + "/export.json", name="export_json")
def export_json(training_id: str, key: str, db: Session = Depends(db_session)):
    session_id = common.session_or_404(db, training_id, key)
    return exports.json_response(db, training_id, session_id, f"{training_id}-{key}")


@router.get("/formations/{training_id}/statistiques", name="statistics")
def statistics_page(
    request: Request,
    training_id: str,
    db: Session = Depends(db_session),
    settings: Settings = Depends(app_settings),
):
    training = queries.training(db, training_id)
    if training is None:
        raise HTTPException(404, common.NOT_FOUND)
    stats = queries.training_stats(db, training_id)
    rubric = common.rubric_of(settings, training_id)
    labels = {c.id: c.label for c in rubric.criteria} if rubric else {}
    journey = [
        ("Invitations", stats.invitations),
        ("Commencés", stats.starts),
        ("Terminés", stats.completions),
    ]
    drops = sorted(stats.dropoff.items(), key=lambda item: -item[1])
    dropoff = [(labels.get(cid, cid or "avant la première question"), n) for cid, n in drops]
    levels = [
        bar_chart(labels.get(dimension, dimension), _level_items(by_level))
        for dimension, by_level in sorted(stats.levels.items())
    ]
    return render(
        request,
        "statistics.html",
        training=training,
        stats=stats,
        journey=bar_chart("Invitations, questionnaires commencés et terminés", journey),
        dropoff=bar_chart("Abandons par question", dropoff),
        levels=levels,
    )


def _level_items(by_level: dict[int | None, int]) -> list[tuple[str, int]]:
    items = [
        (f"niveau {lvl}", n)
        for lvl, n in sorted((k, v) for k, v in by_level.items() if k is not None)
    ]
    if None in by_level:
        items.append(("sans réponse", by_level[None]))
    return items


# --- one candidate ----------------------------------------------------------------------------


@router.get("/candidatures/{screening_id}", name="candidate")
def candidate_page(
    request: Request,
    screening_id: int,
    erreur: str | None = None,
    cible: str | None = None,
    choix: str | None = None,
    db: Session = Depends(db_session),
    settings: Settings = Depends(app_settings),
):
    """`cible` and `choix`: a refused correction, shown again in its own form with its error."""
    detail = common.detail_or_404(db, screening_id)
    rubric = common.rubric_of(settings, detail.screening.training_id)
    result = common.result_of(detail)
    return render(
        request,
        "candidate.html",
        detail=detail,
        screening=detail.screening,
        result=result,
        rubric=rubric,
        key=queries.session_key(detail.screening.session_id),
        explanation=explain_rank(rubric, result) if rubric and result else None,
        error=erreur,
        refused={"target": cible, "choice": choix} if cible else None,
        last_reason={o.target_id: o.reason for o in detail.overrides},
        answer=lambda c: answer_text(rubric, c.criterion_id, c.value),
        label=lambda target_id: target_label(rubric, result, target_id),
        change=lambda target_id, value: change_text(result, target_id, value),
        decisions=DECISIONS,
    )


@router.post("/candidatures/{screening_id}/correction", name="override")
def override(
    screening_id: int,
    target_id: str = Form(...),
    after: str = Form(...),
    reason: str = Form(""),
    counsellor: CurrentCounsellor = Depends(csrf_checked),
    db: Session = Depends(db_session),
    settings: Settings = Depends(app_settings),
):
    page = f"/conseiller/candidatures/{screening_id}"
    try:
        common.override(db, settings, screening_id, target_id, after, reason, counsellor.email)
        db.commit()
    except (ValueError, LookupError) as exc:
        # No #fragment: the reason field's autofocus then scrolls it into view with its error.
        refused = {"erreur": str(exc), "cible": target_id, "choix": after}
        return _see_other(f"{page}?{urlencode(refused)}")
    return _see_other(f"{page}#{target_id}")


@router.post("/candidatures/{screening_id}/decision", name="decision")
def decision(
    screening_id: int,
    decision: str = Form(""),
    counsellor: CurrentCounsellor = Depends(csrf_checked),
    db: Session = Depends(db_session),
):
    common.detail_or_404(db, screening_id)
    chosen = Decision(decision) if decision in Decision.__members__ else None
    repo.record_decision(db, screening_id, chosen, counsellor=counsellor.email)
    db.commit()
    return _see_other(f"/conseiller/candidatures/{screening_id}#decision")


@router.post("/candidatures/{screening_id}/effacer", name="erase")
def erase(
    screening_id: int,
    confirm: str = Form(""),
    counsellor: CurrentCounsellor = Depends(csrf_checked),
    db: Session = Depends(db_session),
):
    detail = common.detail_or_404(db, screening_id)
    page = f"/conseiller/candidatures/{screening_id}"
    if confirm != "oui":
        message = "Cochez la case pour confirmer l'effacement."
        return _see_other(f"{page}?{urlencode({'erreur': message})}#effacer")
    repo.erase_candidate(db, detail.candidate_ref, actor=counsellor.email)
    db.commit()
    return _see_other(page)


@router.post("/candidatures/{screening_id}/revoquer-lien", name="revoke_link")
def revoke_link(
    screening_id: int,
    counsellor: CurrentCounsellor = Depends(csrf_checked),
    db: Session = Depends(db_session),
):
    detail = common.detail_or_404(db, screening_id)
    s = detail.screening
    repo.revoke_link(db, detail.candidate_ref, s.training_id, s.session_id, actor=counsellor.email)
    db.commit()
    return _see_other(f"/conseiller/candidatures/{screening_id}#lien")


@router.get("/candidatures/{screening_id}/explication", name="explanation")
def explanation_page(
    request: Request,
    screening_id: int,
    db: Session = Depends(db_session),
    settings: Settings = Depends(app_settings),
):
    detail = common.detail_or_404(db, screening_id)
    result = common.result_of(detail)
    rubric = common.rubric_of(settings, detail.screening.training_id)
    if result is None or rubric is None:
        raise HTTPException(404, "pas de résultat à expliquer")
    return render(
        request,
        "explanation.html",
        detail=detail,
        result=result,
        rubric=rubric,
        parts=ranking_parts(rubric, result),
        rule_text=lambda criterion_id: rule_text(rubric, rubric.criterion(criterion_id)),
        known=lambda criterion_id: any(c.id == criterion_id for c in rubric.criteria),
        contact=settings.counsellor_contact,
        now=utcnow(),
    )

"""What pages, exports and the API share: rubric lookup, 404s, overrides with a fresh score."""

from __future__ import annotations

from fastapi import HTTPException
from sqlmodel import Session

from chatbot.ranking import ranking_score
from chatbot.results import Method, ScreeningResult, Verdict
from chatbot.rubric import Rubric
from chatbot.rubric_loader import rubrics_in
from chatbot.settings import Settings
from chatbot.web.dashboard import queries
from storage import repo
from storage.models import Override

NOT_FOUND = "introuvable"


def rubric_of(settings: Settings, training_id: str) -> Rubric | None:
    return rubrics_in(settings.rubrics_dir).get(training_id)


def session_or_404(db: Session, training_id: str, key: str) -> str | None:
    session_id = queries.session_from_key(key)
    if not queries.session_exists(db, training_id, session_id):
        raise HTTPException(404, NOT_FOUND)
    return session_id


def detail_or_404(db: Session, screening_id: int) -> queries.ScreeningDetail:
    found = queries.detail(db, screening_id)
    if found is None:
        raise HTTPException(404, NOT_FOUND)
    return found


def result_of(detail: queries.ScreeningDetail) -> ScreeningResult | None:
    stored = detail.screening.result_json
    return None if stored is None else ScreeningResult.model_validate(stored)


def parse_after(result: ScreeningResult, target_id: str, after: str) -> Verdict | int | None:
    """The new verdict (criterion) or level (dimension) from a form value; ValueError if the
    target or the value does not fit."""
    if any(c.criterion_id == target_id for c in result.criteria):
        if after not in Verdict.__members__:
            raise ValueError("Choisissez un verdict dans la liste.")
        return Verdict(after)
    if any(d.criterion_id == target_id for d in result.dimensions):
        if after in ("", "aucun"):
            return None
        if not after.isdigit() or int(after) > result.dimension(target_id).max_level:
            raise ValueError("Ce niveau n'existe pas pour ce critère.")
        return int(after)
    raise ValueError("Ce critère n'existe pas dans ce questionnaire.")


def override(
    db: Session,
    settings: Settings,
    screening_id: int,
    target_id: str,
    after_text: str,
    reason: str,
    counsellor: str,
) -> Override:
    """Apply a counsellor's change with the ranking score recomputed on the changed result."""
    detail = detail_or_404(db, screening_id)
    result = result_of(detail)
    if result is None:
        raise ValueError("Pas encore de résultat à corriger : le questionnaire n'est pas terminé.")
    if not reason.strip():
        raise ValueError("Écrivez la raison de la correction : elle est obligatoire.")
    after = parse_after(result, target_id, after_text)
    changed = result.model_copy(deep=True)
    if isinstance(after, Verdict):
        changed.criterion(target_id).verdict = after
        changed.criterion(target_id).method = Method.counsellor
    else:
        changed.dimension(target_id).level = after
    rubric = rubric_of(settings, detail.screening.training_id)
    score = ranking_score(rubric, changed) if rubric else detail.screening.ranking_score
    return repo.record_override(
        db,
        screening_id,
        target_id,
        after,
        reason=reason,
        counsellor=counsellor,
        ranking_score=score,
    )

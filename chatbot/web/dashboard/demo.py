"""Realistic fake screenings for demos and benchmarks, inserted in bulk (100,000 in well under
a minute on SQLite). Rows carry the same denormalised columns as `repo.save_result` writes
(a test checks that they agree)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from chatbot.ranking import ranking_score
from chatbot.results import CriterionResult, DimensionScore, Flag, Method, ScreeningResult, Verdict
from chatbot.rubric import AnswerType, Kind, Rubric
from storage import repo
from storage.models import (
    Candidate,
    CriterionResultRow,
    DimensionScoreRow,
    Screening,
    ScreeningStatus,
    Turn,
)
from storage.types import utcnow

CHUNK = 5000
STATUSES = [
    (ScreeningStatus.completed, 60),
    (ScreeningStatus.in_progress, 12),
    (ScreeningStatus.invited, 12),
    (ScreeningStatus.abandoned, 8),
    (ScreeningStatus.declined, 5),
    (ScreeningStatus.consented, 3),
]
VERDICTS = [(Verdict.met, 78), (Verdict.not_met, 10), (Verdict.unclear, 12)]
EVIDENCE = {
    AnswerType.yes_no: ["oui", "oui bien sûr", "oui je l'ai", "je crois que oui"],
    AnswerType.number: ["j'ai 24 ans", "environ 30", "45 minutes à peu près", "19"],
    AnswerType.date: ["dès le mois prochain", "à partir du 1er septembre", "tout de suite"],
    AnswerType.duration: ["une demi-heure en bus", "20 minutes", "presque une heure"],
    AnswerType.free_text: ["je préfère en parler avec ma conseillère"],
}
MOTIVATION_QUOTES = [
    "j'ai gardé ma grand-mère pendant deux ans et j'ai aimé m'occuper d'elle",
    "je veux un métier utile où on aide les gens",
    "j'ai fait un stage de trois semaines en EHPAD",
    "c'est surtout pour trouver du travail vite",
    "j'ai regardé des vidéos sur le métier et parlé avec une amie soudeuse",
]
MOBILITY = ["permis B et voiture", "bus et tram, 40 minutes", "à pied, 15 minutes", "pas de moyen"]
AVAILABILITY = ["disponible à temps plein", "disponible sauf le mercredi", "disponible en octobre"]


def _pick(rng: random.Random, weighted: list[tuple[Any, int]]) -> Any:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights)[0]


def fake_result(rubric: Rubric, rng: random.Random, session_id: str | None) -> ScreeningResult:
    criteria = []
    for c in rubric.closed_criteria:
        verdict = (
            _pick(rng, VERDICTS)
            if not c.blocking
            else _pick(rng, [(Verdict.met, 92), (Verdict.not_met, 4), (Verdict.unclear, 4)])
        )
        quotes = EVIDENCE.get(c.answer.type, ["c'est bon pour moi", "ça ira"])
        if verdict != Verdict.met:
            quotes = ["non pas encore", "pas vraiment", "je ne sais pas trop"]
        criteria.append(
            CriterionResult(
                criterion_id=c.id,
                kind=c.kind,
                label=c.label,
                blocking=c.blocking,
                verdict=verdict,
                value=verdict == Verdict.met if c.answer.type == AnswerType.yes_no else None,
                evidence=rng.choice(quotes),
                method=_pick(rng, [(Method.offline, 80), (Method.llm, 20)]),
                confidence=round(rng.uniform(0.5, 1.0), 2),
            )
        )
    dimensions = [_fake_dimension(c, rng) for c in rubric.dimensions]
    flags = [Flag.unclear_answers] if any(c.verdict == Verdict.unclear for c in criteria) else []
    if rng.random() < 0.03:
        flags.append(Flag.handoff_requested)
    return ScreeningResult(
        rubric_id=rubric.id,
        rubric_version=rubric.version,
        session_id=session_id,
        complete=True,
        criteria=criteria,
        dimensions=dimensions,
        mobility=rng.choice(MOBILITY),
        availability=rng.choice(AVAILABILITY),
        flags=flags,
    )


def _fake_dimension(criterion, rng: random.Random) -> DimensionScore:
    top = max(level.level for level in criterion.levels)
    level = rng.choices(range(top + 1), weights=[1] + [3] * top)[0]
    evidence = rng.sample(MOTIVATION_QUOTES, k=min(level, 2))
    return DimensionScore(
        criterion_id=criterion.id,
        kind=criterion.kind,
        label=criterion.label,
        level=level,
        max_level=top,
        rationale=f"Niveau {level} sur {top} : "
        + ("indices trouvés dans la réponse." if evidence else "aucun indice trouvé."),
        evidence=evidence,
        confidence=round(rng.uniform(0.3, 0.9), 2),
    )


def denormalised(result: ScreeningResult) -> dict[str, Any]:
    """The screening columns that `repo.save_result` derives from a result."""
    prerequisites = [c for c in result.criteria if c.kind == Kind.prerequisite]
    blocking = any(c.blocking and c.verdict == Verdict.not_met for c in result.criteria)
    flags = [f for f in result.flags if f != Flag.blocking_not_met] + (
        [Flag.blocking_not_met] if blocking else []
    )
    result.flags = flags
    return {
        "prerequisites_met": sum(c.verdict == Verdict.met for c in prerequisites),
        "prerequisites_not_met": sum(c.verdict == Verdict.not_met for c in prerequisites),
        "prerequisites_unclear": sum(c.verdict == Verdict.unclear for c in prerequisites),
        "blocking_not_met": blocking,
        "motivation_level": _mean_level(result, Kind.motivation),
        "readiness_level": _mean_level(result, Kind.readiness),
        "mobility": result.mobility,
        "availability": result.availability,
        "flags": "".join(f",{f}" for f in flags) + "," if flags else None,
        "handoff": Flag.handoff_requested in flags,
        "result_json": result.model_dump(mode="json"),
    }


def _mean_level(result: ScreeningResult, kind: Kind) -> float | None:
    shares = [
        d.level / d.max_level
        for d in result.dimensions
        if d.kind == kind and d.level is not None and d.max_level
    ]
    return sum(shares) / len(shares) if shares else None


def _sessions(rubrics: Iterable[Rubric]) -> list[tuple[Rubric, str]]:
    return [(r, s.id) for r in rubrics for s in r.training.sessions]


def seed(
    db: Session, rubrics: list[Rubric], screenings: int, *, seed: int = 7, turns_for: int = 300
) -> int:
    """Insert `screenings` fake screenings spread over the rubrics' sessions. Returns the count."""
    repo.sync_trainings(db, rubrics)
    rng = random.Random(seed)
    targets = _sessions(rubrics)
    first_candidate = (db.exec(sa.select(sa.func.max(Candidate.id))).one()[0] or 0) + 1
    first_screening = (db.exec(sa.select(sa.func.max(Screening.id))).one()[0] or 0) + 1
    now = utcnow()
    pools = {(r.id, sid): _pool(rng, r, sid) for r, sid in targets}
    for start in range(0, screenings, CHUNK):
        batch = _batch(
            rng,
            targets,
            pools,
            now,
            (first_candidate, first_screening),
            start,
            screenings,
            turns_for,
        )
        for table, rows in batch.items():
            if rows:
                db.connection().execute(sa.insert(table), rows)
        db.commit()
    _resync_sequences(db)
    return screenings


@dataclass(frozen=True)
class _Sample:
    """One fake result, ready to be copied onto many screenings (seeding stays fast)."""

    result: ScreeningResult
    columns: dict[str, Any]


POOL_SIZE = 400


def _pool(rng: random.Random, rubric: Rubric, session_id: str) -> list[_Sample]:
    samples = []
    for _ in range(POOL_SIZE):
        result = fake_result(rubric, rng, session_id)
        columns = denormalised(result)
        columns["ranking_score"] = ranking_score(rubric, result)
        if any(c.method == Method.llm for c in result.criteria):
            columns["token_in"], columns["token_out"] = (
                rng.randint(2000, 6000),
                rng.randint(300, 900),
            )
        samples.append(_Sample(result, columns))
    return samples


def _batch(rng, targets, pools, now, first_ids, start, total, turns_for):
    rows: dict[Any, list[dict[str, Any]]] = {
        Candidate.__table__: [],
        Screening.__table__: [],
        CriterionResultRow.__table__: [],
        DimensionScoreRow.__table__: [],
        Turn.__table__: [],
    }
    for i in range(start, min(start + CHUNK, total)):
        rubric, session_id = targets[i % len(targets)]
        candidate_id, screening_id = first_ids[0] + i, first_ids[1] + i
        rows[Candidate.__table__].append(
            {"id": candidate_id, "ref": f"demo-{candidate_id:07d}", "created_at": now}
        )
        screening = _screening_row(rng, rubric, session_id, candidate_id, screening_id, now)
        rows[Screening.__table__].append(screening)
        if screening["status"] == ScreeningStatus.completed.value:
            sample = rng.choice(pools[(rubric.id, session_id)])
            screening.update(sample.columns)
            rows[CriterionResultRow.__table__] += _criterion_rows(screening_id, sample.result)
            rows[DimensionScoreRow.__table__] += _dimension_rows(screening_id, sample.result)
            if i < turns_for:
                rows[Turn.__table__] += list(_turns(screening_id, sample.result, now))
    return rows


def _screening_row(rng, rubric, session_id, candidate_id, screening_id, now) -> dict[str, Any]:
    status = _pick(rng, STATUSES)
    updated = now - dt.timedelta(minutes=rng.randint(5, 90 * 24 * 60))
    row: dict[str, Any] = {
        "id": screening_id,
        "candidate_id": candidate_id,
        "training_id": rubric.id,
        "session_id": session_id,
        "rubric_version": rubric.version,
        "status": status.value,
        "created_at": updated - dt.timedelta(days=1),
        "updated_at": updated,
        "consent_at": None
        if status in (ScreeningStatus.invited, ScreeningStatus.declined)
        else updated - dt.timedelta(hours=1),
        "declined_at": updated if status == ScreeningStatus.declined else None,
        "completed_at": updated if status == ScreeningStatus.completed else None,
        "handoff": False,
        "token_in": 0,
        "token_out": 0,
        "pending_criterion_id": None,
        "state_json": None,
        "result_json": None,
        "decision": None,
        "decision_by": None,
        "decision_at": None,
        **{k: None for k in repo.RESULT_COLUMNS},
    }
    if status in (ScreeningStatus.in_progress, ScreeningStatus.abandoned):
        row["pending_criterion_id"] = rng.choice(rubric.criteria).id
    return row


def _criterion_rows(screening_id: int, result: ScreeningResult) -> list[dict[str, Any]]:
    return [
        {
            "screening_id": screening_id,
            "criterion_id": c.criterion_id,
            "kind": c.kind.value,
            "blocking": c.blocking,
            "verdict": c.verdict.value,
            "value": c.value,
            "evidence": c.evidence,
            "method": c.method.value,
            "confidence": c.confidence,
            "note": None,
        }
        for c in result.criteria
    ]


def _dimension_rows(screening_id: int, result: ScreeningResult) -> list[dict[str, Any]]:
    return [
        {
            "screening_id": screening_id,
            "criterion_id": d.criterion_id,
            "kind": d.kind.value,
            "level": d.level,
            "max_level": d.max_level,
            "method": d.method.value,
            "confidence": d.confidence,
        }
        for d in result.dimensions
    ]


def _turns(screening_id: int, result: ScreeningResult, now: dt.datetime) -> Iterator[dict]:
    seq = 0
    for c in result.criteria:
        for role, text in (("assistant", f"{c.label} ?"), ("candidate", c.evidence or "")):
            seq += 1
            yield {
                "screening_id": screening_id,
                "seq": seq,
                "role": role,
                "text": text,
                "criterion_id": c.criterion_id,
                "created_at": now,
                "method": None,
                "fallback": False,
            }


def _resync_sequences(db: Session) -> None:
    """Explicit ids leave PostgreSQL's sequences behind: move them past the new rows."""
    if db.get_bind().dialect.name != "postgresql":
        return
    for table in ("candidate", "screening"):
        db.exec(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
        )
    db.commit()

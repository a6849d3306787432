"""Realistic fake screenings for demos and benchmarks, inserted in bulk (100,000 in well under
a minute on SQLite). Rows carry the same denormalised columns as `repo.save_result` writes
(a test checks that they agree)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from chatbot.answers import format_date, verdict_for
from chatbot.engine import AnswerRecord, ScreeningState, session_end, session_start
from chatbot.ranking import ranking_score
from chatbot.report import build_result
from chatbot.results import DimensionScore, Flag, Method, ScreeningResult, Verdict
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
UNCLEAR_SHARE = 0.08
MET_SHARE = {True: 0.94, False: 0.8}  # blocking criteria are met more often
UNCLEAR_WORDS = ["je ne sais pas trop", "bof", "ça dépend", "euh je verrai"]
DATE_WORDS = ["tout de suite", "dès que possible", "à partir du {date}", "le {date}"]
FREE_WORDS = ["je préfère en parler avec ma conseillère", "c'est compliqué à expliquer"]


def _pick(rng: random.Random, weighted: list[tuple[Any, int]]) -> Any:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights)[0]


def fake_result(rubric: Rubric, rng: random.Random, session_id: str | None) -> ScreeningResult:
    """A result built the way a real screening builds it (`report.build_result`), from answers
    a candidate could give: option and level ids, dates, durations, with their own words."""
    state = ScreeningState(
        rubric_id=rubric.id, rubric_version=rubric.version, session_id=session_id, phase="done"
    )
    for criterion in rubric.closed_criteria:
        state.answers[criterion.id] = _fake_answer(rubric, state, criterion, rng)
    if any(a.verdict == Verdict.unclear for a in state.answers.values()):
        state.flags.append(Flag.unclear_answers)
    if rng.random() < 0.03:
        state.flags.append(Flag.handoff_requested)
    dimensions = {c.id: _fake_dimension(c, rng) for c in rubric.dimensions}
    return build_result(rubric, state, dimensions)


def _fake_answer(rubric: Rubric, state: ScreeningState, criterion, rng) -> AnswerRecord:
    method = _pick(rng, [(Method.offline, 80), (Method.llm, 20)])
    confidence = round(rng.uniform(0.5, 1.0), 2)
    if rng.random() < UNCLEAR_SHARE:
        return AnswerRecord(
            verdict=Verdict.unclear,
            evidence=rng.choice(UNCLEAR_WORDS),
            method=method,
            confidence=confidence,
            note="réponse pas claire",
        )
    wanted = Verdict.met if rng.random() < MET_SHARE[criterion.blocking] else Verdict.not_met
    start, end = session_start(rubric, state), session_end(rubric, state)
    today = start - dt.timedelta(days=60)
    for _ in range(20):  # a value with the wanted verdict, when the answer's range has one
        value, words = _fake_value(rubric, criterion, rng, start)
        verdict = verdict_for(
            criterion, value, rubric=rubric, session_start=start, session_end=end, today=today
        )
        if verdict == wanted:
            break
    return AnswerRecord(
        value=value, evidence=words, verdict=verdict, method=method, confidence=confidence
    )


def _fake_value(rubric: Rubric, criterion, rng: random.Random, start: dt.date) -> tuple[Any, str]:
    """A parsed value and the candidate's words for it."""
    answer = criterion.answer
    match answer.type:
        case AnswerType.yes_no:
            value = rng.random() < 0.5
            return value, rng.choice(["oui", "oui bien sûr", "oui j'ai"] if value else ["non"])
        case AnswerType.number:
            low, high = int(answer.min or 0), int(answer.max or 100)
            value = rng.randint(max(low, 16), min(high, 60))
            return value, f"{value} {answer.unit or ''}".strip()
        case AnswerType.duration:
            value = rng.choice([10, 15, 20, 25, 30, 40, 45, 60, 75, 90])
            return value, rng.choice([f"{value} minutes", f"à peu près {value} min"])
        case AnswerType.date:
            value = start + dt.timedelta(days=rng.randint(-120, 40))
            return value, rng.choice(DATE_WORDS).format(date=format_date(value))
        case AnswerType.choice | AnswerType.multi_choice:
            picked = rng.sample(answer.options, k=1 if answer.type == AnswerType.choice else 2)
            words = " et ".join(rng.choice([o.label.lower(), *o.synonyms]) for o in picked)
            ids = [o.id for o in picked]
            return (ids if answer.type == AnswerType.multi_choice else ids[0]), words
        case AnswerType.level:
            level = rng.choice(rubric.scale(answer.scale))
            return level.id, rng.choice([level.label.lower(), *level.synonyms])
    words = rng.choice(FREE_WORDS)
    return words, words


def _fake_dimension(criterion, rng: random.Random) -> DimensionScore:
    """A level with the rubric's own descriptor and quotes made of its indicators."""
    top = max(level.level for level in criterion.levels)
    level = rng.choices(range(top + 1), weights=[1] + [3] * top)[0]
    anchor = next(a for a in criterion.levels if a.level == level)
    indicators = rng.sample(anchor.indicators, k=min(2, len(anchor.indicators)))
    evidence = [f"{rng.choice(OPENINGS)} {indicator}" for indicator in indicators]
    found = ", ".join(f"« {i} »" for i in indicators)
    return DimensionScore(
        criterion_id=criterion.id,
        kind=criterion.kind,
        label=criterion.label,
        level=level,
        max_level=top,
        rationale=f"Niveau {level} sur {top} : {anchor.descriptor} Indices trouvés : {found}.",
        evidence=evidence,
        confidence=round(rng.uniform(0.3, 0.9), 2),
    )


OPENINGS = ["pour moi c'est", "je dirais", "surtout", "parce que", "en fait"]


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
                rows[Turn.__table__] += list(_turns(rubric, screening_id, sample.result, now))
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
            "value": c.model_dump(mode="json")["value"],
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


def _turns(rubric: Rubric, screening_id: int, result: ScreeningResult, now: dt.datetime):
    """The rubric's questions and the candidate's words, as a short transcript."""
    answers = [(c.criterion_id, c.evidence or "") for c in result.criteria]
    answers += [
        (d.criterion_id, " ; ".join(d.evidence) or "je ne sais pas") for d in result.dimensions
    ]
    seq = 0
    for criterion_id, words in answers:
        question = rubric.criterion(criterion_id).question
        for role, text in (("assistant", question), ("candidate", words)):
            seq += 1
            yield {
                "screening_id": screening_id,
                "seq": seq,
                "role": role,
                "text": text,
                "criterion_id": criterion_id,
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

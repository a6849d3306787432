"""Storage against SQLite and PostgreSQL (the `db` fixture runs each test on both)."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import Session, SQLModel, select

from chatbot.results import CriterionResult, DimensionScore, Flag, Method, ScreeningResult, Verdict
from chatbot.rubric import Kind, Rubric
from chatbot.rubric_loader import load_rubric
from storage import repo
from storage.db import alembic_config, check_health, init_db, make_engine
from storage.models import (
    AuditLog,
    Candidate,
    CriterionResultRow,
    Decision,
    DimensionScoreRow,
    Role,
    Screening,
    ScreeningStatus,
    Training,
    TrainingSession,
    Turn,
)

RUBRIC_PATH = Path(__file__).resolve().parent.parent / "rubrics" / "aide-soignant.yaml"
SESSION = "reims-2027-01"


@pytest.fixture(scope="module")
def rubric() -> Rubric:
    return load_rubric(RUBRIC_PATH)


@pytest.fixture
def session(db: sa.Engine, rubric: Rubric):
    with Session(db, expire_on_commit=False) as session:
        repo.sync_trainings(session, [rubric])
        yield session


def url_of(engine: sa.Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def new_screening(session: Session, rubric: Rubric, ref: str = "FT-0001") -> Screening:
    return repo.create_screening(
        session, ref, rubric.id, session_id=SESSION, rubric_version=rubric.version
    )


def a_result(rubric: Rubric, *, blocking_verdict: Verdict = Verdict.met) -> ScreeningResult:
    """All met but the last closed criterion (unclear) and the first blocking one (as given)."""
    criteria = [
        CriterionResult(
            criterion_id=c.id,
            kind=c.kind,
            label=c.label,
            blocking=c.blocking,
            verdict=blocking_verdict if c.id == blocking_id(rubric) else Verdict.met,
            value=True,
            evidence="oui, je l'ai",
            confidence=0.9,
        )
        for c in rubric.closed_criteria
    ]
    criteria[-1] = criteria[-1].model_copy(update={"verdict": Verdict.unclear, "value": None})
    dimensions = [
        DimensionScore(
            criterion_id=d.id,
            kind=d.kind,
            label=d.label,
            level=2,
            max_level=3,
            rationale="Projet concret.",
            evidence=["j'ai fait un stage en Ehpad"],
            confidence=0.7,
        )
        for d in rubric.dimensions
    ]
    return ScreeningResult(
        rubric_id=rubric.id,
        rubric_version=rubric.version,
        session_id=SESSION,
        complete=True,
        criteria=criteria,
        dimensions=dimensions,
        mobility="Voiture, 30 minutes de trajet.",
        availability="Disponible dès janvier, à temps plein.",
        flags=[Flag.handoff_requested],
    )


def blocking_id(rubric: Rubric) -> str:
    return next(c.id for c in rubric.closed_criteria if c.blocking)


def audit_actions(session: Session) -> list[str]:
    return list(session.exec(select(AuditLog.action).order_by(AuditLog.id)))


# --- schema ---------------------------------------------------------------------------------


def test_migrations_create_every_table_from_empty_and_run_again_harmlessly(db: sa.Engine):
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with db.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == head
    assert set(SQLModel.metadata.tables) <= set(sa.inspect(db).get_table_names())
    init_db(url_of(db)).dispose()  # already at head: nothing to do, nothing broken


def test_migration_head_matches_the_models(db: sa.Engine):
    with db.connect() as connection:
        diff = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True}),
            SQLModel.metadata,
        )
    assert diff == []


def test_sqlite_file_and_its_folders_are_created_on_first_run(tmp_path: Path):
    path = tmp_path / "a" / "b" / "screening.db"
    engine = init_db(f"sqlite:///{path}")
    with engine.connect() as connection:
        mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
    engine.dispose()
    assert path.exists()
    assert mode == "wal"


# --- trainings, screenings ----------------------------------------------------------------


def test_sync_trainings_is_idempotent_and_follows_the_rubric(session: Session, rubric: Rubric):
    repo.sync_trainings(session, [rubric])
    training = session.get(Training, rubric.id)
    assert training.title == rubric.training.title and training.version == rubric.version
    rows = session.exec(select(TrainingSession).where(TrainingSession.training_id == rubric.id))
    assert {s.id: s.seats for s in rows} == {s.id: s.seats for s in rubric.training.sessions}


def test_screening_is_created_then_resumed_until_it_is_completed(session: Session, rubric: Rubric):
    screening = new_screening(session, rubric)
    assert screening.status == ScreeningStatus.invited

    found = repo.find_open_screening(session, "FT-0001", rubric.id, SESSION)
    assert found is not None and found.id == screening.id
    assert repo.find_open_screening(session, "FT-0002", rubric.id, SESSION) is None
    assert repo.find_open_screening(session, "FT-0001", rubric.id, "reims-2027-09") is None
    assert repo.find_open_screening(session, "FT-0001", rubric.id) is None

    repo.record_consent(session, screening.id)
    repo.save_state(session, screening.id, {"pending": "age"}, pending_criterion_id="age")
    resumed = repo.find_open_screening(session, "FT-0001", rubric.id, SESSION)
    assert resumed.status == ScreeningStatus.in_progress
    assert resumed.state_json == {"pending": "age"} and resumed.consent_at is not None

    repo.save_result(session, screening.id, a_result(rubric))
    assert repo.find_open_screening(session, "FT-0001", rubric.id, SESSION) is None


def test_one_candidate_row_per_reference(session: Session, rubric: Rubric):
    new_screening(session, rubric)
    new_screening(session, rubric, ref="FT-0001")
    assert len(session.exec(select(Candidate)).all()) == 1


def test_a_screening_needs_a_known_session(session: Session, rubric: Rubric):
    with pytest.raises(sa.exc.IntegrityError):
        repo.create_screening(
            session, "FT-0001", rubric.id, session_id="inconnue", rubric_version=rubric.version
        )


def test_timestamps_come_back_timezone_aware(session: Session, rubric: Rubric):
    screening = new_screening(session, rubric)
    session.expire_all()
    stored = repo.get_screening(session, screening.id)
    assert stored.created_at.tzinfo is not None
    assert abs(stored.created_at - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)


# --- turns ------------------------------------------------------------------------------------


def _turns_elsewhere(db: sa.Engine, screening_id: int) -> list[Turn]:
    other = make_engine(url_of(db))
    try:
        with Session(other) as elsewhere:
            return repo.list_turns(elsewhere, screening_id)
    finally:
        other.dispose()


def test_the_caller_owns_the_transaction_turns_are_seen_once_committed(
    db: sa.Engine, session: Session, rubric: Rubric
):
    screening = new_screening(session, rubric)
    session.commit()
    repo.append_turn(
        session, screening.id, Role.assistant, "Quel âge avez-vous ?", criterion_id="age"
    )
    repo.append_turn(
        session, screening.id, Role.candidate, "J'ai <AGE_1> ans", criterion_id="age",
        method=Method.offline,
    )  # fmt: skip
    assert _turns_elsewhere(db, screening.id) == []  # flushed, not committed

    session.commit()
    turns = _turns_elsewhere(db, screening.id)
    assert [(t.seq, t.role, t.text) for t in turns] == [
        (1, "assistant", "Quel âge avez-vous ?"),
        (2, "candidate", "J'ai <AGE_1> ans"),
    ]
    assert turns[1].method == "offline" and turns[1].fallback is False


def test_a_state_is_stored_with_the_messages_that_led_to_it_numbered_after_the_last(
    db: sa.Engine, session: Session, rubric: Rubric
):
    screening = new_screening(session, rubric)
    repo.append_turn(session, screening.id, Role.assistant, "Quel âge avez-vous ?")
    said = repo.NewTurn(Role.candidate, "J'ai <AGE_1> ans", method=Method.offline)
    asked = repo.NewTurn(Role.assistant, "Avez-vous le permis ?", criterion_id="permis")
    repo.save_state(
        session, screening.id, {"turns": 1}, pending_criterion_id="permis", turns=[said, asked]
    )
    session.commit()

    turns = _turns_elsewhere(db, screening.id)
    assert [(t.seq, t.role, t.text) for t in turns] == [
        (1, "assistant", "Quel âge avez-vous ?"),
        (2, "candidate", "J'ai <AGE_1> ans"),
        (3, "assistant", "Avez-vous le permis ?"),
    ]
    stored = repo.get_screening(session, screening.id)
    assert stored.state_json == {"turns": 1} and stored.pending_criterion_id == "permis"


def test_a_failed_transaction_leaves_nothing(db: sa.Engine, session: Session, rubric: Rubric):
    screening = new_screening(session, rubric)
    session.commit()
    repo.append_turn(session, screening.id, Role.candidate, "oui")
    repo.save_state(session, screening.id, {"turns": 1})
    session.rollback()  # what `session_scope` does when the block raises
    assert _turns_elsewhere(db, screening.id) == []
    assert repo.get_screening(session, screening.id).state_json is None


def test_a_turn_locks_an_open_screening_at_the_version_it_read(session: Session, rubric: Rubric):
    screening = new_screening(session, rubric)
    repo.record_consent(session, screening.id)
    repo.save_state(session, screening.id, {"turns": 3})
    session.commit()
    sid = screening.id  # objects expire on rollback: keep the number

    assert repo.lock_open_screening(session, sid, state_turns=3).id == sid
    session.rollback()
    with pytest.raises(repo.StaleState):
        repo.lock_open_screening(session, sid, state_turns=2)  # another tab was first
    session.rollback()
    for status in ("completed", "erased", "declined"):
        session.exec(sa.update(Screening).where(Screening.id == sid).values(status=status))
        session.commit()
        with pytest.raises(repo.ScreeningClosed) as closed:
            repo.lock_open_screening(session, sid, state_turns=3)
        assert closed.value.status == status
        session.rollback()
    with pytest.raises(repo.ScreeningClosed) as purged:
        repo.lock_open_screening(session, sid + 1000)
    assert purged.value.status is None


def test_tokens_add_up(session: Session, rubric: Rubric):
    screening = new_screening(session, rubric)
    repo.add_tokens(session, screening.id, 100, 20)
    repo.add_tokens(session, screening.id, 50, 5)
    session.expire_all()
    stored = repo.get_screening(session, screening.id)
    assert (stored.token_in, stored.token_out) == (150, 25)


# --- results ------------------------------------------------------------------------------


def test_result_round_trip_fills_rows_and_list_columns(session: Session, rubric: Rubric):
    screening = new_screening(session, rubric)
    result = a_result(rubric)
    repo.save_result(session, screening.id, result, ranking_score=71.5)
    session.expire_all()

    assert repo.load_result(session, screening.id) == result
    stored = repo.get_screening(session, screening.id)
    prerequisites = [c for c in result.criteria if c.kind == Kind.prerequisite]
    assert stored.status == ScreeningStatus.completed and stored.completed_at is not None
    assert stored.prerequisites_met == len(prerequisites)
    assert (stored.prerequisites_not_met, stored.prerequisites_unclear) == (0, 0)
    assert stored.blocking_not_met is False
    assert stored.motivation_level == pytest.approx(2 / 3)
    assert stored.ranking_score == 71.5 and stored.handoff is True
    assert stored.flags == ",handoff_requested,"
    assert stored.mobility == result.mobility

    rows = session.exec(
        select(CriterionResultRow).where(CriterionResultRow.screening_id == screening.id)
    )
    assert {r.criterion_id: r.verdict for r in rows} == {
        c.criterion_id: c.verdict for c in result.criteria
    }
    levels = session.exec(
        select(DimensionScoreRow.level).where(DimensionScoreRow.screening_id == screening.id)
    )
    assert list(levels) == [2] * len(rubric.dimensions)  # fmt: skip


def test_saving_a_result_again_replaces_the_rows(session: Session, rubric: Rubric):
    screening = new_screening(session, rubric)
    repo.save_result(session, screening.id, a_result(rubric))
    repo.save_result(session, screening.id, a_result(rubric, blocking_verdict=Verdict.not_met))
    session.expire_all()
    stored = repo.get_screening(session, screening.id)
    assert stored.blocking_not_met is True and ",blocking_not_met," in stored.flags
    count = session.exec(
        select(sa.func.count()).where(CriterionResultRow.screening_id == screening.id)
    ).one()
    assert count == len(rubric.closed_criteria)


def test_override_changes_the_result_and_is_audited(session: Session, rubric: Rubric):
    screening = new_screening(session, rubric)
    repo.save_result(session, screening.id, a_result(rubric, blocking_verdict=Verdict.not_met))
    target = blocking_id(rubric)

    override = repo.record_override(
        session, screening.id, target, Verdict.met,
        reason="Attestation vue en entretien.", counsellor="c@francetravail.fr", ranking_score=80.0,
    )  # fmt: skip
    session.expire_all()

    assert (override.before, override.after) == ("not_met", "met")
    result = repo.load_result(session, screening.id)
    assert result.criterion(target).verdict == Verdict.met
    assert result.criterion(target).method == Method.counsellor
    assert Flag.blocking_not_met not in result.flags
    stored = repo.get_screening(session, screening.id)
    assert stored.blocking_not_met is False and stored.ranking_score == 80.0
    entry = session.exec(select(AuditLog).where(AuditLog.action == "override")).one()
    assert entry.actor == "c@francetravail.fr" and entry.screening_id == screening.id
    assert entry.details == {
        "target_id": target,
        "before": "not_met",
        "after": "met",
        "override_id": override.id,
    }


def test_override_of_a_level_is_checked_against_the_scale(session: Session, rubric: Rubric):
    screening = new_screening(session, rubric)
    repo.save_result(session, screening.id, a_result(rubric))
    dimension = rubric.dimensions[0].id
    repo.record_override(
        session, screening.id, dimension, 3, reason="Très motivée.", counsellor="c@ft.fr",
        ranking_score=None,
    )  # fmt: skip
    assert repo.load_result(session, screening.id).dimension(dimension).level == 3
    with pytest.raises(ValueError):
        repo.record_override(
            session,
            screening.id,
            dimension,
            4,
            reason="x",
            counsellor="c@ft.fr",
            ranking_score=None,
        )


@pytest.mark.parametrize("reason", ["", "   "])
def test_override_without_a_reason_is_refused(session: Session, rubric: Rubric, reason: str):
    screening = new_screening(session, rubric)
    repo.save_result(session, screening.id, a_result(rubric))
    with pytest.raises(ValueError):
        repo.record_override(
            session, screening.id, blocking_id(rubric), Verdict.not_met,
            reason=reason, counsellor="c@ft.fr", ranking_score=None,
        )  # fmt: skip
    assert "override" not in audit_actions(session)


def test_decision_is_the_counsellors_and_audited(session: Session, rubric: Rubric):
    screening = new_screening(session, rubric)
    repo.record_decision(session, screening.id, Decision.retenu, counsellor="c@ft.fr")
    repo.record_decision(session, screening.id, Decision.a_recontacter, counsellor="d@ft.fr")
    session.expire_all()
    stored = repo.get_screening(session, screening.id)
    assert (stored.decision, stored.decision_by) == ("a_recontacter", "d@ft.fr")
    details = session.exec(select(AuditLog.details).where(AuditLog.action == "decision")).all()
    assert details == [
        {"before": None, "after": "retenu"},
        {"before": "retenu", "after": "a_recontacter"},
    ]


# --- consent, GDPR --------------------------------------------------------------------------


def test_declining_keeps_nothing_but_the_refusal(session: Session, rubric: Rubric):
    screening = new_screening(session, rubric)
    repo.append_turn(session, screening.id, Role.assistant, "Bonjour")
    repo.save_state(session, screening.id, {"pending": "consent"})
    repo.record_decline(session, screening.id)
    session.expire_all()
    stored = repo.get_screening(session, screening.id)
    assert stored.status == ScreeningStatus.declined and stored.declined_at is not None
    assert stored.state_json is None and stored.consent_at is None
    assert repo.list_turns(session, screening.id) == []

    repo.reopen_declined(session, screening.id)  # the link opened again: numbered from 1
    repo.append_turn(session, screening.id, Role.assistant, "Bonjour")
    assert [t.seq for t in repo.list_turns(session, screening.id)] == [1]


def test_purge_removes_old_screenings_and_their_orphan_candidates(session: Session, rubric: Rubric):
    old = new_screening(session, rubric, ref="FT-OLD")
    repo.append_turn(session, old.id, Role.candidate, "oui")
    repo.save_result(session, old.id, a_result(rubric))
    recent = new_screening(session, rubric, ref="FT-NEW")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=400)
    session.exec(sa.update(Screening).where(Screening.id == recent.id).values(updated_at=later))
    session.commit()

    purged = repo.purge_older_than(session, 365, now=later + dt.timedelta(days=1))

    assert purged == 1
    session.expire_all()
    assert session.get(Screening, old.id) is None and session.get(Screening, recent.id)
    assert session.exec(select(Turn)).all() == []
    assert session.exec(select(CriterionResultRow)).all() == []
    assert list(session.exec(select(Candidate.ref))) == ["FT-NEW"]
    entry = session.exec(select(AuditLog).where(AuditLog.action == "purge")).one()
    assert entry.details == {"days": 365, "screenings": 1, "candidates": 1}


def test_purge_keeps_open_screenings_unless_told(session: Session, rubric: Rubric):
    answering = new_screening(session, rubric, ref="FT-OPEN")
    repo.record_consent(session, answering.id)
    repo.save_state(session, answering.id, {"turns": 1})
    done = new_screening(session, rubric, ref="FT-DONE")
    repo.save_result(session, done.id, a_result(rubric))
    session.commit()
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=400)

    assert repo.purge_older_than(session, 365, now=later) == 1
    session.commit()
    assert session.get(Screening, answering.id).status == ScreeningStatus.in_progress
    assert repo.purge_older_than(session, 365, now=later, include_open=True) == 1
    session.commit()
    session.expire_all()
    assert session.get(Screening, answering.id) is None


def test_erase_leaves_only_an_anonymous_trace(session: Session, rubric: Rubric):
    screening = new_screening(session, rubric, ref="FT-ERASE")
    kept = new_screening(session, rubric, ref="FT-KEEP")
    for s in (screening, kept):
        repo.append_turn(session, s.id, Role.candidate, "J'habite à <LIEU_1>")
        repo.save_result(session, s.id, a_result(rubric))
    repo.record_override(
        session, screening.id, blocking_id(rubric), Verdict.unclear,
        reason="À vérifier.", counsellor="c@ft.fr", ranking_score=None,
    )  # fmt: skip

    assert repo.erase_candidate(session, "FT-ERASE", actor="c@ft.fr") == 1
    session.expire_all()

    stored = repo.get_screening(session, screening.id)
    assert stored.status == ScreeningStatus.erased
    assert stored.result_json is None and stored.mobility is None and stored.flags is None
    assert repo.list_turns(session, screening.id) == []
    assert len(repo.list_turns(session, kept.id)) == 1
    assert repo.load_result(session, kept.id) is not None
    with pytest.raises(LookupError):
        repo.export_candidate(session, "FT-ERASE", actor="c@ft.fr")
    assert repo.find_open_screening(session, "FT-ERASE", rubric.id, SESSION) is None
    entry = session.exec(select(AuditLog).where(AuditLog.action == "erase")).one()
    assert entry.details == {"screenings": [screening.id]}
    assert entry.candidate_ref.startswith(repo.ERASED_REF_PREFIX)  # never the real reference
    assert repo.erase_candidate(session, "FT-UNKNOWN", actor="c@ft.fr") == 0


def test_export_holds_everything_about_the_candidate_and_nothing_else(
    session: Session, rubric: Rubric
):
    mine = new_screening(session, rubric, ref="FT-ME")
    other = new_screening(session, rubric, ref="FT-OTHER")
    repo.append_turn(session, mine.id, Role.candidate, "J'ai mon permis")
    repo.append_turn(session, other.id, Role.candidate, "Texte d'un autre")
    repo.save_result(session, mine.id, a_result(rubric))
    repo.record_override(
        session, mine.id, blocking_id(rubric), Verdict.unclear,
        reason="À vérifier.", counsellor="c@ft.fr", ranking_score=None,
    )  # fmt: skip

    export = repo.export_candidate(session, "FT-ME", actor="cli")

    text = json.dumps(export, ensure_ascii=False)
    assert export["candidate_ref"] == "FT-ME"
    assert [s["id"] for s in export["screenings"]] == [mine.id]
    assert export["screenings"][0]["turns"][0]["text"] == "J'ai mon permis"
    assert export["screenings"][0]["result_json"]["mobility"] == a_result(rubric).mobility
    assert export["screenings"][0]["overrides"][0]["reason"] == "À vérifier."
    assert "Texte d'un autre" not in text
    assert audit_actions(session)[-1] == "export"


# --- health ----------------------------------------------------------------------------------


def _read_only(db: sa.Engine) -> sa.Engine:
    if db.dialect.name == "sqlite":
        path = db.url.database
        return sa.create_engine(
            "sqlite://", creator=lambda: sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        )
    options = f"{db.url.query.get('options', '')} -c default_transaction_read_only=on"
    return sa.create_engine(url_of(db), connect_args={"options": options.strip()})


def test_health_needs_the_schema_and_a_write_that_is_rolled_back(db: sa.Engine):
    check_health(db)
    with db.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM alembic_version")).scalar() == 1
    read_only = _read_only(db)
    try:
        with pytest.raises(sa.exc.DBAPIError):
            check_health(read_only)
    finally:
        read_only.dispose()
    with db.begin() as connection:  # a database recreated empty has no schema
        connection.execute(sa.text("DROP TABLE alembic_version"))
    with pytest.raises(sa.exc.DBAPIError):
        check_health(db)
    if db.dialect.name == "sqlite":
        Path(db.url.database).unlink()
        with pytest.raises(FileNotFoundError):
            check_health(db)

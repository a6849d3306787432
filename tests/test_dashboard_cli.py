"""The counsellor and GDPR commands, on SQLite and PostgreSQL; demo data agrees with storage."""

from __future__ import annotations

import json
import random
import re

import pytest
from dashboard_support import RUBRIC, RUBRICS, SESSION, store_screening
from sqlmodel import Session, select
from typer.testing import CliRunner

from chatbot import cli
from chatbot.ranking import ranking_score
from chatbot.web import auth
from chatbot.web.dashboard.demo import denormalised, fake_result, seed
from storage import repo
from storage.models import AuditLog, Candidate, Screening, ScreeningStatus
from storage.types import utcnow

runner = CliRunner()


def test_counsellors_add_hashes_the_password_read_on_stdin(settings_db):
    done = runner.invoke(
        cli.app, ["counsellors", "add", "Paul@FT.fr", "--password-stdin"], input="assez long oui\n"
    )
    assert done.exit_code == 0, done.output
    with Session(settings_db) as db:
        assert auth.check_password(db, "paul@ft.fr", "assez long oui") == ("paul@ft.fr", 0)


def test_counsellors_add_prompts_twice_and_refuses_short_passwords(settings_db):
    asked = runner.invoke(
        cli.app,
        ["counsellors", "add", "a@ft.fr"],
        input="un bon mot de passe\nun bon mot de pase\nun bon mot de passe\nun bon mot de passe\n",
    )
    assert asked.exit_code == 0, asked.output
    assert asked.output.index("12 caractères") < asked.output.index("Mot de passe")
    assert "Retapez le mot de passe" in asked.output and "différentes" in asked.output
    assert not re.search(r"\b(Repeat|confirmation|Error)\b", asked.output)
    short = runner.invoke(
        cli.app, ["counsellors", "add", "b@ft.fr", "--password-stdin"], input="court\n"
    )
    assert short.exit_code == 1 and "12 caractères" in short.output


def test_invite_names_the_valid_trainings_and_sessions(settings_db):
    training = runner.invoke(cli.app, ["invite", "FT-1", "soudure"])
    assert training.exit_code == 1
    assert "Formation inconnue : « soudure »" in training.output
    assert all(rubric_id in training.output for rubric_id in RUBRICS)
    session = runner.invoke(cli.app, ["invite", "FT-1", RUBRIC.id, "--session", "reims-2030"])
    assert session.exit_code == 1 and "Session inconnue" in session.output
    assert all(s.id in session.output for s in RUBRIC.training.sessions)


def test_erase_and_export_candidate(settings_db):
    store_screening(settings_db, "cand-cli")
    exported = runner.invoke(cli.app, ["export-candidate", "cand-cli"])
    assert exported.exit_code == 0, exported.output
    data = json.loads(exported.output)
    assert data["candidate_ref"] == "cand-cli" and data["screenings"][0]["turns"]
    assert runner.invoke(cli.app, ["erase", "cand-cli"]).exit_code == 0
    assert runner.invoke(cli.app, ["erase", "cand-cli"]).exit_code == 1
    assert runner.invoke(cli.app, ["export-candidate", "cand-cli"]).exit_code == 1
    with Session(settings_db) as db:
        assert db.exec(select(Screening)).one().status == ScreeningStatus.erased
        actions = {a.action for a in db.exec(select(AuditLog).where(AuditLog.actor == "cli"))}
    assert {"erase", "export"} <= actions


def test_purge_removes_old_screenings_only(settings_db):
    old = store_screening(settings_db, "cand-old")
    store_screening(settings_db, "cand-new")
    with Session(settings_db) as db:
        screening = db.get(Screening, old)
        screening.updated_at = utcnow().replace(year=utcnow().year - 3)
        db.add(screening)
        db.commit()
    done = runner.invoke(cli.app, ["purge"])
    assert done.exit_code == 0 and "1 questionnaire" in done.output
    with Session(settings_db) as db:
        assert [c.ref for c in db.exec(select(Candidate))] == ["cand-new"]
        assert db.exec(select(AuditLog).where(AuditLog.action == "purge")).one().actor == "cli"


def test_seed_demo_fills_every_session(settings_db):
    done = runner.invoke(cli.app, ["seed-demo", "--screenings", "300"])
    assert done.exit_code == 0, done.output
    with Session(settings_db) as db:
        screenings = db.exec(select(Screening)).all()
        assert len(screenings) == 300
        assert {s.training_id for s in screenings} >= {"aide-soignant", "soudeur"}
        completed = [s for s in screenings if s.status == ScreeningStatus.completed]
        assert completed and all(s.ranking_score is not None for s in completed)
    again = runner.invoke(cli.app, ["seed-demo", "--screenings", "10"])  # ids follow on
    assert again.exit_code == 0, again.output


def test_seeded_columns_match_what_storage_writes(settings_db):
    result = fake_result(RUBRIC, random.Random(3), SESSION)
    columns = denormalised(result.model_copy(deep=True))
    with Session(settings_db) as db:
        screening_id = store_screening(settings_db, "cand-same", complete=False)
        repo.save_result(db, screening_id, result, ranking_score=ranking_score(RUBRIC, result))
        db.commit()
        stored = db.get(Screening, screening_id)
        for name in (
            "prerequisites_met",
            "prerequisites_not_met",
            "prerequisites_unclear",
            "blocking_not_met",
            "motivation_level",
            "readiness_level",
            "mobility",
            "availability",
            "flags",
            "handoff",
        ):
            assert getattr(stored, name) == pytest.approx(columns[name]), name
    with Session(settings_db) as db:
        seed(db, [RUBRIC], 20)

"""Helpers shared by the dashboard tests: a standalone dashboard on the `db` fixture's engine,
a logged-in client, and screenings stored through the real repository functions."""

from __future__ import annotations

import random
import re
from pathlib import Path

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session

from chatbot.ranking import ranking_score
from chatbot.results import Verdict
from chatbot.rubric_loader import rubrics_in
from chatbot.settings import PROJECT_ROOT, Settings
from chatbot.web import auth
from chatbot.web.dashboard import create_dashboard
from chatbot.web.dashboard.demo import fake_result
from storage import repo
from storage.models import Role

EMAIL = "claire.martin@francetravail.fr"
PASSWORD = "correct horse battery"
RUBRICS = rubrics_in(PROJECT_ROOT / "rubrics")
RUBRIC = RUBRICS["aide-soignant"]
SESSION = RUBRIC.training.sessions[0].id
XSS = "<script>alert('xss')</script><img src=x onerror=alert(1)>"


def settings_for(tmp_path: Path, **extra) -> Settings:
    extra.setdefault("secret_key", "test-secret-key-for-the-dashboard-tests")
    return Settings(data_dir=tmp_path, **extra)


def make_client(engine: sa.Engine, settings: Settings, **kw) -> TestClient:
    policy = kw.pop("login_policy", auth.LoginPolicy(base_delay=0))
    base_url = (
        "https://testserver" if settings.public_url.startswith("https") else "http://testserver"
    )
    app = create_dashboard(engine, settings, login_policy=policy, **kw)
    return TestClient(app, base_url=base_url)


def add_counsellor(engine: sa.Engine, email: str = EMAIL, password: str | None = PASSWORD):
    with Session(engine) as db:
        auth.add_counsellor(db, email, password, actor="test")


def csrf_in(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def log_in(client: TestClient, email: str = EMAIL, password: str = PASSWORD, suite: str = ""):
    form = client.get("/conseiller/connexion")
    data = {"email": email, "password": password, "csrf": csrf_in(form.text), "suite": suite}
    return client.post("/conseiller/connexion", data=data, follow_redirects=False)


def store_screening(
    engine: sa.Engine, ref: str, *, seed: int = 1, candidate_text: str = "oui", complete=True
) -> int:
    """A completed screening stored the way the chat stores it, with two turns."""
    with Session(engine, expire_on_commit=False) as db:
        repo.sync_trainings(db, [RUBRIC])
        screening = repo.create_screening(
            db, ref, RUBRIC.id, rubric_version=RUBRIC.version, session_id=SESSION
        )
        repo.record_consent(db, screening.id)
        repo.append_turn(db, screening.id, Role.assistant, "Quel âge avez-vous ?")
        repo.append_turn(db, screening.id, Role.candidate, candidate_text)
        if complete:
            result = fake_result(RUBRIC, random.Random(seed), SESSION)
            for criterion in result.criteria:  # unmet blocking prerequisites: tests add them
                if criterion.blocking:
                    criterion.verdict = Verdict.met
            repo.save_result(db, screening.id, result, ranking_score=ranking_score(RUBRIC, result))
        db.commit()
        return screening.id

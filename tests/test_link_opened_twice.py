"""A link opened in two tabs at the same instant (or clicked twice) starts one screening."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from dashboard_support import RUBRIC, SESSION
from sqlmodel import Session, func, select

from chatbot.settings import get_settings
from chatbot.web import screenings
from chatbot.web.invitations import Invitation
from storage.db import get_engine
from storage.models import Candidate, Screening

TABS = 6


@pytest.fixture
def env(db, tmp_path, monkeypatch):
    monkeypatch.setenv("SCREENING_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SCREENING_DATABASE_URL", db.url.render_as_string(hide_password=False))
    for cached in (get_settings, get_engine, screenings.prepare):
        cached.cache_clear()
    screenings.prepare()
    yield db
    get_engine().dispose()
    for cached in (get_settings, get_engine, screenings.prepare):
        cached.cache_clear()


def _open_at_once(invitation: Invitation, action) -> list:
    start = threading.Barrier(TABS)

    def tab(_):
        start.wait()
        return action(invitation)

    with ThreadPoolExecutor(TABS) as tabs:
        return list(tabs.map(tab, range(TABS)))


@pytest.mark.parametrize("action", ["open", "invite"])
def test_a_link_opened_in_several_tabs_at_once_starts_one_screening(env, action):
    act = {
        "open": lambda inv: screenings.open_screening(inv).screening_id,
        "invite": lambda inv: screenings.invite(inv)[1],
    }[action]
    for attempt in range(4):
        invitation = Invitation(f"FT-TWIN-{action}-{attempt}", RUBRIC.id, SESSION)
        ids = _open_at_once(invitation, act)
        with Session(env) as db:
            candidates = db.exec(select(Candidate).where(Candidate.ref == invitation.candidate_ref))
            (candidate,) = candidates.all()
            stored = db.exec(
                select(func.count()).where(Screening.candidate_id == candidate.id)
            ).one()
        assert len(set(ids)) == 1 and stored == 1

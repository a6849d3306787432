"""A link opened in two tabs at the same instant (or clicked twice) starts one screening."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from dashboard_support import RUBRIC, SESSION
from sqlmodel import Session, func, select

from chatbot.web import screenings
from chatbot.web.invitations import Invitation
from storage.models import Candidate, Screening

TABS = 6


def _open_at_once(invitation: Invitation, action) -> list:
    start = threading.Barrier(TABS)

    def tab(_):
        start.wait()
        return action(invitation)

    with ThreadPoolExecutor(TABS) as tabs:
        return list(tabs.map(tab, range(TABS)))


@pytest.mark.parametrize("action", ["open", "invite"])
def test_a_link_opened_in_several_tabs_at_once_starts_one_screening(settings_db, action):
    screenings.prepare()  # the trainings exist before the tabs race
    act = {
        "open": lambda inv: screenings.open_screening(inv).screening_id,
        "invite": lambda inv: screenings.invite(inv)[1],
    }[action]
    for attempt in range(4):
        invitation = Invitation(f"FT-TWIN-{action}-{attempt}", RUBRIC.id, SESSION)
        ids = _open_at_once(invitation, act)
        with Session(settings_db) as db:
            candidates = db.exec(select(Candidate).where(Candidate.ref == invitation.candidate_ref))
            (candidate,) = candidates.all()
            stored = db.exec(
                select(func.count()).where(Screening.candidate_id == candidate.id)
            ).one()
        assert len(set(ids)) == 1 and stored == 1

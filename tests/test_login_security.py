"""Login hardening (issue 13, findings 1, 4, 5, 10): parallel guesses all count and are bounded,
unknown accounts behave exactly like known ones, a stranger cannot lock a counsellor out, and
logout, a password change or a disabled account end every session at once."""

from __future__ import annotations

import asyncio
import threading

import httpx
import pytest
import sqlalchemy as sa
from dashboard_support import (
    EMAIL,
    PASSWORD,
    add_counsellor,
    csrf_in,
    log_in,
    make_client,
    settings_for,
)
from fastapi.testclient import TestClient
from markupsafe import escape
from sqlmodel import Session

from chatbot.web import auth
from chatbot.web.dashboard import create_dashboard, login
from storage import accounts

POLICY = auth.LoginPolicy(per_account="5/minute;20/hour", base_delay=0)


@pytest.fixture
def setup(db, tmp_path):
    add_counsellor(db)
    return db, settings_for(tmp_path)


def _failures(engine) -> int:
    with Session(engine) as s:
        return accounts.get_counsellor(s, EMAIL).failed_logins


def test_the_database_counts_every_failure_of_parallel_attempts(setup):
    engine, _ = setup
    barrier = threading.Barrier(20)
    counted = []

    def fail():
        with Session(engine) as s:
            barrier.wait()
            counted.append(accounts.count_failure(s, EMAIL))

    threads = [threading.Thread(target=fail) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(counted) == list(range(1, 21))
    assert _failures(engine) == 20
    with Session(engine) as s:
        assert accounts.count_failure(s, "nobody@francetravail.fr") == 0


async def _parallel_guesses(app, count: int, password_of) -> list[httpx.Response]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        form = await client.get("/conseiller/connexion")
        csrf = csrf_in(form.text)

        async def guess(i: int) -> httpx.Response:
            data = {"email": EMAIL, "password": password_of(i), "csrf": csrf, "suite": ""}
            return await client.post("/conseiller/connexion", data=data)

        return await asyncio.gather(*(guess(i) for i in range(count)))


def test_forty_parallel_guesses_check_five_passwords_and_never_the_sixth(setup):
    engine, settings = setup
    app = create_dashboard(engine, settings, login_policy=POLICY)
    # 40 wrong guesses at once, then the right password: it comes too late to be checked.
    # (Sent among the 40, it could reach the throttle first: gather does not keep the order.)
    answers = asyncio.run(_parallel_guesses(app, 40, lambda i: f"wrong guess number {i}"))
    answers += asyncio.run(_parallel_guesses(app, 1, lambda i: PASSWORD))
    statuses = [a.status_code for a in answers]
    assert statuses.count(401) == 5 and statuses.count(429) == 36
    assert not any(auth.SESSION_COOKIE in a.cookies for a in answers)
    assert _failures(engine) == 5  # every checked failure counted, none lost
    assert all(str(escape(login.THROTTLED)) in a.text for a in answers if a.status_code == 429)


def test_a_stranger_spending_the_accounts_budget_does_not_lock_its_counsellor_out(setup):
    """Even from the same network address (an agency's), whose budget the stranger spends too."""
    engine, settings = setup
    policy = auth.LoginPolicy(per_address="10/minute", per_account="5/minute", base_delay=0)
    app = create_dashboard(engine, settings, login_policy=policy)
    counsellor = TestClient(app, base_url="http://testserver")
    assert log_in(counsellor).status_code == 303  # the counsellor's usual browser, once
    counsellor.post(
        "/conseiller/deconnexion", data={"csrf": csrf_in(counsellor.get("/conseiller/").text)}
    )
    stranger = TestClient(app, base_url="http://testserver")
    answers = [log_in(stranger, password=f"guess {i}").status_code for i in range(8)]
    assert answers == [401] * 5 + [429] * 3
    assert log_in(stranger).status_code == 429  # even the right password: not checked
    newcomer = TestClient(app, base_url="http://testserver")
    assert log_in(newcomer, email="autre@francetravail.fr").status_code == 429  # address spent
    assert log_in(counsellor).status_code == 303  # the counsellor's own browser still gets in


def _attempt_trace(client, email: str, monkeypatch, engine) -> list:
    """What one failed attempt does: its SQL statements, password checks and delay."""
    trace = []

    def statement(_conn, _cursor, sql, *_args):
        trace.append(sql.split()[0])

    monkeypatch.setattr(auth, "_verify", lambda *a: trace.append("verify") or False)

    async def sleep(seconds):
        trace.append(("sleep", seconds))

    monkeypatch.setattr(login.asyncio, "sleep", sleep)
    sa.event.listen(engine, "before_cursor_execute", statement)
    try:
        answer = log_in(client, email=email, password="not the password at all")
    finally:
        sa.event.remove(engine, "before_cursor_execute", statement)
    trace.append(
        (
            answer.status_code,
            login.REFUSED in answer.text or str(escape(login.THROTTLED)) in answer.text,
        )
    )
    return trace


def test_an_unknown_address_takes_the_same_steps_and_delays_as_a_real_account(setup, monkeypatch):
    engine, settings = setup
    policy = auth.LoginPolicy(per_account="3/minute;20/hour", base_delay=0.25)
    known = make_client(engine, settings, login_policy=policy)
    unknown = make_client(engine, settings, login_policy=policy)
    for _ in range(4):  # three refusals with growing delays, then the budget is spent
        real = _attempt_trace(known, EMAIL, monkeypatch, engine)
        fake = _attempt_trace(unknown, "personne@francetravail.fr", monkeypatch, engine)
        assert real == fake
    assert real[-1] == (429, True)
    assert [x for x in fake if isinstance(x, tuple) and x[0] == "sleep"] == []


def test_delays_grow_with_failures_in_a_row():
    policy = auth.LoginPolicy(base_delay=0.1, max_delay=1)
    assert [policy.delay(n) for n in range(6)] == [0, 0.1, 0.2, 0.4, 0.8, 1]


# --- sessions end at once -----------------------------------------------------------------------


def _old_cookie_after(setup, change) -> int:
    engine, settings = setup
    client = make_client(engine, settings)
    assert log_in(client).status_code == 303
    cookie = client.cookies[auth.SESSION_COOKIE]
    assert client.get("/api/trainings").status_code == 200
    change(client, engine)
    replay = make_client(engine, settings)
    replay.cookies.set(auth.SESSION_COOKIE, cookie)
    return replay.get("/api/trainings").status_code


def _logout(client, _engine):
    home = client.get("/conseiller/")
    client.post("/conseiller/deconnexion", data={"csrf": csrf_in(home.text)})


def _new_password(_client, engine):
    add_counsellor(engine, password="a brand new passphrase for claire")


def _disable_then_enable(_client, engine):
    with Session(engine) as s:
        auth.set_active(s, EMAIL, False, actor="test")
        auth.set_active(s, EMAIL, True, actor="test")


@pytest.mark.parametrize("change", [_logout, _new_password, _disable_then_enable])
def test_a_copied_session_cookie_stops_working_after_an_account_change(setup, change):
    assert _old_cookie_after(setup, change) == 401


def test_logout_ends_the_sessions_of_every_browser(setup):
    engine, settings = setup
    office, laptop = make_client(engine, settings), make_client(engine, settings)
    log_in(office), log_in(laptop)
    _logout(office, engine)
    assert laptop.get("/api/trainings").status_code == 401


def test_disabling_an_unknown_account_says_so(db):
    with Session(db) as s, pytest.raises(LookupError):
        auth.set_active(s, "personne@francetravail.fr", False, actor="test")


# --- passwords ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    [
        "123456789012",  # the audit's example
        "azertyuiop12",
        "motdepasse2024!",
        "password1234",
        "claire.martin2024",  # the address itself
        "qwertyuiopasdf",
    ],
)
def test_common_leaked_or_personal_passwords_are_refused(db, password):
    with Session(db) as s, pytest.raises(ValueError, match="trop facile à deviner"):
        auth.add_counsellor(s, EMAIL, password, actor="test")


@pytest.mark.parametrize(
    "password", [PASSWORD, "la mouette rieuse de Thionville", "Vélo-Bleu-Orage-1987"]
)
def test_long_uncommon_passphrases_are_accepted(db, password):
    with Session(db) as s:
        auth.add_counsellor(s, EMAIL, password, actor="test")
        assert accounts.get_counsellor(s, EMAIL).password_hash.startswith(
            "$argon2id$v=19$m=65536,t=3,p=4$"
        )

"""The one server's HTTP hardening (issue 13, findings 2, 3, 6, 7, 8, 9, 12): Chainlit routes the
chat does not use refused before their body is read, a body limit everywhere, security headers,
no token in the access log, no SQL parameters in errors, private files, a sound secret key."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import re
import stat
import threading

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlmodel import Session

from chatbot.settings import Settings, get_settings
from chatbot.signing import SecretKeyError, secret_key
from chatbot.web import screenings, security
from storage.db import get_engine, make_engine
from storage.models import Candidate


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("SCREENING_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SCREENING_DATABASE_URL", raising=False)
    monkeypatch.delenv("SCREENING_SECRET_KEY", raising=False)
    _clear()
    yield tmp_path / "data"
    get_engine().dispose()
    _clear()


def _clear():
    get_settings.cache_clear()
    get_engine.cache_clear()
    screenings.prepare.cache_clear()


@pytest.fixture
def app(env, monkeypatch):
    from chatbot.web import server

    monkeypatch.setattr(server, "_warm_up_pii", lambda: None)
    return server.build_app()


@pytest.fixture
def client(app):
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client


# --- routes and body sizes, at the ASGI level: did anyone read the body? -------------------------


def _call(app, method: str, path: str, headers=(), chunks=(b"",)) -> tuple[int, int]:
    """(status, body chunks read) for one request sent straight to the ASGI app."""
    reads, sent = 0, []

    async def receive():
        nonlocal reads
        reads += 1
        if reads <= len(chunks):
            return {
                "type": "http.request",
                "body": chunks[reads - 1],
                "more_body": reads < len(chunks),
            }
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }
    asyncio.run(app(scope, receive, send))
    return next(m["status"] for m in sent if m["type"] == "http.response.start"), reads


FIFTY_MB = [(b"content-length", str(50 * 1024 * 1024).encode())]


def _chainlit_routes():
    """Every route Chainlit defines, with its path parameters filled in."""
    from chainlit.server import router

    for route in router.routes:
        path = re.sub(r"{[^}]+}", "x", route.path)
        for method in sorted(route.methods - {"HEAD"}):
            yield method, path


def test_every_chainlit_route_the_chat_does_not_use_is_refused_before_its_body_is_read(app):
    refused = [(m, p) for m, p in _chainlit_routes() if not security.chat_route_allowed(m, p)]
    named = {(m, p) for m, p in refused}
    assert {("POST", "/project/file"), ("POST", "/mcp"), ("PUT", "/feedback")} <= named
    assert {("GET", "/project/share/x"), ("PUT", "/project/element")} <= named
    assert len(refused) >= 20
    for method, path in refused:
        assert _call(app, method, path, FIFTY_MB) == (404, 0), (method, path)
    for path in ("/docs", "/redoc", "/openapi.json", "/copilot/index.js", "/anything/else"):
        assert _call(app, "GET", path) == (404, 0), path


def test_a_fifty_megabyte_body_is_refused_unread_wherever_it_is_sent(app):
    for path in ("/project/action", "/conseiller/connexion", "/set-session-cookie"):
        assert _call(app, "POST", path, FIFTY_MB) == (413, 0), path


@pytest.mark.parametrize("path", ["/conseiller/connexion", "/project/action"])
def test_a_streamed_body_is_cut_off_just_past_the_limit(app, path):
    chunk = b"x" * 16 * 1024
    chunks = [chunk] * 3200  # 50 MB announced by nobody: chunked transfer
    form = [(b"content-type", b"application/x-www-form-urlencoded")]
    status, reads = _call(app, "POST", path, form, chunks=chunks)
    assert status == 413
    assert reads <= security.MAX_BODY_BYTES // len(chunk) + 1


def test_the_chat_routes_stay_open(client):
    assert client.get("/").status_code == 200
    assert client.get("/project/settings").status_code == 200
    assert client.get("/auth/config").status_code == 200
    assert client.get("/healthz").status_code == 200


# --- headers ---------------------------------------------------------------------------------------


def _csp(response) -> dict[str, str]:
    parts = (
        p.strip().split(" ", 1) for p in response.headers["content-security-policy"].split(";")
    )
    return {p[0]: p[1] if len(p) > 1 else "" for p in parts}


def test_the_chat_page_allows_only_its_own_hashed_inline_scripts(client):
    page = client.get("/?invitation=abc")
    csp = _csp(page)
    assert csp["frame-ancestors"] == "'none'"
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    inline = re.findall(r"<script>(.*?)</script>", page.text, re.DOTALL)
    assert inline
    for code in inline:
        digest = base64.b64encode(hashlib.sha256(code.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp["script-src"]
    assert not re.search(r"(href|src)=\"https?://", page.text)  # no third-party font or style
    assert page.headers["referrer-policy"] == "same-origin"
    assert page.headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize("path", ["/conseiller/connexion", "/api/trainings", "/conseiller/"])
def test_dashboard_and_api_answers_are_never_stored_and_never_framed(client, path):
    answer = client.get(path)
    assert answer.headers["cache-control"] == "no-store"
    csp = _csp(answer)
    assert csp["frame-ancestors"] == "'none'"
    assert csp["script-src"] == "'self'" and csp["style-src"] == "'self'"


def test_hsts_only_behind_https(env, monkeypatch):
    from chatbot.web import server

    monkeypatch.setattr(server, "_warm_up_pii", lambda: None)
    plain = TestClient(server.build_app()).get("/healthz")
    assert "strict-transport-security" not in plain.headers
    https = Settings(data_dir=env, public_url="https://candidats.example.fr")
    secure = TestClient(server.build_app(https), base_url="https://testserver").get("/healthz")
    assert secure.headers["strict-transport-security"].startswith("max-age=31536000")


# --- logs ------------------------------------------------------------------------------------------


def test_the_access_log_never_shows_a_query_string(client, caplog):
    with caplog.at_level(logging.INFO, logger="screening.access"):
        client.get("/?invitation=PLANTED-TOKEN-123")
        client.get("/conseiller/connexion?suite=/conseiller/PLANTED-2")
    lines = [r.getMessage() for r in caplog.records if r.name == "screening.access"]
    assert any('"GET /" 200' in line for line in lines)
    assert not any("PLANTED" in line for line in lines)


def test_a_database_error_shows_no_statement_parameter(db):
    planted = "PLANTED j'ai une hernie discale"
    with Session(db) as s:
        s.add(Candidate(ref=planted))
        s.commit()
    with Session(db) as s, pytest.raises(sa.exc.IntegrityError) as failure:
        s.add(Candidate(ref=planted))
        s.commit()
    assert "PLANTED" not in str(failure.value)
    assert "hidden" in str(failure.value)


# --- files at rest ---------------------------------------------------------------------------------


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_data_folder_and_every_database_file_are_private(client, env):
    client.get("/healthz")
    with Session(get_engine()) as s:  # a write, so that -wal and -shm exist
        s.add(Candidate(ref="mode-check"))
        s.commit()
        files = sorted(env.glob("screening.db*"))
        assert {f.name for f in files} >= {"screening.db", "screening.db-wal", "screening.db-shm"}
        assert {f.name: _mode(f) for f in files} == {f.name: 0o600 for f in files}
    assert _mode(env) == 0o700
    assert _mode(env / "secret_key") == 0o600


def test_an_older_open_data_folder_is_narrowed(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir(mode=0o755)
    (folder / "screening.db").touch(mode=0o644)
    make_engine(f"sqlite:///{folder / 'screening.db'}").dispose()
    assert _mode(folder / "screening.db") == 0o600


def test_an_empty_or_short_key_file_is_refused_never_used(tmp_path):
    settings = Settings(data_dir=tmp_path)
    for content in ("", "\n", "short-key"):
        (tmp_path / "secret_key").write_text(content)
        with pytest.raises(SecretKeyError, match="32 bytes"):
            secret_key(settings)


def test_a_short_configured_key_is_refused():
    with pytest.raises(ValidationError, match="32 bytes"):
        Settings(secret_key="a-short-secret")


def _first_starts(settings: Settings, count: int) -> list[str]:
    """`count` processes' worth of threads reading the key of a fresh data folder at once."""
    barrier, keys = threading.Barrier(count), []

    def start():
        barrier.wait()
        keys.append(secret_key(settings))

    threads = [threading.Thread(target=start) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return keys


def test_concurrent_first_starts_all_read_the_same_full_key(tmp_path):
    for run in range(10):
        folder = tmp_path / f"run{run}"
        keys = _first_starts(Settings(data_dir=folder), 12)
        assert len(keys) == 12 and len(set(keys)) == 1 and len(keys[0]) >= 32
        assert list(folder.iterdir()) == [folder / "secret_key"]  # no temporary file left

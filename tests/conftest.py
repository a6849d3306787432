"""Shared fixtures.

`db` is a migrated, empty database engine, once on SQLite (a temporary file) and once on
PostgreSQL when `SCREENING_TEST_POSTGRES_URL` is set (e.g.
postgresql+psycopg://postgres@127.0.0.1:5432/test). Each PostgreSQL test gets its own schema,
named in the engine's URL (`options=-csearch_path=...`), so parallel runs never collide; a
server started with `SCREENING_DATABASE_URL=db.url.render_as_string(hide_password=False)` sees
the same data.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from storage.db import init_db

POSTGRES_URL_VAR = "SCREENING_TEST_POSTGRES_URL"
# Tests never write into the working tree: code that falls back on the default data folder (the
# secret key that keys revoked links, for one) gets a temporary one.
os.environ.setdefault("SCREENING_DATA_DIR", tempfile.mkdtemp(prefix="screening-tests-"))


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path) -> Iterator[sa.Engine]:
    if request.param == "sqlite":
        engine = init_db(f"sqlite:///{tmp_path / 'data' / 'screening.db'}")
        yield engine
        engine.dispose()
        return
    base_url = os.environ.get(POSTGRES_URL_VAR)
    if not base_url:
        pytest.skip(f"{POSTGRES_URL_VAR} is not set")
    with _postgres_schema(base_url) as url:
        engine = init_db(url)
        yield engine
        engine.dispose()


@pytest.fixture
def settings_db(db: sa.Engine, tmp_path, monkeypatch) -> Iterator[sa.Engine]:
    """The settings-driven code (chat, CLI, dashboard) on the `db` fixture's database, with a
    fresh data folder and secret key; the cached settings and engine are dropped before and
    after."""
    from chatbot.settings import get_settings
    from chatbot.web import screenings
    from storage.db import get_engine

    def clear() -> None:
        if get_engine.cache_info().currsize:
            get_engine().dispose()
        for cached in (get_settings, get_engine, screenings.prepare):
            cached.cache_clear()

    monkeypatch.setenv("SCREENING_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SCREENING_DATABASE_URL", db.url.render_as_string(hide_password=False))
    monkeypatch.delenv("SCREENING_SECRET_KEY", raising=False)
    clear()
    yield db
    clear()


@contextmanager
def _postgres_schema(base_url: str) -> Iterator[str]:
    """The URL of a fresh schema for one test; the schema is dropped afterwards."""
    admin = sa.create_engine(base_url)
    schema = f"test_{secrets.token_hex(6)}"
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = sa.make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

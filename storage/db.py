"""Engine factory, migrations to head on start, sessions.

SQLite (the default, a file under the data dir) gets WAL and a busy timeout so that the chat and
the dashboard can write from several threads; PostgreSQL gets pre-ping to survive restarts.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlmodel import Session

from chatbot.settings import get_settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 10_000


def make_engine(url: str | None = None) -> sa.Engine:
    """An engine for `url` (default: the settings' URL). Creates the SQLite file's folder."""
    url = url or get_settings().sqlalchemy_url
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, connect_args={"check_same_thread": False})
    sa.event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL survives an application crash; only a power cut may lose the last commits.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def alembic_config(engine: sa.Engine | None = None) -> Config:
    """Alembic configured in code, so migrations run from an installed package."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def init_db(url: str | None = None) -> sa.Engine:
    """Migrate the database at `url` (default: the settings' URL) to head; create it if new."""
    engine = make_engine(url)
    command.upgrade(alembic_config(engine), "head")
    return engine


@cache
def get_engine(url: str | None = None) -> sa.Engine:
    """The process-wide engine, migrated on first use."""
    return init_db(url)


@contextmanager
def session_scope(engine: sa.Engine | None = None) -> Iterator[Session]:
    """A session that is closed on exit; repository functions commit themselves."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        yield session

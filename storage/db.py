"""Engine factory, schema check and migrations, sessions.

Migrations are explicit: `screening db upgrade`, run once per deployment (`upgrade`). Every
process checks the schema when it first opens the database (`get_engine`) and refuses an outdated
one (`SchemaOutdated`, a French message for operators). One exception keeps the first run on a
fresh machine to one command: a brand-new, empty SQLite database is created at head.

SQLite (the default, a file under the data dir) gets WAL and a busy timeout so that the chat and
the dashboard can write from several threads; PostgreSQL gets pre-ping to survive restarts.

Transactions belong to the caller: `session_scope` is one transaction, committed on a clean exit
and rolled back otherwise; repository functions only flush. On SQLite a candidate's turn begins
with the write lock (`BEGIN IMMEDIATE`, see `write_lock_first`) instead of upgrading a read.

Statements' parameters hold candidates' words: no engine ever shows them in a log line or an
exception message (`hide_parameters`). The SQLite file is created 0600 in a 0700 folder before
SQLite opens it; SQLite gives its -wal and -shm files the database file's mode.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import Session

from chatbot.settings import get_settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 10_000
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
SQLITE_SUFFIXES = ("", "-wal", "-shm", "-journal")


def make_engine(url: str | None = None) -> sa.Engine:
    """An engine for `url` (default: the settings' URL). Creates the SQLite file and its folder,
    readable by this user only."""
    url = url or get_settings().sqlalchemy_url
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "sqlite":
        engine = sa.create_engine(url, pool_pre_ping=True, hide_parameters=True)
        sa.event.listen(engine, "handle_error", _primary_message_only)
        return engine
    if parsed.database and parsed.database != ":memory:":
        create_private_file(Path(parsed.database))
    engine = sa.create_engine(url, connect_args={"check_same_thread": False}, hide_parameters=True)
    sa.event.listen(engine, "connect", _sqlite_pragmas)
    sa.event.listen(engine, "begin", _sqlite_begin)
    return engine


def _primary_message_only(context) -> None:
    """PostgreSQL repeats the offending values in its message ("DETAIL: Key (ref)=(…) already
    exists"): keep its first line only, so no exception text carries a candidate's words."""
    original, wrapped = context.original_exception, context.sqlalchemy_exception
    primary = getattr(getattr(original, "diag", None), "message_primary", None)
    if primary:
        original.args = (primary,)
        if wrapped is not None:  # its text was made from the original's: make it again
            kind = type(original)
            wrapped.args = (f"({kind.__module__}.{kind.__name__}) {primary}", *wrapped.args[1:])


def private_dir(path: Path) -> Path:
    """The data folder: created 0700, or narrowed to 0700 if an older version left it open."""
    path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    os.chmod(path, PRIVATE_DIR_MODE)
    return path


def create_private_file(database: Path) -> None:
    """The SQLite database file, 0600 from its first byte (a missing folder is created 0700).
    Files an older version left readable by others (database, -wal, -shm) are narrowed."""
    database.parent.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE))
    for suffix in SQLITE_SUFFIXES:
        with contextlib.suppress(FileNotFoundError):
            os.chmod(f"{database}{suffix}", PRIVATE_FILE_MODE)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL survives an application crash; only a power cut may lose the last commits.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


SQLITE_BEGIN = "sqlite_begin"  # execution option: "IMMEDIATE" takes the write lock at BEGIN


def _sqlite_begin(connection: sa.Connection) -> None:
    """Otherwise the driver says BEGIN itself, just before the first write: reads before it hold
    no snapshot, so that a later write waits for the lock instead of failing at once."""
    if connection.get_execution_options().get(SQLITE_BEGIN) == "IMMEDIATE":
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def write_lock_first(db: Session) -> None:
    """On SQLite, begin this session's transaction with the database's write lock (waiting up to
    the busy timeout for another writer): a transaction that read first could not take it later.
    Elsewhere, nothing (PostgreSQL locks rows: `SELECT … FOR UPDATE`)."""
    if db.get_bind().dialect.name != "sqlite":
        return
    if db.in_transaction():
        raise RuntimeError("the write lock must be the transaction's first statement")
    db.connection(execution_options={SQLITE_BEGIN: "IMMEDIATE"})


def alembic_config(engine: sa.Engine | None = None) -> Config:
    """Alembic configured in code, so migrations run from an installed package."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


class SchemaOutdated(RuntimeError):
    """The database is not at this program's schema version; the message is for operators."""


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: sa.Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(url: str | None = None) -> sa.Engine:
    """Migrate the database at `url` (default: the settings' URL) to head; create it if new.
    Run once per deployment (`screening db upgrade`), never by every process."""
    engine = make_engine(url)
    command.upgrade(alembic_config(engine), "head")
    return engine


init_db = upgrade  # tests and benchmarks: a fresh database at head


def check_schema(engine: sa.Engine) -> None:
    """Raise SchemaOutdated unless the database is at head. A new, empty SQLite database (the
    first `screening serve` on a fresh machine) is created at head instead."""
    head, current = head_revision(), current_revision(engine)
    if current == head:
        return
    if current is None and engine.dialect.name == "sqlite" and _is_empty(engine):
        command.upgrade(alembic_config(engine), "head")
        return
    raise SchemaOutdated(_outdated_message(current, head))


def _is_empty(engine: sa.Engine) -> bool:
    return not sa.inspect(engine).get_table_names()


def _outdated_message(current: str | None, head: str) -> str:
    run = "Lancez une fois « screening db upgrade » (sauvegarde de la base d'abord), puis "
    run += "redémarrez le serveur."
    if current is None:
        return f"La base de données n'a pas encore de tables (version attendue : {head}). {run}"
    known = {
        script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()
    }
    if current not in known:
        return (
            f"La base de données est dans une version plus récente ({current}) que ce programme "
            f"({head}) : installez la même version du programme sur toutes les machines."
        )
    return f"La base de données n'est pas à jour (version {current}, attendue : {head}). {run}"


@cache
def schema_head() -> str:
    """The migration the code expects the database to be at."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def check_health(engine: sa.Engine) -> None:
    """Raise unless the database file is there (SQLite), the schema is at the expected migration
    and a write can be made: one row is updated in a transaction that is then rolled back."""
    database = engine.url.database
    on_file = engine.url.get_backend_name() == "sqlite" and database not in (None, "", ":memory:")
    if on_file and not Path(database).is_file():  # open connections would write to a lost file
        raise FileNotFoundError("the SQLite database file is gone")
    with engine.connect() as connection, connection.begin() as transaction:
        version = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
        if version != schema_head():
            raise RuntimeError(f"schema at {version}, expected {schema_head()}")
        connection.execute(sa.text("UPDATE alembic_version SET version_num = version_num"))
        transaction.rollback()


@cache
def get_engine(url: str | None = None) -> sa.Engine:
    """The process-wide engine; raises SchemaOutdated if the schema is not at head."""
    engine = make_engine(url)
    try:
        check_schema(engine)
    except Exception:
        engine.dispose()
        raise
    return engine


@contextmanager
def session_scope(engine: sa.Engine | None = None) -> Iterator[Session]:
    """One transaction: committed when the block ends normally, rolled back if it raises.
    Repository functions flush; nothing they write is kept until this commit."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        yield session
        session.commit()

"""The backup and restore of docs/deploiement.md, run as written: `pg_dump --format=custom` of a
database filled by the real commands, `pg_restore` into an empty database, and the restored one
holds the same rows and is at the program's schema version (a server would start on it)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from storage.db import current_revision, head_revision, make_engine

ROOT = Path(__file__).resolve().parent.parent
TABLES = ("candidate", "screening", "turn", "criterion_result", "audit_log", "training")

pytestmark = pytest.mark.skipif(
    not os.environ.get("SCREENING_TEST_POSTGRES_URL"), reason="needs PostgreSQL"
)


@pytest.fixture
def databases():
    """Two new, empty PostgreSQL databases (dropped afterwards): the original, the restored."""
    admin_url = sa.make_url(os.environ["SCREENING_TEST_POSTGRES_URL"]).set(database="postgres")
    names = [f"backup_{secrets.token_hex(4)}", f"restored_{secrets.token_hex(4)}"]
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for name in names:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield [admin_url.set(database=name) for name in names]
    finally:
        with admin.connect() as connection:
            for name in names:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def screening(*args: str, url: sa.URL, data_dir: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCREENING_")}
    env |= {
        "SCREENING_DATABASE_URL": url.render_as_string(hide_password=False),
        "SCREENING_DATA_DIR": str(data_dir),
    }
    subprocess.run(
        [sys.executable, "-m", "chatbot.cli", *args],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=300,
    )


def libpq(url: sa.URL) -> list[str]:
    """pg_dump / pg_restore connection options for `url`."""
    return ["-h", url.host or "127.0.0.1", "-p", str(url.port or 5432), "-U", url.username]


def counts(url: sa.URL) -> dict[str, int]:
    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        with engine.connect() as connection:
            return {
                table: connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
                for table in TABLES
            }
    finally:
        engine.dispose()


def test_pg_dump_then_pg_restore_gives_back_every_row_at_the_current_schema(databases, tmp_path):
    original, restored = databases
    screening("db", "upgrade", url=original, data_dir=tmp_path)
    screening("seed-demo", "--screenings", "30", url=original, data_dir=tmp_path)
    dump = tmp_path / "screening.dump"
    env = {**os.environ, "PGPASSWORD": original.password or ""}

    subprocess.run(
        ["pg_dump", *libpq(original), "--format=custom", "--file", str(dump), original.database],
        env=env,
        check=True,
        timeout=120,
    )
    subprocess.run(
        ["pg_restore", *libpq(restored), "--no-owner", "--exit-on-error", "-d", restored.database]
        + [str(dump)],
        env=env,
        check=True,
        timeout=120,
    )

    before, after = counts(original), counts(restored)
    assert before["screening"] == 30 and before["turn"] > 0
    assert after == before
    engine = make_engine(restored.render_as_string(hide_password=False))
    assert current_revision(engine) == head_revision()
    engine.dispose()

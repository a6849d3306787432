"""Migrations are explicit (`screening db upgrade`, once per deployment); `screening serve`
refuses an outdated schema with a French message, without a traceback. A brand-new SQLite
database (the README's first command on a fresh machine) is created at head."""

from __future__ import annotations

import datetime as dt
import functools
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from conftest import POSTGRES_URL_VAR, _postgres_schema
from sqlmodel import Session

from storage import repo
from storage.db import (
    SchemaOutdated,
    alembic_config,
    check_schema,
    current_revision,
    head_revision,
    make_engine,
)
from storage.models import Role

ROOT = Path(__file__).resolve().parent.parent


def cli(*args: str, url: str, data_dir: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    """This checkout's `screening` command, as an operator runs it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCREENING_")}
    env |= {"SCREENING_DATABASE_URL": url, "SCREENING_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [sys.executable, "-m", "chatbot.cli", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request, tmp_path):
    """The URL of an existing, empty database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'screening.db'}"
        return
    base_url = os.environ.get(POSTGRES_URL_VAR)
    if not base_url:
        pytest.skip(f"{POSTGRES_URL_VAR} is not set")
    with _postgres_schema(base_url) as url:
        yield url


def migrate(url: str, revision: str) -> None:
    engine = make_engine(url)
    try:
        command.upgrade(alembic_config(engine), revision)
    finally:
        engine.dispose()


def test_serve_refuses_an_outdated_schema_in_french_and_db_upgrade_brings_it_to_head(
    empty_url, tmp_path
):
    migrate(empty_url, "0001")

    refused = cli("serve", "--port", str(free_port()), url=empty_url, data_dir=tmp_path)

    assert refused.returncode == 2
    assert f"n'est pas à jour (version 0001, attendue : {head_revision()})" in refused.stderr
    assert "screening db upgrade" in refused.stderr
    assert "Traceback" not in refused.stderr + refused.stdout

    upgraded = cli("db", "upgrade", url=empty_url, data_dir=tmp_path)
    assert upgraded.returncode == 0, upgraded.stderr
    assert f"version {head_revision()}" in upgraded.stdout
    current = cli("db", "current", url=empty_url, data_dir=tmp_path)
    assert current.returncode == 0
    assert current.stdout.strip() == f"base : {head_revision()} ; programme : {head_revision()}"


def test_other_commands_refuse_an_outdated_schema_the_same_way(empty_url, tmp_path):
    migrate(empty_url, "0001")

    done = cli("invite", "FT-1", "soudeur", url=empty_url, data_dir=tmp_path)

    assert done.returncode == 2
    assert "screening db upgrade" in done.stderr and "Traceback" not in done.stderr


def test_an_empty_postgresql_database_is_refused_not_created(tmp_path):
    base_url = os.environ.get(POSTGRES_URL_VAR)
    if not base_url:
        pytest.skip(f"{POSTGRES_URL_VAR} is not set")
    with _postgres_schema(base_url) as url:
        engine = make_engine(url)
        with pytest.raises(SchemaOutdated, match="n'a pas encore de tables"):
            check_schema(engine)
        assert sa.inspect(engine).get_table_names() == []
        engine.dispose()


def test_a_new_sqlite_database_is_created_at_head_on_first_use(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'new' / 'screening.db'}")

    check_schema(engine)

    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_a_schema_newer_than_the_program_is_named_so(empty_url):
    migrate(empty_url, "head")
    engine = make_engine(empty_url)
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = '0099_future'"))

    with pytest.raises(SchemaOutdated, match=r"plus récente \(0099_future\)"):
        check_schema(engine)
    engine.dispose()


def test_the_upgrade_numbers_new_turns_after_those_already_stored(empty_url):
    migrate(empty_url, "0004_campaigns")
    engine = make_engine(empty_url)
    tables = sa.MetaData()
    tables.reflect(engine)
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as connection:
        insert = functools.partial(_insert, connection, tables)
        candidate = insert("candidate", ref="FT-1", created_at=now)
        insert("training", id="soudeur", title="Soudeur", sector="industrie", version="1")
        screening = insert(
            "screening", candidate_id=candidate, training_id="soudeur", rubric_version="1",
            status="in_progress", created_at=now, updated_at=now, handoff=False,
            token_in=0, token_out=0,
        )  # fmt: skip
        for seq, role in ((1, "assistant"), (2, "candidate"), (3, "assistant")):
            turn = {"seq": seq, "role": role, "text": "…", "created_at": now, "fallback": False}
            insert("turn", screening_id=screening, **turn)
    migrate(empty_url, "head")

    with Session(engine) as db:
        repo.append_turn(db, screening, Role.candidate, "oui")
        db.commit()
        assert [t.seq for t in repo.list_turns(db, screening)] == [1, 2, 3, 4]
    engine.dispose()


def _insert(connection: sa.Connection, tables: sa.MetaData, table: str, **values) -> int:
    """A row as the schema of the time takes it; returns its key."""
    inserted = connection.execute(sa.insert(tables.tables[table]).values(**values))
    return inserted.inserted_primary_key[0]

"""Alembic environment: runs on the engine given by `storage.db.alembic_config`, or on the URL
from the settings when Alembic's own command line is used (`alembic -c storage/alembic.ini ...`)."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers the tables on SQLModel.metadata)

config = context.config
target_metadata = SQLModel.metadata


def run_migrations() -> None:
    from storage.db import make_engine

    engine = config.attributes.get("engine") or make_engine(
        config.get_main_option("sqlalchemy.url")
    )
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,  # SQLite cannot ALTER most things: later migrations copy tables
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations()

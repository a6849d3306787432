"""Column types shared by the tables and the migrations (migrations import them: keep them stable)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(sa.TypeDecorator[dt.datetime]):
    """Timestamps stored in UTC and always read back timezone-aware.

    SQLite has no time zones and returns naive datetimes; PostgreSQL's `timestamptz` does.
    This type makes both behave the same way for the code above.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(
        self, value: dt.datetime | None, dialect: sa.Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass a timezone-aware value")
        value = value.astimezone(dt.UTC)
        # SQLite compares timestamps as text: store them all naive in UTC.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(
        self, value: dt.datetime | None, dialect: sa.Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)

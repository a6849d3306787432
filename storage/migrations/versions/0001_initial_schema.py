"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-27 10:47:34.531989
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=254), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("screening_id", sa.Integer(), nullable=True),
        sa.Column("candidate_ref", sa.String(length=128), nullable=True),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_audit_log_candidate_ref"), ["candidate_ref"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_audit_log_screening_id"), ["screening_id"], unique=False
        )

    op.create_table(
        "candidate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=128), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ref"),
    )
    op.create_table(
        "counsellor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email"),
    )
    op.create_table(
        "training",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("sector", sa.String(length=32), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "training_session",
        sa.Column("training_id", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["training_id"],
            ["training.id"],
        ),
        sa.PrimaryKeyConstraint("training_id", "id"),
    )
    op.create_table(
        "screening",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("training_id", sa.String(length=64), nullable=False),
        sa.Column("session_id", sa.String(length=64), nullable=True),
        sa.Column("rubric_version", sa.String(length=64), nullable=False),
        sa.Column("prompts_hash", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("consent_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("declined_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("completed_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("handoff", sa.Boolean(), nullable=False),
        sa.Column("token_in", sa.Integer(), nullable=False),
        sa.Column("token_out", sa.Integer(), nullable=False),
        sa.Column("pending_criterion_id", sa.String(length=64), nullable=True),
        sa.Column("state_json", sa.JSON(), nullable=True),
        sa.Column("result_json", sa.JSON(), nullable=True),
        sa.Column("decision", sa.String(length=16), nullable=True),
        sa.Column("decision_by", sa.String(length=254), nullable=True),
        sa.Column("decision_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("prerequisites_met", sa.Integer(), nullable=True),
        sa.Column("prerequisites_not_met", sa.Integer(), nullable=True),
        sa.Column("prerequisites_unclear", sa.Integer(), nullable=True),
        sa.Column("blocking_not_met", sa.Boolean(), nullable=True),
        sa.Column("motivation_level", sa.Float(), nullable=True),
        sa.Column("readiness_level", sa.Float(), nullable=True),
        sa.Column("ranking_score", sa.Float(), nullable=True),
        sa.Column("mobility", sa.Text(), nullable=True),
        sa.Column("availability", sa.Text(), nullable=True),
        sa.Column("flags", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["candidate.id"],
        ),
        sa.ForeignKeyConstraint(
            ["training_id", "session_id"],
            ["training_session.training_id", "training_session.id"],
        ),
        sa.ForeignKeyConstraint(
            ["training_id"],
            ["training.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("screening", schema=None) as batch_op:
        batch_op.create_index(
            "ix_screening_candidate_training",
            ["candidate_id", "training_id", "session_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_screening_ranking",
            ["training_id", "session_id", "blocking_not_met", "ranking_score"],
            unique=False,
        )
        batch_op.create_index(
            "ix_screening_session_status", ["training_id", "session_id", "status"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_screening_updated_at"), ["updated_at"], unique=False)

    op.create_table(
        "criterion_result",
        sa.Column("screening_id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("blocking", sa.Boolean(), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("value", sa.JSON(), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["screening_id"], ["screening.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("screening_id", "criterion_id"),
    )
    with op.batch_alter_table("criterion_result", schema=None) as batch_op:
        batch_op.create_index(
            "ix_criterion_result_criterion", ["criterion_id", "verdict"], unique=False
        )

    op.create_table(
        "dimension_score",
        sa.Column("screening_id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.Column("max_level", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["screening_id"], ["screening.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("screening_id", "criterion_id"),
    )
    with op.batch_alter_table("dimension_score", schema=None) as batch_op:
        batch_op.create_index(
            "ix_dimension_score_criterion", ["criterion_id", "level"], unique=False
        )

    op.create_table(
        "override",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("screening_id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.String(length=64), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("counsellor", sa.String(length=254), nullable=False),
        sa.Column("at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["screening_id"], ["screening.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("override", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_override_screening_id"), ["screening_id"], unique=False
        )

    op.create_table(
        "turn",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("screening_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("criterion_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=True),
        sa.Column("fallback", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["screening_id"], ["screening.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("screening_id", "seq"),
    )


def downgrade() -> None:
    op.drop_table("turn")
    with op.batch_alter_table("override", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_override_screening_id"))

    op.drop_table("override")
    with op.batch_alter_table("dimension_score", schema=None) as batch_op:
        batch_op.drop_index("ix_dimension_score_criterion")

    op.drop_table("dimension_score")
    with op.batch_alter_table("criterion_result", schema=None) as batch_op:
        batch_op.drop_index("ix_criterion_result_criterion")

    op.drop_table("criterion_result")
    with op.batch_alter_table("screening", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_screening_updated_at"))
        batch_op.drop_index("ix_screening_session_status")
        batch_op.drop_index("ix_screening_ranking")
        batch_op.drop_index("ix_screening_candidate_training")

    op.drop_table("screening")
    op.drop_table("training_session")
    op.drop_table("training")
    op.drop_table("counsellor")
    op.drop_table("candidate")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_screening_id"))
        batch_op.drop_index(batch_op.f("ix_audit_log_candidate_ref"))
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))

    op.drop_table("audit_log")

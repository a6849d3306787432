"""campaigns: invitations from the dashboard, their messages (issue 15)

Revision ID: 0004_campaigns
Revises: 0002_security
Create Date: 2026-12-03 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0004_campaigns"
down_revision: str | None = "0002_security"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, storage.types.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "campaign_invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("screening_id", sa.Integer(), nullable=False),
        sa.Column("training_id", sa.String(length=64), nullable=False),
        sa.Column("session_id", sa.String(length=64), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("mobile", sa.String(length=20), nullable=True),
        _when("invited_at", nullable=False),
        sa.Column("invited_by", sa.String(length=254), nullable=False),
        _when("sent_at"),
        _when("last_sent_at"),
        sa.Column("reminders", sa.Integer(), nullable=False),
        _when("opened_at"),
        _when("opted_out_at"),
        sa.ForeignKeyConstraint(["screening_id"], ["screening.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("screening_id"),
    )
    op.create_index(
        "ix_campaign_invitation_session",
        "campaign_invitation",
        ["training_id", "session_id"],
        unique=False,
    )
    op.create_table(
        "campaign_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        _when("at", nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["invitation_id"], ["campaign_invitation.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_campaign_message_invitation_id", "campaign_message", ["invitation_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_campaign_message_invitation_id", table_name="campaign_message")
    op.drop_table("campaign_message")
    op.drop_index("ix_campaign_invitation_session", table_name="campaign_invitation")
    op.drop_table("campaign_invitation")

"""security: counsellor session version, no hard lock-out, invitation revocations

Revision ID: 0002_security
Revises: 0001
Create Date: 2026-12-03 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0002_security"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("counsellor", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_version", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.drop_column("locked_until")
    op.create_table(
        "invitation_revocation",
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("revoked_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("subject"),
    )


def downgrade() -> None:
    op.drop_table("invitation_revocation")
    with op.batch_alter_table("counsellor", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("locked_until", storage.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.drop_column("session_version")

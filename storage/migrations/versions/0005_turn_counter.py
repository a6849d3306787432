"""turn counter: the screening row keeps the number of its latest turn (issue 16)

A turn is numbered from the screening row it has locked anyway, instead of a `SELECT max(seq)`
per message. Existing screenings get the number of their latest stored turn.

Revision ID: 0005_turn_counter
Revises: 0004_campaigns
Create Date: 2026-12-03 18:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_turn_counter"
down_revision: str | None = "0004_campaigns"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("screening", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_seq", sa.Integer(), nullable=False, server_default="0"))
    op.execute(
        "UPDATE screening SET last_seq = "
        "(SELECT coalesce(max(turn.seq), 0) FROM turn WHERE turn.screening_id = screening.id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("screening", schema=None) as batch_op:
        batch_op.drop_column("last_seq")

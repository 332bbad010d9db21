"""search lookups: a covering index for what a result page reads of each match, a partial index of inactive products

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.create_index("ix_products_id_name_active", ["id", "name", "active"], unique=False)
        batch_op.create_index(
            "ix_products_inactive",
            ["id"],
            unique=False,
            postgresql_where=sa.text("NOT active"),
            sqlite_where=sa.text("NOT active"),
        )


def downgrade() -> None:
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_index("ix_products_inactive")
        batch_op.drop_index("ix_products_id_name_active")

"""shopping lists: a customer number's standing lists and their items

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa

import app.models.base
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "shopping_lists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_shopping_lists_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_shopping_lists_customer_id_customers"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_shopping_lists_updated_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shopping_lists")),
    )
    with op.batch_alter_table("shopping_lists", schema=None) as batch_op:
        batch_op.create_index("ix_shopping_lists_customer_updated", ["customer_id", "updated_at"], unique=False)

    op.create_table(
        "shopping_list_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["shopping_lists.id"],
            name=op.f("fk_shopping_list_items_list_id_shopping_lists"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_shopping_list_items_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shopping_list_items")),
        sa.UniqueConstraint("list_id", "product_id", name="uq_shopping_list_items_list_product"),
    )
    with op.batch_alter_table("shopping_list_items", schema=None) as batch_op:
        batch_op.create_index("ix_shopping_list_items_list", ["list_id", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_shopping_list_items_product_id"), ["product_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("shopping_list_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shopping_list_items_product_id"))
        batch_op.drop_index("ix_shopping_list_items_list")

    op.drop_table("shopping_list_items")
    with op.batch_alter_table("shopping_lists", schema=None) as batch_op:
        batch_op.drop_index("ix_shopping_lists_customer_updated")

    op.drop_table("shopping_lists")

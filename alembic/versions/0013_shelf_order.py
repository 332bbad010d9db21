"""shelf order: product names and SKUs in code point order, and indexes that read a page in order

The shelf (app/catalog/listing.py) lists the active products by name, SKU or
newest and reads one page. Without an index in that order PostgreSQL read and
sorted every active product for each page: 200 ms at 100,000 products against
a few at 2,000. Names and SKUs sort in code point order on both databases
(as search sorts them); on PostgreSQL the columns now say so (COLLATE "C"), so
one index serves the ORDER BY, as on SQLite, where BINARY is the default.

Revision ID: 0013
Revises: 0012
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = (("sku", 64), ("name", 300))
# Partial, over the active products only, each in the form its dialect writes the shelf's filter
# (active = true / active = 1). Not (active, name): SQLite, without statistics, took an index led
# by active for a selective one and drove other reads by it (a customer's purchases: 1 -> 24 ms).
_SHELF_INDEXES = (("ix_products_shelf_name", ["name", "id"]), ("ix_products_shelf_newest", ["created_at", "id"]))


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for column, length in _COLUMNS:
            op.alter_column("products", column, type_=sa.String(length, collation="C"), existing_type=sa.String(length))
    for index, columns in _SHELF_INDEXES:
        op.create_index(
            index, "products", columns, postgresql_where=sa.text("active"), sqlite_where=sa.text("active = 1")
        )


def downgrade() -> None:
    for index, _ in _SHELF_INDEXES:
        op.drop_index(index, table_name="products")
    if op.get_bind().dialect.name == "postgresql":
        for column, length in _COLUMNS:
            op.alter_column("products", column, type_=sa.String(length), existing_type=sa.String(length, collation="C"))

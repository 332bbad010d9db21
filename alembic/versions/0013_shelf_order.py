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


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for column, length in _COLUMNS:
            op.alter_column("products", column, type_=sa.String(length, collation="C"), existing_type=sa.String(length))
    op.create_index("ix_products_shelf_name", "products", ["active", "name", "id"])
    op.create_index("ix_products_shelf_newest", "products", ["active", "created_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_products_shelf_newest", table_name="products")
    op.drop_index("ix_products_shelf_name", table_name="products")
    if op.get_bind().dialect.name == "postgresql":
        for column, length in _COLUMNS:
            op.alter_column("products", column, type_=sa.String(length), existing_type=sa.String(length, collation="C"))

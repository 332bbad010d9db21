"""sales counts: units per product and month (shop) and per customer, product and month

Read by the search's tie-breaks instead of counting order lines per tied product
at query time; kept by app.catalog.sales in the order's transaction. Backfilled
here from the orders that count (every status but REJECTED and CANCELLED).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29
"""

from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa

import app.models.base
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    product_sales = op.create_table(
        "product_sales",
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_product_sales_product_id_products"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("product_id", "month", name=op.f("pk_product_sales")),
    )
    customer_purchases = op.create_table(
        "customer_purchases",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_purchases_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_customer_purchases_product_id_products"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("customer_id", "product_id", "month", name=op.f("pk_customer_purchases")),
    )
    with op.batch_alter_table("customer_purchases", schema=None) as batch_op:
        # The foreign key's lookups when a product is deleted (the key starts with the customer).
        batch_op.create_index(batch_op.f("ix_customer_purchases_product_id"), ["product_id"], unique=False)

    # Backfill from the orders placed so far (as app.catalog.sales would have kept them).
    orders = sa.table(
        "orders",
        sa.column("id", sa.Integer()),
        sa.column("customer_id", sa.Integer()),
        sa.column("status", sa.String()),
        sa.column("placed_at", app.models.base.UTCDateTime()),
    )
    lines = sa.table(
        "order_lines", sa.column("order_id", sa.Integer()), sa.column("product_id", sa.Integer()), sa.column("quantity")
    )
    rows = op.get_bind().execute(
        sa.select(orders.c.customer_id, orders.c.placed_at, lines.c.product_id, lines.c.quantity)
        .join(lines, lines.c.order_id == orders.c.id)
        .where(orders.c.status.notin_(["REJECTED", "CANCELLED"]), lines.c.product_id.is_not(None))
    )
    shop: dict[tuple[int, int], int] = defaultdict(int)
    own: dict[tuple[int, int, int], int] = defaultdict(int)
    for customer_id, placed_at, product_id, quantity in rows:
        month = placed_at.year * 100 + placed_at.month
        shop[(product_id, month)] += quantity
        own[(customer_id, product_id, month)] += quantity
    if shop:
        op.bulk_insert(product_sales, [{"product_id": p, "month": m, "units": n} for (p, m), n in sorted(shop.items())])
        op.bulk_insert(
            customer_purchases,
            [{"customer_id": c, "product_id": p, "month": m, "units": n} for (c, p, m), n in sorted(own.items())],
        )


def downgrade() -> None:
    with op.batch_alter_table("customer_purchases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_purchases_product_id"))
    op.drop_table("customer_purchases")
    op.drop_table("product_sales")

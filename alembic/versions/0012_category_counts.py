"""category counts: active (and in-stock) products per category, kept by triggers

Facets and totals of a shelf without search text then read one row per category
instead of counting products (app/catalog/listing.py); why the triggers are
race-safe is in app.models.catalog.CategoryProductCount.

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BACKFILL = """
INSERT INTO category_product_counts (category_id, active, in_stock)
SELECT c.id,
       (SELECT count(*) FROM products p WHERE p.category_id = c.id AND p.active),
       (SELECT count(*) FROM products p WHERE p.category_id = c.id AND p.active AND p.stock_quantity > 0)
FROM categories c
"""

# A product counts when active; in stock when also stock_quantity > 0. Only a change of one of
# those (or of its category) touches the counts: price and text updates cost nothing here.
_CHANGED = (
    "OLD.active <> NEW.active OR OLD.category_id <> NEW.category_id "
    "OR (OLD.stock_quantity > 0) <> (NEW.stock_quantity > 0)"
)

_SQLITE = [
    """CREATE TRIGGER category_counts_row AFTER INSERT ON categories BEGIN
       INSERT INTO category_product_counts (category_id, active, in_stock) VALUES (NEW.id, 0, 0); END""",
    """CREATE TRIGGER product_counts_insert AFTER INSERT ON products WHEN NEW.active BEGIN
       UPDATE category_product_counts SET active = active + 1, in_stock = in_stock + (NEW.stock_quantity > 0)
       WHERE category_id = NEW.category_id; END""",
    """CREATE TRIGGER product_counts_delete AFTER DELETE ON products WHEN OLD.active BEGIN
       UPDATE category_product_counts SET active = active - 1, in_stock = in_stock - (OLD.stock_quantity > 0)
       WHERE category_id = OLD.category_id; END""",
    f"""CREATE TRIGGER product_counts_update AFTER UPDATE OF active, category_id, stock_quantity ON products
       WHEN {_CHANGED} BEGIN
       UPDATE category_product_counts SET active = active - OLD.active,
              in_stock = in_stock - (OLD.active AND OLD.stock_quantity > 0) WHERE category_id = OLD.category_id;
       UPDATE category_product_counts SET active = active + NEW.active,
              in_stock = in_stock + (NEW.active AND NEW.stock_quantity > 0) WHERE category_id = NEW.category_id;
       END""",
]

_POSTGRES = [
    """CREATE FUNCTION category_counts_row() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         INSERT INTO category_product_counts (category_id, active, in_stock) VALUES (NEW.id, 0, 0);
         RETURN NULL;
       END $$""",
    "CREATE TRIGGER category_counts_row AFTER INSERT ON categories FOR EACH ROW EXECUTE FUNCTION category_counts_row()",
    # A move locks both count rows in category order first: two moves in opposite directions
    # then wait for each other instead of deadlocking.
    """CREATE FUNCTION product_counts() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP = 'UPDATE' AND OLD.category_id <> NEW.category_id THEN
           PERFORM 1 FROM category_product_counts WHERE category_id IN (OLD.category_id, NEW.category_id)
             ORDER BY category_id FOR UPDATE;
         END IF;
         IF TG_OP <> 'INSERT' AND OLD.active THEN
           UPDATE category_product_counts
              SET active = active - 1, in_stock = in_stock - (OLD.stock_quantity > 0)::int
            WHERE category_id = OLD.category_id;
         END IF;
         IF TG_OP <> 'DELETE' AND NEW.active THEN
           UPDATE category_product_counts
              SET active = active + 1, in_stock = in_stock + (NEW.stock_quantity > 0)::int
            WHERE category_id = NEW.category_id;
         END IF;
         RETURN NULL;
       END $$""",
    "CREATE TRIGGER product_counts_insert AFTER INSERT ON products FOR EACH ROW WHEN (NEW.active) "
    "EXECUTE FUNCTION product_counts()",
    "CREATE TRIGGER product_counts_delete AFTER DELETE ON products FOR EACH ROW WHEN (OLD.active) "
    "EXECUTE FUNCTION product_counts()",
    "CREATE TRIGGER product_counts_update AFTER UPDATE OF active, category_id, stock_quantity ON products "
    f"FOR EACH ROW WHEN ({_CHANGED}) EXECUTE FUNCTION product_counts()",
]


def upgrade() -> None:
    op.create_table(
        "category_product_counts",
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("active", sa.Integer(), nullable=False),
        sa.Column("in_stock", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["category_id"], ["categories.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("category_id"),
    )
    op.execute(_BACKFILL)
    for statement in _POSTGRES if op.get_bind().dialect.name == "postgresql" else _SQLITE:
        op.execute(statement)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for name, table in (
        ("product_counts_update", "products"),
        ("product_counts_delete", "products"),
        ("product_counts_insert", "products"),
        ("category_counts_row", "categories"),
    ):
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgres else ""))
    if postgres:
        op.execute("DROP FUNCTION IF EXISTS product_counts()")
        op.execute("DROP FUNCTION IF EXISTS category_counts_row()")
    op.drop_table("category_product_counts")

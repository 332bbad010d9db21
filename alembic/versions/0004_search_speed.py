"""search ranking: index codes say whether a word is also in the product's category; reindex every product

The search index's codes changed (app/catalog/search.py): "O" used to mean
"manufacturer or category"; a word that is also in one of the product's
categories now has codes of its own (A a M m E C c), which rank the products
of a category above those that only mention its word. The old rows cannot be
translated in SQL (an "O" row does not say which of the two it was), so every
product is indexed again with the current ``index_terms``. search_words (the
vocabulary for typo tolerance) does not depend on the codes and stays.

Downgrade removes the index rows: the old code cannot read the new codes.
Products without index rows are indexed again by ``commerce seed demo``
(any product, not only demo ones) or by the next ERP update of each product.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from collections.abc import Iterator, Sequence

import sqlalchemy as sa
from alembic import op

from app.catalog import search

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 2_000

products = sa.table(
    'products',
    sa.column('id', sa.Integer),
    sa.column('sku', sa.String),
    sa.column('name', sa.String),
    sa.column('description', sa.Text),
    sa.column('manufacturer', sa.String),
    sa.column('category_id', sa.Integer),
)
categories = sa.table('categories', sa.column('id', sa.Integer), sa.column('name', sa.String), sa.column('path', sa.String))
search_terms = sa.table(
    'search_terms', sa.column('term', sa.String), sa.column('product_id', sa.Integer), sa.column('weight', sa.Integer)
)


def _documents(bind: sa.Connection) -> Iterator[list[search.IndexedProduct]]:
    rows = bind.execute(sa.select(categories.c.id, categories.c.name, categories.c.path)).all()
    names = {id_: name for id_, name, _ in rows}
    chains = {
        id_: tuple(names[int(part)] for part in path.strip('/').split('/') if part and int(part) in names)
        for id_, _, path in rows
    }
    last = 0
    while True:
        batch = bind.execute(
            sa.select(
                products.c.id,
                products.c.sku,
                products.c.name,
                products.c.description,
                products.c.manufacturer,
                products.c.category_id,
            )
            .where(products.c.id > last)
            .order_by(products.c.id)
            .limit(BATCH)
        ).all()
        if not batch:
            return
        last = batch[-1].id
        yield [
            search.IndexedProduct(
                id=row.id,
                sku=row.sku,
                name=row.name,
                description=row.description,
                manufacturer=row.manufacturer,
                category_names=chains.get(row.category_id, ()),
            )
            for row in batch
        ]


def upgrade() -> None:
    bind = op.get_bind()
    bind.execute(sa.delete(search_terms))
    for documents in _documents(bind):
        rows = [
            {'term': term, 'product_id': doc.id, 'weight': weight}
            for doc in documents
            for term, weight in search.index_terms(doc).items()
        ]
        bind.execute(search_terms.insert(), rows)


def downgrade() -> None:
    op.get_bind().execute(sa.delete(search_terms))

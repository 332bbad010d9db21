"""reindex writes only the rows that change, and leaves exactly the product's rows (both databases)."""

from __future__ import annotations

from sqlalchemy import select, update

from app.catalog import search
from app.catalog.search import SearchQuery
from app.db import Database
from app.models.catalog import Product, SearchTerm
from tests.catalog.small_catalogue import build, found
from tests.helpers.sql import count_statements

TREE = {"Hansker": None, "Kompresser": None}
PRODUCTS = {"Nitrilhanske blå str M": "Hansker", "Gasbindkompress 10x10 cm": "Kompresser"}


async def _rows(database: Database, product_id: int) -> dict[str, int]:
    async with database.reader() as session:
        result = await session.execute(
            select(SearchTerm.term, SearchTerm.weight).where(SearchTerm.product_id == product_id)
        )
        return {term: weight for term, weight in result}


async def test_a_renamed_product_has_exactly_its_new_rows(database: Database) -> None:
    names = await build(database, TREE, PRODUCTS)
    glove = names["Nitrilhanske blå str M"]
    before = await _rows(database, glove)
    async with database.transaction() as session:
        await session.execute(
            update(Product).where(Product.id == glove).values(name="Vinylhanske hvit str M", manufacturer="Abena")
        )
        await search.reindex(session, [glove])
    async with database.reader() as session:
        (doc,) = await search._documents(session, [glove])
    after = await _rows(database, glove)
    assert after == search.index_terms(doc) and after != before
    assert "nitrilhansk|N" not in after and "vinylhansk|N" in after
    # Found by its new words only; the other product's rows are untouched.
    assert await found(database, names, "vinylhansker") == ["Nitrilhanske blå str M"]
    async with database.reader() as session:
        old = await search.search(session, SearchQuery(text="nitrilhansker"))
    assert old.relaxed or old.total == 0  # no longer a match of every word
    assert await found(database, names, "kompress") == ["Gasbindkompress 10x10 cm"]


async def test_reindexing_an_unchanged_product_writes_nothing(database: Database) -> None:
    names = await build(database, TREE, PRODUCTS)
    glove = names["Nitrilhanske blå str M"]
    before = await _rows(database, glove)
    async with database.transaction() as session:
        with count_statements(database) as log:
            await search.reindex(session, [glove])
    assert not [s for s in log.statements if s.lstrip().upper().startswith(("DELETE", "INSERT"))], log.statements
    assert await _rows(database, glove) == before

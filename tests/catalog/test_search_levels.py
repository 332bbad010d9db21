"""The plans of large catalogues on PostgreSQL give the page and total of the plans that rank every
match: a text's products read score by score until the page is full (search._levels_statement),
several common words read whole in id order and merged (search._merged); and a text's total
counted up to a cap."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text as sql_text
from sqlalchemy import update
from sqlalchemy.exc import DBAPIError

from app.catalog import sales, search
from app.catalog.search import SearchQuery, SearchResult
from app.db import Database
from app.models import CustomerPurchase, Product, ProductSales
from tests.catalog.small_catalogue import build
from tests.factories import make_customer
from tests.helpers.sql import count_statements

NOW = datetime(2026, 11, 1, 12, tzinfo=UTC)
TREE = {"Hansker": None, "Emballasje": None}
# "hansker" by score: gloves (the word in name and category), boxes (the name only), a kit that
# mentions gloves in its description; and "Hanskerom" (a longer word: the typed prefix).
GLOVES = [f"Nitrilhanske {n:02d}" for n in range(14)]
BOXES = [f"Boks for hansker {n}" for n in range(5)]
PRODUCTS = {
    **{name: "Hansker" for name in GLOVES},
    **{name: "Emballasje" for name in BOXES},
    "Sett med pinsett": "Emballasje",
    "Hanskerom oppbevaring": "Emballasje",
    "Boks for nitrilhansker": "Emballasje",
}
# A glove with a second stem of "hansker" (its prefix "hanskerom"), lower than its own: in two levels.
DESCRIPTIONS = {
    "Sett med pinsett": "Med hansker og kompresser.",
    GLOVES[2]: "Leveres i boks.",
    GLOVES[8]: "Boks.",
    GLOVES[4]: "Passer i hanskerom.",
}
STOCK = {GLOVES[3]: 0, BOXES[1]: 0}


async def _catalogue(database: Database) -> tuple[dict[str, int], int]:
    """The products (name -> id) and a customer who bought the last glove (the highest id of its score)."""
    ids = await build(database, TREE, PRODUCTS, DESCRIPTIONS, STOCK)
    customer = await make_customer(database, "55001")
    month = sales.month_key(NOW - timedelta(days=20))
    async with database.transaction() as session:
        await session.execute(update(Product).where(Product.id == ids[GLOVES[5]]).values(active=False))
        # A SKU that is also a word: "hanske" finds the kit first, by its SKU (and by its description).
        await session.execute(update(Product).where(Product.id == ids["Sett med pinsett"]).values(sku="HANSKE"))
        await search.reindex(session, [ids["Sett med pinsett"]])
        session.add(CustomerPurchase(customer_id=customer.id, product_id=ids[GLOVES[-1]], month=month, units=1))
        session.add(CustomerPurchase(customer_id=customer.id, product_id=ids[BOXES[-1]], month=month, units=2))
        # The shop's sales: a glove beyond the first ones by id, and a box.
        session.add(ProductSales(product_id=ids[GLOVES[9]], month=month, units=7))
        session.add(ProductSales(product_id=ids[BOXES[3]], month=month, units=3))
    return ids, customer.id


# Several words, each combination of their scores a level (the SKU's exact key, and the range of
# SKUs starting with a text with a digit, above them).
SEVERAL = ("hansker boks", "nitril hansker", "boks hanske", "hanske nitrilhanske 02", "pinsett sett", "hanske 02")


def _queries(customer_id: int, texts: tuple[str, ...] = ("hansker", "hanske", "hanskerom")) -> list[SearchQuery]:
    since = NOW - timedelta(days=365)
    pages = [(0, 3), (0, 20), (2, 4), (12, 5), (17, 3), (30, 5)]
    return [
        SearchQuery(text=text, offset=offset, limit=limit, customer_id=customer, since=since)
        for text in texts
        for offset, limit in pages
        for customer in (None, customer_id)
    ]


async def _search(database: Database, query: SearchQuery) -> tuple[SearchResult, list[str]]:
    with count_statements(database) as log:
        async with database.reader() as session:
            result = await search.search(session, query)
    return result, log.statements


@pytest.mark.parametrize("bound", [0, 2, 1000])
async def test_the_page_read_score_by_score_is_the_ranked_page(
    database: Database, monkeypatch: pytest.MonkeyPatch, bound: int
) -> None:
    # Every score's products beyond the bound (TIE_BOUND more than the page) of the plan; one word,
    # and several (a level for each combination of their scores).
    ids, customer_id = await _catalogue(database)
    monkeypatch.setattr(search, "TIE_BOUND", bound)
    monkeypatch.setattr(search, "FAST_FROM", 0)
    postgres = database.engine.dialect.name == "postgresql"
    for query in _queries(customer_id) + _queries(customer_id, SEVERAL):
        read, statements = await _search(database, query)
        assert any("level_0" in statement for statement in statements) == postgres, query
        with monkeypatch.context() as plan:
            plan.setattr(search, "_levels", lambda *_: None)
            ranked, _ = await _search(database, query)
        assert read == ranked, query
        if bound == 1000:
            # Every tied group within the bound: as every match joined and ranked.
            with monkeypatch.context() as plan:
                plan.setattr(search, "FAST_FROM", 10**9)
                assert (await _search(database, query))[0] == read, query
    # Not vacuous: a text of several words finds products of several scores.
    found, _ = await _search(database, SearchQuery(text="hansker boks", limit=20))
    assert found.total is not None and found.total >= 6 and len(found.product_ids) == found.total


async def test_own_purchase_beyond_the_bound_comes_first(database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    ids, customer_id = await _catalogue(database)
    monkeypatch.setattr(search, "TIE_BOUND", 0)
    monkeypatch.setattr(search, "FAST_FROM", 0)
    query = SearchQuery(text="hansker", limit=3, customer_id=customer_id, since=NOW - timedelta(days=365))
    result, _ = await _search(database, query)
    # 13 active gloves, 6 boxes, the kit, and "Hanskerom" (what was typed starts it).
    assert result.total == len(GLOVES) - 1 + len(BOXES) + 3
    # The customer's glove (the highest id of the best score) first, then the lowest ids.
    assert result.product_ids == [ids[GLOVES[-1]], ids[GLOVES[0]], ids[GLOVES[1]]]
    # The kit by its SKU first, counted once.
    query = replace(query, text="hanske")
    result, _ = await _search(database, query)
    assert result.product_ids[:2] == [ids["Sett med pinsett"], ids[GLOVES[-1]]]
    assert result.total == len(GLOVES) - 1 + len(BOXES) + 3


async def test_several_words_merged_in_id_order_rank_as_every_plan(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids, customer_id = await _catalogue(database)
    monkeypatch.setattr(search, "FAST_FROM", 0)
    since = NOW - timedelta(days=365)
    postgres = database.engine.dialect.name == "postgresql"
    for text in ("hansker boks", "nitril hansker", "boks hanske", "hanske nitrilhanske 02"):
        for offset, limit in [(0, 20), (1, 2), (3, 4)]:
            query = SearchQuery(text=text, offset=offset, limit=limit, customer_id=customer_id, since=since)
            with monkeypatch.context() as plan:
                plan.setattr(search, "MERGE_FROM", 0)
                plan.setattr(search, "_levels", lambda *_: None)
                merged, statements = await _search(database, query)
            assert any(" AS w1 " in statement for statement in statements) == postgres, query
            with monkeypatch.context() as plan:
                plan.setattr(search, "FAST_FROM", 10**9)
                assert (await _search(database, query))[0] == merged, query
            assert merged.total > 0, query


@pytest.mark.parametrize("fast_from", [0, 10**9])
async def test_a_page_not_counted_is_the_counted_page(
    database: Database, monkeypatch: pytest.MonkeyPatch, fast_from: int
) -> None:
    """with_total off (a client that does not select totalCount): every plan gives the same page and
    no total; an empty page past the first is counted after all, and a text that finds nothing
    answers with the did-you-mean and the relaxed query (counted) as before."""
    ids, customer_id = await _catalogue(database)
    monkeypatch.setattr(search, "FAST_FROM", fast_from)
    monkeypatch.setattr(search, "MERGE_FROM", 0)
    since = NOW - timedelta(days=365)
    several = [
        SearchQuery(text=text, offset=offset, limit=limit, customer_id=customer_id, since=since)
        for text in ("hansker boks", "nitril hansker", "hansker qqxyzzy", "hanskr")
        for offset, limit in [(0, 20), (3, 4), (30, 5)]
    ]
    for query in _queries(customer_id) + several:
        counted, _ = await _search(database, query)
        assert counted.total is not None
        uncounted, _ = await _search(database, replace(query, with_total=False))
        if uncounted.product_ids and not uncounted.relaxed:
            assert replace(uncounted, total=counted.total) == counted, query
            assert uncounted.total is None, query
        else:
            assert uncounted == counted, query
    # The cases above include each: a page, a page past the last, nothing found (relaxed and corrected).
    relaxed, _ = await _search(database, replace(several[6], with_total=False))
    assert relaxed.relaxed and relaxed.total and relaxed.product_ids
    past, _ = await _search(database, SearchQuery(text="hansker", offset=30, limit=5, with_total=False))
    assert past.product_ids == [] and past.total == len(GLOVES) - 1 + len(BOXES) + 3


async def test_the_settings_a_level_plan_needs_are_put_back(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The planner settings of the level plan (search._steered) hold for its statement only, also
    when the statement fails: a pooled connection never keeps them."""
    if database.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's planner settings")
    await _catalogue(database)
    monkeypatch.setattr(search, "FAST_FROM", 0)
    settings = sql_text(
        "SELECT current_setting('enable_hashjoin'), current_setting('enable_hashagg'), "
        "current_setting('max_parallel_workers_per_gather')"
    )
    async with database.reader() as session:
        before = (await session.execute(settings)).one()
        assert before[:2] == ("on", "on") and before[2] != "0"
        with count_statements(database) as log:
            result = await search.search(session, SearchQuery(text="nitril hansker", limit=3))
        assert result.product_ids and any("level_0" in statement for statement in log.statements)
        assert any("set_config" in statement for statement in log.statements)
        assert (await session.execute(settings)).one() == before
        monkeypatch.setattr(search, "_levels_statement", lambda *_: "SELECT no_such_column FROM products")
        with pytest.raises(DBAPIError):
            await search.search(session, SearchQuery(text="nitril hansker", limit=3))
        assert (await session.execute(settings)).one() == before


@pytest.mark.parametrize("fast_from", [0, 10**9])
async def test_a_total_beyond_the_cap_is_the_cap_and_not_exact(
    database: Database, monkeypatch: pytest.MonkeyPatch, fast_from: int
) -> None:
    """Without facets a text's matches are counted up to total_cap: more are reported as the cap,
    flagged not exact, on every plan; the page is the same; facets count every match."""
    await _catalogue(database)
    monkeypatch.setattr(search, "FAST_FROM", fast_from)
    for text in ("hansker", "hanske", "hansker boks", "nitril hansker"):
        full, _ = await _search(database, SearchQuery(text=text, limit=5, total_cap=None))
        assert full.total is not None and full.total > 3 and full.total_is_exact
        capped, _ = await _search(database, SearchQuery(text=text, limit=5, total_cap=3))
        assert (capped.total, capped.total_is_exact) == (3, False), text
        assert capped.product_ids == full.product_ids, text
        at, _ = await _search(database, SearchQuery(text=text, limit=5, total_cap=full.total))
        assert (at.total, at.total_is_exact) == (full.total, True), text
        faceted, _ = await _search(database, SearchQuery(text=text, limit=5, total_cap=3, with_facets=True))
        assert (faceted.total, faceted.total_is_exact) == (full.total, True), text

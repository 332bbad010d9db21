"""Search on a small catalogue, on SQLite and PostgreSQL alike (the ``database`` fixture runs both).

Most of it is one table: a query, the SKUs that must come first (in that
order), the SKUs that must be among the results, and the SKUs that must not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from app.catalog import search
from app.catalog.search import ProductSort, SearchQuery, SearchResult
from app.db import Database
from app.models.catalog import Category, Product, SearchTerm, SearchWord
from tests.helpers.sql import count_statements

# Category tree: name -> parent name.
TREE = {
    "Forbruksmateriell": None,
    "Hansker": "Forbruksmateriell",
    "Nitrilhansker": "Hansker",
    "Vinylhansker": "Hansker",
    "Sårbehandling": "Forbruksmateriell",
    "Kompresser": "Sårbehandling",
    "Bandasjer og plaster": "Sårbehandling",
    "Injeksjon": None,
    "Sprøyter": "Injeksjon",
    "Katetre": "Injeksjon",
    "Hudpleie": None,
}

# sku, name, description, manufacturer, category, stock, active
PRODUCTS = [
    (
        "10-2345",
        "Nitrilhansker pudderfri blå",
        "Undersøkelseshansker av nitril, 100 stk.",
        "Abena",
        "Nitrilhansker",
        50,
        True,
    ),
    ("10-2346", "Nitrilhanske steril", "Sterile hansker i par.", "Abena", "Nitrilhansker", 0, True),
    ("10-23456", "Vinylhansker hvit", "Rimelige hansker til kortvarig bruk.", "Selefa", "Vinylhansker", 10, True),
    ("11-0001", "Undersøkelseshanske latex", "Hanske med god passform.", "Kolmi", "Hansker", 5, True),
    ("99-0001", "Nitrilhansker utgått", "Erstattet av 10-2345.", "Abena", "Nitrilhansker", 100, False),
    ("20-1000", "Gasbindkompress 10x10 cm steril", "Kompress av bomull.", "Mölnlycke", "Kompresser", 30, True),
    (
        "20-1001",
        "Skumkompresser med silikon",
        "Absorberende kompresser for væskende sår.",
        "Mölnlycke",
        "Kompresser",
        30,
        True,
    ),
    ("20-1005", "Kompress non-woven 5x5 cm", "Til sårpleie.", "Selefa", "Kompresser", 30, True),
    ("20-1002", "Sårskyllevæske 500 ml", "Til rengjøring av sår.", "Prontosan", "Sårbehandling", 30, True),
    ("20-1003", "Elastisk bandasje 8 cm", "Festebandasje i bomull.", "BSN", "Bandasjer og plaster", 30, True),
    ("20-1004", "Fingerplaster", "Plastre til fingertupper.", "Mepore", "Bandasjer og plaster", 30, True),
    ("30-1000", "Sprøyte 10 ml Luer Lock", "Steril engangssprøyte.", "Braun", "Sprøyter", 30, True),
    ("30-1001", "Insulinsprøyter 1 ml", "Med fast kanyle.", "Braun", "Sprøyter", 30, True),
    ("30-2000", "Urinkateter CH12", "Til kateterisering av blæren.", "Coloplast", "Katetre", 30, True),
    ("30-2001", "Blærekatetre med ballong", "Silikon, steril.", "Coloplast", "Katetre", 30, True),
    # Mentions gloves, but is no glove: it belongs to catheters.
    ("30-2002", "Kateteriseringssett med hansker", "Engangssett.", "Coloplast", "Katetre", 30, True),
    ("40-1000", "Bløtgjørende krem", "Fuktighetskrem for tørr hud.", "Decubal", "Hudpleie", 30, True),
    ("40-1001", "Salve", "Beskytter huden.", "Decubal", "Hudpleie", 30, True),
    ("40-1002", "Salvie te", "Urtete.", "Urtehuset", "Hudpleie", 30, True),
    ("40-1003", "Barrierekrem Crème Légère", "Sinkfri.", "Cavilon", "Hudpleie", 30, True),
    ("50-0001", "Prøvepakke", "Inneholder nitrilhansker og kompresser.", "Selefa", "Forbruksmateriell", 30, True),
]


@dataclass
class Catalogue:
    database: Database
    by_sku: dict[str, int]
    categories: dict[str, Category]
    skus: dict[int, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.skus = {product_id: sku for sku, product_id in self.by_sku.items()}

    async def search(self, text: str | None = None, **options: object) -> SearchResult:
        async with self.database.reader() as session:
            return await search.search(session, SearchQuery(text=text, **options))  # type: ignore[arg-type]

    async def found(self, text: str | None = None, **options: object) -> list[str]:
        result = await self.search(text, limit=100, **options)
        if result.relaxed:
            return []  # nothing matched every word (the relaxed results: tests/catalog/test_search_help.py)
        return [self.skus[i] for i in result.product_ids]

    def path(self, category: str) -> str:
        return self.categories[category].path


async def make_category(session, name: str, parent: Category | None) -> Category:  # type: ignore[no-untyped-def]
    category = Category(
        name=name, slug=name.lower().replace(" ", "-"), parent_id=parent.id if parent else None, path="", depth=0
    )
    session.add(category)
    await session.flush()
    category.path = f"{parent.path if parent else '/'}{category.id}/"
    category.depth = parent.depth + 1 if parent else 0
    return category


@pytest.fixture
async def catalogue(database: Database) -> Catalogue:
    created = datetime(2026, 1, 1, tzinfo=UTC)
    async with database.transaction() as session:
        categories: dict[str, Category] = {}
        for name, parent in TREE.items():
            categories[name] = await make_category(session, name, categories[parent] if parent else None)
        products = []
        for n, (sku, name, description, manufacturer, category, stock, active) in enumerate(PRODUCTS):
            products.append(
                Product(
                    sku=sku,
                    name=name,
                    description=description,
                    manufacturer=manufacturer,
                    unit="stk",
                    list_price=Decimal("10.00"),
                    category_id=categories[category].id,
                    stock_quantity=stock,
                    active=active,
                    created_at=created + timedelta(days=n),  # later in the list: newer
                )
            )
        session.add_all(products)
        await session.flush()
        await search.reindex(session, [product.id for product in products])
    return Catalogue(database, {p.sku: p.id for p in products}, categories)


GLOVES = ["10-2345", "10-2346", "10-23456", "11-0001"]
# Equal scores for the word "hanske": in stock before out of stock (10-2346), then the older first; never by name.
GLOVES_BY_NAME = ("10-2345", "10-23456", "11-0001", "10-2346")
KIT = "30-2002"  # "Kateteriseringssett med hansker", a catheter kit
INACTIVE = "99-0001"


@dataclass(frozen=True)
class Case:
    query: str
    first: tuple[str, ...] = ()  # these lead the results, in this order
    includes: tuple[str, ...] = ()  # these are among the results
    excludes: tuple[str, ...] = ()  # these are not
    exactly: tuple[str, ...] | None = None  # the results are these, in any order

    def __str__(self) -> str:
        return self.query


CASES = [
    # An exact SKU first, then the SKUs it starts; a SKU prefix.
    Case("10-2345", first=("10-2345", "10-23456"), excludes=("10-2346", INACTIVE)),
    Case("102345", first=("10-2345", "10-23456")),
    Case("10-23", exactly=("10-2345", "10-2346", "10-23456")),
    Case("10-2", includes=("10-2345", "10-2346", "10-23456"), excludes=("11-0001", "20-1000")),
    Case("30-2001", first=("30-2001",), exactly=("30-2001",)),
    # Name above description: the three with "kompress" in their name, a whole word first.
    Case("kompress", first=("20-1005",), includes=("20-1000", "20-1001", "50-0001"), excludes=("10-2345",)),
    # Ties: in stock (10-2345) before out of stock (10-2346), not by name.
    Case("nitrilhansker", first=("10-2345", "10-2346", "50-0001"), excludes=("10-23456", INACTIVE)),
    # Singular, plural, definite.
    Case("hanske", first=GLOVES_BY_NAME, exactly=(*GLOVES, KIT)),
    Case("hansker", first=GLOVES_BY_NAME, exactly=(*GLOVES, KIT)),
    Case("hansken", first=GLOVES_BY_NAME, exactly=(*GLOVES, KIT)),
    Case("hanskene", first=GLOVES_BY_NAME, exactly=(*GLOVES, KIT)),
    Case("kompressene", includes=("20-1000", "20-1001", "20-1005")),
    Case("sprøytene", exactly=("30-1000", "30-1001")),
    Case("sprøyter", exactly=("30-1000", "30-1001")),
    Case("kateteret", includes=("30-2000", "30-2001")),
    Case("katetre", includes=("30-2000", "30-2001")),
    Case("bandasjer", includes=("20-1003",)),
    Case("plastre", includes=("20-1004",)),
    Case("plaster", first=("20-1004",)),
    # Words inside compounds.
    Case("hansker", includes=("10-2345", "11-0001")),  # Nitrilhansker, Undersøkelseshanske
    Case("kompress", includes=("20-1000", "20-1001")),  # Gasbindkompress, Skumkompresser
    Case("kateter", includes=("30-2000", "30-2001")),  # Urinkateter, Blærekatetre
    # Norwegian letters, and aa/ae/oe for them; other accents do not matter.
    Case("sårskyllevæske", exactly=("20-1002",)),
    Case("SÅRSKYLLEVÆSKE", exactly=("20-1002",)),
    Case("saarskyllevaeske", exactly=("20-1002",)),
    Case("bløtgjørende", exactly=("40-1000",)),
    Case("bloetgjoerende", exactly=("40-1000",)),
    Case("creme legere", exactly=("40-1003",)),
    Case("Mölnlycke", exactly=("20-1000", "20-1001")),
    Case("mølnlycke", exactly=("20-1000", "20-1001")),
    # The first part of a compound; a word being typed.
    Case("nitril", includes=("10-2345", "10-2346", "50-0001"), excludes=("10-23456",)),
    Case("kompr", includes=("20-1000", "20-1001", "20-1005")),
    Case("sår", includes=("20-1002", "20-1001"), excludes=("10-2345",)),  # sårskyllevæske; "sår" in a description
    # One typo in a word of five letters or more.
    Case("kompreser", includes=("20-1000", "20-1001", "20-1005")),  # a letter left out
    Case("hanksker", first=GLOVES_BY_NAME, exactly=(*GLOVES, KIT)),  # a letter too many
    Case("nitrilhnsker", first=("10-2345", "10-2346")),  # a letter left out, inside a compound
    Case("bandajse", includes=("20-1003",)),  # two letters swapped
    Case("sprøyre", exactly=("30-1000", "30-1001")),  # a letter replaced
    Case("molnlycke", exactly=("20-1000", "20-1001")),
    Case("salce", exactly=("40-1001",)),  # five letters: corrected
    # ... but not in shorter words, and not when the word is a real one.
    Case("krwm", exactly=()),
    Case("krem", includes=("40-1000", "40-1003")),
    Case("salve", exactly=("40-1001",)),  # not "Salvie", one letter away
    # Products of the category the word names come before those that only mention it: gloves
    # before the catheter kit "med hansker"; the kit, a catheter, with the catheters (after those
    # whose name says so); a plaster with the bandages.
    Case("hansker", first=(*GLOVES_BY_NAME, KIT)),
    Case("nitrilhanske", first=("10-2345", "10-2346"), excludes=(KIT,)),
    Case("kateter", first=("30-2000", "30-2001", KIT)),  # the two catheters tie: the older first
    Case("bandasje", first=("20-1003", "20-1004")),
    Case("katetre hansker", exactly=(KIT,)),
    # Several words: all of them must match.
    Case("nitril steril", exactly=("10-2346",)),
    Case("hansker steril", exactly=("10-2346",)),
    Case("steril kompress", exactly=("20-1000",)),
    Case("sprøyte 10 ml", exactly=("30-1000",)),
    Case("kompress bomull", first=("20-1000",), exactly=("20-1000",)),
    Case("hansker kompress", exactly=()),
    Case("nitrilhansker str m", exactly=()),  # there is no size M
    # Inactive products never appear.
    Case("utgått", exactly=()),
    Case("99-0001", exactly=()),
    # Nothing to find.
    Case("zzzyx", exactly=()),
    Case("og i på", exactly=()),
]


@pytest.mark.parametrize("case", CASES, ids=str)
async def test_search_cases(catalogue: Catalogue, case: Case) -> None:
    found = await catalogue.found(case.query)
    assert found[: len(case.first)] == list(case.first), found
    assert set(case.includes) <= set(found), found
    assert not set(case.excludes) & set(found), found
    assert INACTIVE not in found
    if case.exactly is not None:
        assert sorted(found) == sorted(case.exactly), found
    result = await catalogue.search(case.query, limit=100)
    assert result.total == len(found) or result.relaxed


async def test_ranking(catalogue: Catalogue) -> None:
    # A whole word in the name, then the word inside a compound in the name (ties: the
    # older first), then a description.
    assert await catalogue.found("kompress") == ["20-1005", "20-1000", "20-1001", "50-0001"]
    # In the name, then in descriptions; equal scores in stock first (10-2346 has none), then the older.
    assert await catalogue.found("steril") == ["20-1000", "10-2346", "30-1000", "30-2001"]
    # Both words in the name, equal scores: in stock first.
    assert await catalogue.found("hanske nitril") == ["10-2345", "10-2346"]  # equal: in stock first


def _name(sku: str) -> str:
    return next(p[1] for p in PRODUCTS if p[0] == sku)


async def test_category_beats_whole_word_in_name_beats_compound_beats_description(database: Database) -> None:
    async with database.transaction() as session:
        root = await make_category(session, "Diverse", None)
        gloves = await make_category(session, "Engangshansker", root)
        products = [
            Product(
                sku="A", name="Hanske vinyl", description=None, unit="stk", list_price=Decimal(1), category_id=root.id
            ),
            Product(
                sku="B", name="Latexhanske", description=None, unit="stk", list_price=Decimal(1), category_id=root.id
            ),
            Product(sku="C", name="Vare", description=None, unit="stk", list_price=Decimal(1), category_id=gloves.id),
            Product(
                sku="D", name="Vare", description="Hanske.", unit="stk", list_price=Decimal(1), category_id=root.id
            ),
            Product(
                sku="E",
                name="Eske",
                manufacturer="Hanskefabrikken",
                unit="stk",
                list_price=Decimal(1),
                category_id=root.id,
            ),
            Product(
                sku="F", name="Hanske", description="Av vinyl.", unit="stk", list_price=Decimal(1), category_id=root.id
            ),
        ]
        session.add_all(products)
        await session.flush()
        await search.reindex(session, [p.id for p in products])
    skus = {p.id: p.sku for p in products}
    async with database.reader() as session:
        result = await search.search(session, SearchQuery(text="hanske"))
        both = await search.search(session, SearchQuery(text="hanske vinyl"))
    # In the category (the product is a glove, its name "Vare" says nothing) > a whole word in the name
    # (equal: the older first, never by name) > in a compound in the name > the manufacturer "Hanskefabrikken", by prefix only
    # > a whole word in the description.
    assert [skus[i] for i in result.product_ids] == ["C", "A", "F", "B", "E", "D"]
    # Two words in the name beat one in the name and one in the description.
    assert [skus[i] for i in both.product_ids] == ["A", "F"]


async def test_relevance_ties_never_go_by_name(catalogue: Catalogue) -> None:
    # Equal scores (the same manufacturer), all in stock, no orders: the older first, whatever the names.
    assert await catalogue.found("mølnlycke") == ["20-1000", "20-1001"]
    assert await catalogue.found("selefa") == ["10-23456", "20-1005", "50-0001"]
    assert ["10-23456", "20-1005", "50-0001"] != sorted(["10-23456", "20-1005", "50-0001"], key=_name)


async def test_category_filter_includes_descendants(catalogue: Catalogue) -> None:
    assert sorted(await catalogue.found("hansker", category_path=catalogue.path("Hansker"))) == sorted(GLOVES)
    assert sorted(await catalogue.found("hansker", category_path=catalogue.path("Nitrilhansker"))) == [
        "10-2345",
        "10-2346",
    ]
    assert sorted(await catalogue.found("hansker", category_path=catalogue.path("Forbruksmateriell"))) == sorted(GLOVES)
    assert await catalogue.found("hansker", category_path=catalogue.path("Injeksjon")) == [KIT]
    # Without text: every active product under the category, by name.
    assert await catalogue.found(category_path=catalogue.path("Katetre")) == ["30-2001", KIT, "30-2000"]
    everything = await catalogue.found(category_path=catalogue.path("Sårbehandling"))
    assert sorted(everything) == ["20-1000", "20-1001", "20-1002", "20-1003", "20-1004", "20-1005"]


async def test_in_stock_only(catalogue: Catalogue) -> None:
    assert "10-2346" in await catalogue.found("nitrilhanske")
    assert await catalogue.found("nitrilhanske", in_stock_only=True) == ["10-2345", "50-0001"]
    async with catalogue.database.transaction() as session:
        await session.execute(update(Product).where(Product.sku == "10-2345").values(stock_quantity=0))
    assert await catalogue.found("nitrilhanske", in_stock_only=True) == ["50-0001"]
    assert "20-1000" in await catalogue.found(in_stock_only=True)
    assert "10-2346" not in await catalogue.found(in_stock_only=True)


async def test_facets_count_every_match_by_category(catalogue: Catalogue) -> None:
    result = await catalogue.search("hansker", with_facets=True, limit=1)
    cats = catalogue.categories
    gloves = {cats["Nitrilhansker"].id: 2, cats["Vinylhansker"].id: 1, cats["Hansker"].id: 1}
    assert result.facets == {**gloves, cats["Katetre"].id: 1}
    assert result.total == 5 and len(result.product_ids) == 1
    # The same matches as without facets, and the same page.
    plain = await catalogue.search("hansker", limit=1)
    assert plain.total == 5 and plain.product_ids == result.product_ids and plain.facets == {}
    # Filters apply to the facets too.
    in_stock = await catalogue.search("hansker", with_facets=True, in_stock_only=True)
    assert in_stock.facets == {
        cats["Nitrilhansker"].id: 1,
        cats["Vinylhansker"].id: 1,
        cats["Hansker"].id: 1,
        cats["Katetre"].id: 1,
    }
    # Without text: all active products of the filter.
    browse = await catalogue.search(category_path=catalogue.path("Hansker"), with_facets=True)
    assert browse.facets == {cats["Nitrilhansker"].id: 2, cats["Vinylhansker"].id: 1, cats["Hansker"].id: 1}
    assert browse.total == 4


async def test_sorts(catalogue: Catalogue) -> None:
    found = [*GLOVES, KIT]
    assert await catalogue.found("hansker", sort=ProductSort.NAME) == sorted(found, key=_name)
    assert await catalogue.found("hansker", sort=ProductSort.SKU) == sorted(found)
    # Created later in PRODUCTS: newer.
    newest = [KIT, "11-0001", "10-23456", "10-2346", "10-2345"]
    assert await catalogue.found("hansker", sort=ProductSort.NEWEST) == newest
    # Relevance is the default with text: the SKU match first here, not the name order.
    assert (await catalogue.found("10-23456"))[0] == "10-23456"
    # Without text: by name (relevance means nothing there).
    active = sorted((p for p in PRODUCTS if p[6]), key=lambda p: (p[1], p[0]))
    assert await catalogue.found() == [p[0] for p in active]
    assert await catalogue.found(sort=ProductSort.RELEVANCE) == [p[0] for p in active]
    assert await catalogue.found(sort=ProductSort.SKU) == sorted(p[0] for p in active)
    assert (await catalogue.found(sort=ProductSort.NEWEST))[:2] == ["50-0001", "40-1003"]


async def test_paging(catalogue: Catalogue) -> None:
    everything = await catalogue.found("hansker")
    pages = []
    for offset in range(0, 6, 2):
        result = await catalogue.search("hansker", offset=offset, limit=2)
        assert result.total == 5
        pages += [catalogue.skus[i] for i in result.product_ids]
    assert pages == everything
    beyond = await catalogue.search("hansker", offset=10, limit=2)
    assert beyond.product_ids == [] and beyond.total == 5
    none = await catalogue.search("hansker", limit=0)
    assert none.product_ids == [] and none.total == 5
    browse = await catalogue.search(offset=3, limit=5)
    assert len(browse.product_ids) == 5 and browse.total == len(PRODUCTS) - 1


async def test_inactive_products_never_appear(catalogue: Catalogue) -> None:
    inactive_id = catalogue.by_sku[INACTIVE]
    for options in ({}, {"with_facets": True}, {"sort": ProductSort.NAME}):
        for text in ("nitrilhansker", "utgått", INACTIVE, None):
            result = await catalogue.search(text, limit=100, **options)
            assert inactive_id not in result.product_ids
    browse = await catalogue.search(with_facets=True)
    assert browse.total == len(PRODUCTS) - 1 == sum(browse.facets.values())


async def test_reindex_follows_changes(catalogue: Catalogue) -> None:
    product_id = catalogue.by_sku["40-1000"]
    async with catalogue.database.transaction() as session:
        await session.execute(update(Product).where(Product.id == product_id).values(name="Fuktighetskrem Urea"))
        await search.reindex(session, [product_id])
    assert await catalogue.found("bløtgjørende") == []
    assert await catalogue.found("urea") == ["40-1000"]
    # Typo tolerance knows the new words at once.
    assert await catalogue.found("fuktighetskremm") == ["40-1000"]
    assert await catalogue.found("ureea") == ["40-1000"]  # five letters typed: one typo allowed
    # Reindexing again changes nothing (no duplicate rows, no errors on known words).
    async with catalogue.database.transaction() as session:
        before = await session.scalar(select(func.count()).select_from(SearchTerm))
        words = await session.scalar(select(func.count()).select_from(SearchWord))
        await search.reindex(session, list(catalogue.by_sku.values()))
        assert await session.scalar(select(func.count()).select_from(SearchTerm)) == before
        assert await session.scalar(select(func.count()).select_from(SearchWord)) == words
    # A product deactivated keeps its rows but is not found.
    async with catalogue.database.transaction() as session:
        await session.execute(update(Product).where(Product.id == product_id).values(active=False))
    assert await catalogue.found("urea") == []


async def test_statements_per_search(catalogue: Catalogue) -> None:
    async with catalogue.database.reader() as session:
        for query, most in [
            (SearchQuery(text="hansker"), 2),
            # No product has all three words: one more statement, the relaxed query (any word).
            (SearchQuery(text="nitril steril kompress", with_facets=True), 3),
            (SearchQuery(text="nitril steril", with_facets=True), 2),
            (SearchQuery(text="kompreser", category_path=catalogue.path("Forbruksmateriell")), 2),
            (SearchQuery(category_path=catalogue.path("Hansker"), with_facets=True), 1),
        ]:
            with count_statements(catalogue.database) as log:
                await search.search(session, query)
            assert log.count <= most, log.statements


# The plan (which word is read, which are probed, whether products are joined
# for every match) must never change the answer: force each plan on the table.
PLANS = {
    "probe everything": {"COUNT_CAP": 1, "PROBE_RATIO": 0.0},
    "read everything": {"PROBE_RATIO": 1e9},
    "no key lists": {"KEY_CAP": 0},
    "fast relevance": {"FAST_FROM": 0},
    "fast relevance, probes": {"FAST_FROM": 0, "COUNT_CAP": 1, "PROBE_RATIO": 0.0},
    # PostgreSQL: several words merged in id order (one word: read score by score, as above).
    "fast relevance, merged": {"FAST_FROM": 0, "MERGE_FROM": 0},
}


@pytest.mark.parametrize("plan", list(PLANS), ids=str)
async def test_plans_agree(catalogue: Catalogue, plan: str, monkeypatch: pytest.MonkeyPatch) -> None:
    queries = [case.query for case in CASES]
    options: list[dict[str, object]] = [{}, {"with_facets": True}, {"offset": 1, "limit": 2}]
    expected = {(q, i): await catalogue.search(q, **o) for q in queries for i, o in enumerate(options)}
    for name, value in PLANS[plan].items():
        monkeypatch.setattr(search, name, value)
    for (query, i), result in expected.items():
        assert await catalogue.search(query, **options[i]) == result, (query, options[i])

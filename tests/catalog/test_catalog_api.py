"""The product menu, the product page and prices, through the endpoint."""

from __future__ import annotations

import httpx
import pytest

from app.catalog import search
from app.db import Database
from app.models import DocumentKind, ProductType
from app.schema import catalog as catalog_schema
from tests.factories import World, make_category_path, make_product, make_world, set_agreement_price
from tests.helpers.graphql import error_codes, gql

real = catalog_schema.selects

TREE = """{ categories { id name slug productCount
  children { id name slug productCount children { id name slug productCount } } } }"""
PAGE = """query($sku: String!, $c: String) { product(sku: $sku) {
  id sku name description unit packSize manufacturer productType returnable inStock stockQuantity
  images { url alt } documents { kind title url }
  category { id name ancestors { id name } }
  price(customerNumber: $c) { amount currency } listPrice { amount currency } } }"""


@pytest.fixture
async def world(database: Database) -> World:
    return await make_world(database)


async def test_category_tree_with_counts(client: httpx.AsyncClient, database: Database, world: World) -> None:
    nitril = await make_category_path(database, "Forbruksmateriell", "Hansker", "Nitrilhansker")
    vinyl = await make_category_path(database, "Forbruksmateriell", "Hansker", "Vinylhansker")
    kompresser = await make_category_path(database, "Sårbehandling", "Kompresser", "Skumkompresser")
    for _ in range(3):
        await make_product(database, nitril)
    await make_product(database, vinyl)
    await make_product(database, vinyl, active=False)
    await make_product(database, kompresser)

    tree = (await gql(client, TREE, token=world.token("assistant")))["data"]["categories"]
    assert [(c["name"], c["productCount"]) for c in tree] == [("Forbruksmateriell", 4), ("Sårbehandling", 1)]
    hansker = tree[0]["children"][0]
    assert (hansker["name"], hansker["productCount"]) == ("Hansker", 4)
    assert [(c["name"], c["productCount"]) for c in hansker["children"]] == [("Nitrilhansker", 3), ("Vinylhansker", 1)]


async def test_catalogue_needs_a_user(client: httpx.AsyncClient, database: Database) -> None:
    assert error_codes(await gql(client, TREE)) == ["UNAUTHENTICATED"]
    assert error_codes(await gql(client, PAGE, {"sku": "1"})) == ["UNAUTHENTICATED"]


async def test_product_page(client: httpx.AsyncClient, database: Database, world: World) -> None:
    leaf = await make_category_path(database, "Desinfeksjon", "Hånd", "Hånddesinfeksjon")
    await make_product(
        database,
        leaf,
        sku="223344",
        name="Hånddesinfeksjon 85 % 600 ml",
        description="Rask virkning.",
        manufacturer="Antibac",
        price="89.90",
        stock=0,
        images=("https://bilder.example.no/223344.jpg",),
        documents=(
            (DocumentKind.PRODUCT_DATA_SHEET, "Produktdatablad", "https://dok.example.no/223344-pdb.pdf"),
            (DocumentKind.SAFETY_DATA_SHEET, "Sikkerhetsdatablad", "https://dok.example.no/223344-sdb.pdf"),
        ),
    )
    page = (await gql(client, PAGE, {"sku": "223344"}, token=world.token("assistant")))["data"]["product"]
    assert page["name"] == "Hånddesinfeksjon 85 % 600 ml" and page["manufacturer"] == "Antibac"
    assert page["inStock"] is False and page["stockQuantity"] == 0 and page["returnable"] is True
    assert [d["kind"] for d in page["documents"]] == ["PRODUCT_DATA_SHEET", "SAFETY_DATA_SHEET"]
    assert page["images"] == [{"url": "https://bilder.example.no/223344.jpg", "alt": None}]
    assert [a["name"] for a in page["category"]["ancestors"]] == ["Desinfeksjon", "Hånd"]
    assert page["price"] == page["listPrice"] == {"amount": "89.90", "currency": "NOK"}
    assert (await gql(client, PAGE, {"sku": "nope"}, token=world.token("assistant")))["data"]["product"] is None


@pytest.mark.parametrize(
    ("product_type", "returnable"),
    [
        (ProductType.STANDARD, True),
        (ProductType.SPECIAL_ORDER, False),
        (ProductType.MADE_TO_ORDER, False),
        (ProductType.NUTRITION, False),
    ],
)
async def test_returnable_by_product_type(
    client: httpx.AsyncClient, database: Database, world: World, product_type: ProductType, returnable: bool
) -> None:
    leaf = await make_category_path(database, "Ernæring", "Drikk", "Næringsdrikk")
    await make_product(database, leaf, sku="555", product_type=product_type)
    page = (await gql(client, PAGE, {"sku": "555"}, token=world.token("main")))["data"]["product"]
    assert (page["productType"], page["returnable"]) == (product_type.value, returnable)


async def test_agreement_prices(client: httpx.AsyncClient, database: Database, world: World) -> None:
    leaf = await make_category_path(database, "Forbruksmateriell", "Hansker", "Nitrilhansker")
    product = await make_product(database, leaf, sku="777", price="120.00")
    await set_agreement_price(database, world.customer, product, "99.50")
    assistant = world.token("assistant")
    agreed = (await gql(client, PAGE, {"sku": "777", "c": "10001"}, token=assistant))["data"]["product"]
    assert agreed["price"] == {"amount": "99.50", "currency": "NOK"}
    assert agreed["listPrice"] == {"amount": "120.00", "currency": "NOK"}
    # Another customer's number: null and FORBIDDEN, exactly as an unknown one.
    for number in ("10002", "99999"):
        refused = await gql(client, PAGE, {"sku": "777", "c": number}, token=assistant)
        assert refused["data"]["product"]["price"] is None
        assert error_codes(refused) == ["FORBIDDEN"] and refused["errors"][0]["path"] == ["product", "price"]
    # The inactive member of 10001 may not see its prices; support may.
    inactive = await gql(client, PAGE, {"sku": "777", "c": "10001"}, token=world.token("inactive"))
    assert inactive["data"]["product"]["price"] is None
    support = await gql(client, PAGE, {"sku": "777", "c": "10001"}, token=world.token("support"))
    assert support["data"]["product"]["price"]["amount"] == "99.50"
    # Without an agreement: the list price.
    other_main = await gql(client, PAGE, {"sku": "777", "c": "10002"}, token=world.token("other_main"))
    assert other_main["data"]["product"]["price"]["amount"] == "120.00"


async def test_search_results_carry_their_category(client: httpx.AsyncClient, database: Database, world: World) -> None:
    nitril = await make_category_path(database, "Forbruksmateriell", "Hansker", "Nitrilhansker")
    await make_product(database, nitril, sku="4711", name="Nitrilhanske blå")
    query = """query($s: String, $c: ID) { products(search: $s, categoryId: $c) { totalCount
      edges { node { sku category { name ancestors { name } productCount } } } } }"""
    found = (await gql(client, query, {"s": "nitrilhanske"}, token=world.token("assistant")))["data"]["products"]
    assert found["totalCount"] == 1
    assert found["edges"][0]["node"]["category"] == {
        "name": "Nitrilhansker",
        "ancestors": [{"name": "Forbruksmateriell"}, {"name": "Hansker"}],
        "productCount": 1,
    }
    # An unknown category is an empty shelf, not an error.
    unknown = await gql(
        client, query, {"s": "nitrilhanske", "c": "Q2F0ZWdvcnk6OTk5OTk5"}, token=world.token("assistant")
    )
    assert unknown == {"data": {"products": {"totalCount": 0, "edges": []}}}


async def test_search_total_only_when_asked_and_right_however_asked(
    client: httpx.AsyncClient, database: Database, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    nitril = await make_category_path(database, "Forbruksmateriell", "Hansker", "Nitrilhansker")
    for n in range(5):
        await make_product(database, nitril, sku=f"471{n}", name=f"Nitrilhanske {n}")
    token = world.token("assistant")
    edges = "edges { node { sku } } pageInfo { hasNextPage endCursor }"
    plain = f'{{ products(search: "nitrilhanske", first: 2) {{ {edges} }} }}'
    counted = f'{{ products(search: "nitrilhanske", first: 2) {{ totalCount {edges} }} }}'
    in_fragment = (
        f'{{ products(search: "nitrilhanske", first: 2) {{ ...Total {edges} }} }} '
        "fragment Total on ProductConnection { totalCount }"
    )
    without = (await gql(client, plain, token=token))["data"]["products"]
    with_total = (await gql(client, counted, token=token))["data"]["products"]
    assert with_total == {**without, "totalCount": 5}
    assert (await gql(client, in_fragment, token=token))["data"]["products"] == with_total
    # Should the selection be misread as not asking, totalCount is still counted when resolved.
    monkeypatch.setattr(catalog_schema, "selects", lambda info, *path: path != ("totalCount",) and real(info, *path))
    assert (await gql(client, counted, token=token))["data"]["products"] == with_total


async def test_a_search_total_beyond_the_cap_says_it_is_not_exact(
    client: httpx.AsyncClient, database: Database, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """totalCount of a search text stops at the cap, and totalCountIsExact says so; facets (and the
    shelf, and a text under the cap) count every match."""
    nitril = await make_category_path(database, "Forbruksmateriell", "Hansker", "Nitrilhansker")
    for n in range(5):
        await make_product(database, nitril, sku=f"472{n}", name=f"Nitrilhanske {n}")
    monkeypatch.setattr(search, "TOTAL_CAP", 3)
    token = world.token("assistant")

    async def products(arguments: str, fields: str) -> dict[str, object]:
        answer = await gql(client, f"{{ products({arguments}) {{ {fields} }} }}", token=token)
        assert "errors" not in answer, answer
        return answer["data"]["products"]

    edges = "edges { node { sku } }"
    capped = await products('search: "nitrilhanske", first: 2', f"totalCount totalCountIsExact {edges}")
    assert (capped["totalCount"], capped["totalCountIsExact"]) == (3, False)
    assert len(capped["edges"]) == 2
    alone = await products('search: "nitrilhanske", first: 2', "totalCountIsExact")
    assert alone == {"totalCountIsExact": False}
    faceted = await products('search: "nitrilhanske", first: 2', "totalCount totalCountIsExact facets { count }")
    assert (faceted["totalCount"], faceted["totalCountIsExact"]) == (5, True)
    under = await products('search: "nitrilhanske 3", first: 2', "totalCount totalCountIsExact")
    assert under == {"totalCount": 1, "totalCountIsExact": True}
    shelf = await products("first: 2", "totalCount totalCountIsExact")
    assert shelf["totalCountIsExact"] is True and shelf["totalCount"] >= 5

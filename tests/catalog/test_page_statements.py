"""The catalogue queries of the benchmark (bench/catalog_cpu.py, issue 12) run a fixed number of statements,
read no description for a list, and count nothing the client did not ask for."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from app.db import Database
from app.ids import encode_id
from app.models import Category, Role
from tests.factories import make_category_path, make_customer, make_product, make_user, set_agreement_price, sign_in
from tests.helpers.contract import contract_text
from tests.helpers.graphql import gql
from tests.helpers.sql import StatementLog, count_statements

PAGE = """{ products(first: 20) { edges { node { id name sku category { name } thumbnailUrl
  price(customerNumber: "10001") { amount currency } } } } }"""


async def _catalogue(database: Database) -> tuple[str, list[str]]:
    """A purchaser of 10001 (its token) and 30 products in two leaves, every third with an agreement price."""
    customer = await make_customer(database, "10001")
    token = await sign_in(database, await make_user(database, (customer, Role.PURCHASER)))
    leaves = [await make_category_path(database, "Forbruksmateriell", "Hansker", n) for n in ("Nitril", "Vinyl")]
    skus = []
    for i in range(30):
        product = await make_product(
            database,
            leaves[i % 2],
            name=f"Nitrilhanske variant {i:02}",
            description="Lang tekst " * 50,
            images=(f"https://bilder.example.no/{i}.jpg",),
        )
        skus.append(product.sku)
        if i % 3 == 0:
            await set_agreement_price(database, customer, product, "50.00")
    return token, skus


def _no_counts_nor_descriptions(log: StatementLog) -> None:
    text = "\n".join(log.statements).lower()
    assert "count(" not in text and "description" not in text, text


async def test_a_page_with_categories_thumbnails_and_prices_is_one_statement(
    client: httpx.AsyncClient, database: Database
) -> None:
    token, _ = await _catalogue(database)
    with count_statements(database) as log:
        result = await gql(client, PAGE, token=token)
    edges = result["data"]["products"]["edges"]
    assert [e["node"]["name"] for e in edges] == [f"Nitrilhanske variant {i:02}" for i in range(20)]
    assert {e["node"]["category"]["name"] for e in edges} == {"Nitril", "Vinyl"}
    assert all(e["node"]["thumbnailUrl"] for e in edges)
    assert [e["node"]["price"]["amount"] for e in edges[:4]] == ["50.00", "100.00", "100.00", "50.00"]
    # viewer with roles; the page with its thumbnails, categories and agreement prices
    assert log.count == 2, "\n".join(log.statements)
    _no_counts_nor_descriptions(log)


async def test_first_100_light_is_one_statement(client: httpx.AsyncClient, database: Database) -> None:
    token, _ = await _catalogue(database)
    query = "{ products(first: 100) { edges { node { id name sku } } pageInfo { hasNextPage } } }"
    with count_statements(database) as log:
        result = await gql(client, query, token=token)
    assert len(result["data"]["products"]["edges"]) == 30
    assert result["data"]["products"]["pageInfo"]["hasNextPage"] is False
    assert log.count == 2, "\n".join(log.statements)
    _no_counts_nor_descriptions(log)


async def test_total_count_without_search_is_counted_only_when_asked(
    client: httpx.AsyncClient, database: Database
) -> None:
    token, _ = await _catalogue(database)
    query = "{ products(first: 20) { totalCount pageInfo { hasNextPage } edges { node { sku } } } }"
    with count_statements(database) as log:
        result = await gql(client, query, token=token)
    assert result["data"]["products"]["totalCount"] == 30
    assert result["data"]["products"]["pageInfo"]["hasNextPage"] is True
    # viewer, page, count
    assert log.count == 3, "\n".join(log.statements)
    # On the last page the total is known without a count.
    query = '{ products(first: 20, after: "bzoyMA") { totalCount edges { node { sku } } } }'
    with count_statements(database) as log:
        result = await gql(client, query, token=token)
    assert result["data"]["products"]["totalCount"] == 30 and len(result["data"]["products"]["edges"]) == 10
    assert log.count == 2, "\n".join(log.statements)


async def test_search_of_20_results_is_three_statements_after_the_viewer(
    client: httpx.AsyncClient, database: Database
) -> None:
    token, _ = await _catalogue(database)
    query = """{ products(search: "nitrilhanske", first: 20) { edges { node { id name sku thumbnailUrl
      price(customerNumber: "10001") { amount currency } } } } }"""
    with count_statements(database) as log:
        result = await gql(client, query, token=token)
    edges = result["data"]["products"]["edges"]
    assert len(edges) == 20 and all(e["node"]["thumbnailUrl"] and e["node"]["price"] for e in edges)
    # viewer; search (word lookup, ranked page with its total); the page's products with thumbnails and prices
    assert log.count == 4, "\n".join(log.statements)
    assert not any("description" in s.lower() for s in log.statements[3:]), log.statements[3:]


async def test_one_product_with_its_price_is_one_statement(client: httpx.AsyncClient, database: Database) -> None:
    token, skus = await _catalogue(database)
    query = """query($sku: String!) { product(sku: $sku) { id name sku thumbnailUrl
      price(customerNumber: "10001") { amount currency } } }"""
    with count_statements(database) as log:
        result = await gql(client, query, {"sku": skus[3]}, token=token)
    assert result["data"]["product"]["price"] == {"amount": "50.00", "currency": "NOK"}
    assert log.count == 2, "\n".join(log.statements)
    _no_counts_nor_descriptions(log)


async def test_a_price_for_another_customer_number_is_still_forbidden(
    client: httpx.AsyncClient, database: Database
) -> None:
    token, skus = await _catalogue(database)
    await make_customer(database, "20002")
    query = """query($sku: String!) { product(sku: $sku) { sku mine: price(customerNumber: "10001") { amount }
      theirs: price(customerNumber: "20002") { amount } } }"""
    result = await gql(client, query, {"sku": skus[0]}, token=token)
    assert result["data"]["product"]["mine"] == {"amount": "50.00"}
    assert result["data"]["product"]["theirs"] is None
    assert [e["extensions"]["code"] for e in result["errors"]] == ["FORBIDDEN"]


async def test_the_contract_search_page_by_category(client: httpx.AsyncClient, database: Database) -> None:
    token, _ = await _catalogue(database)
    async with database.transaction() as session:
        hansker = await session.scalar(select(Category.id).where(Category.name == "Hansker"))
    assert hansker is not None
    document = contract_text("storefront-catalog.graphql")
    variables = {"categoryId": encode_id("Category", hansker), "customerNumber": "10001", "first": 20}
    with count_statements(database) as log:
        result = await gql(client, document, variables, token=token, operation_name="SearchProducts")
    products = result["data"]["products"]
    assert products["totalCount"] == 30 and len(products["edges"]) == 20
    assert sorted(f["count"] for f in products["facets"]) == [15, 15]
    # viewer; category tree (the category's path, and the facets' categories); page; facets
    assert log.count == 4, "\n".join(log.statements)

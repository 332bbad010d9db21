"""SearchProducts loads prices, categories and thumbnails in batches: a fixed statement count."""

from __future__ import annotations

import httpx

from app.db import Database
from app.models import Role
from tests.factories import make_category_path, make_customer, make_product, make_user, set_agreement_price, sign_in
from tests.helpers.graphql import gql
from tests.helpers.sql import count_statements

SEARCH = """query($s: String, $c: String, $first: Int) {
  products(search: $s, first: $first) {
    totalCount
    facets { category { id name } count }
    edges { cursor node { id sku name unit packSize manufacturer thumbnailUrl inStock
      category { id name } price(customerNumber: $c) { amount currency } } }
    pageInfo { hasNextPage endCursor }
  }
}"""


async def test_search_products_runs_five_statements(client: httpx.AsyncClient, database: Database) -> None:
    customer = await make_customer(database, "10001")
    token = await sign_in(database, await make_user(database, (customer, Role.PURCHASER)))
    leaves = [
        await make_category_path(database, "Forbruksmateriell", "Hansker", name)
        for name in ("Nitrilhansker", "Vinylhansker", "Sterile hansker")
    ]
    for i in range(120):
        product = await make_product(
            database,
            leaves[i % 3],
            name=f"Nitrilhanske pudderfri variant {i}",
            images=(f"https://bilder.example.no/{i}.jpg",),
        )
        if i % 4 == 0:
            await set_agreement_price(database, customer, product, "50.00")

    with count_statements(database) as log:
        result = await gql(client, SEARCH, {"s": "nitrilhanske", "c": "10001", "first": 100}, token=token)
    assert "errors" not in result, result
    products = result["data"]["products"]
    assert products["totalCount"] == 120 and len(products["edges"]) == 100
    assert all(edge["node"]["thumbnailUrl"] and edge["node"]["category"] for edge in products["edges"])
    assert sorted(f["count"] for f in products["facets"]) == [40, 40, 40]
    prices = {edge["node"]["price"]["amount"] for edge in products["edges"]}
    assert prices == {"50.00", "100.00"}
    # viewer with roles, search (word lookup; ranked page with facets), products with thumbnails, categories and
    # agreement prices, category tree (for the facets)
    assert log.count == 5, "\n".join(log.statements)


async def test_sibling_fields_share_one_category_tree(client: httpx.AsyncClient, database: Database) -> None:
    # Without facets nothing loads the tree first: twenty product.category fields ask at once.
    customer = await make_customer(database, "10001")
    token = await sign_in(database, await make_user(database, (customer, Role.PURCHASER)))
    leaf = await make_category_path(database, "Forbruksmateriell", "Hansker", "Nitrilhansker")
    for i in range(20):
        await make_product(database, leaf, name=f"Nitrilhanske variant {i}")
    query = '{ products(search: "nitrilhanske", first: 20) { edges { node { sku category { name } } } } }'
    with count_statements(database) as log:
        result = await gql(client, query, token=token)
    assert [e["node"]["category"]["name"] for e in result["data"]["products"]["edges"]] == ["Nitrilhansker"] * 20
    # viewer, search (word lookup, ranked page), products with their categories: no tree, no query a product
    assert log.count == 4, "\n".join(log.statements)

    # The same through fragments.
    query = (
        'query { products(search: "nitrilhanske", first: 20) { ...Page } } '
        "fragment Page on ProductConnection { edges { node { ...Item } } } "
        "fragment Item on Product { sku category { name } }"
    )
    with count_statements(database) as log:
        result = await gql(client, query, token=token)
    assert [e["node"]["category"]["name"] for e in result["data"]["products"]["edges"]] == ["Nitrilhansker"] * 20
    assert log.count == 4, "\n".join(log.statements)

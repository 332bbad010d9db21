"""Related objects load in batches: statement counts do not grow with the data."""

from __future__ import annotations

import httpx

from app.db import Database
from app.models import Role
from tests.factories import make_customer, make_user, sign_in
from tests.helpers.graphql import gql
from tests.helpers.sql import count_statements

QUERY = """{ customer(number: "10001") { users(first: 100) { totalCount edges { node {
  id name memberships { role status customer { id number name } } } } } } }"""


async def _statements_for(client: httpx.AsyncClient, database: Database, token: str) -> int:
    with count_statements(database) as log:
        result = await gql(client, QUERY, token=token)
    assert "errors" not in result
    return log.count


async def test_customer_users_runs_a_fixed_number_of_statements(client: httpx.AsyncClient, database: Database) -> None:
    customer = await make_customer(database, "10001")
    others = [await make_customer(database) for _ in range(3)]
    main = await make_user(database, (customer, Role.MAIN_USER), *[(c, Role.MAIN_USER) for c in others])
    token = await sign_in(database, main)
    for _ in range(2):
        await make_user(database, (customer, Role.ASSISTANT), (others[0], Role.PURCHASER))
    few = await _statements_for(client, database, token)
    for _ in range(20):
        await make_user(database, (customer, Role.ASSISTANT), *[(c, Role.PURCHASER) for c in others])
    many = await _statements_for(client, database, token)
    # viewer with its roles, customer, users with their count, memberships, their customers.
    assert few == many == 5


FIND = """query($s: String!) { customers(search: $s, first: 20) {
  totalCount edges { node { number users(first: 3) { totalCount edges { node { name } } pageInfo { hasNextPage } } } } } }"""


async def test_support_customer_search_loads_every_customers_users_at_once(
    client: httpx.AsyncClient, database: Database
) -> None:
    support = await make_user(database, support=True)
    token = await sign_in(database, support)

    async def statements() -> tuple[int, list[dict]]:
        with count_statements(database) as log:
            result = await gql(client, FIND, {"s": "Sykehjem"}, token=token)
        assert "errors" not in result, result
        return log.count, [edge["node"] for edge in result["data"]["customers"]["edges"]]

    customers = [await make_customer(database, f"2000{i}", f"Sykehjem {i}") for i in range(2)]
    for customer in customers:
        await make_user(database, (customer, Role.ASSISTANT))
    few, _ = await statements()
    customers += [await make_customer(database, f"3000{i}", f"Sykehjem {i + 2}") for i in range(6)]
    for i, customer in enumerate(customers):
        for _ in range(i):
            await make_user(database, (customer, Role.PURCHASER))
    many, nodes = await statements()
    by_number = {node["number"]: node["users"] for node in nodes}
    assert by_number["30005"]["totalCount"] == 7 and len(by_number["30005"]["edges"]) == 3
    assert by_number["30005"]["pageInfo"]["hasNextPage"] is True
    assert by_number["30000"]["totalCount"] == 2 and by_number["30000"]["pageInfo"]["hasNextPage"] is False
    # viewer, customer count, customer page, every customer's users at once
    assert few == many == 4

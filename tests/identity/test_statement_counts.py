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
    # viewer with its roles, customer, count, page, memberships, their customers.
    assert few == many == 6

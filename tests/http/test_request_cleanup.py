"""A request gives back its connection, whatever its fields did.

When a non-null field fails, graphql-core abandons its siblings: it cancels
them (an awaited failure) or lets them settle in the background (a failure
raised while the fields are being started). Either way they may still be
using the request's session when the response is ready. These tests run such
requests with many siblings on the database and then check that no
connection stayed checked out, that PostgreSQL has no session "idle in
transaction" on our database, and that a write goes through at once.
"""

from __future__ import annotations

import time

import httpx
from sqlalchemy import text

from app.db import Database
from tests.helpers.graphql import error_codes, gql
from tests.ordering.shop import Shop, create_cart, shop

__all__ = ["shop"]

SIBLINGS = 12


def _siblings() -> str:
    return "\n".join(
        f"o{n}: orders(first: {n % 5 + 1}) {{ totalCount edges {{ node {{ number }} }} }}"
        f" c{n}: carts(status: null) {{ id }} a{n}: deliveryAddresses {{ id }}"
        for n in range(SIBLINGS)
    )


# deliveryDates is [Date!]!: a range over 120 days fails it, and the failure
# nulls the whole customer while the other fields are still reading.
FAILING_QUERY = f"""
query {{
  customer(number: "10001") {{
    {_siblings()}
    bad: deliveryDates(from: "2026-12-01", to: "2027-12-01")
  }}
}}
"""

# The same inside a mutation: its session is a writer's (on SQLite a write
# transaction, BEGIN IMMEDIATE), so a leak there blocks every later write.
FAILING_MUTATION = f"""
mutation {{
  createCart(customerNumber: "10001", name: "Lekk") {{
    cart {{ customer {{
      {_siblings()}
      bad: deliveryDates(from: "2026-12-01", to: "2027-12-01")
    }} }}
  }}
}}
"""


async def _idle_in_transaction(database: Database) -> int:
    async with database.engine.connect() as connection:
        return (
            await connection.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()"
                )
            )
        ).scalar_one()


async def _assert_released(client: httpx.AsyncClient, database: Database, shop: Shop) -> None:
    assert database.engine.pool.checkedout() == 0
    if not database.is_sqlite:
        assert await _idle_in_transaction(database) == 0
    started = time.monotonic()
    await create_cart(client, shop.token("purchaser"), name="Etterpå")
    # SQLite's busy timeout is 10 s: a write queued behind a leaked write lock waits that long and fails.
    assert time.monotonic() - started < 5
    assert database.engine.pool.checkedout() == 0


async def test_a_failing_non_null_field_leaves_no_connection_behind(
    client: httpx.AsyncClient, database: Database, shop: Shop
) -> None:
    for _ in range(3):
        result = await gql(client, FAILING_QUERY, token=shop.token("main"))
        assert result["data"] == {"customer": None}
        assert error_codes(result) == ["INVALID_INPUT"]
    await _assert_released(client, database, shop)


async def test_a_failing_non_null_field_in_a_mutation_leaves_no_connection_behind(
    client: httpx.AsyncClient, database: Database, shop: Shop
) -> None:
    for _ in range(3):
        result = await gql(client, FAILING_MUTATION, token=shop.token("main"))
        assert result["data"]["createCart"]["cart"] is None
        assert error_codes(result) == ["INVALID_INPUT"]
    await _assert_released(client, database, shop)

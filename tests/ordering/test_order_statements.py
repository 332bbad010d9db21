"""submitCart and approveOrder pinned to a fixed number of SQL statements, on both databases.

The numbers differ by dialect: PostgreSQL takes order numbers from a sequence
(SQLite: a counter upsert), publishes cart changes with pg_notify, and gives the
feed position in one statement (SQLite: the counter, then the order's UPDATE).
"""

from __future__ import annotations

import httpx

from app.db import Database
from tests.helpers.graphql import gql
from tests.helpers.sql import count_statements
from tests.ordering.shop import Shop, filled_cart, submit
from tests.ordering.test_approval_api import APPROVE


def _postgres(database: Database) -> bool:
    return database.engine.dialect.name == "postgresql"


async def test_an_assistants_submit_and_the_approval_run_a_fixed_number_of_statements(
    client: httpx.AsyncClient, shop: Shop, database: Database
) -> None:
    cart_id = await filled_cart(client, shop, "assistant")
    with count_statements(database) as log:
        payload = await submit(client, shop, cart_id, "assistant")
    assert payload["errors"] == [], payload
    # viewer, cart (access), cart lock, lines with products, address with schedule, order number
    # (PostgreSQL: nextval; SQLite: the counter), order, 2 sales counts, event, the order lines
    # (one executemany: PostgreSQL one INSERT, SQLite one call), audit, main users,
    # customer/address/placer, webhook subscribers, (PostgreSQL: pg_notify,) outbox
    assert log.count == (17 if _postgres(database) else 16), log.statements
    with count_statements(database) as log:
        result = await gql(client, APPROVE, {"orderId": payload["order"]["id"]}, token=shop.token("purchaser"))
    assert result["data"]["approveOrder"]["errors"] == [], result
    # viewer, order (access), order lock with schedule, approver, order, event, audit,
    # customer/address/placer, lines, webhook subscribers, outbox, feed position (2 on SQLite);
    # approvedBy is the approver as read in the transaction, no statement of its own
    assert log.count == (12 if _postgres(database) else 13), log.statements

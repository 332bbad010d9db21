"""Live carts across two server processes: ``commerce serve --workers 2`` on PostgreSQL.

A change committed by one worker reaches subscribers on both through
PostgreSQL LISTEN/NOTIFY. Which worker takes a WebSocket is the kernel's
choice (the workers share one listening socket), so the test opens
connections until it holds one on each worker, telling them apart by the
``x-served-by`` header (the worker's pid) of the WebSocket handshake; the
spare connections are closed again.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from app.db import Database
from app.ids import encode_id
from tests.conftest import POSTGRES_URL
from tests.factories import World, make_category_path, make_product, make_world
from tests.helpers.server import Server, running_server
from tests.live.helpers import CART_CHANGED, LiveClient, error_codes, open_client
from tests.ordering.shop import ADD_TO_CART, CREATE_CART

pytestmark = [pytest.mark.e2e, pytest.mark.postgres_only]

SET_STATUS = """mutation SetMembershipStatus($userId: ID!, $customerNumber: String!, $status: MembershipStatus!) {
  setMembershipStatus(userId: $userId, customerNumber: $customerNumber, status: $status) { errors { code } }
}"""
MAX_TRIES = 40


@pytest.fixture(scope="module")
def server(postgres_ready: str | None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if postgres_ready is not None:
        pytest.skip(postgres_ready)
    with running_server(tmp_path_factory.mktemp("live"), "--workers", "2", database_url=POSTGRES_URL) as running:
        yield running


@pytest.fixture
async def world(pg_database: Database) -> World:
    world = await make_world(pg_database)
    category = await make_category_path(pg_database, "Forbruksmateriell", "Hansker")
    await make_product(pg_database, category, sku="NH-100", name="Nitrilhanske pudderfri M", price="100.00")
    return world


async def call(http: httpx.AsyncClient, query: str, variables: dict[str, object], token: str) -> dict[str, object]:
    response = await http.post(
        "/graphql", json={"query": query, "variables": variables}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert "errors" not in result, result
    (payload,) = result["data"].values()
    assert payload["errors"] == [], payload
    return payload


@contextlib.asynccontextmanager
async def one_per_worker(url: str, tokens: tuple[str, str]) -> AsyncIterator[tuple[LiveClient, LiveClient]]:
    """Two initialised clients on two different workers (the first with tokens[0])."""
    async with contextlib.AsyncExitStack() as stack:
        first = await stack.enter_async_context(open_client(url, tokens[0]))
        for _ in range(MAX_TRIES):
            spare = contextlib.AsyncExitStack()
            second = await spare.enter_async_context(open_client(url, tokens[1]))
            if second.served_by != first.served_by:
                stack.push_async_exit(spare)
                yield first, second
                return
            await spare.aclose()
        pytest.fail(f"{MAX_TRIES} connections all landed on worker {first.served_by}")


async def test_a_change_on_one_worker_reaches_the_other_and_reach_is_enforced(server: Server, world: World) -> None:
    ws_url = server.base_url.replace("http://", "ws://") + "/graphql"
    async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as http:
        created = await call(http, CREATE_CART, {"customerNumber": "10001", "name": "Dagskiftet"}, world.token("main"))
        cart_id = created["cart"]["id"]  # type: ignore[index]

        async with one_per_worker(ws_url, (world.token("assistant"), world.token("purchaser"))) as (day, evening):
            assert day.served_by != evening.served_by
            for client in (day, evening):
                await client.subscribe("cart", CART_CHANGED, {"cartId": cart_id})
                assert (await client.next_data("cart"))["cartChanged"]["version"] == 1

            # One HTTP change, served by either worker: both subscribers, one of them on the other worker, see it.
            lines = [{"sku": "NH-100", "quantity": 3}]
            await call(
                http, ADD_TO_CART, {"cartId": cart_id, "lines": lines, "expectedVersion": 1}, world.token("main")
            )
            for client in (day, evening):
                cart = (await client.next_data("cart"))["cartChanged"]
                assert cart["version"] == 2 and cart["updatedBy"] == {"name": "Mari Main"}
                assert [(line["product"]["sku"], line["quantity"]) for line in cart["lines"]] == [("NH-100", 3)]

            # Another customer's user is refused on both workers, as if the cart did not exist.
            async with one_per_worker(ws_url, (world.token("other_main"), world.token("other_main"))) as strangers:
                for stranger in strangers:
                    await stranger.subscribe("x", CART_CHANGED, {"cartId": cart_id})
                    assert error_codes(await stranger.receive()) == ["NOT_FOUND"]

            # Deactivating the purchaser's only membership ends the evening stream at once, without a cart change.
            variables = {
                "userId": encode_id("User", world.purchaser.id),
                "customerNumber": "10001",
                "status": "INACTIVE",
            }
            await call(http, SET_STATUS, variables, world.token("main"))
            ended = await evening.receive()
            assert ended["id"] == "cart" and error_codes(ended) == ["UNAUTHENTICATED"]

            # The day shift's stream goes on.
            await call(
                http, ADD_TO_CART, {"cartId": cart_id, "lines": lines, "expectedVersion": 2}, world.token("main")
            )
            cart = (await day.next_data("cart"))["cartChanged"]
            assert cart["version"] == 3 and cart["lines"][0]["quantity"] == 6

"""Input hygiene at the edge: strings, ids and dates a client can send never become INTERNAL."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from app import settings as limits
from app.db import Database
from app.ids import encode_id
from app.models import AccountRequest, Cart, Order, Role, User
from tests.factories import PASSWORD, make_customer, make_user
from tests.helpers.db import count, scalar
from tests.helpers.graphql import error_codes, gql
from tests.ordering.shop import FIRST_DATE, NOW, Shop, filled_cart, submit
from tests.ordering.shop import shop as shop  # noqa: F401  (fixture)

LOGIN = """mutation Login($email: String!, $password: String!) {
  login(email: $email, password: $password) { token errors { code field message } }
}"""
REQUEST_ACCOUNT = """mutation RequestAccount($input: AccountRequestInput!) {
  requestAccount(input: $input) { ok errors { code field message } }
}"""

BAD_STRINGS = {
    "nul": "abc\x00def",
    "lone surrogate": "abc\ud800def",
    "low surrogate": "\udfff",
}


async def _send(
    client: httpx.AsyncClient, query: str, variables: Any = None, expect_status: int = 400
) -> dict[str, Any]:
    """POSTs JSON with ASCII escapes, as a client would send a lone surrogate ("\\ud800")."""
    body = json.dumps({"query": query, "variables": variables})
    response = await client.post("/graphql", content=body.encode(), headers={"content-type": "application/json"})
    assert response.status_code == expect_status, response.text
    return response.json()


def _refused(result: dict[str, Any]) -> None:
    assert error_codes(result) == ["INVALID_INPUT"], result
    assert result.get("data") is None


@pytest.mark.parametrize("bad", BAD_STRINGS.values(), ids=BAD_STRINGS.keys())
async def test_bad_strings_in_variables_are_refused_before_login_counts(
    client: httpx.AsyncClient, database: Database, bad: str
) -> None:
    customer = await make_customer(database)
    await make_user(database, (customer, Role.ASSISTANT), email="nurse@example.test")
    for _ in range(5):
        _refused(await _send(client, LOGIN, {"email": "nurse@example.test", "password": bad}))
        _refused(await _send(client, LOGIN, {"email": f"nurse{bad}@example.test", "password": "x"}))
    # Nothing was counted: no half-locked account, the right password still works.
    assert await scalar(database, select(User.failed_logins).where(User.email_key == "nurse@example.test")) == 0
    result = await gql(client, LOGIN, {"email": "nurse@example.test", "password": PASSWORD})
    assert result["data"]["login"]["errors"] == [] and result["data"]["login"]["token"]


@pytest.mark.parametrize("bad", BAD_STRINGS.values(), ids=BAD_STRINGS.keys())
async def test_bad_strings_in_literals_and_keys_are_refused(client: httpx.AsyncClient, bad: str) -> None:
    # In a literal: the parser turns \\u0000 (and a JSON-escaped surrogate) into the character itself.
    escaped = bad.encode("utf-16", "surrogatepass").decode("utf-16", "surrogatepass")
    literal = 'mutation { login(email: "a@example.test", password: "' + escaped + '") { token } }'
    assert error_codes(await _send(client, literal))[0] in ("INVALID_INPUT", "GRAPHQL_PARSE_FAILED")
    # As a key of a variable's object (an input type's unknown field, echoed in the error otherwise).
    variables = {"input": {"email": "a@example.test", f"name{bad}": "x"}}
    _refused(await _send(client, REQUEST_ACCOUNT, variables))
    _refused(await _send(client, REQUEST_ACCOUNT, {f"x{bad}": 1}))


async def test_nul_escape_in_a_literal_is_invalid_input(client: httpx.AsyncClient, database: Database) -> None:
    query = 'mutation { login(email: "a@example.test", password: "abc\\u0000") { token } }'
    result = await gql(client, query, expect_status=400)
    assert error_codes(result) == ["INVALID_INPUT"]
    assert "NUL" in result["errors"][0]["message"]


async def test_the_string_variable_limit_is_enforced(client: httpx.AsyncClient, database: Database) -> None:
    too_long = "x" * (limits.MAX_STRING_VARIABLE_CHARS + 1)
    variables = {"input": {"email": "a@example.test", "name": "Ola", "companyName": too_long, "phone": "1"}}
    result = await gql(client, REQUEST_ACCOUNT, variables, expect_status=400)
    _refused(result)
    assert f"{limits.MAX_STRING_VARIABLE_CHARS:,}" in result["errors"][0]["message"]
    assert await count(database, AccountRequest) == 0
    literal = '{ customer(number: "' + too_long + '") { id } }'
    assert error_codes(await gql(client, literal, expect_status=400)) == ["INVALID_INPUT"]


def _raw_id(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


BAD_IDS = {
    "arabic-indic digits": _raw_id("Order:\u0661\u0662"),
    "fullwidth digits": _raw_id("Order:\uff11"),
    "past int32": _raw_id(f"Order:{2**31}"),
    "past int64": _raw_id(f"Order:{2**63}"),
    "eighteen digits": _raw_id("Order:999999999999999999"),
    "negative": _raw_id("Order:-1"),
    "zero": _raw_id("Order:0"),
    "leading zero": _raw_id("Order:01"),
    "padded": _raw_id("Order:1") + "==",
    "another type": encode_id("Cart", 1),
    "garbage": "!!!not-base64\u00e6",
    "empty": "",
    "nul": "T3JkZXI6MQ\x00",
}


@pytest.mark.parametrize("bad_id", BAD_IDS.values(), ids=BAD_IDS.keys())
async def test_ids_that_decode_to_no_key_are_not_found(
    client: httpx.AsyncClient, database: Database, shop: Shop, bad_id: str
) -> None:
    token = shop.token("purchaser")
    order = await gql(
        client, "query Q($id: ID!) { order(id: $id) { id } }", {"id": bad_id}, token=token, expect_status=None
    )
    if "errors" in order:
        assert error_codes(order) == ["INVALID_INPUT"]  # a NUL is refused at the edge
    else:
        assert order == {"data": {"order": None}}
    approve = await gql(
        client,
        "mutation A($id: ID!) { approveOrder(orderId: $id) { order { id } errors { code field } } }",
        {"id": bad_id},
        token=token,
        expect_status=None,
    )
    if "errors" in approve:
        assert error_codes(approve) == ["INVALID_INPUT"]
    else:
        assert approve["data"]["approveOrder"]["errors"] == [{"code": "NOT_FOUND", "field": "orderId"}]
    cart = await gql(
        client,
        "mutation D($id: ID!) { deleteCart(cartId: $id) { errors { code field } } }",
        {"id": bad_id.replace(_raw_id("Order:"), _raw_id("Cart:"))},
        token=token,
        expect_status=None,
    )
    assert "INTERNAL" not in error_codes(cart)
    if "errors" not in cart:
        assert cart["data"]["deleteCart"]["errors"][0]["code"] == "NOT_FOUND"


@pytest.mark.parametrize(
    "cursor", [_raw_id("feed:" + "9" * 19), _raw_id("feed:\u0661"), _raw_id("[99999999999999999999]")]
)
async def test_cursors_past_the_columns_range_are_invalid_input(
    client: httpx.AsyncClient, database: Database, shop: Shop, cursor: str
) -> None:
    from tests.erp.helpers import make_key

    key = await make_key(database, "orders:read")
    feed = await gql(
        client, "query F($a: String) { orderFeed(after: $a) { edges { cursor } } }", {"a": cursor}, token=key
    )
    assert error_codes(feed) == ["INVALID_INPUT"]
    orders = await gql(
        client,
        'query O($a: String) { customer(number: "10001") { orders(after: $a) { edges { cursor } } } }',
        {"a": cursor},
        token=shop.token("purchaser"),
    )
    assert error_codes(orders) == ["INVALID_INPUT"]


@pytest.mark.parametrize(
    "value",
    ["9999-12-31", "0001-01-01", "1999-12-31", "2101-01-01", "+20000-01-01", "2026-02-30", "2026-13-01", "x" * 100],
)
async def test_dates_outside_a_sane_range_are_invalid_input(
    client: httpx.AsyncClient, database: Database, shop: Shop, value: str
) -> None:
    query = 'query D($from: Date!, $to: Date!) { customer(number: "10001") { deliveryDates(from: $from, to: $to) } }'
    result = await gql(client, query, {"from": value, "to": value}, token=shop.token("purchaser"), expect_status=400)
    assert error_codes(result) == ["INVALID_INPUT", "INVALID_INPUT"]
    literal = f'{{ customer(number: "10001") {{ deliveryDates(from: "{value}", to: "{value}") }} }}'
    result = await gql(client, literal, token=shop.token("purchaser"), expect_status=400)
    assert set(error_codes(result)) == {"INVALID_INPUT"}, result


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "2026-12-01T10:00:00"])
async def test_datetimes_outside_a_sane_range_or_without_offset_are_invalid_input(
    client: httpx.AsyncClient, database: Database, shop: Shop, value: str
) -> None:
    from tests.erp.helpers import make_key

    key = await make_key(database, "orders:write")
    query = """mutation U($input: OrderStatusInput!) { updateOrderStatus(input: $input) { errors { code } } }"""
    variables = {"input": {"orderNumber": "1", "status": "DELIVERED", "deliveredAt": value}}
    result = await gql(client, query, variables, token=key, expect_status=None)
    assert error_codes(result) == ["INVALID_INPUT"], result


async def test_delivery_dates_at_most_a_year_ahead(client: httpx.AsyncClient, database: Database, shop: Shop) -> None:
    cart_id = await filled_cart(client, shop)
    for far in (FIRST_DATE.replace(year=2099), FIRST_DATE + timedelta(days=400)):
        payload = await submit(client, shop, cart_id, day=far)
        assert [e["code"] for e in payload["errors"]] == ["INVALID_DELIVERY_DATE"], payload
        assert "365 days ahead" in payload["errors"][0]["message"]
    assert await count(database, Order) == 0
    assert await count(database, Cart) == 1
    # The list of dates stops at the horizon too.
    start = NOW.date() + timedelta(days=300)
    query = 'query D($from: Date!, $to: Date!) { customer(number: "10001") { deliveryDates(from: $from, to: $to) } }'
    listed = await gql(
        client,
        query,
        {"from": start.isoformat(), "to": (start + timedelta(days=100)).isoformat()},
        token=shop.token("purchaser"),
    )
    dates = listed["data"]["customer"]["deliveryDates"]
    assert dates and max(dates) <= (NOW.date() + timedelta(days=365)).isoformat()
    assert (await submit(client, shop, cart_id))["errors"] == []


async def test_an_id_with_other_digits_is_no_alias_of_a_real_one(
    client: httpx.AsyncClient, database: Database, shop: Shop
) -> None:
    order = (await submit(client, shop, await filled_cart(client, shop)))["order"]
    pk = str(await scalar(database, select(Order.id)))
    assert order["id"] == encode_id("Order", int(pk))
    query = "query Q($id: ID!) { order(id: $id) { id } }"
    token = shop.token("purchaser")
    assert (await gql(client, query, {"id": order["id"]}, token=token))["data"]["order"] == {"id": order["id"]}
    for digits in (
        "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669",
        "\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19",
    ):
        other = "".join(digits[int(d)] for d in pk)
        for alias in (_raw_id(f"Order:{other}"), _raw_id(f"Order:0{pk}"), _raw_id(f"Order:{pk}") + "="):
            assert (await gql(client, query, {"id": alias}, token=token)) == {"data": {"order": None}}

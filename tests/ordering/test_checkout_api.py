"""submitCart: who makes which order, the delivery rules, and what is refused without a trace."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import select

from app import clock
from app.db import Database
from app.models import AuditEntry, Cart, CartLine, CartStatus, Order, OrderLine, Product
from tests.helpers.db import count, outbox, rows
from tests.helpers.graphql import gql
from tests.ordering.shop import (
    FIRST_DATE,
    SECOND_DATE,
    SUBTOTAL,
    Shop,
    create_cart,
    filled_cart,
    set_schedule,
    submit,
)

DELIVERY_OPTIONS = """
query DeliveryOptions($customerNumber: String!, $from: Date!, $to: Date!) {
  customer(number: $customerNumber) {
    id
    deliveryAddresses { id label line1 line2 postalCode city isDefault }
    deliveryDates(from: $from, to: $to)
  }
}
"""


async def nothing_ordered(database: Database, cart_state: CartStatus = CartStatus.OPEN) -> None:
    assert await count(database, Order) == 0
    assert await count(database, OrderLine) == 0
    assert [status for (status,) in await rows(database, select(Cart.status))] == [cart_state]
    assert await outbox(database) == []


async def test_a_purchaser_submits_and_gets_a_confirmation(
    client: httpx.AsyncClient, shop: Shop, database: Database
) -> None:
    cart_id = await filled_cart(client, shop, "purchaser")
    payload = await submit(client, shop, cart_id, "purchaser", reference="PO-4711", comment="Levering til varemottak")
    assert payload["errors"] == []
    order = payload["order"]
    assert order["status"] == "SUBMITTED"
    assert order["deliveryDate"] == FIRST_DATE.isoformat()
    vat = (SUBTOTAL * Decimal("0.25")).quantize(Decimal("0.01"))
    assert order["total"] == {"amount": str(SUBTOTAL + vat), "currency": "NOK"}
    assert order["number"] == "1000001"

    [(status,)] = await rows(database, select(Cart.status))
    assert status is CartStatus.SUBMITTED
    mails = await outbox(database)
    assert [(m.template, m.to_address) for m in mails] == [("order_confirmation", "purchaser@example.test")]
    assert "1000001" in mails[0].subject and "PO-4711" in mails[0].text_body
    [(action,)] = await rows(database, select(AuditEntry.action).where(AuditEntry.action.like("order.%")))
    assert action == "order.submitted"


async def test_an_assistants_order_waits_and_every_active_main_user_is_told(
    client: httpx.AsyncClient, shop: Shop, database: Database
) -> None:
    from app.models import MembershipStatus, Role
    from tests.factories import make_user

    second_main = await make_user(
        database, (shop.customer, Role.MAIN_USER), email="main2@example.test", name="Mons Main"
    )
    await make_user(
        database, (shop.customer, Role.MAIN_USER, MembershipStatus.INACTIVE), email="gone@example.test", name="Gone"
    )
    cart_id = await filled_cart(client, shop, "assistant")
    payload = await submit(client, shop, cart_id, "assistant")
    assert payload["errors"] == []
    assert payload["order"]["status"] == "PENDING_APPROVAL"
    mails = await outbox(database)
    assert sorted((m.template, m.to_address) for m in mails) == [
        ("order_awaiting_approval", "main2@example.test"),
        ("order_awaiting_approval", "main@example.test"),
    ]
    assert all("Anne Assistant" in m.text_body for m in mails)
    assert second_main.email == "main2@example.test"


async def test_order_numbers_increase(client: httpx.AsyncClient, shop: Shop) -> None:
    numbers = []
    for who in ("purchaser", "main", "assistant"):
        payload = await submit(client, shop, await filled_cart(client, shop, who), who)
        numbers.append(int(payload["order"]["number"]))
    assert numbers == sorted(numbers) and len(set(numbers)) == 3


async def test_the_order_keeps_its_snapshot_when_the_catalogue_changes(
    client: httpx.AsyncClient, shop: Shop, database: Database
) -> None:
    payload = await submit(client, shop, await filled_cart(client, shop))
    async with database.transaction() as session:
        gloves = await session.get_one(Product, shop.gloves.id)
        gloves.name = "Nytt navn"
        gloves.list_price = Decimal("999.00")
    lines = await rows(
        database,
        select(OrderLine.sku, OrderLine.product_name, OrderLine.unit_price, OrderLine.quantity).order_by(
            OrderLine.position
        ),
    )
    assert [tuple(line) for line in lines] == [
        ("NH-100", "Nitrilhanske pudderfri M", Decimal("80.00"), 3),
        ("KO-200", "Kompress 10x10 cm steril", Decimal("12.34"), 10),
    ]
    assert payload["order"]["total"]["amount"] == "454.25"


@pytest.mark.parametrize(
    ("case", "code", "field"),
    [
        ("other customer's address", "INVALID_DELIVERY_ADDRESS", "input.deliveryAddressId"),
        ("garbage address id", "INVALID_DELIVERY_ADDRESS", "input.deliveryAddressId"),
        ("a Saturday", "INVALID_DELIVERY_DATE", "input.deliveryDate"),
        ("past its cut-off", "INVALID_DELIVERY_DATE", "input.deliveryDate"),
        ("a public holiday", "INVALID_DELIVERY_DATE", "input.deliveryDate"),
        ("a closed date", "INVALID_DELIVERY_DATE", "input.deliveryDate"),
        ("a date in the past", "INVALID_DELIVERY_DATE", "input.deliveryDate"),
        ("a huge reference", "INVALID_INPUT", "input.reference"),
        ("a stale version", "CONFLICT", "expectedVersion"),
    ],
)
async def test_refused_submits_change_nothing(
    client: httpx.AsyncClient, shop: Shop, database: Database, case: str, code: str, field: str
) -> None:
    await set_schedule(database, shop.customer, closed_dates=["2026-12-04"])
    cart_id = await filled_cart(client, shop)
    extra: dict = {}
    day = FIRST_DATE
    if case == "other customer's address":
        extra["address"] = shop.other_address
    elif case == "garbage address id":
        extra["address"] = "not-an-id"
    elif case == "a Saturday":
        day = date(2026, 12, 5)
    elif case == "past its cut-off":
        clock.set_now(datetime(2026, 12, 1, 13, 0, tzinfo=UTC))  # 14:00 in Oslo: the cut-off for 2 December
    elif case == "a public holiday":
        day = date(2026, 12, 25)
    elif case == "a closed date":
        day = date(2026, 12, 4)
    elif case == "a date in the past":
        day = date(2026, 11, 30)
    elif case == "a huge reference":
        extra["reference"] = "x" * 5_000
    elif case == "a stale version":
        extra["expectedVersion"] = 1
    payload = await submit(client, shop, cart_id, "purchaser", day, **extra)
    assert (code, field) in [(e["code"], e["field"]) for e in payload["errors"]], payload
    assert payload["order"] is None
    await nothing_ordered(database)


async def test_an_empty_cart_is_not_sent(client: httpx.AsyncClient, shop: Shop, database: Database) -> None:
    cart_id = await create_cart(client, shop.token("purchaser"))
    payload = await submit(client, shop, cart_id)
    assert [e["code"] for e in payload["errors"]] == ["EMPTY_CART"]
    await nothing_ordered(database)


async def test_a_sent_cart_cannot_be_sent_again(client: httpx.AsyncClient, shop: Shop, database: Database) -> None:
    cart_id = await filled_cart(client, shop)
    assert (await submit(client, shop, cart_id))["errors"] == []
    again = await submit(client, shop, cart_id, day=SECOND_DATE)
    assert [(e["code"], e["field"]) for e in again["errors"]] == [("INVALID_STATE", "cartId")]
    assert await count(database, Order) == 1
    assert len(await outbox(database)) == 1


async def test_a_sent_cart_is_closed_to_every_change(client: httpx.AsyncClient, shop: Shop, database: Database) -> None:
    cart_id = await filled_cart(client, shop)
    assert (await submit(client, shop, cart_id))["errors"] == []
    line_id = (
        await gql(
            client, "query($id: ID!) { cart(id: $id) { lines { id } } }", {"id": cart_id}, token=shop.token("main")
        )
    )["data"]["cart"]["lines"][0]["id"]
    changes = {
        "addToCart": (
            'mutation($c: ID!) { addToCart(cartId: $c, lines: [{sku: "NH-100", quantity: 1}]) { errors { code field } } }',
            {},
        ),
        "updateCartLine": (
            "mutation($c: ID!, $l: ID!) { updateCartLine(cartId: $c, lineId: $l, quantity: 9) { errors { code field } } }",
            {"l": line_id},
        ),
        "renameCart": ('mutation($c: ID!) { renameCart(cartId: $c, name: "Ny") { errors { code } } }', {}),
        "deleteCart": ("mutation($c: ID!) { deleteCart(cartId: $c) { ok errors { code } } }", {}),
    }
    for name, (document, extra) in changes.items():
        result = await gql(client, document, {"c": cart_id, **extra}, token=shop.token("purchaser"))
        assert [e["code"] for e in result["data"][name]["errors"]] == ["INVALID_STATE"], name
    lines = await rows(database, select(CartLine.quantity).order_by(CartLine.id))
    assert [q for (q,) in lines] == [3, 10]
    [(status, version)] = await rows(database, select(Cart.status, Cart.version))
    assert (status, version) == (CartStatus.SUBMITTED, 3)  # created 1, lines added 2, sent 3


async def test_a_product_retired_after_it_was_added_stops_the_submit(
    client: httpx.AsyncClient, shop: Shop, database: Database
) -> None:
    cart_id = await filled_cart(client, shop)
    async with database.transaction() as session:
        (await session.get_one(Product, shop.compress.id)).active = False
    payload = await submit(client, shop, cart_id)
    assert [e["code"] for e in payload["errors"]] == ["PRODUCT_UNAVAILABLE"]
    assert "KO-200" in payload["errors"][0]["message"]
    await nothing_ordered(database)


async def test_delivery_options_list_addresses_and_the_agreed_dates(client: httpx.AsyncClient, shop: Shop) -> None:
    result = await gql(
        client,
        DELIVERY_OPTIONS,
        {"customerNumber": "10001", "from": "2026-12-01", "to": "2026-12-31"},
        token=shop.token("assistant"),
    )
    customer = result["data"]["customer"]
    assert [a["id"] for a in customer["deliveryAddresses"]] == [shop.address]
    assert customer["deliveryAddresses"][0]["isDefault"] is True
    dates = customer["deliveryDates"]
    # 1 December is past its cut-off (the day before); weekends and 24-26 December... only 25/26 are holidays.
    assert dates[0] == "2026-12-02"
    assert "2026-12-05" not in dates and "2026-12-06" not in dates
    assert "2026-12-25" not in dates and "2026-12-24" in dates
    assert len(dates) == 21


async def test_a_range_over_120_days_is_invalid_input(client: httpx.AsyncClient, shop: Shop) -> None:
    result = await gql(
        client,
        DELIVERY_OPTIONS,
        {"customerNumber": "10001", "from": "2026-12-01", "to": "2027-04-01"},
        token=shop.token("main"),
    )
    assert [e["extensions"]["code"] for e in result["errors"]] == ["INVALID_INPUT"]


async def test_a_malformed_date_is_refused_by_graphql(client: httpx.AsyncClient, shop: Shop) -> None:
    result = await gql(
        client,
        DELIVERY_OPTIONS,
        {"customerNumber": "10001", "from": "2026-13-01", "to": "2026-12-31"},
        token=shop.token("main"),
        expect_status=None,
    )
    assert result.get("data") is None and result["errors"]


async def test_without_an_active_main_user_the_purchasers_are_told(
    client: httpx.AsyncClient, shop: Shop, database: Database
) -> None:
    from sqlalchemy import update

    from app.models import Membership, MembershipStatus

    async with database.transaction() as session:
        await session.execute(
            update(Membership).where(Membership.user_id == shop.world.main.id).values(status=MembershipStatus.INACTIVE)
        )
    payload = await submit(client, shop, await filled_cart(client, shop, "assistant"), "assistant")
    assert payload["order"]["status"] == "PENDING_APPROVAL"
    assert [(m.template, m.to_address) for m in await outbox(database)] == [
        ("order_awaiting_approval", "purchaser@example.test")
    ]

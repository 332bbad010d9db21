"""Walk the whole graph as every kind of viewer: no other tenant's data, nothing out of scope, on any path.

The queries are built from the schema itself (graphql-core's type objects):
from each entry point (``me``, ``order``, ``cart``, ``customer``,
``orderFeed`` and the ERP's ``updateOrderStatus`` payload) every field whose
arguments can be filled, object fields followed to a bounded depth. A field
added to the schema tomorrow is walked without touching this test.

Two customer numbers are seeded with distinctive markers in their data (cart
names, order references, address labels, a user's name). Each viewer has the
markers it must never see; the answer, errors included, is searched for them.
Each viewer also has markers it must see, so a walk that reaches nothing
cannot pass.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from graphql import GraphQLNonNull, GraphQLObjectType, GraphQLSchema, get_named_type

from app import settings
from app.db import Database
from app.ids import decode_id
from app.models import DeliveryAddress, Role, User
from app.schema.schema import schema as strawberry_schema
from tests.erp.helpers import make_key
from tests.factories import make_user, sign_in
from tests.helpers.graphql import error_codes, gql
from tests.ordering.shop import FIRST_DATE, Shop, add_address, shop

__all__ = ["shop"]

SCHEMA: GraphQLSchema = strawberry_schema._schema
DEPTH = 6  # object levels below the entry field: me > memberships > customer > orders > edges > node
SHORT = 4  # from an order, cart or customer: order > customer > carts > createdBy, without re-walking everything
# The shared catalogue holds no tenant's data: its types are read, not walked further.
CATALOGUE = {"Product", "Category"}

# Markers per tenant A (10001) and B (10002), by what they are.
KINDS = ("CART", "PENDING", "SUBMITTED", "ADDR", "SPARE", "USER")


def marker(tenant: str, kind: str) -> str:
    return f"{tenant * 2}MARK{kind}"


def markers(*tenants: str, kinds: tuple[str, ...] = KINDS) -> set[str]:
    return {marker(t, k) for t in tenants for k in kinds}


@pytest.fixture(autouse=True)
def _exhaustive_documents_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The walk asks for every field at once, far past the query cost limit a client
    lives under (tests/http/test_query_cost.py pins that limit); here only reach is tested."""
    monkeypatch.setattr(settings, "MAX_QUERY_COST", 100_000_000)


# --- queries from the schema --------------------------------------------------------------------

DATE_FROM, DATE_TO = FIRST_DATE.isoformat(), (FIRST_DATE + timedelta(days=30)).isoformat()


def _arguments(field_args: dict[str, Any]) -> str | None:
    """Arguments for a field, or None when a required one cannot be filled."""
    given = []
    for name, arg in field_args.items():
        if name == "from":
            given.append(f'from: "{DATE_FROM}"')
        elif name == "to":
            given.append(f'to: "{DATE_TO}"')
        elif name == "status" and not isinstance(arg.type, GraphQLNonNull):
            given.append("status: null")  # every status, not only the default one
        elif isinstance(arg.type, GraphQLNonNull) and arg.default_value is None:
            return None
    return f"({', '.join(given)})" if given else ""


def selection(type_: GraphQLObjectType, depth: int) -> str:
    parts = []
    for name, field in type_.fields.items():
        arguments = _arguments(field.args)
        if arguments is None:
            continue
        inner = get_named_type(field.type)
        if isinstance(inner, GraphQLObjectType):
            if depth == 0:
                continue
            below = 0 if inner.name in CATALOGUE else depth - 1
            parts.append(f"{name}{arguments} {{ {selection(inner, below)} }}")
        else:
            parts.append(f"{name}{arguments}")
    return " ".join(parts) or "__typename"


def _walk(field_type: Any, depth: int = DEPTH) -> str:
    return selection(get_named_type(field_type), depth)


def _root(name: str) -> Any:
    return SCHEMA.query_type.fields[name].type  # type: ignore[union-attr]


ME = f"query {{ me {{ {_walk(_root('me'))} }} }}"
ORDER = f"query($id: ID!) {{ order(id: $id) {{ {_walk(_root('order'), SHORT)} }} }}"
CART = f"query($id: ID!) {{ cart(id: $id) {{ {_walk(_root('cart'), SHORT)} }} }}"
CUSTOMER = f"query($n: String!) {{ customer(number: $n) {{ {_walk(_root('customer'), SHORT)} }} }}"
FEED = f"query {{ orderFeed(first: 100) {{ {_walk(_root('orderFeed'))} }} }}"
UPDATE_STATUS = (
    "mutation($n: String!) { updateOrderStatus(input: {orderNumber: $n, status: IN_PROGRESS}) { "
    f"{_walk(SCHEMA.mutation_type.fields['updateOrderStatus'].type)} }} }}"  # type: ignore[union-attr]
)


def test_the_walk_covers_every_type_reachable_from_the_entry_points() -> None:
    """The generated documents name every object type reachable within DEPTH, the customer's data among them."""
    reached: set[str] = set()

    def visit(type_: GraphQLObjectType, depth: int) -> None:
        reached.add(type_.name)
        for field in type_.fields.values():
            inner = get_named_type(field.type)
            if isinstance(inner, GraphQLObjectType) and depth > 0 and _arguments(field.args) is not None:
                visit(inner, 0 if inner.name in CATALOGUE else depth - 1)

    for root, depth in (("me", DEPTH), ("order", SHORT), ("cart", SHORT), ("customer", SHORT), ("orderFeed", DEPTH)):
        visit(get_named_type(_root(root)), depth)
    assert {"User", "Membership", "Customer", "Cart", "CartLine", "Order", "OrderLine", "OrderEvent"} <= reached
    assert {"DeliveryAddress", "Shipment", "Product", "UserConnection", "OrderConnection"} <= reached
    assert "deliveryDates(from:" in CUSTOMER and "carts(status: null)" in ME


# --- the two tenants ---------------------------------------------------------------------------------


@dataclass
class Tenants:
    orders: dict[str, str]  # marker -> order id
    numbers: dict[str, str]  # marker -> order number
    carts: dict[str, str]  # marker -> cart id
    keys: dict[str, str]  # scope name -> API key


async def _order(client: httpx.AsyncClient, token: str, number: str, address: str, reference: str) -> dict[str, Any]:
    cart = await gql(
        client,
        'mutation($n: String!) { createCart(customerNumber: $n, name: "x") { cart { id } errors { code } } }',
        {"n": number},
        token=token,
    )
    cart_id = cart["data"]["createCart"]["cart"]["id"]
    added = await gql(
        client,
        'mutation($c: ID!) { addToCart(cartId: $c, lines: [{sku: "NH-100", quantity: 2}]) { errors { code } } }',
        {"c": cart_id},
        token=token,
    )
    assert added["data"]["addToCart"]["errors"] == []
    submitted = await gql(
        client,
        """mutation($c: ID!, $i: SubmitCartInput!) { submitCart(cartId: $c, input: $i) {
          order { id number status } errors { code message } } }""",
        {
            "c": cart_id,
            "i": {"deliveryAddressId": address, "deliveryDate": FIRST_DATE.isoformat(), "reference": reference},
        },
        token=token,
    )
    payload = submitted["data"]["submitCart"]
    assert payload["errors"] == [], payload
    return payload["order"]


async def _cart(client: httpx.AsyncClient, token: str, number: str, name: str) -> str:
    result = await gql(
        client,
        "mutation($n: String!, $name: String) { createCart(customerNumber: $n, name: $name) { cart { id } } }",
        {"n": number, "name": name},
        token=token,
    )
    return result["data"]["createCart"]["cart"]["id"]


@pytest.fixture
async def tenants(client: httpx.AsyncClient, database: Database, shop: Shop) -> Tenants:
    world = shop.world
    # B gets a purchaser of its own; the "inactive" user is B's active assistant (and inactive on A).
    b_purchaser = await make_user(database, (world.other_customer, Role.PURCHASER))
    b_purchaser_token = await sign_in(database, b_purchaser)
    async with database.transaction() as session:
        for user, tenant in ((world.main, "A"), (world.other_main, "B")):
            row = await session.get(User, user.id)
            assert row is not None
            row.name = f"Hoved {marker(tenant, 'USER')}"
        for address_id, tenant in ((shop.address, "A"), (shop.other_address, "B")):
            row = await session.get(DeliveryAddress, decode_id("DeliveryAddress", address_id))
            assert row is not None
            row.label = f"Avdeling {marker(tenant, 'ADDR')}"
    await add_address(database, world.customer, "A-2", f"Lager {marker('A', 'SPARE')}")
    await add_address(database, world.other_customer, "B-2", f"Lager {marker('B', 'SPARE')}")

    orders: dict[str, str] = {}
    numbers: dict[str, str] = {}
    plan = (
        ("A", "SUBMITTED", shop.token("purchaser"), "10001", shop.address),
        ("A", "PENDING", shop.token("assistant"), "10001", shop.address),
        ("B", "SUBMITTED", b_purchaser_token, "10002", shop.other_address),
        ("B", "PENDING", shop.token("inactive"), "10002", shop.other_address),
    )
    for tenant, kind, token, number, address in plan:
        order = await _order(client, token, number, address, f"Ref {marker(tenant, kind)}")
        expected = "SUBMITTED" if kind == "SUBMITTED" else "PENDING_APPROVAL"
        assert order["status"] == expected
        orders[marker(tenant, kind)] = order["id"]
        numbers[marker(tenant, kind)] = order["number"]
    carts = {
        marker("A", "CART"): await _cart(client, shop.token("main"), "10001", f"Kurv {marker('A', 'CART')}"),
        marker("B", "CART"): await _cart(client, shop.token("other_main"), "10002", f"Kurv {marker('B', 'CART')}"),
    }
    keys = {
        "orders_read": await make_key(database, "orders:read", name="erp-read"),
        "orders_write": await make_key(database, "orders:write", name="erp-write"),
        "catalog": await make_key(database, "catalog:write", name="erp-catalog"),
        "customers": await make_key(database, "customers:write", name="erp-customers"),
    }
    return Tenants(orders, numbers, carts, keys)


# --- the walk -------------------------------------------------------------------------------------

ERP_NEVER = markers("A", "B", kinds=("CART", "PENDING", "SPARE", "USER"))
# (viewer, markers it must never see, markers it must see somewhere)
USERS = [
    ("main", markers("B"), markers("A")),
    ("purchaser", markers("B"), markers("A", kinds=("CART", "PENDING", "SUBMITTED", "ADDR", "SPARE"))),
    ("assistant", markers("B"), markers("A", kinds=("CART", "PENDING", "SUBMITTED", "ADDR", "SPARE"))),
    ("inactive", markers("A"), markers("B", kinds=("CART", "PENDING", "SUBMITTED", "ADDR", "SPARE"))),
    ("other_main", markers("A"), markers("B")),
    ("support", set(), markers("A", "B")),
]
KEYS = [
    ("orders_read", ERP_NEVER, markers("A", "B", kinds=("SUBMITTED", "ADDR"))),
    ("orders_write", ERP_NEVER | {marker("B", "SUBMITTED")}, {marker("A", "SUBMITTED"), marker("A", "ADDR")}),
    ("catalog", markers("A", "B"), set()),
    ("customers", markers("A", "B"), set()),
]


async def _answers_for_user(client: httpx.AsyncClient, token: str, tenants: Tenants) -> list[dict[str, Any]]:
    answers = [await gql(client, ME, token=token), await gql(client, FEED, token=token)]
    for order_id in tenants.orders.values():
        answers.append(await gql(client, ORDER, {"id": order_id}, token=token))
    for cart_id in tenants.carts.values():
        answers.append(await gql(client, CART, {"id": cart_id}, token=token))
    for number in ("10001", "10002"):
        answers.append(await gql(client, CUSTOMER, {"n": number}, token=token))
    return answers


def _check(who: str, answers: list[dict[str, Any]], never: set[str], must: set[str]) -> None:
    text = json.dumps(answers, ensure_ascii=False)
    seen = {m for m in markers("A", "B") if m in text}
    assert not seen & never, f"{who} sees {sorted(seen & never)}"
    assert must <= seen, f"{who} should see {sorted(must - seen)}: the walk reached too little"
    for answer in answers:
        assert "INTERNAL" not in error_codes(answer), (who, answer["errors"])


async def test_every_viewer_sees_only_its_own_tenant_on_every_path(
    client: httpx.AsyncClient, tenants: Tenants, shop: Shop
) -> None:
    for who, never, must in USERS:
        _check(who, await _answers_for_user(client, shop.token(who), tenants), never, must)
    for scope, never, must in KEYS:
        key = tenants.keys[scope]
        answers = [await gql(client, FEED, token=key)]
        answers += [await gql(client, ORDER, {"id": order_id}, token=key) for order_id in tenants.orders.values()]
        if scope == "orders_write":
            # The ERP's own payload: the order it moved, and through it nothing else.
            moved = await gql(client, UPDATE_STATUS, {"n": tenants.numbers[marker("A", "SUBMITTED")]}, token=key)
            assert moved["data"]["updateOrderStatus"]["errors"] == []
            answers.append(moved)
        _check(scope, answers, never, must)
    # Anonymous: nothing at all.
    _check("anonymous", await _answers_for_user(client, "", tenants), markers("A", "B"), set())

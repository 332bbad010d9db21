"""Live carts as the API shows them: the Subscription root (served over WebSocket only)."""

from __future__ import annotations

import enum
from collections.abc import AsyncGenerator
from contextlib import aclosing

import strawberry

from app.context import Info
from app.resolvers import live as resolve
from app.schema.carts import CartType
from app.schema.objects import node_id, or_none


@strawberry.enum(name="CartChangeKind", description="What happened to a cart of the customer number.")
class CartChangeKind(enum.Enum):
    CREATED = "CREATED"
    UPDATED = strawberry.enum_value("UPDATED", description="Lines, quantities or the name changed.")
    DELETED = strawberry.enum_value("DELETED", description="The cart is gone; cart is null.")
    SUBMITTED = strawberry.enum_value("SUBMITTED", description="The cart was sent as an order.")


@strawberry.type(name="CartChange", description="One change to one of a customer number's carts.")
class CartChangeType:
    kind: CartChangeKind
    cart_id: strawberry.ID
    cart: CartType | None = strawberry.field(description="The cart as it is now; null when DELETED.")


_LIVE = (
    " Served over WebSocket (subprotocol graphql-transport-ws) on /graphql, with the token in "
    'connection_init\'s payload: {"Authorization": "Bearer <token>"}. Reach is that of the cart and '
    "customer queries, checked when subscribing and again for every event: losing it (signed out, "
    "membership deactivated, cart deleted) ends the subscription with an error whose code is "
    "UNAUTHENTICATED or NOT_FOUND. A subscriber too far behind is ended with SLOW_CONSUMER."
)


@strawberry.type
class LiveSubscription:
    @strawberry.subscription(
        description=(
            "The cart now, then after every change by anyone (add, update, remove, rename, submit), with "
            "updatedBy saying who. Completes after the cart is submitted." + _LIVE
        )
    )
    async def cart_changed(self, info: Info, cart_id: strawberry.ID) -> AsyncGenerator[CartType, None]:
        # aclosing: when the client stops, the resolver's subscription is released at once.
        async with aclosing(resolve.cart_changed(info, cart_id)) as carts:
            async for cart in carts:
                yield CartType.of(cart)

    @strawberry.subscription(
        description=(
            "Every cart of the customer number created, changed, renamed, deleted or submitted, as it "
            "happens (nothing is sent on subscribing)." + _LIVE
        )
    )
    async def customer_carts_changed(self, info: Info, customer_number: str) -> AsyncGenerator[CartChangeType, None]:
        async with aclosing(resolve.customer_carts_changed(info, customer_number)) as changes:
            async for change in changes:
                yield CartChangeType(
                    kind=CartChangeKind(change.kind.value),
                    cart_id=node_id("Cart", change.cart_id),
                    cart=or_none(CartType.of, change.cart),
                )

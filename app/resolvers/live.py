"""Live carts: the reach rules of ``cart`` and ``customer``, checked at subscribe time and for every event.

Each generator yields the current state first (so a client that subscribes
right after reading misses nothing), then once per change. Before every event
the context is renewed (fresh session, viewer read again from the token); a
viewer who lost the cart ends the stream with UNAUTHENTICATED or NOT_FOUND,
never with a newer copy of what they may no longer see.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from app import settings as limits
from app.context import Info
from app.errors import ApiError, Unauthenticated
from app.live.context import LiveContext
from app.live.events import ChangeKind, LiveEvent
from app.live.hub import Hub, Key, Subscription
from app.models import Cart, CartStatus, Customer
from app.resolvers.access import reachable_customer, reachable_object, require_user


class NotFound(ApiError):
    code = "NOT_FOUND"


class WebSocketOnly(ApiError):
    code = "INVALID_INPUT"


@dataclass(frozen=True, slots=True)
class CustomerCartChange:
    kind: ChangeKind
    cart_id: int
    cart: Cart | None


def _live(info: Info) -> tuple[LiveContext, Hub]:
    context = info.context
    if not isinstance(context, LiveContext) or context.hub is None:
        raise WebSocketOnly("Subscriptions run over WebSocket (graphql-transport-ws) on /graphql.")
    return context, context.hub


async def _renewed(info: Info, context: LiveContext) -> None:
    await context.renew()
    if context.viewer.is_anonymous:
        raise Unauthenticated("Your session has ended: sign in again and subscribe anew.")
    require_user(info)


@asynccontextmanager
async def _listening(info: Info, context: LiveContext, hub: Hub, key: Key) -> AsyncIterator[Subscription]:
    """The viewer's subscription to ``key``'s changes; the connection is told it listens before anything is sent."""
    viewer = require_user(info)
    assert viewer.user_id is not None
    async with hub.subscribe((key,), viewer.user_id) as subscription:
        context.listening.set()
        yield subscription


async def cart_changed(info: Info, cart_id: str) -> AsyncGenerator[Cart, None]:
    context, hub = _live(info)
    await _renewed(info, context)
    cart = await reachable_object(info, Cart, cart_id)
    if cart is None:
        raise NotFound("No such cart.")
    async with _listening(info, context, hub, ("cart", cart.id)) as subscription:
        yield cart
        while cart.status is CartStatus.OPEN:
            # The event has been sent: give the connection back before waiting, idle subscriptions hold none.
            await context.uow.close()
            event = await subscription.next(limits.LIVE_RECHECK_SECONDS)
            await _renewed(info, context)
            cart = await reachable_object(info, Cart, cart_id)
            if cart is None:
                raise NotFound("The cart was deleted, or you no longer have access to it.")
            if event is not None and event.kind is not ChangeKind.ACCESS:
                yield cart


async def customer_carts_changed(info: Info, customer_number: str) -> AsyncGenerator[CustomerCartChange, None]:
    context, hub = _live(info)
    await _renewed(info, context)
    customer: Customer | None = await reachable_customer(info, customer_number)
    if customer is None:
        raise NotFound("No such customer number.")
    async with _listening(info, context, hub, ("customer", customer.id)) as subscription:
        while True:
            await context.uow.close()
            event = await subscription.next(limits.LIVE_RECHECK_SECONDS)
            await _renewed(info, context)
            if await reachable_customer(info, customer_number) is None:
                raise NotFound("You no longer have access to this customer number.")
            if event is None or event.cart_id is None or event.kind in (ChangeKind.ACCESS, ChangeKind.RESYNC):
                continue
            yield await _change(info, event)


async def _change(info: Info, event: LiveEvent) -> CustomerCartChange:
    assert event.cart_id is not None
    async with info.context.uow.session() as session:
        cart = await session.get(Cart, event.cart_id)
    if cart is None:
        return CustomerCartChange(ChangeKind.DELETED, event.cart_id, None)
    return CustomerCartChange(event.kind, event.cart_id, cart)

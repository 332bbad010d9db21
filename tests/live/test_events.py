"""Notices leave a transaction only when it commits; the hub drops a subscriber that falls behind."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from app import settings as limits
from app.db import Database
from app.live.events import ChangeKind, LiveEvent
from app.live.hub import Hub, SlowConsumer, TooManySubscriptions
from app.models import Cart
from app.ordering import carts
from tests.factories import make_customer


async def _next(subscription: object, timeout: float = 10) -> LiveEvent | None:
    return await subscription.next(timeout)  # type: ignore[attr-defined]


async def test_a_commit_delivers_one_notice_per_cart_and_a_rollback_none(database: Database) -> None:
    customer = await make_customer(database, "20001")
    hub = Hub(database.url)
    try:
        async with hub.subscribe((("customer", customer.id),), user_id=1) as subscription:
            with pytest.raises(RuntimeError):
                async with database.transaction() as session:
                    await carts.create_cart(session, customer.id, None, "Rullet tilbake")
                    raise RuntimeError("the change fails")
            async with database.transaction() as session:
                cart = await carts.create_cart(session, customer.id, None, "Ny")
                # Two more changes in the same transaction: subscribers hear one notice, the weightiest.
                await carts.lock_for_change(session, cart.id, None, None)
                await carts.lock_for_change(session, cart.id, None, None)
            notice = await _next(subscription)
            assert notice == LiveEvent(ChangeKind.CREATED, cart_id=cart.id, customer_id=customer.id)
            assert await _next(subscription, 0.3) is None  # nothing else: not the rolled-back cart, no duplicates
            async with database.reader() as session:
                assert [c.name for c in (await session.scalars(select(Cart))).all()] == ["Ny"]
    finally:
        await hub.close()


async def test_notices_carry_ids_only() -> None:
    notice = LiveEvent(ChangeKind.UPDATED, cart_id=7, customer_id=3)
    assert LiveEvent.decode(notice.encode()) == notice
    for garbage in ["", "{", "[]", '{"k":"NOPE"}', '{"k":"UPDATED","c":"7; DROP"}', '{"k":"UPDATED","c":1.5}']:
        assert LiveEvent.decode(garbage) is None


async def test_a_subscriber_that_falls_behind_is_ended(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "LIVE_QUEUE_EVENTS", 3)
    hub = Hub("sqlite+aiosqlite:///unused.db")
    async with hub.subscribe((("cart", 1),), user_id=1) as slow, hub.subscribe((("cart", 1),), user_id=2) as keen:
        for version in range(3):
            hub.dispatch(LiveEvent(ChangeKind.UPDATED, cart_id=1, customer_id=9))
            await _next(keen)
            del version
        hub.dispatch(LiveEvent(ChangeKind.UPDATED, cart_id=1, customer_id=9))  # the fourth: slow's queue is full
        with pytest.raises(SlowConsumer):
            await _next(slow)
        assert await _next(keen) is not None  # the one that keeps up is unaffected
    assert hub.open_subscriptions == 0


async def test_the_per_user_limit_counts_open_subscriptions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "LIVE_MAX_SUBSCRIPTIONS_PER_USER", 1)
    hub = Hub("sqlite+aiosqlite:///unused.db")
    async with hub.subscribe((("cart", 1),), user_id=1):
        with pytest.raises(TooManySubscriptions):
            async with hub.subscribe((("cart", 2),), user_id=1):
                pass
    async with hub.subscribe((("cart", 2),), user_id=1):
        assert hub.open_subscriptions == 1


async def test_access_notices_reach_only_that_users_subscriptions() -> None:
    hub = Hub("sqlite+aiosqlite:///unused.db")
    async with hub.subscribe((("cart", 1),), user_id=1) as mine, hub.subscribe((("cart", 1),), user_id=2) as theirs:
        hub.dispatch(LiveEvent(ChangeKind.ACCESS, user_id=1))
        assert (await _next(mine)).kind is ChangeKind.ACCESS  # type: ignore[union-attr]
        assert await asyncio.wait_for(_next(theirs, 0.2), 5) is None

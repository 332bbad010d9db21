"""The per-process hub: notices in (LISTEN or the in-process bus), open subscriptions out.

On PostgreSQL the hub holds one dedicated asyncpg connection that LISTENs on
``events.CHANNEL``; it starts with the first subscription, so a worker nobody
subscribes to costs no connection. When that connection drops, the hub
reconnects with backoff and then tells every subscription to re-read
(``RESYNC``), since notices sent meanwhile are lost.

Each subscription owns a bounded queue. A subscriber that cannot keep up
(its socket does not drain, so it stops taking from the queue) overflows it and
is ended with SLOW_CONSUMER instead of buffering without bound.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Hashable
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

from app import settings as limits
from app.errors import ApiError
from app.live.events import CHANNEL, ChangeKind, LiveEvent, add_local_sink, database_key

log = logging.getLogger("app.live")

Key = tuple[str, int]


class SlowConsumer(ApiError):
    code = "SLOW_CONSUMER"

    def __init__(self) -> None:
        super().__init__(
            f"More than {limits.LIVE_QUEUE_EVENTS} changes waited for this subscription: it is ended. "
            "Subscribe again (and read the cart afresh)."
        )


class TooManySubscriptions(ApiError):
    code = "TOO_MANY_SUBSCRIPTIONS"


class Subscription:
    """One open subscription: the keys it listens to and its bounded queue of notices."""

    def __init__(self, keys: tuple[Key, ...], user_id: int) -> None:
        self.keys = keys
        self.user_id = user_id
        self.queue: asyncio.Queue[LiveEvent] = asyncio.Queue(limits.LIVE_QUEUE_EVENTS)
        self.overflowed = False

    def offer(self, event: LiveEvent) -> None:
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            self.overflowed = True

    async def next(self, timeout: float) -> LiveEvent | None:
        """The next notice; None after ``timeout`` seconds without one (time to re-check reach)."""
        if self.overflowed:
            raise SlowConsumer()
        try:
            return await asyncio.wait_for(self.queue.get(), timeout)
        except TimeoutError:
            return None


class Hub:
    def __init__(self, database_url: str) -> None:
        url = make_url(database_url)
        self.database_key = database_key(url)
        self._pg_dsn = (
            url.set(drivername="postgresql").render_as_string(hide_password=False)
            if url.get_backend_name() == "postgresql"
            else None
        )
        self._by_key: dict[Hashable, set[Subscription]] = defaultdict(set)
        self._by_user: dict[int, set[Subscription]] = defaultdict(set)
        self._listener: asyncio.Task[None] | None = None
        self._listening = asyncio.Event()
        if self._pg_dsn is None:
            add_local_sink(self)

    # --- subscriptions ---------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def subscribe(self, keys: tuple[Key, ...], user_id: int) -> AsyncIterator[Subscription]:
        if len(self._by_user[user_id]) >= limits.LIVE_MAX_SUBSCRIPTIONS_PER_USER:
            raise TooManySubscriptions(
                f"You have {limits.LIVE_MAX_SUBSCRIPTIONS_PER_USER} open subscriptions on this server; close one first."
            )
        await self._ensure_listening()
        subscription = Subscription(keys, user_id)
        for key in keys:
            self._by_key[key].add(subscription)
        self._by_user[user_id].add(subscription)
        try:
            yield subscription
        finally:
            for key in keys:
                self._discard(self._by_key, key, subscription)
            self._discard(self._by_user, user_id, subscription)

    @staticmethod
    def _discard(index: dict[Any, set[Subscription]], key: Any, subscription: Subscription) -> None:
        found = index.get(key)
        if found is not None:
            found.discard(subscription)
            if not found:
                del index[key]

    @property
    def open_subscriptions(self) -> int:
        return sum(len(s) for s in self._by_user.values())

    def dispatch(self, event: LiveEvent) -> None:
        targets: set[Subscription] = set()
        if event.kind is ChangeKind.RESYNC:
            for subscriptions in self._by_user.values():
                targets |= subscriptions
        elif event.kind is ChangeKind.ACCESS:
            if event.user_id is not None:
                targets |= self._by_user.get(event.user_id, set())
        else:
            if event.cart_id is not None:
                targets |= self._by_key.get(("cart", event.cart_id), set())
            if event.customer_id is not None:
                targets |= self._by_key.get(("customer", event.customer_id), set())
        for subscription in targets:
            subscription.offer(event)

    # --- PostgreSQL LISTEN -----------------------------------------------------------------

    async def _ensure_listening(self) -> None:
        if self._pg_dsn is None:
            return
        if self._listener is None or self._listener.done():
            self._listening.clear()
            self._listener = asyncio.create_task(self._listen_forever(), name="live-listener")
        try:
            await asyncio.wait_for(self._listening.wait(), limits.LIVE_LISTEN_CONNECT_SECONDS)
        except TimeoutError:
            raise ApiError("Live updates are unavailable right now; try again shortly.") from None

    async def _listen_forever(self) -> None:
        assert self._pg_dsn is not None
        delay = 0.1
        first = True
        while True:
            lost = asyncio.Event()
            connection: asyncpg.Connection | None = None
            try:
                connection = await asyncpg.connect(self._pg_dsn)
                connection.add_termination_listener(lambda _c, lost=lost: lost.set())
                await connection.add_listener(CHANNEL, self._on_notify)
                self._listening.set()
                delay = 0.1
                if not first:
                    self.dispatch(LiveEvent(ChangeKind.RESYNC))
                first = False
                await lost.wait()
                log.warning("live listener connection lost; reconnecting")
            except asyncio.CancelledError:
                if connection is not None and not connection.is_closed():
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(connection.close(), 2)
                raise
            except (OSError, asyncpg.PostgresError) as error:
                log.warning("live listener cannot connect: %r", error)
            self._listening.clear()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)

    def _on_notify(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        event = LiveEvent.decode(payload)
        if event is not None:
            self.dispatch(event)

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
            self._listener = None

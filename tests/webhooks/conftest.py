"""Fixtures of the webhook tests: the shop, a server that allows loopback targets, a receiver, senders."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from typing import Any

import httpx
import pytest

from app.db import Database
from app.main import create_app
from app.settings import Settings
from app.webhooks.sender import WebhookSender
from tests.ordering.returns_shop import rshop
from tests.ordering.shop import shop
from tests.webhooks.receiver import Receiver

__all__ = ["rshop", "shop"]


@pytest.fixture
def open_settings(settings: Settings) -> Settings:
    """COMMERCE_WEBHOOK_ALLOW_PRIVATE=true, as the tests' receivers listen on loopback."""
    return replace(settings, webhook_allow_private=True)


@pytest.fixture
async def open_client(open_settings: Settings, database: Database) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(open_settings, database)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://shop.test") as http:
        yield http


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    started = await Receiver().start()
    try:
        yield started
    finally:
        await started.stop()


@pytest.fixture
async def senders(open_settings: Settings, database: Database) -> AsyncIterator[Callable[..., WebhookSender]]:
    """Make senders (closed after the test); keyword arguments go to WebhookSender."""
    made: list[WebhookSender] = []

    def make(**options: Any) -> WebhookSender:
        settings = options.pop("settings", open_settings)
        sender = WebhookSender(database, settings, **options)
        made.append(sender)
        return sender

    yield make
    for sender in made:
        await sender.close()

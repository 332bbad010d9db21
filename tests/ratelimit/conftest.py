"""Clients with the real default rate limits (the suite's other tests run without them)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import httpx
import pytest

from app.db import Database
from app.main import create_app
from app.settings import RateLimits, Settings


@pytest.fixture
def limited_settings(settings: Settings) -> Settings:
    return settings.with_overrides(rate_limits=RateLimits())


@pytest.fixture
async def limited(limited_settings: Settings, database: Database) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(limited_settings, database))
    async with httpx.AsyncClient(transport=transport, base_url="http://shop.test") as http:
        yield http


@dataclass
class FrozenTime:
    """Stands in for the ``time`` module where the in-memory counts read the clock."""

    now: float = 1_800_000_000.0

    def time(self) -> float:
        return self.now


@pytest.fixture
def frozen_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[FrozenTime]:
    """Every hit at the same instant, so a per-second window is exact however slow the machine."""
    frozen = FrozenTime()
    monkeypatch.setattr("limits.aio.storage.memory.time", frozen)
    monkeypatch.setattr("app.ratelimit.limiter.time", frozen)
    yield frozen

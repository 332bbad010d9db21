"""Clients with the real default rate limits (the suite's other tests run without them)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import httpx
import pytest
import redis

from app.db import Database
from app.main import create_app
from app.settings import RateLimits, Settings
from tests.conftest import IN_CI


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


REDIS_URL = os.environ.get("COMMERCE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _redis_problem() -> str | None:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        return f"Redis at {REDIS_URL} is not reachable: {error!r}"
    finally:
        client.close()
    return None


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix of this test's own (Redis is shared), its keys removed afterwards.

    In CI (CI=true) an unreachable Redis fails the test; elsewhere it is skipped with the reason.
    """
    problem = _redis_problem()
    if problem is not None:
        if IN_CI:
            pytest.fail(f"CI needs Redis: {problem}")
        print(problem)
        pytest.skip(problem)
    prefix = f"commerce-test-{uuid.uuid4().hex}"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()

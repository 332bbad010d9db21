"""Counts shared through Redis by two app instances (two workers), and a fallback when Redis is gone."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest

from app.db import Database
from app.main import create_app
from app.settings import Settings
from tests.ratelimit.conftest import REDIS_URL
from tests.ratelimit.test_anonymous_operations import aliased, refused


@asynccontextmanager
async def app_client(settings: Settings, database: Database) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(settings, database))
    async with httpx.AsyncClient(transport=transport, base_url="http://shop.test") as http:
        yield http


async def test_two_instances_share_the_counts(
    limited_settings: Settings, database: Database, redis_prefix: str
) -> None:
    shared = limited_settings.with_overrides(rate_limit_url=REDIS_URL, rate_limit_prefix=redis_prefix)
    document = aliased("requestPasswordReset", 3, 'email: "shared@example.test"', "ok")
    async with app_client(shared, database) as first, app_client(shared, database) as second:
        one = await first.post("/graphql", json={"query": document})
        two = await second.post("/graphql", json={"query": document})
    assert refused(one.json()) == {}
    # Five per address per hour in all, not five per instance.
    assert list(refused(two.json())) == ["a2"]


async def test_instances_with_their_own_prefix_do_not_share(
    limited_settings: Settings, database: Database, redis_prefix: str
) -> None:
    document = aliased("requestPasswordReset", 5, 'email: "apart@example.test"', "ok")
    for prefix in (f"{redis_prefix}-a", f"{redis_prefix}-b"):
        own = limited_settings.with_overrides(rate_limit_url=REDIS_URL, rate_limit_prefix=prefix)
        async with app_client(own, database) as http:
            assert refused((await http.post("/graphql", json={"query": document})).json()) == {}


async def test_without_redis_each_process_still_counts(
    limited_settings: Settings, database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    gone = limited_settings.with_overrides(rate_limit_url="redis://127.0.0.1:9/0")
    document = aliased("requestPasswordReset", 6, 'email: "fallback@example.test"', "ok")
    with caplog.at_level(logging.WARNING, logger="app.ratelimit"):
        async with app_client(gone, database) as http:
            response = await http.post("/graphql", json={"query": document})
    assert response.status_code == 200
    assert list(refused(response.json())) == ["a5"]
    assert "rate-limit storage unreachable" in caplog.text

"""A real server in the test's event loop (SQLite and PostgreSQL), with the ordering shop."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from app.db import Database
from app.main import create_app
from app.settings import Settings
from tests.live.helpers import serving
from tests.ordering.shop import shop

__all__ = ["shop"]


@dataclass(frozen=True)
class Live:
    ws_url: str
    http: httpx.AsyncClient


@pytest.fixture
async def live(settings: Settings, database: Database) -> AsyncIterator[Live]:
    async with serving(create_app(settings, database)) as ws_url:
        base = ws_url.replace("ws://", "http://").removesuffix("/graphql")
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            yield Live(ws_url, http)

"""Fixtures of the ERP tests: an API key, and a spy on the search index's reindex."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.catalog import search
from app.db import Database
from tests.erp.helpers import ALL_SCOPES, make_key


@pytest.fixture(autouse=True)
def reindexed(monkeypatch: pytest.MonkeyPatch) -> list[list[int]]:
    """Every reindex call's product ids; the real reindex still runs (this only records)."""
    calls: list[list[int]] = []
    original = search.reindex

    async def recording(session: AsyncSession, product_ids: Sequence[int]) -> None:
        calls.append(list(product_ids))
        await original(session, product_ids)

    monkeypatch.setattr(search, "reindex", recording)
    return calls


@pytest.fixture
async def erp(database: Database) -> str:
    """An API key with every scope."""
    return await make_key(database, *ALL_SCOPES)

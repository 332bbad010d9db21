"""The parse/validation cache is bounded by the size of what it holds, and keeps only valid documents."""

from __future__ import annotations

import httpx
import pytest

from app import settings as limits
from app.http.document_cache import SizeBoundedCache
from app.main import create_app
from app.settings import Settings


def test_the_cache_evicts_by_size_least_recently_used_first() -> None:
    cache: SizeBoundedCache[int] = SizeBoundedCache(max_chars=100)
    for i in range(5):
        cache.get_or_make(f"{i}" * 30, lambda q: len(q), lambda _: True)
    assert len(cache) == 3 and cache.chars == 90
    # Using one keeps it; the oldest unused one goes.
    cache.get_or_make("2" * 30, lambda q: -1, lambda _: True)
    cache.get_or_make("x" * 30, lambda q: len(q), lambda _: True)
    assert cache.get_or_make("2" * 30, lambda q: -1, lambda _: True) == 30
    assert cache.get_or_make("3" * 30, lambda q: -1, lambda _: True) == -1
    # Refused values and texts larger than the whole cache are not kept.
    cache.get_or_make("invalid", lambda q: 0, lambda _: False)
    cache.get_or_make("z" * 101, lambda q: 0, lambda _: True)
    assert "invalid" not in cache.entries and cache.chars <= 100


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_the_endpoint_cache_stays_within_its_character_budget(
    settings: Settings,
    database,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.setattr(limits, "MAX_CACHED_QUERY_CHARS", 20_000)
    app = create_app(settings, database)
    route = next(r for r in app.routes if getattr(r, "path", None) == "/graphql")
    cache = route.endpoint.__self__.prepare.cache  # type: ignore[attr-defined]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        # Distinct documents of some 4,000 tokens that do not validate: none is kept.
        for i in range(20):
            query = "{ " + " ".join(f"a{i}_{j}: noSuchField" for j in range(1_300)) + " }"
            assert (await http.post("/graphql", json={"query": query})).status_code == 400
        assert len(cache) == 0
        # Valid ones are kept up to the budget, however many come.
        for i in range(200):
            query = "{ " + " ".join(f"t{i}_{j}: __typename" for j in range(25)) + " }"
            assert (await http.post("/graphql", json={"query": query})).status_code == 200
        assert 0 < cache.chars <= 20_000
        assert len(cache) < 200

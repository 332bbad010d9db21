"""The in-memory counts: exact moving windows, and memory given back without a task per hit."""

from __future__ import annotations

import pytest
from limits import parse
from limits.aio.strategies import MovingWindowRateLimiter

from app.ratelimit.memory import SWEEP_SECONDS, SweptMemoryStorage
from tests.ratelimit.conftest import FrozenTime


async def test_a_moving_window_counts_exactly_and_idle_keys_are_swept(
    frozen_time: FrozenTime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("app.ratelimit.memory.time", frozen_time)
    storage = SweptMemoryStorage()
    limiter = MovingWindowRateLimiter(storage)
    three_a_minute = parse("3/minute")

    assert [await limiter.hit(three_a_minute, "k") for _ in range(4)] == [True, True, True, False]
    assert await limiter.hit(three_a_minute, "other")
    frozen_time.now += 59
    assert not await limiter.hit(three_a_minute, "k")
    frozen_time.now += 1.5
    # The first three left the window a moment ago; the sweep has not run for that, and need not.
    assert await limiter.hit(three_a_minute, "k")
    assert storage.timer is None  # no task per hit, unlike the library's own storage

    started = frozen_time.now - 60.5
    storage.sweep(started + 100)
    # "other" and the first three of "k" have left their windows; k's latest has not.
    assert {key.split("/")[1]: len(events) for key, events in storage.events.items()} == {"k": 1}
    frozen_time.now = started + 200 + SWEEP_SECONDS
    await limiter.hit(three_a_minute, "fresh")  # the sweep on the way in frees the rest
    assert [key.split("/")[1] for key in storage.events] == ["fresh"]

"""The per-process counts of the per-request rules: the same moving window as `limits`, at O(1) a hit."""

from __future__ import annotations

import math

from limits import parse
from limits.aio.strategies import MovingWindowRateLimiter

from app.ratelimit.memory import SweptMemoryStorage
from app.ratelimit.process_window import SWEEP_SECONDS, ProcessWindow
from tests.ratelimit.conftest import FrozenTime


def test_a_full_window_refuses_until_its_oldest_hit_leaves() -> None:
    window = ProcessWindow(3, 60)
    assert [window.hit("k", 1000.0 + i) for i in range(3)] == [None, None, None]
    assert window.hit("k", 1010.0) == 1060.0  # refused: room again when the hit at 1000 leaves
    assert window.hit("other", 1010.0) is None  # keys count alone
    assert window.hit("k", 1060.5) is None  # the first left; the refusal at 1010 was not counted
    assert window.hit("k", 1060.7) == 1061.0
    assert ProcessWindow(0, 1).hit("k", 5.0) == 6.0  # a rule of no hits refuses everything


def test_idle_keys_are_forgotten_by_the_sweep() -> None:
    window = ProcessWindow(2, 1)
    window.hit("idle", 100.0)
    window.hit("busy", 100.0)
    window.hit("busy", 100.0 + SWEEP_SECONDS + 0.5)  # its sweep: "idle" has left its window
    assert list(window.hits) == ["busy"]


async def test_it_refuses_exactly_where_the_library_does(frozen_time: FrozenTime) -> None:
    # The same hits, at irregular instants, through the library's moving window and through ours.
    library = MovingWindowRateLimiter(SweptMemoryStorage())
    item = parse("5/2 seconds")
    ours = ProcessWindow(item.amount, item.get_expiry())
    for step in [0.1, 0.1, 0.3, 0.0, 0.5, 0.2, 0.9, 0.05, 1.0, 0.0, 0.0, 2.5, 0.1, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4]:
        frozen_time.now += step
        taken = await library.hit(item, "r", "k")
        assert (ours.hit("k", frozen_time.now) is None) == taken, frozen_time.now
        if not taken:
            # The wait a client is told (whole seconds): at the window's exact edge the library
            # names the next hit's time while refusing for this one; the answer is the same.
            reset = (await library.get_window_stats(item, "r", "k")).reset_time
            our_reset = ours.hit("k", frozen_time.now)
            assert our_reset is not None
            assert max(1, math.ceil(our_reset - frozen_time.now)) == max(1, math.ceil(reset - frozen_time.now))

"""Exact moving windows counted in this process, for the rules checked on every request.

The same rule as the `limits` library's moving window (a hit is refused while
the window already holds ``amount`` hits younger than its length; the wait is
until the oldest of them leaves), at O(1) a hit: one deque of timestamps per
key, oldest on the left, never longer than ``amount``. The library's memory
storage inserts each hit at the front of a list (O(hits in the window)) behind
a lock and two awaited calls; on ``POST /graphql { __typename }`` that was 6.6 %
of the endpoint's CPU (py-spy). Shared rules (Redis) stay with `limits`.

The clock is passed in (``now``, seconds), so the counting is a pure function
of the calls; idle keys are swept at most every ``SWEEP_SECONDS``.
"""

from __future__ import annotations

from collections import deque

SWEEP_SECONDS = 1.0


class ProcessWindow:
    """One window (``amount`` hits per ``seconds``) and its counts per key."""

    __slots__ = ("amount", "seconds", "hits", "_next_sweep")

    def __init__(self, amount: int, seconds: float) -> None:
        self.amount = amount
        self.seconds = seconds
        self.hits: dict[str, deque[float]] = {}
        self._next_sweep = 0.0

    def hit(self, key: str, now: float) -> float | None:
        """Count one hit; None when taken, else the time (same clock) the window has room again."""
        if now >= self._next_sweep:
            self.sweep(now)
        hits = self.hits.get(key)
        if hits is None:
            hits = self.hits[key] = deque(maxlen=self.amount)
        oldest_kept = now - self.seconds
        while hits and hits[0] < oldest_kept:
            hits.popleft()
        if len(hits) >= self.amount:
            # A full window does not count the hit. (Empty only for a rule of 0 hits.)
            return (hits[0] if hits else now) + self.seconds
        hits.append(now)
        return None

    def sweep(self, now: float) -> None:
        """Forget keys whose every hit has left the window (their memory, not their counts: they are 0)."""
        self._next_sweep = now + SWEEP_SECONDS
        oldest_kept = now - self.seconds
        for key in [key for key, hits in self.hits.items() if not hits or hits[-1] < oldest_kept]:
            del self.hits[key]

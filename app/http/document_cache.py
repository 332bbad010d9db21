"""A least-recently-used cache of prepared documents, bounded by query size.

A parsed and validated document takes about 80 to 160 bytes of memory per
character of query text (measured with tracemalloc on 1.5 to 42 KB
documents), so the sum of the cached queries' lengths bounds the memory, where
a count would not: 1,000 documents of 5,000 tokens took a worker from 102 MB
to 1.67 GB. Only documents that validated are cached; others are prepared
again each time they come (an attacker can make the server parse anyway, but
can no longer make it keep what it parsed).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

V = TypeVar("V")


class SizeBoundedCache(Generic[V]):
    """Values by query text; the least recently used go once the texts' total passes ``max_chars``."""

    def __init__(self, max_chars: int) -> None:
        self.max_chars = max_chars
        self.chars = 0
        self.entries: OrderedDict[str, V] = OrderedDict()

    def __len__(self) -> int:
        return len(self.entries)

    def get_or_make(self, query: str, make: Callable[[str], V], keep: Callable[[V], bool]) -> V:
        value = self.entries.get(query)
        if value is not None:
            self.entries.move_to_end(query)
            return value
        value = make(query)
        if keep(value) and len(query) <= self.max_chars:
            self.entries[query] = value
            self.chars += len(query)
            while self.chars > self.max_chars:
                evicted, _ = self.entries.popitem(last=False)
                self.chars -= len(evicted)
        return value

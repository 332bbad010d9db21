"""The garbage collector, the C allocator and a long-lived server process.

The cyclic collector's oldest generation walks every object that survived
startup (the schema, SQLAlchemy's mappers, the modules): measured on the
search benchmark, each such pass held a request up for 50-70 ms, a few times
a minute under load. Objects that live as long as the process need no
collecting, so once the app is built they are moved out of the collector's
sight (``gc.freeze``); what requests make is still collected as before.

glibc's malloc raises its mmap threshold to the size of any mmapped block
that is freed: after the first sign-in, argon2's 19 MB working memory came
from the heap instead and stayed resident (RSS 99 -> 118 MB on the second
login, for good). A fixed threshold keeps such blocks mmapped, so they go back
to the system when freed. 1 MiB: no request allocates that much otherwise,
so nothing else pays an mmap per allocation.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import sys

_M_MMAP_THRESHOLD = -3  # malloc.h
MMAP_THRESHOLD_BYTES = 1 << 20


def settle() -> None:
    """Collects what startup left behind, then freezes the rest. Call once the app is built."""
    _fix_mmap_threshold()
    gc.collect()
    gc.freeze()


def _fix_mmap_threshold() -> None:
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt): nothing to fix
        return
    mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)

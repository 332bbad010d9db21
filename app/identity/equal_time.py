"""Answers whose timing tells nothing: a floor under the anonymous email operations.

``requestPasswordReset`` and ``requestAccount`` do more work for some emails
than for others (a registered address gets a link, a mail and an audit entry;
a repeat request is not stored again). Their answers wait until a fixed time
after the start, so every answer takes the same time as long as the work fits
under it. The wait happens after the transaction ends: it holds no lock and no
connection, and costs no CPU.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from app.settings import EQUAL_TIME_SECONDS


@asynccontextmanager
async def equal_time(seconds: float = EQUAL_TIME_SECONDS) -> AsyncIterator[None]:
    """Leave the block no sooner than ``seconds`` after entering it, whether it succeeds or fails.

    A cancelled block (the client went away, the server stops) leaves at once.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    try:
        yield
    except Exception:
        await asyncio.sleep(max(0.0, deadline - loop.time()))
        raise
    await asyncio.sleep(max(0.0, deadline - loop.time()))

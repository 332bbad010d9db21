"""The context of a live operation: a request context that can start a fresh unit of work per event.

A subscription lives for hours; one database session (and the viewer read
with it) must not. Before each event the subscription calls ``renew()``:
the previous event's session is closed, a new one opened, the viewer is read
again from the token (a revoked session or a deactivated membership shows at
once), and the loaders start empty, exactly as for a new HTTP request.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from app.context import Context
from app.live.hub import Hub
from app.loaders import Loaders
from app.unit_of_work import UnitOfWork
from app.viewer import resolve_viewer


@dataclass(slots=True)
class LiveContext(Context):
    token: str | None = None
    hub: Hub | None = None
    # Set once the subscription listens to the hub: the connection reads its next message only then.
    listening: asyncio.Event = field(default_factory=asyncio.Event)

    async def renew(self) -> None:
        await self.uow.close()
        self.uow = UnitOfWork(self.database)
        self.loaders = Loaders(self.uow)
        self.cache = {}
        async with self.uow.session() as session:
            # The same transaction then reads the event's data: one connection checkout per event.
            self.viewer = await resolve_viewer(session, self.token)

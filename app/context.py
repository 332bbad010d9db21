"""What every resolver gets: the viewer, one unit of work, the loaders, settings."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import strawberry

from app.db import Database
from app.loaders import Loaders
from app.models import User
from app.ratelimit.guard import RequestLimits
from app.settings import Settings
from app.unit_of_work import UnitOfWork
from app.viewer import Viewer

T = TypeVar("T")


@dataclass(slots=True)
class Context:
    request_id: str
    settings: Settings
    database: Database
    viewer: Viewer
    uow: UnitOfWork
    loaders: Loaders
    # The rate limits of this request's client (app/ratelimit/).
    rate_limits: RequestLimits
    # Called after a commit that queued email, so the sender runs at once.
    mail_queued: Callable[[], None] = field(default=lambda: None)
    # Per-request memo for values several resolvers need (see memo).
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def viewer_user(self) -> User | None:
        """The viewer's own user row as the session lookup read it (queries only; None otherwise)."""
        return self.loaders.viewer_user

    def memo(self, key: str, load: Callable[[], Awaitable[T]]) -> Awaitable[T]:
        """``load()`` once per request, however many resolvers ask at the same moment.

        The first caller starts it; everyone, concurrent callers included,
        awaits the same task, so sibling fields never load the same thing twice.
        """
        task = self.cache.get(key)
        if task is None:
            task = asyncio.ensure_future(load())
            self.cache[key] = task
        return task


Info = strawberry.Info[Context, None]

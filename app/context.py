"""What every resolver gets: the viewer, one unit of work, the loaders, settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import strawberry

from app.db import Database
from app.loaders import Loaders
from app.settings import Settings
from app.unit_of_work import UnitOfWork
from app.viewer import Viewer


@dataclass(slots=True)
class Context:
    request_id: str
    settings: Settings
    database: Database
    viewer: Viewer
    uow: UnitOfWork
    loaders: Loaders
    # Called after a commit that queued email, so the sender runs at once.
    mail_queued: Callable[[], None] = field(default=lambda: None)
    # Per-request memo for values several resolvers need (the viewer's roles).
    cache: dict[str, Any] = field(default_factory=dict)


Info = strawberry.Info[Context, None]

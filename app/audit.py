"""The audit log: every administrative change, in the change's own transaction."""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.models import AuditEntry
from app.viewer import Viewer


def record(
    session: AsyncSession,
    actor: Viewer | None,
    action: str,
    *,
    customer_id: int | None = None,
    subject_id: str | int | None = None,
    **details: Any,
) -> AuditEntry:
    """Add an entry; ``action`` is a dotted name such as ``membership.deactivated``."""
    entry = AuditEntry(
        actor_user_id=actor.user_id if actor else None,
        actor_api_key_id=actor.api_key_id if actor else None,
        action=action,
        customer_id=customer_id,
        subject_id=str(subject_id) if subject_id is not None else None,
        details={k: v for k, v in details.items() if v is not None},
    )
    session.add(entry)
    return entry


def status_changed(
    session: AsyncSession,
    actor: Viewer | None,
    action: str,
    customer_id: int,
    number: str,
    previous: enum.Enum,
    status: enum.Enum,
    **details: Any,
) -> AuditEntry:
    """Add an entry for the order or return ``number`` moving from ``previous`` to ``status``."""
    return record(
        session,
        actor,
        action,
        customer_id=customer_id,
        subject_id=number,
        previous=previous.value,
        status=status.value,
        **details,
    )

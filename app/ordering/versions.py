"""The version a cart or a shopping list carries, and the conditional UPDATE that raises it.

Every change to a cart or a list starts with one UPDATE that raises ``version``
and (on PostgreSQL) holds the row lock until commit, so two colleagues'
changes queue and neither is lost. With ``expected_version`` the UPDATE
matches nothing once someone else changed the row: the caller reads why and
says CONFLICT (or what else keeps the row from changing).
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import ColumnElement, update
from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.errors import DomainError, ErrorCode
from app.models import Cart, ShoppingList

Versioned = TypeVar("Versioned", Cart, ShoppingList)


def first_version(user_id: int | None) -> dict[str, Any]:
    """The columns a new cart or list starts with: version 1, made and last changed now by ``user_id``."""
    now = clock.now()
    return {"version": 1, "created_by_id": user_id, "updated_by_id": user_id, "created_at": now, "updated_at": now}


async def raise_version(
    session: AsyncSession,
    model: type[Versioned],
    conditions: list[ColumnElement[bool]],
    user_id: int | None,
    expected_version: int | None,
    **values: Any,
) -> Versioned | None:
    """The row matching ``conditions`` (and ``expected_version`` when given), one version up; None if none matched."""
    if expected_version is not None:
        conditions = [*conditions, model.version == expected_version]
    statement = (
        update(model)
        .where(*conditions)
        .values(version=model.version + 1, updated_by_id=user_id, updated_at=clock.now(), **values)
        .returning(model)
        .execution_options(synchronize_session=False, populate_existing=True)
    )
    return (await session.scalars(statement)).one_or_none()


def version_conflict(changed: str, current: int, expected_version: int | None) -> DomainError:
    """CONFLICT: ``changed`` says what changed ("The cart changed") since the version the caller read."""
    return DomainError.of(
        ErrorCode.CONFLICT,
        f"{changed} meanwhile (version {current}, you expected {expected_version}). "
        "Read it again and repeat your change.",
        "expectedVersion",
    )

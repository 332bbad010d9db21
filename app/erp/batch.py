"""The cycle every ERP batch goes through: check -> apply -> retry on a race -> audit.

See the package's docstring for the rules a client sees.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from app import audit
from app.erp.checks import Fields, check_items
from app.errors import DomainError, ErrorCode, Problem
from app.viewer import Viewer

T = TypeVar("T")
Transaction = Callable[[], AbstractAsyncContextManager[AsyncSession]]

MAX_BATCH = 1000
# The problem of an item whose business key came earlier in the batch; see Fields.duplicate.
LATER = "appears earlier in this batch; this later item was skipped."

_QUERY_CHUNK = 500
_ATTEMPTS = 3


@dataclass(slots=True)
class BatchResult:
    """What a batch did. ``problems`` lists the skipped items, by item index."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)


Apply = Callable[[AsyncSession, list[tuple[int, T]]], Awaitable[BatchResult]]


@dataclass(frozen=True)  # no slots: Batch[X](...) sets __orig_class__
class Batch(Generic[T]):
    """One kind of batch.

    ``apply`` writes the good items (with their index) and returns what it did,
    with the problems it met on the way (an unknown SKU, say) in ``problems``.
    ``action`` names the audit entry; ``creates`` says whether it counts
    ``created`` (upserts do, batches of values only update).
    """

    action: str
    fields: Fields[T]
    apply: Apply[T]
    creates: bool = False


async def run(batch: Batch[T], transaction: Transaction, actor: Viewer, items: Sequence[T]) -> BatchResult:
    """Check every item, apply the good ones in one transaction with the audit entry, report the bad ones."""
    if len(items) > MAX_BATCH:
        raise DomainError.of(
            ErrorCode.INVALID_INPUT,
            f"A batch holds at most {MAX_BATCH:,} items; this one has {len(items):,}. Nothing was applied.",
            "items",
        )
    good, checked = check_items(batch.fields, items)
    if not items:
        return BatchResult()

    async def attempt(session: AsyncSession) -> BatchResult:
        result = await batch.apply(session, good)
        counts = {"created": result.created} if batch.creates else {}
        rejected = _skipped([*checked, *result.problems])
        audit.record(
            session,
            actor,
            batch.action,
            **counts,
            updated=result.updated,
            unchanged=result.unchanged,
            rejected=rejected,
        )
        return result

    result = await _retrying(transaction, attempt)
    result.problems = _in_item_order([*checked, *result.problems])
    return result


def _is_race(error: DBAPIError) -> bool:
    """A unique violation, serialization failure or deadlock: another batch got there first."""
    if isinstance(error, IntegrityError):
        return True
    code = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
    return code in {"40001", "40P01"}


async def _retrying(transaction: Transaction, apply: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """``apply`` in a transaction; run again from fresh data when a concurrent batch made one of
    the same business keys first, which is what makes two simultaneous syncs safe."""
    for attempt in range(1, _ATTEMPTS + 1):
        try:
            async with transaction() as session:
                return await apply(session)
        except DBAPIError as error:
            if attempt == _ATTEMPTS or not _is_race(error):
                raise
    raise AssertionError("unreachable")


def _skipped(problems: Sequence[Problem]) -> int:
    """How many items the problems name ("items.3.sku" and "items.3.name" are one item)."""
    return len({(p.field or "").split(".")[1] for p in problems if (p.field or "").startswith("items.")})


def _in_item_order(problems: list[Problem]) -> list[Problem]:
    def index(problem: Problem) -> int:
        parts = (problem.field or "").split(".")
        return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else -1

    return sorted(problems, key=index)  # stable: an item's own problems keep their order


def chunks(values: Sequence[T], size: int = _QUERY_CHUNK) -> Iterable[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


async def rows_by_key(
    session: AsyncSession, key: InstrumentedAttribute[Any], columns: Sequence[Any], keys: Iterable[Any]
) -> dict[Any, Any]:
    """key -> row of ``columns`` (the key among them), for the keys that exist; one query a chunk."""
    found: dict[Any, Any] = {}
    for chunk in chunks(sorted(set(keys))):
        for row in await session.execute(select(*columns).where(key.in_(chunk))):
            found[getattr(row, key.key)] = row
    return found


def unknown_sku(index: int, sku: str) -> Problem:
    return Problem(ErrorCode.UNKNOWN_SKU, f"No product has SKU {sku}.", f"items.{index}.sku")

"""Customers by number, with their delivery addresses and delivery schedule.

Customers are compared field by field: an item that changes nothing writes
nothing. A given address list replaces the stored one; an address left out of
it is no longer offered, but stays for the orders that went there.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from app import bulk, clock
from app.erp.batch import LATER, Batch, BatchResult, Transaction, chunks, rows_by_key, run
from app.erp.checks import Checks, Each, Fields, Flag, Holds, Text, Whole
from app.models import Customer, DeliveryAddress, DeliverySchedule
from app.viewer import Viewer

MAX_CUSTOMER_NUMBER = 32
MAX_CUSTOMER_NAME = 200
MAX_ADDRESSES = 500
MAX_EXTERNAL_ID = 64
MAX_ADDRESS_LABEL = 200
MAX_ADDRESS_LINE = 200
MAX_POSTAL_CODE = 20
MAX_CITY = 100
MAX_CUTOFF_DAYS = 30
MAX_CLOSED_DATES = 1000

_CUTOFF_TIME = re.compile(r"(?:[01][0-9]|2[0-3]):[0-5][0-9]")


@dataclass(frozen=True, slots=True)
class AddressItem:
    """An entry of a given address list, taken whole: line2 None is no second line, is_default None is False."""

    external_id: str
    label: str
    line1: str
    postal_code: str
    city: str
    line2: str | None = None
    is_default: bool | None = None


@dataclass(frozen=True, slots=True)
class ScheduleItem:
    weekdays: Sequence[int]  # ISO: 1 = Monday .. 7 = Sunday
    cutoff_days_before: int
    cutoff_time: str  # "HH:MM", Europe/Oslo
    closed_dates: Sequence[date] | None = None  # None keeps the stored ones


@dataclass(frozen=True, slots=True)
class CustomerItem:
    number: str
    name: str
    addresses: Sequence[AddressItem] | None = None
    schedule: ScheduleItem | None = None


def _one_default(c: Checks, addresses: Sequence[AddressItem], path: str) -> None:
    if sum(1 for address in addresses if address.is_default) > 1:
        c.fail(path, "At most one address can be the default (isDefault).")


def _sorted_set(values: list[Any]) -> list[Any]:
    return sorted(set(values))


ADDRESS = Fields[AddressItem](
    (
        ("external_id", Text("An external id", MAX_EXTERNAL_ID)),
        ("label", Text("A label", MAX_ADDRESS_LABEL)),
        ("line1", Text("An address line", MAX_ADDRESS_LINE)),
        ("line2", Text("An address line", MAX_ADDRESS_LINE, required=False, blank=None)),
        ("postal_code", Text("A postal code", MAX_POSTAL_CODE)),
        ("city", Text("A city", MAX_CITY)),
        ("is_default", Flag()),
    ),
    key=("external_id",),
    duplicate="External id {external_id} appears twice in this customer's list.",
)
SCHEDULE = Fields[ScheduleItem](
    (
        (
            "weekdays",
            Each(
                Holds(lambda weekday: 1 <= weekday <= 7, "A weekday is 1 (Monday) to 7 (Sunday)."),
                empty="Give at least one delivery weekday (1 = Monday .. 7 = Sunday).",
                finish=_sorted_set,
            ),
        ),
        ("cutoff_days_before", Whole("Cut-off days before", 0, MAX_CUTOFF_DAYS)),
        (
            "cutoff_time",
            Holds(
                lambda value: bool(_CUTOFF_TIME.fullmatch(value)),
                'The cut-off time is "HH:MM", from 00:00 to 23:59.',
                strip=True,
            ),
        ),
        (
            "closed_dates",
            Each(
                None,
                most=MAX_CLOSED_DATES,
                too_many=f"At most {MAX_CLOSED_DATES} closed dates.",
                check_first=False,
                finish=_sorted_set,
            ),
        ),
    )
)
CUSTOMER = Fields[CustomerItem](
    (
        ("number", Text("A customer number", MAX_CUSTOMER_NUMBER)),
        ("name", Text("A name", MAX_CUSTOMER_NAME)),
        (
            "addresses",
            Each(
                ADDRESS,
                most=MAX_ADDRESSES,
                too_many=f"A customer has at most {MAX_ADDRESSES} delivery addresses.",
                also=_one_default,
            ),
        ),
        ("schedule", SCHEDULE),
    ),
    key=("number",),
    duplicate="Customer number {number} " + LATER,
)


async def upsert_customers(transaction: Transaction, actor: Viewer, items: Sequence[CustomerItem]) -> BatchResult:
    """Create or update customers by number, with their addresses and delivery schedule."""
    return await run(UPSERT, transaction, actor, items)


# An address's columns that a given list writes: the given and the stored are compared on these and the two flags.
_ADDRESS_LINES = ("label", "line1", "line2", "postal_code", "city")


def _given_address(address: AddressItem) -> dict[str, Any]:
    return {
        **{name: getattr(address, name) for name in _ADDRESS_LINES},
        "is_default": bool(address.is_default),
        "active": True,
    }


def _stored_address(row: DeliveryAddress) -> dict[str, Any]:
    return {**{name: getattr(row, name) for name in _ADDRESS_LINES}, "is_default": row.is_default, "active": row.active}


@dataclass(slots=True)
class _Stored:
    """What the batch's existing customers hold now, read once to compare."""

    customers: dict[str, Any]  # number -> (number, id, name)
    addresses: dict[int, list[DeliveryAddress]]
    schedules: dict[int, DeliverySchedule]


@dataclass(slots=True)
class _Plan:
    """The writes that make the stored customers the batch's items."""

    result: BatchResult = field(default_factory=BatchResult)
    renamed: list[dict[str, Any]] = field(default_factory=list)
    address_inserts: list[dict[str, Any]] = field(default_factory=list)
    address_updates: list[dict[str, Any]] = field(default_factory=list)
    schedule_inserts: list[dict[str, Any]] = field(default_factory=list)
    schedule_updates: list[dict[str, Any]] = field(default_factory=list)

    def addresses(self, customer_id: int, given: Sequence[AddressItem], stored: Sequence[DeliveryAddress]) -> bool:
        """Plans the writes that make the customer's addresses the given list; whether there are any."""
        by_external = {address.external_id: address for address in stored}
        before = len(self.address_inserts) + len(self.address_updates)
        for address in given:
            wanted = _given_address(address)
            row = by_external.get(address.external_id)
            if row is None:
                self.address_inserts.append({"customer_id": customer_id, "external_id": address.external_id, **wanted})
            elif _stored_address(row) != wanted:
                self.address_updates.append({"id": row.id, **wanted})
        listed = {address.external_id for address in given}
        for row in stored:
            if row.external_id not in listed and (row.active or row.is_default):
                # No longer offered; orders that went there keep pointing at the row.
                self.address_updates.append(
                    {"id": row.id, **_stored_address(row), "active": False, "is_default": False}
                )
        return len(self.address_inserts) + len(self.address_updates) > before

    def schedule(self, customer_id: int, given: ScheduleItem, old: DeliverySchedule | None) -> bool:
        """Plans the write that makes the customer's schedule the given one; whether there is one."""
        closed = given.closed_dates
        wanted = {
            "weekdays": list(given.weekdays),
            "cutoff_days_before": given.cutoff_days_before,
            "cutoff_time": given.cutoff_time,
            "closed_dates": (
                [day.isoformat() for day in closed]
                if closed is not None
                else list(old.closed_dates)
                if old is not None
                else []
            ),
        }
        if old is None:
            self.schedule_inserts.append({"customer_id": customer_id, **wanted})
        elif old.as_dict() != wanted:
            self.schedule_updates.append({"customer_id": customer_id, **wanted})
        else:
            return False
        return True

    def customer(self, item: CustomerItem, customer_id: int, stored: _Stored) -> bool:
        """Plans the writes of one customer; whether there are any."""
        known = stored.customers.get(item.number)
        changed = known is not None and known.name != item.name
        if changed:
            self.renamed.append({"id": customer_id, "name": item.name})
        if item.addresses is not None:
            changed |= self.addresses(customer_id, item.addresses, stored.addresses.get(customer_id, []))
        if item.schedule is not None:
            changed |= self.schedule(customer_id, item.schedule, stored.schedules.get(customer_id))
        return changed


async def _read_stored(session: AsyncSession, items: list[CustomerItem]) -> _Stored:
    customers = await rows_by_key(
        session, Customer.number, (Customer.number, Customer.id, Customer.name), (item.number for item in items)
    )
    with_addresses = sorted(customers[i.number].id for i in items if i.addresses is not None and i.number in customers)
    with_schedule = sorted(customers[i.number].id for i in items if i.schedule is not None and i.number in customers)
    addresses: dict[int, list[DeliveryAddress]] = defaultdict(list)
    for chunk in chunks(with_addresses):
        for address in await session.scalars(
            select(DeliveryAddress).where(DeliveryAddress.customer_id.in_(chunk)).order_by(DeliveryAddress.id)
        ):
            addresses[address.customer_id].append(address)
    schedules: dict[int, DeliverySchedule] = {}
    for chunk in chunks(with_schedule):
        for schedule in await session.scalars(select(DeliverySchedule).where(DeliverySchedule.customer_id.in_(chunk))):
            schedules[schedule.customer_id] = schedule
    # Rows were read to compare only; updates go out in bulk.
    for row in [*(a for rows in addresses.values() for a in rows), *schedules.values()]:
        session.expunge(row)
    return _Stored(customers, addresses, schedules)


async def _insert_new(session: AsyncSession, items: list[CustomerItem], stored: _Stored) -> dict[str, int]:
    """Inserts the customers not stored yet; returns number -> id of each."""
    new = sorted((item for item in items if item.number not in stored.customers), key=lambda i: i.number)
    if not new:
        return {}
    now = clock.now()
    table = Customer.__table__
    created = await session.execute(
        insert(table).returning(table.c.number, table.c.id),
        [{"number": item.number, "name": item.name, "created_at": now} for item in new],
    )
    return {number: id_ for number, id_ in created}


async def _apply(session: AsyncSession, good: list[tuple[int, CustomerItem]]) -> BatchResult:
    items = [item for _, item in good]
    stored = await _read_stored(session, items)
    ids = await _insert_new(session, items, stored)
    plan = _Plan()
    plan.result.created = len(ids)
    for item in items:
        known = stored.customers.get(item.number)
        changed = plan.customer(item, known.id if known else ids[item.number], stored)
        if known is not None and changed:
            plan.result.updated += 1
        elif known is not None:
            plan.result.unchanged += 1
    await bulk.update_by_key(session, Customer.__table__, plan.renamed)
    await bulk.update_by_key(session, DeliveryAddress.__table__, plan.address_updates)
    await bulk.insert(session, DeliveryAddress.__table__, plan.address_inserts)
    await bulk.update_by_key(session, DeliverySchedule.__table__, plan.schedule_updates)
    await bulk.insert(session, DeliverySchedule.__table__, plan.schedule_inserts)
    return plan.result


UPSERT = Batch[CustomerItem]("erp.customers_upserted", CUSTOMER, _apply, creates=True)

"""upsertCustomers through the endpoint, on both databases: customers, addresses, schedules."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select

from app.db import Database
from app.models import Customer, DeliveryAddress, DeliverySchedule
from tests.erp.helpers import UPSERT_CUSTOMERS, audit_entries, codes, send
from tests.helpers.db import count, rows, scalar


def address(external_id: str, **fields: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "externalId": external_id,
        "label": f"Levering {external_id}",
        "line1": "Sykehusveien 1",
        "postalCode": "0372",
        "city": "Oslo",
    }
    item.update(fields)
    return item


SCHEDULE = {
    "weekdays": [5, 1, 3, 3],
    "cutoffDaysBefore": 1,
    "cutoffTime": "14:00",
    "closedDates": ["2026-12-25", "2026-12-24"],
}

CUSTOMER = {
    "number": "20001",
    "name": "Lindeberg sykehjem",
    "addresses": [
        address("A", isDefault=True, line2="Inngang B"),
        address("B", label="Kjøkken", city="Bærum", postalCode="1337"),
    ],
    "schedule": SCHEDULE,
}


async def _customer(database: Database, number: str) -> Customer | None:
    return await scalar(database, select(Customer).where(Customer.number == number))


async def _addresses(database: Database, number: str) -> dict[str, DeliveryAddress]:
    found = await rows(
        database,
        select(DeliveryAddress)
        .join(Customer, Customer.id == DeliveryAddress.customer_id)
        .where(Customer.number == number),
    )
    return {a.external_id: a for (a,) in found}


async def _schedule(database: Database, number: str) -> DeliverySchedule | None:
    return await scalar(
        database,
        select(DeliverySchedule)
        .join(Customer, Customer.id == DeliverySchedule.customer_id)
        .where(Customer.number == number),
    )


async def test_creates_a_customer_with_addresses_and_schedule(
    client: httpx.AsyncClient, database: Database, erp: str
) -> None:
    payload = await send(client, UPSERT_CUSTOMERS, [CUSTOMER, {"number": "20002", "name": "Bare navn"}], erp)
    assert payload == {"created": 2, "updated": 0, "unchanged": 0, "errors": []}
    customer = await _customer(database, "20001")
    assert customer is not None and customer.name == "Lindeberg sykehjem"
    addresses = await _addresses(database, "20001")
    assert set(addresses) == {"A", "B"}
    a, b = addresses["A"], addresses["B"]
    assert (a.label, a.line1, a.line2, a.postal_code, a.city, a.is_default, a.active) == (
        "Levering A",
        "Sykehusveien 1",
        "Inngang B",
        "0372",
        "Oslo",
        True,
        True,
    )
    assert (b.label, b.line2, b.city, b.is_default, b.active) == ("Kjøkken", None, "Bærum", False, True)
    schedule = await _schedule(database, "20001")
    assert schedule is not None
    assert schedule.as_dict() == {
        "weekdays": [1, 3, 5],
        "cutoff_days_before": 1,
        "cutoff_time": "14:00",
        "closed_dates": ["2026-12-24", "2026-12-25"],
    }
    assert await _addresses(database, "20002") == {}
    assert await _schedule(database, "20002") is None


async def test_same_batch_twice_is_unchanged(client: httpx.AsyncClient, database: Database, erp: str) -> None:
    batch = [CUSTOMER, {"number": "20002", "name": "Bare navn"}]
    await send(client, UPSERT_CUSTOMERS, batch, erp)
    before = [
        (a.id, a.label, a.active) for (a,) in await rows(database, select(DeliveryAddress).order_by(DeliveryAddress.id))
    ]
    payload = await send(client, UPSERT_CUSTOMERS, batch, erp)
    assert payload == {"created": 0, "updated": 0, "unchanged": 2, "errors": []}
    after = [
        (a.id, a.label, a.active) for (a,) in await rows(database, select(DeliveryAddress).order_by(DeliveryAddress.id))
    ]
    assert after == before
    # Left-out addresses and schedule keep what is stored: also unchanged.
    payload = await send(client, UPSERT_CUSTOMERS, [{"number": "20001", "name": "Lindeberg sykehjem"}], erp)
    assert payload["unchanged"] == 1
    assert len(await _addresses(database, "20001")) == 2
    assert await _schedule(database, "20001") is not None


async def test_a_new_name_updates(client: httpx.AsyncClient, database: Database, erp: str) -> None:
    await send(client, UPSERT_CUSTOMERS, [CUSTOMER], erp)
    payload = await send(client, UPSERT_CUSTOMERS, [{"number": " 20001 ", "name": " Lindeberg omsorgssenter "}], erp)
    assert (payload["created"], payload["updated"]) == (0, 1)
    assert (await _customer(database, "20001")).name == "Lindeberg omsorgssenter"  # type: ignore[union-attr]
    assert await count(database, Customer) == 1


async def test_a_given_address_list_replaces_the_stored_one(
    client: httpx.AsyncClient, database: Database, erp: str
) -> None:
    await send(client, UPSERT_CUSTOMERS, [CUSTOMER], erp)
    stored = await _addresses(database, "20001")
    change = {
        **CUSTOMER,
        "addresses": [address("B", label="Kjøkken", city="Bærum", postalCode="1337", isDefault=True), address("C")],
    }
    payload = await send(client, UPSERT_CUSTOMERS, [change], erp)
    assert (payload["updated"], payload["unchanged"]) == (1, 0)
    after = await _addresses(database, "20001")
    # A is no longer offered, but its row stays for the orders that went there.
    assert after["A"].id == stored["A"].id
    assert (after["A"].active, after["A"].is_default, after["A"].line2) == (False, False, "Inngang B")
    assert after["B"].id == stored["B"].id and (after["B"].active, after["B"].is_default) == (True, True)
    assert (after["C"].active, after["C"].is_default) == (True, False)

    # A comes back: the same row, active again.
    payload = await send(client, UPSERT_CUSTOMERS, [{**change, "addresses": [*change["addresses"], address("A")]}], erp)
    assert payload["updated"] == 1
    after = await _addresses(database, "20001")
    assert after["A"].id == stored["A"].id and after["A"].active is True
    assert after["A"].line2 is None  # an address in a list is taken whole

    # An empty list: none offered.
    assert (await send(client, UPSERT_CUSTOMERS, [{**CUSTOMER, "addresses": []}], erp))["updated"] == 1
    assert all(not a.active for a in (await _addresses(database, "20001")).values())
    assert await count(database, DeliveryAddress) == 3


async def test_is_default_left_out_is_false(client: httpx.AsyncClient, database: Database, erp: str) -> None:
    await send(client, UPSERT_CUSTOMERS, [CUSTOMER], erp)
    change = {**CUSTOMER, "addresses": [address("A", line2="Inngang B"), CUSTOMER["addresses"][1]]}
    assert (await send(client, UPSERT_CUSTOMERS, [change], erp))["updated"] == 1
    assert not any(a.is_default for a in (await _addresses(database, "20001")).values())


async def test_schedule_is_replaced_and_closed_dates_left_out_are_kept(
    client: httpx.AsyncClient, database: Database, erp: str
) -> None:
    await send(client, UPSERT_CUSTOMERS, [CUSTOMER], erp)
    new_schedule = {"weekdays": [2, 4, 6, 7], "cutoffDaysBefore": 0, "cutoffTime": "23:59"}
    assert (await send(client, UPSERT_CUSTOMERS, [{**CUSTOMER, "schedule": new_schedule}], erp))["updated"] == 1
    schedule = await _schedule(database, "20001")
    assert schedule is not None and schedule.as_dict() == {
        "weekdays": [2, 4, 6, 7],
        "cutoff_days_before": 0,
        "cutoff_time": "23:59",
        "closed_dates": ["2026-12-24", "2026-12-25"],
    }
    assert (await send(client, UPSERT_CUSTOMERS, [{**CUSTOMER, "schedule": new_schedule}], erp))["unchanged"] == 1
    cleared = {**new_schedule, "closedDates": []}
    assert (await send(client, UPSERT_CUSTOMERS, [{**CUSTOMER, "schedule": cleared}], erp))["updated"] == 1
    assert (await _schedule(database, "20001")).closed_dates == []  # type: ignore[union-attr]
    # A schedule for a customer that had none.
    await send(client, UPSERT_CUSTOMERS, [{"number": "20009", "name": "Ny"}], erp)
    assert (await send(client, UPSERT_CUSTOMERS, [{"number": "20009", "name": "Ny", "schedule": SCHEDULE}], erp))[
        "updated"
    ] == 1
    assert (await _schedule(database, "20009")).weekdays == [1, 3, 5]  # type: ignore[union-attr]


BAD_CUSTOMERS: list[tuple[str, dict[str, Any], str]] = [
    ("empty number", {"number": " "}, "number"),
    ("long number", {"number": "1" * 33}, "number"),
    ("empty name", {"name": ""}, "name"),
    ("long name", {"name": "n" * 201}, "name"),
    ("two defaults", {"addresses": [address("A", isDefault=True), address("B", isDefault=True)]}, "addresses"),
    ("same external id twice", {"addresses": [address("A"), address("A")]}, "addresses.1.externalId"),
    ("empty external id", {"addresses": [address("")]}, "addresses.0.externalId"),
    ("long external id", {"addresses": [address("E" * 65)]}, "addresses.0.externalId"),
    ("empty label", {"addresses": [address("A", label=" ")]}, "addresses.0.label"),
    ("empty line1", {"addresses": [address("A", line1="")]}, "addresses.0.line1"),
    ("long line2", {"addresses": [address("A", line2="l" * 201)]}, "addresses.0.line2"),
    ("empty postal code", {"addresses": [address("A", postalCode="")]}, "addresses.0.postalCode"),
    ("long city", {"addresses": [address("A", city="c" * 101)]}, "addresses.0.city"),
    ("weekday 0", {"schedule": {**SCHEDULE, "weekdays": [1, 0]}}, "schedule.weekdays.1"),
    ("weekday 8", {"schedule": {**SCHEDULE, "weekdays": [8]}}, "schedule.weekdays.0"),
    ("no weekdays", {"schedule": {**SCHEDULE, "weekdays": []}}, "schedule.weekdays"),
    ("cut-off days negative", {"schedule": {**SCHEDULE, "cutoffDaysBefore": -1}}, "schedule.cutoffDaysBefore"),
    ("cut-off days 31", {"schedule": {**SCHEDULE, "cutoffDaysBefore": 31}}, "schedule.cutoffDaysBefore"),
    ("cut-off time 24:00", {"schedule": {**SCHEDULE, "cutoffTime": "24:00"}}, "schedule.cutoffTime"),
    ("cut-off time 7:00", {"schedule": {**SCHEDULE, "cutoffTime": "7:00"}}, "schedule.cutoffTime"),
    ("cut-off time 12:60", {"schedule": {**SCHEDULE, "cutoffTime": "12:60"}}, "schedule.cutoffTime"),
    ("cut-off time noon", {"schedule": {**SCHEDULE, "cutoffTime": "noon"}}, "schedule.cutoffTime"),
    ("cut-off time with seconds", {"schedule": {**SCHEDULE, "cutoffTime": "12:00:00"}}, "schedule.cutoffTime"),
]


@pytest.mark.parametrize(
    ("change", "field"), [(c, f) for _, c, f in BAD_CUSTOMERS], ids=[n for n, _, _ in BAD_CUSTOMERS]
)
async def test_a_bad_customer_is_reported_and_the_good_ones_applied(
    client: httpx.AsyncClient, database: Database, erp: str, change: dict[str, Any], field: str
) -> None:
    batch = [{"number": "30001", "name": "God"}, {**CUSTOMER, **change}, {"number": "30002", "name": "Også god"}]
    payload = await send(client, UPSERT_CUSTOMERS, batch, erp)
    assert codes(payload) == [("INVALID_INPUT", f"items.1.{field}")]
    assert payload["created"] == 2
    assert {c.number for (c,) in await rows(database, select(Customer))} == {"30001", "30002"}
    assert await count(database, DeliveryAddress) == 0


async def test_a_bad_update_leaves_the_stored_customer_alone(
    client: httpx.AsyncClient, database: Database, erp: str
) -> None:
    await send(client, UPSERT_CUSTOMERS, [CUSTOMER], erp)
    bad = {**CUSTOMER, "name": "Nytt navn", "addresses": [address("Z")], "schedule": {**SCHEDULE, "weekdays": [9]}}
    payload = await send(client, UPSERT_CUSTOMERS, [bad], erp)
    assert codes(payload) == [("INVALID_INPUT", "items.0.schedule.weekdays.0")]
    assert (await _customer(database, "20001")).name == "Lindeberg sykehjem"  # type: ignore[union-attr]
    assert set(await _addresses(database, "20001")) == {"A", "B"}


async def test_extreme_schedule_values_are_accepted(client: httpx.AsyncClient, database: Database, erp: str) -> None:
    schedule = {"weekdays": [7, 6, 5, 4, 3, 2, 1], "cutoffDaysBefore": 30, "cutoffTime": "00:00", "closedDates": []}
    payload = await send(client, UPSERT_CUSTOMERS, [{"number": "20001", "name": "X", "schedule": schedule}], erp)
    assert payload["errors"] == []
    assert (await _schedule(database, "20001")).weekdays == [1, 2, 3, 4, 5, 6, 7]  # type: ignore[union-attr]


async def test_a_duplicate_number_refuses_the_later_item(
    client: httpx.AsyncClient, database: Database, erp: str
) -> None:
    batch = [{"number": "20001", "name": "Første"}, {"number": "20001 ", "name": "Andre"}]
    payload = await send(client, UPSERT_CUSTOMERS, batch, erp)
    assert codes(payload) == [("INVALID_INPUT", "items.1.number")]
    assert (await _customer(database, "20001")).name == "Første"  # type: ignore[union-attr]


async def test_each_batch_is_audited(client: httpx.AsyncClient, database: Database, erp: str) -> None:
    await send(client, UPSERT_CUSTOMERS, [CUSTOMER], erp)
    await send(
        client, UPSERT_CUSTOMERS, [CUSTOMER, {"number": "", "name": "x"}, {"number": "20003", "name": "Ny"}], erp
    )
    entries = await audit_entries(database, "erp.customers_upserted")
    assert [e.details for e in entries] == [
        {"created": 1, "updated": 0, "unchanged": 0, "rejected": 0},
        {"created": 1, "updated": 0, "unchanged": 1, "rejected": 1},
    ]
    assert all(e.actor_api_key_id is not None and e.actor_user_id is None for e in entries)


async def test_a_batch_of_1000_customers_applies(client: httpx.AsyncClient, database: Database, erp: str) -> None:
    batch = [
        {
            "number": f"4{n:05d}",
            "name": f"Kunde {n}",
            "addresses": [address(f"{n}-1", isDefault=True), address(f"{n}-2")],
            "schedule": SCHEDULE,
        }
        for n in range(1000)
    ]
    assert (await send(client, UPSERT_CUSTOMERS, batch, erp))["created"] == 1000
    assert await count(database, DeliveryAddress) == 2000
    assert await count(database, DeliverySchedule) == 1000
    assert (await send(client, UPSERT_CUSTOMERS, batch, erp))["unchanged"] == 1000

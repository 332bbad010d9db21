"""The ordering rules on their own, without GraphQL or a database."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from app import clock
from app.errors import DomainError, ErrorCode, InvalidInput
from app.models import OrderStatus
from app.ordering import feed
from app.ordering.carts import MAX_QUANTITY, check_quantity, clean_name
from app.ordering.fulfilment import ShipmentRequest, StatusUpdate, _validate, may_move
from app.ordering.money import Totals, line_total

S = OrderStatus


@pytest.mark.parametrize(
    ("subtotal", "vat", "total"),
    [
        ("252.34", "63.09", "315.43"),  # 63.085 rounds half up
        ("0.02", "0.01", "0.03"),  # 0.005 rounds half up
        ("0.01", "0.00", "0.01"),  # 0.0025 rounds down
        ("100.00", "25.00", "125.00"),
        ("0.00", "0.00", "0.00"),
        ("9999999.98", "2500000.00", "12499999.98"),  # 2499999.995 half up
    ],
)
def test_vat_is_25_percent_of_the_subtotal_rounded_half_up(subtotal: str, vat: str, total: str) -> None:
    totals = Totals.of_subtotal(Decimal(subtotal))
    assert (str(totals.subtotal), str(totals.vat), str(totals.total)) == (subtotal, vat, total)


def test_vat_is_taken_on_the_subtotal_not_per_line() -> None:
    # Three lines of 0.02: per line VAT would be 3 x 0.01 = 0.03; on the subtotal 0.06 it is 0.015 -> 0.02.
    totals = Totals.of_lines([(Decimal("0.02"), 1)] * 3)
    assert (totals.subtotal, totals.vat, totals.total) == (Decimal("0.06"), Decimal("0.02"), Decimal("0.08"))


def test_line_totals_are_exact() -> None:
    assert line_total(Decimal("12.34"), 100_000) == Decimal("1234000.00")
    assert line_total(Decimal("0.01"), 3) == Decimal("0.03")


@pytest.mark.parametrize(
    ("quantity", "ok"), [(1, True), (MAX_QUANTITY, True), (0, False), (-1, False), (100_001, False), (2**31 - 1, False)]
)
def test_quantities_are_1_to_100000(quantity: int, ok: bool) -> None:
    problem = check_quantity(quantity, "lines.0.quantity")
    assert (problem is None) is ok
    if problem is not None:
        assert (problem.code, problem.field) == (ErrorCode.INVALID_INPUT, "lines.0.quantity")


def test_zero_is_allowed_where_it_removes_a_line() -> None:
    assert check_quantity(0, "quantity", allow_zero=True) is None
    assert check_quantity(-1, "quantity", allow_zero=True) is not None


def test_cart_names_are_trimmed_and_bounded() -> None:
    assert clean_name(None) == "Handlekurv"
    assert clean_name("  Kveld   uke 48 ") == "Kveld uke 48"
    for bad in ("", "   ", "x" * 101):
        with pytest.raises(DomainError):
            clean_name(bad)


ALLOWED = {
    (S.SUBMITTED, S.IN_PROGRESS),
    (S.SUBMITTED, S.CANCELLED),
    (S.IN_PROGRESS, S.SHIPPED),
    (S.IN_PROGRESS, S.CANCELLED),
    (S.SHIPPED, S.DELIVERED),
}


@pytest.mark.parametrize("current", list(S))
@pytest.mark.parametrize("target", list(S))
def test_the_status_machine_allows_exactly_the_contracts_moves(current: OrderStatus, target: OrderStatus) -> None:
    assert may_move(current, target) is ((current, target) in ALLOWED)


def _fields(update: StatusUpdate) -> list[str | None]:
    return [p.field for p in _validate(update)]


def test_status_updates_are_checked_before_anything_is_read() -> None:
    shipped = ShipmentRequest(carrier="Bring", tracking_number="1", tracking_url="https://sporing.bring.no/1")
    assert _fields(StatusUpdate("1000001", S.SHIPPED, shipments=[shipped])) == []
    assert _fields(StatusUpdate("1000001", S.IN_PROGRESS, shipments=[shipped])) == ["input.shipments"]
    ftp = ShipmentRequest(carrier="Bring", tracking_number="1", tracking_url="ftp://x/1")
    assert _fields(StatusUpdate("1000001", S.SHIPPED, shipments=[ftp])) == ["input.shipments.0.trackingUrl"]
    future = clock.now() + timedelta(hours=1)
    assert _fields(StatusUpdate("1000001", S.DELIVERED, delivered_at=future)) == ["input.deliveredAt"]
    assert _fields(StatusUpdate("1000001", S.DELIVERED, delivered_at=clock.now() + timedelta(minutes=5))) == []
    assert _fields(StatusUpdate("1000001", S.SHIPPED, delivered_at=clock.now())) == ["input.deliveredAt"]


def test_feed_cursors_round_trip_and_foreign_ones_are_refused() -> None:
    assert feed.decode_cursor(feed.encode_cursor(42)) == 42
    assert feed.decode_cursor(None) == 0
    for bad in ("garbage!", feed.encode_cursor(1)[:-1] + "A", "b206MQ"):  # "b206MQ" is a search cursor, "o:1"
        with pytest.raises(InvalidInput):
            feed.decode_cursor(bad)

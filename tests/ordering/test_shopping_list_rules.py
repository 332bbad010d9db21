"""Unit tests of the shopping-list rules, the signed links and the list's documents (no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import pytest

from app.errors import DomainError, ErrorCode
from app.http import signed_links
from app.models import Product, ShoppingListItem
from app.ordering.carts import LineRequest
from app.ordering.shopping_list_documents import (
    ListDocument,
    Row,
    content_disposition,
    file_name,
    render_csv,
    render_print,
)
from app.ordering.shopping_lists import clean_title, merge, plan_to_cart


def product(pk: int, active: bool = True) -> Product:
    return Product(id=pk, sku=f"S-{pk}", name=f"Vare {pk}", unit="eske", list_price=Decimal("1.00"), active=active)


def item(product_id: int, quantity: int) -> ShoppingListItem:
    return ShoppingListItem(product_id=product_id, quantity=quantity)


def problems(error: pytest.ExceptionInfo[DomainError]) -> list[tuple[ErrorCode, str | None]]:
    return [(p.code, p.field) for p in error.value.problems]


# --- titles


def test_a_title_is_trimmed_and_its_whitespace_collapsed() -> None:
    assert clean_title("  Uke 48\n\tnattevakt  ") == "Uke 48 nattevakt"
    assert clean_title("x" * 100) == "x" * 100


@pytest.mark.parametrize("title", ["", " \n\t ", "x" * 101, "æ" * 10_000])
def test_a_title_must_have_1_to_100_characters(title: str) -> None:
    with pytest.raises(DomainError) as error:
        clean_title(title)
    assert problems(error) == [(ErrorCode.INVALID_INPUT, "title")]


# --- merging a batch


def test_the_same_product_twice_adds_up_in_first_seen_order() -> None:
    requests = [LineRequest("S-2", None, 2), LineRequest("S-1", None, 1), LineRequest(None, "x", 5)]
    merged, found = merge(requests, [product(2), product(1), product(2)])
    assert found == []
    assert list(merged.quantities.items()) == [(2, 7), (1, 1)]
    assert merged.first_index == {2: 0, 1: 1}


def test_a_sum_over_100000_names_the_products_first_item() -> None:
    requests = [LineRequest("S-1", None, 1), LineRequest("S-2", None, 60_000), LineRequest("S-2", None, 40_001)]
    _, found = merge(requests, [product(1), product(2), product(2)])
    assert [(p.code, p.field) for p in found] == [(ErrorCode.INVALID_INPUT, "items.1.quantity")]
    _, exact = merge(requests[:2] + [LineRequest("S-2", None, 40_000)], [product(1), product(2), product(2)])
    assert exact == []


# --- ordering from a list


def test_retired_and_missing_products_are_skipped_by_position() -> None:
    items = [item(1, 3), item(2, 4), item(3, 5), item(4, 6)]
    plan = plan_to_cart(items, {1: product(1), 2: product(2, active=False), 4: product(4)}, {}, 0)
    assert plan.quantities == {1: 3, 4: 6}
    assert [(p.code, p.field) for p in plan.problems] == [
        (ErrorCode.PRODUCT_UNAVAILABLE, "items.1"),
        (ErrorCode.PRODUCT_UNAVAILABLE, "items.2"),
    ]
    assert "S-2 (Vare 2)" in plan.problems[0].message


def test_a_cart_line_never_passes_100000() -> None:
    plan = plan_to_cart([item(1, 10), item(2, 10)], {1: product(1), 2: product(2)}, {1: 99_990, 2: 99_991}, 2)
    assert plan.quantities == {1: 10}
    assert [(p.code, p.field) for p in plan.problems] == [(ErrorCode.INVALID_INPUT, "items.1.quantity")]


def test_a_full_cart_takes_more_of_what_it_holds_but_no_new_products() -> None:
    plan = plan_to_cart([item(1, 1), item(2, 1)], {1: product(1), 2: product(2)}, {1: 5}, 1_000)
    assert plan.quantities == {1: 1}
    assert [(p.code, p.field) for p in plan.problems] == [(ErrorCode.INVALID_INPUT, "items.1")]
    room_for_one = plan_to_cart([item(2, 1), item(3, 1)], {2: product(2), 3: product(3)}, {}, 999)
    assert room_for_one.quantities == {2: 1} and [p.field for p in room_for_one.problems] == ["items.1"]


# --- signed links

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
KEY = "a" * 64
PATH = "/shopping-lists/abc/print"


def _params(link: str) -> signed_links.LinkParams:
    parts = urlsplit(link)
    assert parts.path == PATH
    params = signed_links.parse(dict(parse_qsl(parts.query)))
    assert params is not None
    return params


def test_a_link_is_valid_for_its_path_for_ten_minutes() -> None:
    params = _params(signed_links.sign(KEY, 7, PATH, NOW))
    assert params.session_id == 7
    assert signed_links.valid(KEY, PATH, params, NOW)
    assert signed_links.valid(KEY, PATH, params, NOW + timedelta(minutes=9, seconds=59))
    assert not signed_links.valid(KEY, PATH, params, NOW + timedelta(minutes=10))
    assert not signed_links.valid(KEY, "/shopping-lists/abc.csv", params, NOW)
    assert not signed_links.valid("b" * 64, PATH, params, NOW)


def test_a_link_cannot_be_stretched_or_forged() -> None:
    params = _params(signed_links.sign(KEY, 7, PATH, NOW))
    later = signed_links.LinkParams(7, params.expires + 3600, params.signature)
    assert not signed_links.valid(KEY, PATH, later, NOW)
    # Even a correctly signed link (the token's owner knows the key) may not live for hours.
    long_lived = params.expires + 3600
    forged = signed_links.LinkParams(7, long_lived, signed_links.signature(KEY, PATH, long_lived))
    assert not signed_links.valid(KEY, PATH, forged, NOW)


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"session": "7", "expires": "1"},
        {"session": "x", "expires": "1", "signature": "0" * 64},
        {"session": "7", "expires": "-1", "signature": "0" * 64},
        {"session": "7", "expires": "1", "signature": "0" * 63},
        {"session": "9" * 19, "expires": "1", "signature": "0" * 64},
    ],
)
def test_malformed_link_parameters_are_no_link(query: dict[str, str]) -> None:
    assert signed_links.parse(query) is None


# --- documents

DOCUMENT = ListDocument(
    title="Uke 48: pleie/stell",
    customer_name="Solsiden sykehjem",
    customer_number="10001",
    rows=[Row("NH-100", "Nitrilhanske «blå» æøå", "eske", 3), Row("-5", "+Sprit", "@fl", 1)],
)


def test_csv_is_utf8_with_a_bom_semicolons_crlf_and_no_formulas() -> None:
    data = render_csv(DOCUMENT)
    assert data.startswith("\ufeff".encode())
    assert data.decode("utf-8") == (
        "\ufeffsku;name;quantity;unit\r\nNH-100;Nitrilhanske «blå» æøå;3;eske\r\n'-5;'+Sprit;1;'@fl\r\n"
    )


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("Uke 48: pleie/stell", "handleliste-uke-48-pleie-stell.csv"),
        ("Bæsj, ørsmå ÅPNE", "handleliste-baesj-orsma-apne.csv"),
        ('"; rm -rf /', "handleliste-rm-rf.csv"),
        ("日本", "handleliste.csv"),
        ("x" * 100, f"handleliste-{'x' * 60}.csv"),
    ],
)
def test_file_names_are_safe_ascii(title: str, name: str) -> None:
    assert file_name(title, "csv") == name


def test_content_disposition_carries_the_title_itself_for_modern_clients() -> None:
    assert content_disposition("Ø 1", "csv") == (
        "attachment; filename=\"handleliste-o-1.csv\"; filename*=UTF-8''%C3%98%201.csv"
    )


def test_the_print_date_is_oslo_time_in_summer_and_winter() -> None:
    summer = render_print(DOCUMENT, datetime(2027, 6, 30, 22, 30, tzinfo=UTC))
    assert "Skrevet ut torsdag 1. juli 2027<br>kl. 00.30" in summer
    winter = render_print(DOCUMENT, datetime(2027, 12, 31, 23, 5, tzinfo=UTC))
    assert "Skrevet ut lørdag 1. januar 2028<br>kl. 00.05" in winter
    assert "Nitrilhanske «blå» æøå" in winter and "Uke 48: pleie/stell" in winter

"""The one codec for opaque strings, and the ids and cursors spelled with it (unit tests, no database)."""

from __future__ import annotations

import pytest

from app import opaque
from app.errors import InvalidInput
from app.ids import MAX_PK, decode_id, encode_id
from app.models import Customer
from app.ordering import feed
from app.pagination import SortKey, decode_cursor, encode_cursor
from app.resolvers.catalog import _offset, offset_cursor

BY_NUMBER = (SortKey(Customer.number), SortKey(Customer.id))
ODD_TEXT = ["", "a", "æøå ÆØÅ", "😀 emoji", "e\u0301 (combining)", "\u200b\ufeff zero width", "🇳🇴", "x" * 5_000]


@pytest.mark.parametrize("text", ODD_TEXT)
def test_any_text_round_trips(text: str) -> None:
    encoded = opaque.encode(text)
    assert encoded.isascii() and "=" not in encoded and "+" not in encoded and "/" not in encoded
    assert opaque.decode(encoded, len(encoded)) == (text or None)  # the empty string is no token


def test_only_our_spelling_decodes() -> None:
    good = opaque.encode("Order:1")  # "T3JkZXI6MQ"
    assert opaque.decode(good, 100) == "Order:1"
    for other in [good + "==", good + "\n", " " + good, good[:-1] + "R", good.replace("T", "T!"), good + "\x00"]:
        assert opaque.decode(other, 100) is None, other
    assert opaque.decode("T3JkZXI6MQ", 9) is None  # longer than the caller reads


@pytest.mark.parametrize(
    "value",
    [None, "", "!!!", "æøå", "😀", "\ud800", "a", "ab=c", "_-_-", opaque.encode("x")[:-1] + "\u0660", "=" * 8],
)
def test_malformed_strings_are_none_never_an_exception(value: str | None) -> None:
    assert opaque.decode(value, 100) is None


def test_text_that_is_not_utf8_is_none() -> None:
    import base64

    latin1 = base64.urlsafe_b64encode("Ørsta".encode("latin-1")).decode().rstrip("=")
    assert opaque.decode(latin1, 100) is None


def test_over_long_input_is_refused_before_decoding() -> None:
    long = opaque.encode("x" * 1_000_000)
    assert opaque.decode(long, 1_000) is None
    assert decode_id("Order", long) is None
    with pytest.raises(InvalidInput):
        decode_cursor(long, BY_NUMBER)
    with pytest.raises(InvalidInput):
        feed.decode_cursor(long)


# Strings the four codecs gave out before they were one: clients and the ERP hold them.
OLD_IDS = {
    ("Order", 1): "T3JkZXI6MQ",
    ("User", MAX_PK): "VXNlcjoyMTQ3NDgzNjQ3",
    ("WebhookDelivery", 12345): "V2ViaG9va0RlbGl2ZXJ5OjEyMzQ1",
}
OLD_CURSORS = {
    ("Åse Ødegård 😀", 3): "WyJcdTAwYzVzZSBcdTAwZDhkZWdcdTAwZTVyZCBcdWQ4M2RcdWRlMDAiLDNd",
    (-5,): "Wy01XQ",
    ("10001", 7): "WyIxMDAwMSIsN10",
}
OLD_FEED = {42: "ZmVlZDo0Mg", 2**63 - 1: "ZmVlZDo5MjIzMzcyMDM2ODU0Nzc1ODA3"}


def test_old_strings_decode_to_the_same_and_new_ones_are_byte_identical() -> None:
    for (kind, pk), old in OLD_IDS.items():
        assert encode_id(kind, pk) == old and decode_id(kind, old) == pk
    for values, old in OLD_CURSORS.items():
        assert encode_cursor(values) == old and decode_cursor(old, BY_NUMBER[-len(values) :]) == list(values)
    for position, old in OLD_FEED.items():
        assert feed.encode_cursor(position) == old and feed.decode_cursor(old) == position
    assert offset_cursor(20) == "bzoyMA" and _offset("bzoyMA") == 20


@pytest.mark.parametrize(
    "text",
    [
        "Order:0",
        "Order:01",
        "Order:-1",
        "Order:+1",
        f"Order:{MAX_PK + 1}",
        "Order:1.0",
        "Order:\u0661",
        "Order:",
        "Order",
        "Cart:1",
    ],
)
def test_ids_that_name_no_row_of_the_type_are_none(text: str) -> None:
    assert decode_id("Order", opaque.encode(text)) is None


def test_feed_positions_take_what_the_feed_always_took() -> None:
    assert feed.decode_cursor(None) == 0 and feed.decode_cursor("") == 0
    assert feed.decode_cursor(opaque.encode("feed:0042")) == 42  # leading zeros, as before
    for text in ["feed:" + "9" * 19, "feed:" + "1" * 20, "feed:-1", "feed:", "feed:\u0661", "o:1", "feed:1:2"]:
        with pytest.raises(InvalidInput):
            feed.decode_cursor(opaque.encode(text))


def test_search_offsets_take_at_most_eight_digits() -> None:
    assert _offset(None) == 0 and _offset(opaque.encode("o:99999999")) == 99_999_999
    for text in ["o:123456789", "o:", "o:x", "feed:1", "p:1"]:
        with pytest.raises(InvalidInput):
            _offset(opaque.encode(text))


@pytest.mark.parametrize(
    "text",
    [
        "[1]",  # too few values
        "[1,2,3]",
        '{"a":1}',
        "[true,1]",
        "[10001,1]",  # a number where the column holds text
        '["10001","1"]',  # text where the column holds numbers
        "[1.5,1]",
        f"[{2**31},1]",
        '["\\u0000",1]',
        '["\\ud800",1]',  # a lone surrogate, escaped
        '["' + "x" * 1001 + '",1]',
        "[" * 50_000 + "]" * 50_000,  # deeper than the JSON parser goes, but not longer than we read
        "[[1],2]",
        "not json",
    ],
)
def test_cursors_this_list_did_not_give_out_are_invalid_input(text: str) -> None:
    with pytest.raises(InvalidInput):
        decode_cursor(opaque.encode(text), BY_NUMBER)


def test_deep_nesting_within_the_length_limit_is_invalid_input() -> None:
    deep = "[" * 5_000 + "]" * 5_000
    with pytest.raises(InvalidInput):
        decode_cursor(opaque.encode(deep), BY_NUMBER)

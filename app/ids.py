"""Opaque global ids: ``base64url("Type:pk")``, so clients never build them."""

from __future__ import annotations

import base64
import binascii

# Primary keys are INTEGER columns (32-bit on PostgreSQL): a larger number is
# no row's key, and handing it to the database would fail the query instead.
MAX_PK = 2**31 - 1


def encode_id(type_name: str, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")


def decode_id(type_name: str, value: str) -> int | None:
    """The primary key in ``value`` when it is an id of ``type_name``; else None.

    Only ids this module could have made are accepted: ASCII digits without a
    sign or leading zero, a positive number within the key column's range, in
    canonical base64 (so one row has one id). Anything else is "no such
    object", never an error deeper down.
    """
    if not value or len(value) > 100 or not value.isascii():
        return None
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    kind, _, digits = raw.partition(":")
    if kind != type_name or not digits.isascii() or not digits.isdigit() or len(digits) > 10:
        return None
    pk = int(digits)
    if not 0 < pk <= MAX_PK or encode_id(type_name, pk) != value:
        return None
    return pk

"""Opaque global ids: ``Type:pk`` through the shared codec (app/opaque.py), so clients never build them."""

from __future__ import annotations

from app import opaque

# Primary keys are INTEGER columns (32-bit on PostgreSQL): a larger number is
# no row's key, and handing it to the database would fail the query instead.
MAX_PK = 2**31 - 1
_MAX_DIGITS = len(str(MAX_PK))


def encode_id(type_name: str, pk: int) -> str:
    return opaque.encode_number(type_name, pk)


def decode_id(type_name: str, value: str) -> int | None:
    """The primary key in ``value`` when it is an id of ``type_name``; else None.

    Only ids this module could have made are accepted: ASCII digits without a
    sign or leading zero, a positive number within the key column's range, in
    canonical base64 (so one row has one id). Anything else is "no such
    object", never an error deeper down.
    """
    pk = opaque.decode_number(type_name, value, _MAX_DIGITS)
    if pk is None or not 0 < pk <= MAX_PK or encode_id(type_name, pk) != value:
        return None
    return pk

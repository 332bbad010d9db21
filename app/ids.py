"""Opaque global ids: ``base64url("Type:pk")``, so clients never build them."""

from __future__ import annotations

import base64
import binascii


def encode_id(type_name: str, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")


def decode_id(type_name: str, value: str) -> int | None:
    """The primary key in ``value`` when it is an id of ``type_name``; else None."""
    if not value or len(value) > 100:
        return None
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    kind, _, pk = raw.partition(":")
    if kind != type_name or not pk.isdigit() or len(pk) > 18:
        return None
    return int(pk)

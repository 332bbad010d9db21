"""The one codec for every opaque string the API hands out: ids, list cursors, feed positions.

Each is ``base64url(UTF-8 text)`` without padding, so clients keep and send
them back but never build or read them. ``decode`` accepts only the spelling
``encode`` makes (no padding, no stray characters, no unused bits set): one
thing has one string, and anything else is None, for the caller to answer as
"no such object" or INVALID_INPUT, never an exception deeper down.

What the text says is the caller's: ``Type:pk`` for ids (app/ids.py), a JSON
array of sort values for keyset cursors (app/pagination.py), ``feed:N`` for
the order feed and ``o:N`` for search offsets (``encode_number``).
"""

from __future__ import annotations

import base64
import binascii


def encode(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode("ascii").rstrip("=")


def encoded_length(chars: int) -> int:
    """How long the string for ``chars`` bytes of text is: the most a caller need read."""
    return -(-chars * 4 // 3)


def decode(value: str | None, max_chars: int) -> str | None:
    """The text in ``value`` when ``encode`` made it and it is at most ``max_chars`` long; else None.

    The length is checked first, so an over-long string costs nothing to refuse.
    """
    if not value or len(value) > max_chars or not value.isascii():
        return None
    try:
        text = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    # The decoder skips characters outside the alphabet and ignores unused bits: only our spelling counts.
    return text if encode(text) == value else None


def encode_number(tag: str, number: int) -> str:
    return encode(f"{tag}:{number}")


def decode_number(tag: str, value: str | None, max_digits: int) -> int | None:
    """N from the string of ``tag:N`` (N at most ``max_digits`` ASCII digits); else None.

    Leading zeros pass (the feed and search offsets always took them); ids,
    which must have one spelling, compare with ``encode_number`` themselves.
    """
    text = decode(value, encoded_length(len(tag) + 1 + max_digits))
    if text is None:
        return None
    kind, colon, digits = text.partition(":")
    if kind != tag or not colon or not digits.isascii() or not digits.isdigit() or len(digits) > max_digits:
        return None
    return int(digits)

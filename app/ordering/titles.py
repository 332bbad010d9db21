"""The names of carts and the titles of shopping lists: what people type, tidied and bounded."""

from __future__ import annotations

from app.errors import DomainError, ErrorCode


def clean_title(text: str, field: str, *, most: int, missing: str, what: str) -> str:
    """``text`` with its whitespace collapsed to single spaces.

    INVALID_INPUT on ``field``: ``missing`` when nothing is left, "<what> can
    be at most ``most`` characters." when too long.
    """
    cleaned = " ".join(text.split())
    if not cleaned:
        raise DomainError.of(ErrorCode.INVALID_INPUT, missing, field)
    if len(cleaned) > most:
        raise DomainError.of(ErrorCode.INVALID_INPUT, f"{what} can be at most {most} characters.", field)
    return cleaned

"""Checks on what people type: emails, names, phone numbers, free text."""

from __future__ import annotations

import re

from app.errors import ErrorCode, Problem

# Deliberately plain: one @, no spaces, a dot in the domain. Delivery proves the rest.
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9 ()\-]{5,30}$")

MAX_NAME = 200
MAX_EMAIL = 254
MAX_TEXT = 2000


def email_key(email: str) -> str:
    return email.strip().lower()


def check_email(value: str, field: str) -> Problem | None:
    value = value.strip()
    if len(value) > MAX_EMAIL or not _EMAIL.match(value):
        return Problem(ErrorCode.INVALID_INPUT, "Enter a valid email address.", field)
    return None


def check_name(value: str, field: str, what: str = "A name") -> Problem | None:
    value = value.strip()
    if not value:
        return Problem(ErrorCode.INVALID_INPUT, f"{what} is required.", field)
    if len(value) > MAX_NAME:
        return Problem(ErrorCode.INVALID_INPUT, f"{what} can be at most {MAX_NAME} characters.", field)
    return None


def check_phone(value: str | None, field: str, *, required: bool = False) -> Problem | None:
    if value is None or not value.strip():
        return Problem(ErrorCode.INVALID_INPUT, "A phone number is required.", field) if required else None
    if not _PHONE.match(value.strip()):
        return Problem(ErrorCode.INVALID_INPUT, "Enter a phone number of digits, spaces and an optional +.", field)
    return None


def check_text(value: str | None, field: str, limit: int = MAX_TEXT) -> Problem | None:
    if value is not None and len(value) > limit:
        return Problem(ErrorCode.INVALID_INPUT, f"At most {limit} characters.", field)
    return None


def problems(*found: Problem | None) -> list[Problem]:
    return [p for p in found if p is not None]

"""Date and DateTime as the contract defines them, within a sane range.

Strawberry's built-in scalars accept any year Python can hold; a date in year
9999 then overflows date arithmetic deep in a resolver (INTERNAL), and a
DateTime without an offset cannot be compared with the service's aware
times. These refuse both at coercion, so the caller gets INVALID_INPUT with
nothing executed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import dateutil.parser
from graphql import GraphQLError
from strawberry.schema.types.base_scalars import DateDefinition, DateTimeDefinition
from strawberry.types.scalar import ScalarDefinition

# No order, delivery or audit entry of this shop falls outside these years.
EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2100, 12, 31)
_RANGE = f"between {EARLIEST.isoformat()} and {LATEST.isoformat()}"


def _invalid(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "INVALID_INPUT"})


def _parser(kind: str, parse: Callable[[str], Any], day_of: Callable[[Any], dt.date]) -> Callable[[object], Any]:
    def parse_value(value: object) -> Any:
        if not isinstance(value, str) or len(value) > 64:
            raise _invalid(f"{kind} must be an ISO 8601 string.")
        try:
            parsed = parse(value)
        except (ValueError, OverflowError):
            raise _invalid(f'"{value}" is not an ISO 8601 {kind}.') from None
        if not EARLIEST <= day_of(parsed) <= LATEST:
            raise _invalid(f"{kind} must be {_RANGE}.")
        return parsed

    return parse_value


def _aware(value: str) -> dt.datetime:
    parsed = dateutil.parser.isoparse(value)
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ValueError("no offset")
    return parsed


DATE = ScalarDefinition(
    name="Date",
    description=f"Date (ISO 8601, YYYY-MM-DD), {_RANGE}.",
    specified_by_url=None,
    serialize=DateDefinition.serialize,
    parse_value=_parser("Date", dt.date.fromisoformat, lambda day: day),
    parse_literal=None,
    origin=dt.date,
)
DATETIME = ScalarDefinition(
    name="DateTime",
    description=f"Date with time (ISO 8601 with an offset, e.g. 2026-05-17T08:30:00+02:00), {_RANGE}.",
    specified_by_url=None,
    serialize=DateTimeDefinition.serialize,
    parse_value=_parser("DateTime", _aware, lambda moment: moment.astimezone(dt.UTC).date()),
    parse_literal=None,
    origin=dt.datetime,
)
SCALARS: dict[object, ScalarDefinition] = {dt.date: DATE, dt.datetime: DATETIME}

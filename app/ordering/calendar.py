"""The delivery calendar: which dates a customer can still order for.

A customer's agreed delivery dates follow the schedule ERP sends: ISO
weekdays (1 = Monday .. 7 = Sunday), a cut-off ``cutoff_days_before`` calendar
days before the date at ``cutoff_time`` (wall-clock time in Europe/Oslo), minus
the schedule's closed dates and Norway's public holidays. A date can be ordered
for while ``now`` is strictly before its cut-off.

A customer without a schedule has no agreed dates: every function here takes
``None`` for the schedule and then offers nothing, so nothing can be ordered
until ERP sends a schedule. Inventing a default (say Monday to Friday) would let
the shop promise deliveries the customer's route never makes; an empty list is
visible and fixed in ERP, a wrong date is found at the loading dock.

Plain Python on purpose: no ORM, no GraphQL, no clock. ``now`` is always passed
in (aware; the service takes it from ``app.clock.now()``), so the rules can be
tested at any moment, including the DST changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from types import MappingProxyType
from zoneinfo import ZoneInfo

import holidays

__all__ = [
    "MAX_RANGE_DAYS",
    "NO_SCHEDULE",
    "OSLO",
    "DeliverySchedule",
    "cutoff",
    "delivery_dates",
    "holiday_names",
    "is_public_holiday",
    "next_delivery_date",
    "range_problem",
    "why_not_deliverable",
]

OSLO = ZoneInfo("Europe/Oslo")
MAX_RANGE_DAYS = 120

_HH_MM = re.compile(r"(?:[01][0-9]|2[0-3]):[0-5][0-9]")
NO_SCHEDULE = "no delivery schedule agreed"


@dataclass(frozen=True, slots=True)
class DeliverySchedule:
    """The rule as ERP gives it, independent of how it is stored."""

    weekdays: frozenset[int]  # ISO: 1 = Monday .. 7 = Sunday
    cutoff_days_before: int
    cutoff_time: time  # wall-clock time in Europe/Oslo, naive on purpose
    closed_dates: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        # The ERP sync already checks these; a schedule built any other way
        # (tests, the demo, a future admin screen) must not bend the rules.
        if not self.weekdays or not all(1 <= day <= 7 for day in self.weekdays):
            raise ValueError("weekdays must be ISO weekdays 1 (Monday) to 7 (Sunday), at least one")
        if self.cutoff_days_before < 0:
            raise ValueError("cutoff_days_before cannot be negative")
        if self.cutoff_time.tzinfo is not None:
            raise ValueError("cutoff_time is a wall-clock time in Europe/Oslo, without tzinfo")

    @classmethod
    def from_stored(
        cls,
        weekdays: Iterable[int],
        cutoff_days_before: int,
        cutoff_time: str,
        closed_dates: Iterable[str],
    ) -> DeliverySchedule:
        """From the columns of ``app.models.DeliverySchedule`` (JSON lists, "HH:MM", ISO dates)."""
        if not _HH_MM.fullmatch(cutoff_time):
            raise ValueError(f'cutoff_time must be "HH:MM", got {cutoff_time!r}')
        return cls(
            weekdays=frozenset(weekdays),
            cutoff_days_before=cutoff_days_before,
            cutoff_time=time.fromisoformat(cutoff_time),
            closed_dates=frozenset(date.fromisoformat(day) for day in closed_dates),
        )


def cutoff(schedule: DeliverySchedule, day: date) -> datetime:
    """The last moment (exclusive) to order for ``day``, aware in Europe/Oslo.

    A wall time that does not exist (the spring-forward hour) or exists twice
    (the fall-back hour) is read with ``fold=0``, as zoneinfo does: 02:30 on the
    spring day becomes 03:30 summer time, 02:30 on the autumn day the first,
    summer-time 02:30. The round trip through UTC makes the result a real
    instant with the offset that applies at it.

    Compare it with ``<``/``>=`` (or in UTC): Python's ``==`` between zones is
    always False for a repeated wall time (PEP 495).
    """
    wall = datetime.combine(day - timedelta(days=schedule.cutoff_days_before), schedule.cutoff_time, tzinfo=OSLO)
    return wall.astimezone(ZoneInfo("UTC")).astimezone(OSLO)


@lru_cache(maxsize=64)
def _holidays_of(year: int) -> Mapping[date, tuple[str, ...]]:
    # Pinned on purpose: the package picks its language from LANG/LC_* when
    # none is given (so names would change with the server's locale), and its
    # Norway class can count every Sunday as a holiday (include_sundays), which
    # would hide Sunday delivery schedules behind "public holiday".
    # expand=False with a copy: the package's object grows on lookup, a frozen
    # per-year mapping does not and is safe to share between requests.
    found = holidays.country_holidays("NO", years=year, language="no", expand=False, include_sundays=False)
    return MappingProxyType({day: tuple(found.get_list(day)) for day in found})


def holiday_names(day: date) -> tuple[str, ...]:
    """Norway's public holidays on ``day`` in Norwegian (two may coincide, as 17 May 2027); empty if none."""
    return _holidays_of(day.year).get(day, ())


def is_public_holiday(day: date) -> bool:
    """A Norwegian public holiday (not merely a Sunday)."""
    return bool(holiday_names(day))


# Orders are placed at most a year ahead: no route is planned further, and a
# typo in the year (2062 for 2026) is caught instead of waiting decades.
MAX_DAYS_AHEAD = 365


def too_far_ahead(day: date, now: datetime) -> str | None:
    """Why ``day`` is past the ordering horizon (``MAX_DAYS_AHEAD`` after today in Oslo), or ``None``."""
    _require_aware(now)
    if (day - now.astimezone(OSLO).date()).days > MAX_DAYS_AHEAD:
        return f"more than {MAX_DAYS_AHEAD} days ahead"
    return None


def _require_aware(now: datetime) -> None:
    # A naive "now" would be compared as if it were some zone; refuse instead
    # of guessing, the clock always gives an aware UTC time.
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")


def why_not_deliverable(schedule: DeliverySchedule | None, day: date, now: datetime) -> str | None:
    """``None`` if ``day`` is an agreed date that can still be ordered at ``now``; else why not, in English."""
    _require_aware(now)
    if schedule is None:
        return NO_SCHEDULE
    if day.isoweekday() not in schedule.weekdays:
        return "not a delivery weekday"
    names = holiday_names(day)
    if names:
        return f"a public holiday ({', '.join(names)})"
    if day in schedule.closed_dates:
        return "closed"
    deadline = cutoff(schedule, day)
    if now >= deadline:
        return f"past its cut-off at {deadline:%Y-%m-%d %H:%M}"
    return None


def range_problem(start: date, end: date) -> str | None:
    """Why ``start``..``end`` is not a range to list dates for (the resolver's INVALID_INPUT), or ``None``."""
    if end < start:
        return "The end date is before the start date."
    if (end - start).days > MAX_RANGE_DAYS:
        return f"At most {MAX_RANGE_DAYS} days between the start and the end date."
    return None


def delivery_dates(schedule: DeliverySchedule | None, start: date, end: date, now: datetime) -> list[date]:
    """The agreed dates from ``start`` to ``end`` (inclusive) that can still be ordered at ``now``.

    Raises ``ValueError`` (message from ``range_problem``) for a reversed range
    or one longer than ``MAX_RANGE_DAYS``, even without a schedule, so the
    error does not depend on the customer.
    """
    problem = range_problem(start, end)
    if problem is not None:
        raise ValueError(problem)
    _require_aware(now)
    if schedule is None:
        return []
    days = (start + timedelta(days=offset) for offset in range((end - start).days + 1))
    return [day for day in days if why_not_deliverable(schedule, day, now) is None]


def next_delivery_date(
    schedule: DeliverySchedule | None, now: datetime, horizon_days: int = MAX_RANGE_DAYS
) -> date | None:
    """The first date that can still be ordered at ``now``, looking ``horizon_days`` ahead of today in Oslo."""
    _require_aware(now)
    if schedule is None:
        return None
    # "Today" is Oslo's date: at 00:30 Oslo time it is still yesterday in UTC.
    today = now.astimezone(OSLO).date()
    for offset in range(horizon_days + 1):
        day = today + timedelta(days=offset)
        if why_not_deliverable(schedule, day, now) is None:
            return day
    return None

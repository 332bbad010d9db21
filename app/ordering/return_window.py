"""The return window: goods may be returned up to 8 Europe/Oslo calendar days after delivery.

The manual: "Retur må være avtalt innen 8 dager fra mottak av varen". Days
are counted on the calendar in Oslo, not in 24-hour blocks: goods received at
23:50 on a Monday have their first day on Tuesday, and the last day a return
can be asked for is the eighth calendar day after the day of delivery (the
whole day, until midnight in Oslo). A DST change in between shortens or
lengthens one day by an hour and changes nothing else.

Plain Python with the clock passed in (``now``, aware), so the rule can be
tested at any moment.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")
RETURN_DAYS = 8

__all__ = ["OSLO", "RETURN_DAYS", "days_since_delivery", "last_return_day", "within_return_window"]


def _oslo_date(moment: datetime) -> date:
    if moment.tzinfo is None:
        raise ValueError("the return window needs aware datetimes")
    return moment.astimezone(OSLO).date()


def last_return_day(delivered_at: datetime) -> date:
    """The last Oslo calendar day on which a return can be asked for."""
    return date.fromordinal(_oslo_date(delivered_at).toordinal() + RETURN_DAYS)


def days_since_delivery(delivered_at: datetime, now: datetime) -> int:
    """Oslo calendar days from the day of delivery to today: 0 on the day itself, 8 on the last day."""
    return (_oslo_date(now) - _oslo_date(delivered_at)).days


def within_return_window(delivered_at: datetime, now: datetime) -> bool:
    """Whether a return may still be asked for at ``now``: through day 8, never day 9."""
    return _oslo_date(now) <= last_return_day(delivered_at)

"""The 8-day return window as a pure function: Oslo calendar days, the clock passed in.

Each case is written in Oslo wall-clock time and converted to UTC the way the
database stores it, so a rule that counted UTC dates or 24-hour blocks would
fail the cases around midnight and the DST weekends of 2027 (summer time
starts Sunday 28 March 02:00, ends Sunday 31 October 03:00).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from app.ordering.return_window import OSLO, days_since_delivery, last_return_day, within_return_window


def oslo(year: int, month: int, day: int, hour: int = 12, minute: int = 0, second: int = 0, fold: int = 0) -> datetime:
    """An Oslo wall-clock moment, as UTC (how deliveredAt and the clock reach the rule)."""
    return datetime(year, month, day, hour, minute, second, tzinfo=OSLO, fold=fold).astimezone(UTC)


@pytest.mark.parametrize(
    ("delivered", "now", "days", "allowed"),
    [
        # An ordinary week in winter: day 8 allowed to its last second, day 9 not.
        (oslo(2027, 1, 11, 10), oslo(2027, 1, 11, 15), 0, True),
        (oslo(2027, 1, 11, 10), oslo(2027, 1, 19, 0, 0, 0), 8, True),
        (oslo(2027, 1, 11, 10), oslo(2027, 1, 19, 23, 59, 59), 8, True),
        (oslo(2027, 1, 11, 10), oslo(2027, 1, 20, 0, 0, 0), 9, False),
        (oslo(2027, 1, 11, 10), oslo(2027, 2, 11, 10), 31, False),
        # Delivered just after midnight in Oslo (still the day before in UTC): day 1 is the next Oslo day.
        (oslo(2027, 1, 11, 0, 10), oslo(2027, 1, 19, 23, 0), 8, True),
        (oslo(2027, 1, 11, 0, 10), oslo(2027, 1, 20, 0, 30), 9, False),
        # Delivered just before midnight in Oslo: the whole of that day counts as day 0.
        (oslo(2027, 1, 11, 23, 50), oslo(2027, 1, 12, 0, 5), 1, True),
        (oslo(2027, 1, 11, 23, 50), oslo(2027, 1, 19, 23, 59), 8, True),
        (oslo(2027, 1, 11, 23, 50), oslo(2027, 1, 20, 0, 1), 9, False),
        # Summer time starts on day 8 (Sunday 28 March 2027): that day has 23 hours, all of them allowed.
        (oslo(2027, 3, 20, 0, 30), oslo(2027, 3, 28, 23, 59, 59), 8, True),
        (oslo(2027, 3, 20, 0, 30), oslo(2027, 3, 29, 0, 0, 0), 9, False),
        (oslo(2027, 3, 20, 23, 30), oslo(2027, 3, 28, 1, 59), 8, True),
        (oslo(2027, 3, 20, 23, 30), oslo(2027, 3, 28, 3, 0), 8, True),
        # Delivered on the 23-hour day itself.
        (oslo(2027, 3, 28, 3, 30), oslo(2027, 4, 5, 23, 59), 8, True),
        (oslo(2027, 3, 28, 3, 30), oslo(2027, 4, 6, 0, 0), 9, False),
        # Summer time ends on day 8 (Sunday 31 October 2027): 25 hours, all allowed; midnight after it is not.
        (oslo(2027, 10, 23, 23, 30), oslo(2027, 10, 31, 23, 59, 59), 8, True),
        (oslo(2027, 10, 23, 23, 30), oslo(2027, 11, 1, 0, 0, 0), 9, False),
        (oslo(2027, 10, 23, 0, 15), oslo(2027, 10, 31, 2, 30, fold=1), 8, True),
        # Delivered in the hour that happens twice (02:30 summer time, then 02:30 winter time).
        (oslo(2027, 10, 31, 2, 30, fold=0), oslo(2027, 11, 8, 23, 59), 8, True),
        (oslo(2027, 10, 31, 2, 30, fold=1), oslo(2027, 11, 9, 0, 0), 9, False),
        # A delivery reported a few minutes "in the future" (two clocks) is day 0, not an error.
        (oslo(2027, 1, 11, 10, 5), oslo(2027, 1, 11, 10, 0), 0, True),
    ],
)
def test_day_8_is_allowed_and_day_9_is_not(delivered: datetime, now: datetime, days: int, allowed: bool) -> None:
    assert days_since_delivery(delivered, now) == days
    assert within_return_window(delivered, now) is allowed


def test_neither_elapsed_hours_nor_utc_dates_would_give_these_answers() -> None:
    """The rule counts Oslo calendar days, not 24-hour blocks and not UTC dates."""
    # More than 8 x 24 hours after a late delivery (and an extra hour at the end of summer time): still day 8.
    delivered, now = oslo(2027, 10, 23, 23, 30), oslo(2027, 10, 31, 23, 59)
    assert now - delivered > timedelta(days=8, hours=1)
    assert within_return_window(delivered, now)
    # Delivered at 00:10 in Oslo, which is still the 10th in UTC: counting UTC dates would make
    # the evening of the 19th day 9, and refuse it.
    delivered, now = oslo(2027, 1, 11, 0, 10), oslo(2027, 1, 19, 23, 30)
    assert (now.date() - delivered.date()).days == 9
    assert within_return_window(delivered, now)


@pytest.mark.parametrize(
    ("delivered", "last"),
    [
        (oslo(2027, 1, 11, 0, 10), date(2027, 1, 19)),
        (oslo(2027, 3, 20, 0, 30), date(2027, 3, 28)),
        (oslo(2027, 10, 23, 23, 30), date(2027, 10, 31)),
        (oslo(2027, 12, 28, 9, 0), date(2028, 1, 5)),
        (oslo(2028, 2, 21, 9, 0), date(2028, 2, 29)),  # a leap day
    ],
)
def test_the_last_day_is_the_eighth_oslo_day_after_the_day_of_delivery(delivered: datetime, last: date) -> None:
    assert last_return_day(delivered) == last


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        within_return_window(datetime(2027, 1, 11, 10), oslo(2027, 1, 12))
    with pytest.raises(ValueError, match="aware"):
        days_since_delivery(oslo(2027, 1, 11), datetime(2027, 1, 12))

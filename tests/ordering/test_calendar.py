"""The delivery calendar: weekdays, cut-offs across DST, Norwegian holidays, closed dates, ranges.

Expected holiday dates are written out by hand (Easter 2026 is 5 April, Easter
2027 is 28 March; Ascension is Easter + 39 days, Whit Monday Easter + 50), not
copied from the holidays package, so a package change that moves or adds a
holiday fails here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from app.ordering import calendar
from app.ordering.calendar import (
    MAX_RANGE_DAYS,
    OSLO,
    DeliverySchedule,
    cutoff,
    delivery_dates,
    holiday_names,
    is_public_holiday,
    next_delivery_date,
    range_problem,
    why_not_deliverable,
)

WEEKDAYS = frozenset({1, 2, 3, 4, 5})
EVERY_DAY = frozenset(range(1, 8))
# Long before any date used here: only weekdays, holidays and closed dates decide.
EARLY = datetime(2025, 1, 1, tzinfo=UTC)


def schedule(
    weekdays: frozenset[int] = WEEKDAYS,
    days_before: int = 1,
    at: str = "14:00",
    closed: frozenset[date] = frozenset(),
) -> DeliverySchedule:
    return DeliverySchedule(weekdays, days_before, time.fromisoformat(at), closed)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


# --- weekdays ---------------------------------------------------------------


def test_only_the_agreed_weekdays() -> None:
    monday = date(2026, 6, 1)
    assert monday.isoweekday() == 1
    found = delivery_dates(schedule(frozenset({1, 3, 5})), monday, monday + timedelta(days=13), EARLY)
    assert found == [date(2026, 6, d) for d in (1, 3, 5, 8, 10, 12)]
    assert why_not_deliverable(schedule(frozenset({1, 3, 5})), date(2026, 6, 2), EARLY) == "not a delivery weekday"


def test_weekend_schedule_is_allowed_and_sundays_are_not_holidays() -> None:
    weekend = schedule(frozenset({6, 7}))
    found = delivery_dates(weekend, date(2026, 5, 4), date(2026, 5, 17), EARLY)
    # Sat 9, Sun 10, Sat 16; Sun 17 May is Constitution Day.
    assert found == [date(2026, 5, 9), date(2026, 5, 10), date(2026, 5, 16)]
    assert why_not_deliverable(weekend, date(2026, 5, 17), EARLY) == "a public holiday (Grunnlovsdag)"
    # Easter Sunday and Boxing Day (a Saturday in 2026) are holidays, the Sunday after Easter is not.
    assert why_not_deliverable(weekend, date(2026, 4, 5), EARLY) == "a public holiday (Første påskedag)"
    assert why_not_deliverable(weekend, date(2026, 4, 12), EARLY) is None
    assert why_not_deliverable(weekend, date(2026, 12, 26), EARLY) == "a public holiday (Andre juledag)"


# --- cut-off ----------------------------------------------------------------


def test_cutoff_boundary_one_minute_before_is_in_time_at_and_after_is_not() -> None:
    rule = schedule(days_before=1, at="14:00")
    wednesday = date(2026, 12, 2)
    # December: Oslo is UTC+1, so Tuesday 14:00 Oslo is 13:00 UTC.
    assert cutoff(rule, wednesday) == datetime(2026, 12, 1, 14, 0, tzinfo=OSLO)
    assert why_not_deliverable(rule, wednesday, utc(2026, 12, 1, 12, 59)) is None
    assert why_not_deliverable(rule, wednesday, utc(2026, 12, 1, 12, 59, 59)) is None
    assert why_not_deliverable(rule, wednesday, utc(2026, 12, 1, 13, 0)) == "past its cut-off at 2026-12-01 14:00"
    assert why_not_deliverable(rule, wednesday, utc(2026, 12, 1, 13, 1)) == "past its cut-off at 2026-12-01 14:00"
    assert wednesday in delivery_dates(rule, wednesday, wednesday, utc(2026, 12, 1, 12, 59))
    assert delivery_dates(rule, wednesday, wednesday, utc(2026, 12, 1, 13, 0)) == []


def test_now_in_any_zone_compares_as_the_same_instant() -> None:
    rule = schedule(days_before=1, at="14:00")
    just_before = datetime(2026, 12, 1, 13, 59, tzinfo=OSLO)
    assert why_not_deliverable(rule, date(2026, 12, 2), just_before) is None
    assert why_not_deliverable(rule, date(2026, 12, 2), just_before + timedelta(minutes=1)) is not None


def test_cutoff_days_are_calendar_days_across_the_weekend() -> None:
    rule = schedule(days_before=2, at="12:00")
    monday, tuesday = date(2026, 6, 8), date(2026, 6, 9)
    assert monday.isoweekday() == 1
    assert cutoff(rule, monday) == datetime(2026, 6, 6, 12, 0, tzinfo=OSLO)  # Saturday, not Thursday
    assert cutoff(rule, tuesday) == datetime(2026, 6, 7, 12, 0, tzinfo=OSLO)  # Sunday
    # June: Oslo is UTC+2.
    assert why_not_deliverable(rule, monday, utc(2026, 6, 6, 9, 59)) is None
    assert why_not_deliverable(rule, monday, utc(2026, 6, 6, 10, 0)) == "past its cut-off at 2026-06-06 12:00"
    assert delivery_dates(rule, monday, date(2026, 6, 12), utc(2026, 6, 6, 10, 0)) == days(tuesday, date(2026, 6, 12))


def test_zero_days_before_means_the_same_day() -> None:
    rule = schedule(days_before=0, at="07:30")
    day = date(2026, 6, 10)
    assert why_not_deliverable(rule, day, datetime(2026, 6, 10, 7, 29, tzinfo=OSLO)) is None
    assert why_not_deliverable(rule, day, datetime(2026, 6, 10, 7, 30, tzinfo=OSLO)) is not None


# --- daylight saving time ---------------------------------------------------

# Europe/Oslo switches on the last Sunday of March and October:
# 2026-03-29, 2026-10-25, 2027-03-28 (also Easter Sunday), 2027-10-31.


@pytest.mark.parametrize(
    ("delivery", "cutoff_utc"),
    [
        (date(2026, 3, 27), utc(2026, 3, 26, 13, 0)),  # Fri, cut-off Thu: winter time
        (date(2026, 3, 30), utc(2026, 3, 29, 12, 0)),  # Mon, cut-off on the switch Sunday: summer time
        (date(2026, 10, 23), utc(2026, 10, 22, 12, 0)),  # Fri, cut-off Thu: summer time
        (date(2026, 10, 26), utc(2026, 10, 25, 13, 0)),  # Mon, cut-off on the switch Sunday: winter time
        (date(2027, 3, 24), utc(2027, 3, 23, 13, 0)),
        (date(2027, 3, 30), utc(2027, 3, 29, 12, 0)),  # Tue after Easter Monday
        (date(2027, 10, 29), utc(2027, 10, 28, 12, 0)),
        (date(2027, 11, 1), utc(2027, 10, 31, 13, 0)),
    ],
)
def test_cutoff_follows_oslo_wall_time_through_dst(delivery: date, cutoff_utc: datetime) -> None:
    rule = schedule(days_before=1, at="14:00")
    assert cutoff(rule, delivery) == cutoff_utc
    assert cutoff(rule, delivery).astimezone(OSLO).time() == time(14, 0)
    assert why_not_deliverable(rule, delivery, cutoff_utc - timedelta(minutes=1)) is None
    assert why_not_deliverable(rule, delivery, cutoff_utc) is not None


def test_dst_week_a_fixed_utc_offset_would_be_wrong() -> None:
    rule = schedule(days_before=1, at="14:00")
    # 12:30 UTC on the spring switch Sunday is 14:30 summer time: Monday is closed for orders.
    assert (
        why_not_deliverable(rule, date(2026, 3, 30), utc(2026, 3, 29, 12, 30)) == "past its cut-off at 2026-03-29 14:00"
    )
    # 12:30 UTC on the autumn switch Sunday is 13:30 winter time: Monday is still open.
    assert why_not_deliverable(rule, date(2026, 10, 26), utc(2026, 10, 25, 12, 30)) is None
    assert why_not_deliverable(rule, date(2027, 11, 1), utc(2027, 10, 31, 12, 30)) is None


def test_cutoff_days_before_spanning_the_switch() -> None:
    # Tuesday 31 March, cut-off three days before: Saturday 28 March, still winter time.
    rule = schedule(days_before=3, at="14:00")
    assert cutoff(rule, date(2026, 3, 31)) == utc(2026, 3, 28, 13, 0)
    # Wednesday 28 October, cut-off Sunday 25th after the switch back: winter time again.
    assert cutoff(rule, date(2026, 10, 28)) == utc(2026, 10, 25, 13, 0)
    assert cutoff(rule, date(2026, 10, 27)) == utc(2026, 10, 24, 12, 0)


def test_cutoff_in_the_missing_and_the_repeated_hour_is_deterministic() -> None:
    rule = schedule(EVERY_DAY, days_before=0, at="02:30")
    # 02:30 does not exist on 29 March 2026: read as 03:30 summer time.
    assert cutoff(rule, date(2026, 3, 29)) == utc(2026, 3, 29, 1, 30)
    assert cutoff(rule, date(2026, 3, 29)).strftime("%H:%M %z") == "03:30 +0200"
    # 02:30 happens twice on 25 October 2026: the first one, still summer time.
    # (== against another zone is always False for a repeated wall time, PEP 495,
    # so compare in UTC; <, >= are unaffected and are what the rules use.)
    assert cutoff(rule, date(2026, 10, 25)).astimezone(UTC) == utc(2026, 10, 25, 0, 30)
    assert why_not_deliverable(rule, date(2026, 10, 25), utc(2026, 10, 25, 0, 29)) is None
    assert (
        why_not_deliverable(rule, date(2026, 10, 25), utc(2026, 10, 25, 0, 30))
        == "past its cut-off at 2026-10-25 02:30"
    )


# --- Norwegian public holidays ----------------------------------------------

HOLIDAYS_2027 = {
    date(2027, 1, 1): "Første nyttårsdag",
    date(2027, 3, 25): "Skjærtorsdag",
    date(2027, 3, 26): "Langfredag",
    date(2027, 3, 28): "Første påskedag",
    date(2027, 3, 29): "Andre påskedag",
    date(2027, 5, 1): "Arbeidernes dag",
    date(2027, 5, 6): "Kristi himmelfartsdag",
    date(2027, 5, 16): "Første pinsedag",
    date(2027, 5, 17): "Grunnlovsdag",  # also Andre pinsedag
    date(2027, 12, 25): "Første juledag",
    date(2027, 12, 26): "Andre juledag",
}


def test_the_2027_holidays_are_exactly_the_public_ones_and_no_plain_sundays() -> None:
    found = {day for day in days(date(2027, 1, 1), date(2027, 12, 31)) if is_public_holiday(day)}
    assert found == set(HOLIDAYS_2027)
    for day, name in HOLIDAYS_2027.items():
        assert name in holiday_names(day)


@pytest.mark.parametrize(
    ("day", "weekday", "reason"),
    [
        (date(2027, 5, 17), 1, "a public holiday (Andre pinsedag, Grunnlovsdag)"),
        (date(2027, 3, 25), 4, "a public holiday (Skjærtorsdag)"),
        (date(2027, 3, 26), 5, "a public holiday (Langfredag)"),
        (date(2027, 3, 29), 1, "a public holiday (Andre påskedag)"),
        (date(2027, 5, 6), 4, "a public holiday (Kristi himmelfartsdag)"),
        (date(2026, 12, 25), 5, "a public holiday (Første juledag)"),
        (date(2027, 1, 1), 5, "a public holiday (Første nyttårsdag)"),
        (date(2026, 5, 1), 5, "a public holiday (Arbeidernes dag)"),
        (date(2026, 5, 14), 4, "a public holiday (Kristi himmelfartsdag)"),
        (date(2026, 5, 25), 1, "a public holiday (Andre pinsedag)"),
    ],
)
def test_holidays_on_delivery_weekdays_are_not_delivery_dates(day: date, weekday: int, reason: str) -> None:
    assert day.isoweekday() == weekday
    assert why_not_deliverable(schedule(), day, EARLY) == reason
    assert delivery_dates(schedule(), day, day, EARLY) == []


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 12, 24),  # Christmas Eve: many close, but not a public holiday
        date(2026, 12, 31),
        date(2027, 3, 24),  # Wednesday before Easter
        date(2027, 3, 30),  # Tuesday after Easter Monday
        date(2027, 5, 18),
        date(2026, 6, 7),  # an ordinary Sunday
    ],
)
def test_ordinary_days_are_not_holidays(day: date) -> None:
    assert not is_public_holiday(day)
    assert holiday_names(day) == ()


def test_easter_week_2027_leaves_only_wednesday_and_tuesday() -> None:
    found = delivery_dates(schedule(), date(2027, 3, 22), date(2027, 4, 2), EARLY)
    assert found == [
        date(2027, 3, 22),
        date(2027, 3, 23),
        date(2027, 3, 24),
        *days(date(2027, 3, 30), date(2027, 4, 2)),
    ]


def test_range_across_the_year_boundary_uses_both_years_holidays() -> None:
    found = delivery_dates(schedule(), date(2026, 12, 21), date(2027, 1, 8), EARLY)
    assert found == [
        date(2026, 12, 21),
        date(2026, 12, 22),
        date(2026, 12, 23),
        date(2026, 12, 24),
        # Fri 25 Dec: Christmas Day
        date(2026, 12, 28),
        date(2026, 12, 29),
        date(2026, 12, 30),
        date(2026, 12, 31),
        # Fri 1 Jan: New Year's Day
        *days(date(2027, 1, 4), date(2027, 1, 8)),
    ]


def test_holiday_names_do_not_depend_on_the_server_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    # The holidays package picks its language from these variables when none is given.
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.setenv(variable, "en_US.UTF-8")
    calendar._holidays_of.cache_clear()
    try:
        assert holiday_names(date(2027, 5, 6)) == ("Kristi himmelfartsdag",)
    finally:
        calendar._holidays_of.cache_clear()


# --- closed dates -----------------------------------------------------------


def test_closed_dates_are_not_delivery_dates() -> None:
    rule = schedule(closed=frozenset({date(2026, 7, 15), date(2026, 7, 18)}))
    found = delivery_dates(rule, date(2026, 7, 13), date(2026, 7, 19), EARLY)
    assert found == [date(2026, 7, 13), date(2026, 7, 14), date(2026, 7, 16), date(2026, 7, 17)]
    assert why_not_deliverable(rule, date(2026, 7, 15), EARLY) == "closed"
    # A closed Saturday on a weekday schedule: the weekday is the reason, not the closing.
    assert why_not_deliverable(rule, date(2026, 7, 18), EARLY) == "not a delivery weekday"


# --- the range --------------------------------------------------------------


def test_range_of_exactly_max_days_is_allowed() -> None:
    start = date(2027, 1, 1)
    end = start + timedelta(days=MAX_RANGE_DAYS)
    assert end == date(2027, 5, 1)
    assert range_problem(start, end) is None
    found = delivery_dates(schedule(EVERY_DAY), start, end, EARLY)
    assert found[0] == date(2027, 1, 2) and found[-1] == date(2027, 4, 30)
    # 121 days minus 1 Jan, the four Easter days (Thu, Fri, Sun, Mon) and 1 May.
    assert len(found) == 121 - 6


def test_range_one_day_too_long_or_reversed_is_refused() -> None:
    start = date(2027, 1, 1)
    with pytest.raises(ValueError, match="At most 120 days"):
        delivery_dates(schedule(), start, start + timedelta(days=MAX_RANGE_DAYS + 1), EARLY)
    with pytest.raises(ValueError, match="before the start"):
        delivery_dates(schedule(), start, start - timedelta(days=1), EARLY)
    assert range_problem(start, start) is None
    assert delivery_dates(schedule(), date(2027, 1, 4), date(2027, 1, 4), EARLY) == [date(2027, 1, 4)]


# --- no schedule ------------------------------------------------------------


def test_without_a_schedule_nothing_can_be_ordered() -> None:
    assert delivery_dates(None, date(2026, 6, 1), date(2026, 6, 30), EARLY) == []
    assert why_not_deliverable(None, date(2026, 6, 1), EARLY) == "no delivery schedule agreed"
    assert next_delivery_date(None, EARLY) is None
    # The range is still checked, so the error does not depend on the customer.
    with pytest.raises(ValueError):
        delivery_dates(None, date(2026, 6, 1), date(2026, 12, 1), EARLY)


# --- next delivery date -----------------------------------------------------


def test_next_delivery_date_skips_easter_and_respects_the_cutoff() -> None:
    # Wednesday 24 March 2027, 15:00 Oslo: Thursday's cut-off (Wed 14:00) has passed,
    # Thu, Fri and Mon are Easter holidays, Tuesday's cut-off is Monday 14:00.
    assert next_delivery_date(schedule(), datetime(2027, 3, 24, 15, 0, tzinfo=OSLO)) == date(2027, 3, 30)
    # Tuesday 23 March: Wednesday is open until 14:00, then Easter pushes the next date a week on.
    assert next_delivery_date(schedule(), datetime(2027, 3, 23, 13, 59, tzinfo=OSLO)) == date(2027, 3, 24)
    assert next_delivery_date(schedule(), datetime(2027, 3, 23, 14, 0, tzinfo=OSLO)) == date(2027, 3, 30)


def test_next_delivery_date_within_the_horizon_only() -> None:
    rule = schedule(days_before=10)
    now = datetime(2026, 6, 1, 8, 0, tzinfo=OSLO)
    assert next_delivery_date(rule, now) == date(2026, 6, 11)
    assert next_delivery_date(rule, now, horizon_days=9) is None


# --- the stored form and bad input ------------------------------------------


def test_from_stored_reads_the_model_columns() -> None:
    rule = DeliverySchedule.from_stored([5, 1, 3, 3], 2, "09:05", ["2026-07-15"])
    assert rule == DeliverySchedule(frozenset({1, 3, 5}), 2, time(9, 5), frozenset({date(2026, 7, 15)}))


@pytest.mark.parametrize(
    ("weekdays", "days_before", "at"),
    [
        ([], 1, "14:00"),
        ([0, 1], 1, "14:00"),
        ([8], 1, "14:00"),
        ([1], -1, "14:00"),
        ([1], 1, "24:00"),
        ([1], 1, "14.00"),
        ([1], 1, "1400"),
    ],
)
def test_from_stored_refuses_a_broken_rule(weekdays: list[int], days_before: int, at: str) -> None:
    with pytest.raises(ValueError):
        DeliverySchedule.from_stored(weekdays, days_before, at, [])


def test_a_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        why_not_deliverable(schedule(), date(2026, 6, 1), datetime(2026, 5, 1, 12, 0))
    with pytest.raises(ValueError, match="aware"):
        delivery_dates(schedule(), date(2026, 6, 1), date(2026, 6, 2), datetime(2026, 5, 1, 12, 0))

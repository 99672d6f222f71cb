"""Working-day arithmetic: weekends, holidays, year ends and worked Saturdays."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from listening_state.calendar_kz import holidays_for
from listening_state.workdays import WorkingCalendar

KZ = WorkingCalendar(d.day for year in (2026, 2027) for d in holidays_for(year))
PLAIN = WorkingCalendar(holidays=())


def test_weekdays_work_and_weekends_rest_on_an_empty_calendar() -> None:
    monday = date(2026, 11, 23)
    week = [PLAIN.is_working_day(monday + timedelta(days=i)) for i in range(7)]
    assert week == [True, True, True, True, True, False, False]


def test_a_holiday_is_not_a_working_day() -> None:
    assert not KZ.is_working_day(date(2026, 12, 16))  # Independence Day, a Wednesday
    assert KZ.is_working_day(date(2026, 12, 17))


def test_adding_counts_only_working_days_after_the_start() -> None:
    friday = date(2026, 11, 27)
    assert PLAIN.add_working_days(friday, 1) == date(2026, 11, 30)
    assert PLAIN.add_working_days(friday, 5) == date(2026, 12, 4)
    assert PLAIN.add_working_days(date(2026, 11, 28), 1) == date(2026, 11, 30)  # from Saturday


def test_zero_days_is_the_start_if_working_else_the_next_working_day() -> None:
    assert KZ.add_working_days(date(2026, 11, 27), 0) == date(2026, 11, 27)
    assert KZ.add_working_days(date(2026, 11, 28), 0) == date(2026, 11, 30)
    assert KZ.add_working_days(date(2026, 3, 21), 0) == date(2026, 3, 26)  # Nauryz to the 25th


def test_fifteen_working_days_over_new_year_2027() -> None:
    # From Monday 28 December 2026: 1 and 2 January are holidays, 2 January 2027 is a Saturday
    # so Monday 4 January is off too, and 7 January is Orthodox Christmas.
    start = date(2026, 12, 28)
    assert KZ.add_working_days(start, 1) == date(2026, 12, 29)
    assert KZ.add_working_days(start, 3) == date(2026, 12, 31)
    assert KZ.add_working_days(start, 4) == date(2027, 1, 5)
    assert KZ.add_working_days(start, 15) == date(2027, 1, 21)
    assert PLAIN.add_working_days(start, 15) == date(2027, 1, 18)


def test_fifteen_working_days_over_nauryz_2026() -> None:
    assert KZ.add_working_days(date(2026, 3, 5), 15) == date(2026, 4, 1)
    assert PLAIN.add_working_days(date(2026, 3, 5), 15) == date(2026, 3, 26)


def test_a_saturday_made_a_working_day_counts() -> None:
    saturday = date(2026, 12, 5)
    calendar = WorkingCalendar(holidays=[date(2026, 12, 7)], working_weekend_days=[saturday])
    assert calendar.is_working_day(saturday)
    assert calendar.add_working_days(date(2026, 12, 4), 1) == saturday
    assert calendar.add_working_days(date(2026, 12, 4), 2) == date(2026, 12, 8)


def test_next_and_previous_working_day_skip_days_off() -> None:
    assert KZ.next_working_day(date(2026, 3, 20)) == date(2026, 3, 26)
    assert KZ.previous_working_day(date(2026, 3, 26)) == date(2026, 3, 20)
    assert KZ.previous_working_day(date(2027, 1, 5)) == date(2026, 12, 31)
    assert KZ.next_working_day(date(2026, 11, 24)) == date(2026, 11, 25)


def test_working_days_between_inverts_adding() -> None:
    for start in (date(2026, 1, 1), date(2026, 3, 5), date(2026, 12, 28), date(2027, 5, 1)):
        for n in (0, 1, 3, 15, 60, 250):
            end = KZ.add_working_days(start, n)
            expected = n if n else int(end != start)
            assert KZ.working_days_between(start, end) == expected, (start, n)


def test_working_days_between_agrees_with_counting_day_by_day() -> None:
    calendar = WorkingCalendar(
        (d.day for d in holidays_for(2026)), working_weekend_days=[date(2026, 1, 3)]
    )
    start = date(2025, 12, 25)
    for length in range(0, 400, 7):
        end = start + timedelta(days=length)
        by_day = sum(
            calendar.is_working_day(start + timedelta(days=i)) for i in range(1, length + 1)
        )
        assert calendar.working_days_between(start, end) == by_day


def test_working_days_between_is_negative_backwards() -> None:
    assert KZ.working_days_between(date(2026, 12, 4), date(2026, 11, 27)) == -5
    assert KZ.working_days_between(date(2026, 11, 27), date(2026, 11, 27)) == 0


def test_negative_and_invalid_input_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        KZ.add_working_days(date(2026, 1, 5), -1)
    with pytest.raises(TypeError):
        KZ.add_working_days(date(2026, 1, 5), 1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        KZ.add_working_days(date(2026, 1, 5), True)
    with pytest.raises(TypeError):
        KZ.is_working_day(datetime(2026, 1, 5, 12))  # noqa: DTZ001
    with pytest.raises(TypeError):
        WorkingCalendar(holidays=["2026-01-05"])  # type: ignore[list-item]


def test_a_day_cannot_be_both_holiday_and_working_day() -> None:
    with pytest.raises(ValueError, match="both"):
        WorkingCalendar(holidays=[date(2026, 12, 5)], working_weekend_days=[date(2026, 12, 5)])


def test_only_weekend_days_can_be_made_working_days() -> None:
    with pytest.raises(ValueError, match="Saturdays or Sundays"):
        WorkingCalendar(holidays=(), working_weekend_days=[date(2026, 12, 4)])


def test_a_long_count_stays_fast() -> None:
    start = date(2026, 1, 1)
    end = KZ.add_working_days(start, 10_000)
    assert KZ.working_days_between(start, end) == 10_000

"""Working-day arithmetic on a calendar of weekends, public holidays and working weekend days.

Pure: no Flask, no database. The services build a :class:`WorkingCalendar` from the calendar
table and ask it for statutory deadlines ("15 working days from routing").
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from datetime import date, datetime, timedelta

SATURDAY = 5  # date.weekday(): Monday is 0
ONE_DAY = timedelta(days=1)


def _require_date(value: object, name: str) -> date:
    # datetime is a subclass of date; mixing them would silently compare wall-clock times.
    if not isinstance(value, date) or isinstance(value, datetime):
        raise TypeError(f"{name} must be a date, not {type(value).__name__}")
    return value


def _weekdays_before(d: date) -> int:
    """Monday-to-Friday days from a fixed Monday up to, not including, d (may be negative)."""
    days = d.toordinal() - 1  # ordinal 1 (0001-01-01) is a Monday
    weeks, rest = divmod(days, 7)
    return weeks * 5 + min(rest, 5)


class WorkingCalendar:
    """Monday to Friday are working days, except `holidays`; `working_weekend_days` are
    Saturdays or Sundays the government made working days (a day transfer)."""

    def __init__(self, holidays: Iterable[date], working_weekend_days: Iterable[date] = ()) -> None:
        holiday_set = {_require_date(d, "holiday") for d in holidays}
        working_set = {_require_date(d, "working weekend day") for d in working_weekend_days}
        clash = holiday_set & working_set
        if clash:
            raise ValueError(f"days both holiday and working day: {sorted(clash)}")
        not_weekend = [d for d in working_set if d.weekday() < SATURDAY]
        if not_weekend:
            raise ValueError(f"working weekend days must be Saturdays or Sundays: {not_weekend}")
        self.holidays = frozenset(holiday_set)
        self.working_weekend_days = frozenset(working_set)
        # Only holidays on weekdays change a count; sorted for counting by bisection.
        self._weekday_holidays = sorted(d for d in holiday_set if d.weekday() < SATURDAY)
        self._working_weekend = sorted(working_set)

    def is_working_day(self, d: date) -> bool:
        d = _require_date(d, "day")
        if d in self.working_weekend_days:
            return True
        return d.weekday() < SATURDAY and d not in self.holidays

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after d."""
        d = _require_date(d, "day") + ONE_DAY
        while not self.is_working_day(d):
            d += ONE_DAY
        return d

    def previous_working_day(self, d: date) -> date:
        """The last working day strictly before d."""
        d = _require_date(d, "day") - ONE_DAY
        while not self.is_working_day(d):
            d -= ONE_DAY
        return d

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after `start`, which itself never counts.

        n = 0 returns `start` when it is a working day, else the next working day: "due
        within 0 working days" then means "by the end of the first day the office is open".
        Runs in O(n + exceptions met on the way).
        """
        start = _require_date(start, "start")
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError("n must be an int")
        if n < 0:
            raise ValueError("n must not be negative")
        if n == 0:
            return start if self.is_working_day(start) else self.next_working_day(start)
        day = start
        for _ in range(n):
            day = self.next_working_day(day)
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]: add_working_days(start, k) == end gives k for a working
        `end`. Negative when end is before start. Counted in O(log exceptions), not per day."""
        start = _require_date(start, "start")
        end = _require_date(end, "end")
        if end < start:
            return -self.working_days_between(end, start)
        first, last = start + ONE_DAY, end + ONE_DAY  # the half-open range [first, last)
        weekdays = _weekdays_before(last) - _weekdays_before(first)
        holidays = bisect_left(self._weekday_holidays, last) - bisect_left(
            self._weekday_holidays, first
        )
        extra = bisect_right(self._working_weekend, end) - bisect_right(
            self._working_weekend, start
        )
        return weekdays - holidays + extra

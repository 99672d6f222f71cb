"""The shipped public holidays of Kazakhstan and the carry-over rule."""

from __future__ import annotations

from datetime import date

import pytest

from listening_state.calendar_kz import holidays_for, kurban_ait_known
from listening_state.models import DayKind

HOLIDAYS_2026 = [
    (date(2026, 1, 1), "New Year"),
    (date(2026, 1, 2), "New Year"),
    (date(2026, 1, 7), "Orthodox Christmas"),
    (date(2026, 3, 8), "International Women's Day"),  # a Sunday
    (date(2026, 3, 9), "International Women's Day: day off carried over"),
    (date(2026, 3, 21), "Nauryz"),  # a Saturday
    (date(2026, 3, 22), "Nauryz"),  # a Sunday
    (date(2026, 3, 23), "Nauryz"),
    (date(2026, 3, 24), "Nauryz: day off carried over"),
    (date(2026, 3, 25), "Nauryz: day off carried over"),
    (date(2026, 5, 1), "Day of Unity of the People of Kazakhstan"),
    (date(2026, 5, 7), "Defender of the Fatherland Day"),
    (date(2026, 5, 9), "Victory Day"),  # a Saturday
    (date(2026, 5, 11), "Victory Day: day off carried over"),
    (date(2026, 5, 27), "Kurban Ait"),
    (date(2026, 7, 6), "Capital Day"),
    (date(2026, 8, 30), "Constitution Day"),  # a Sunday
    (date(2026, 8, 31), "Constitution Day: day off carried over"),
    (date(2026, 10, 25), "Republic Day"),  # a Sunday
    (date(2026, 10, 26), "Republic Day: day off carried over"),
    (date(2026, 12, 16), "Independence Day"),
]


def test_2026_list_is_exact() -> None:
    shipped = holidays_for(2026)
    assert [(d.day, d.names.en) for d in shipped] == HOLIDAYS_2026
    assert {d.kind for d in shipped} == {DayKind.HOLIDAY}


def test_every_day_is_named_in_three_languages() -> None:
    for year in (2026, 2027):
        for shipped in holidays_for(year):
            assert all(shipped.names), shipped
    nauryz = next(d for d in holidays_for(2026) if d.day == date(2026, 3, 21))
    assert nauryz.names.kk == "Наурыз мейрамы"
    assert nauryz.names.ru == "Праздник Наурыз"


def test_2027_weekend_holidays_carry_over_to_the_next_working_day() -> None:
    days = {d.day: d.names.en for d in holidays_for(2027)}
    # 2 January is a Saturday: Monday 4 January is off (1 January is a Friday, already off).
    assert days[date(2027, 1, 4)] == "New Year: day off carried over"
    assert date(2027, 1, 3) not in days
    # Nauryz 21 March is a Sunday; 22 and 23 are holidays anyway: the day off moves to the 24th.
    assert days[date(2027, 3, 24)] == "Nauryz: day off carried over"
    assert date(2027, 3, 25) not in days
    # 1 May is a Saturday, 9 May a Sunday.
    assert (
        days[date(2027, 5, 3)] == "Day of Unity of the People of Kazakhstan: day off carried over"
    )
    assert days[date(2027, 5, 10)] == "Victory Day: day off carried over"
    carried = sorted(day for day, name in days.items() if name.endswith("carried over"))
    assert carried == [date(2027, 1, 4), date(2027, 3, 24), date(2027, 5, 3), date(2027, 5, 10)]


def test_religious_holidays_on_a_weekend_do_not_carry_over() -> None:
    days = {d.day: d.names.en for d in holidays_for(2027)}
    assert days[date(2027, 5, 16)] == "Kurban Ait"  # a Sunday
    assert date(2027, 5, 17) not in days
    # Orthodox Christmas falls on a Sunday in 2029.
    days_2029 = {d.day for d in holidays_for(2029)}
    assert date(2029, 1, 7) in days_2029
    assert date(2029, 1, 8) not in days_2029


def test_a_carried_day_off_skips_other_holidays() -> None:
    # 2022: 8 March on a Tuesday, Nauryz 21-23 Monday to Wednesday; 2023: 1 January a Sunday,
    # 2 January a Monday, so the day off moves to Tuesday 3 January.
    days = {d.day: d.names.en for d in holidays_for(2023)}
    assert days[date(2023, 1, 3)] == "New Year: day off carried over"


def test_kurban_ait_is_shipped_only_for_known_years() -> None:
    assert kurban_ait_known(2026)
    assert kurban_ait_known(2027)
    assert not kurban_ait_known(2028)
    assert all(d.names.en != "Kurban Ait" for d in holidays_for(2028))


def test_unreasonable_years_are_refused() -> None:
    with pytest.raises(ValueError, match="year"):
        holidays_for(1900)

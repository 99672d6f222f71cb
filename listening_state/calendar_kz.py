"""Kazakhstan's public holidays as shipped with the application.

Sources: the Law of the Republic of Kazakhstan "On holidays in the Republic of Kazakhstan"
(the list of national, state and religious holidays that are days off) and the Labour Code
rule that when a day-off holiday falls on a Saturday or Sunday, the next working day is a day
off, except for religious holidays.

What is not computed here, and the administrator adds on the calendar page each year:
- the first day of Kurban Ait, set yearly by decree from the lunar calendar: the dates below
  must be checked against the government's decree for that year;
- day transfers decreed by the government (a weekday off in exchange for a working Saturday).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple

from listening_state.models.handling import DayKind

SATURDAY = 5


class Names(NamedTuple):
    kk: str
    ru: str
    en: str


class ShippedDay(NamedTuple):
    day: date
    kind: DayKind
    names: Names


class _Holiday(NamedTuple):
    month: int
    day: int
    names: Names
    religious: bool = False


NEW_YEAR = Names("Жаңа жыл", "Новый год", "New Year")
NAURYZ = Names("Наурыз мейрамы", "Праздник Наурыз", "Nauryz")

FIXED_HOLIDAYS: tuple[_Holiday, ...] = (
    _Holiday(1, 1, NEW_YEAR),
    _Holiday(1, 2, NEW_YEAR),
    _Holiday(
        1,
        7,
        Names("Православиелік Рождество", "Православное Рождество", "Orthodox Christmas"),
        religious=True,
    ),
    _Holiday(
        3,
        8,
        Names(
            "Халықаралық әйелдер күні", "Международный женский день", "International Women's Day"
        ),
    ),
    _Holiday(3, 21, NAURYZ),
    _Holiday(3, 22, NAURYZ),
    _Holiday(3, 23, NAURYZ),
    _Holiday(
        5,
        1,
        Names(
            "Қазақстан халқының бірлігі мерекесі",
            "Праздник единства народа Казахстана",
            "Day of Unity of the People of Kazakhstan",
        ),
    ),
    _Holiday(
        5,
        7,
        Names("Отан қорғаушы күні", "День защитника Отечества", "Defender of the Fatherland Day"),
    ),
    _Holiday(5, 9, Names("Жеңіс күні", "День Победы", "Victory Day")),
    _Holiday(7, 6, Names("Астана күні", "День столицы", "Capital Day")),
    _Holiday(
        8,
        30,
        Names(
            "Қазақстан Республикасының Конституциясы күні",
            "День Конституции Республики Казахстан",
            "Constitution Day",
        ),
    ),
    _Holiday(10, 25, Names("Республика күні", "День Республики", "Republic Day")),
    _Holiday(12, 16, Names("Тәуелсіздік күні", "День Независимости", "Independence Day")),
)

KURBAN_AIT = Names("Құрбан айт", "Курбан айт", "Kurban Ait")
# First day of Kurban Ait by year. Verify each against the government's decree for the year.
KURBAN_AIT_FIRST_DAY: dict[int, date] = {
    2026: date(2026, 5, 27),
    2027: date(2027, 5, 16),
}


def carried_over_names(names: Names) -> Names:
    return Names(
        f"{names.kk}: ауыстырылған демалыс күні",
        f"{names.ru}: перенесённый выходной день",
        f"{names.en}: day off carried over",
    )


def kurban_ait_known(year: int) -> bool:
    return year in KURBAN_AIT_FIRST_DAY


def holidays_for(year: int) -> list[ShippedDay]:
    """The year's public holidays and the weekdays off they carry over to, by date.

    A year without a known Kurban Ait date gets the fixed holidays only (see
    :func:`kurban_ait_known`); the administrator then adds Kurban Ait by hand.
    """
    if not 1992 <= year <= 9998:  # the law dates from independence; date() ends at 9999
        raise ValueError(f"no holiday data for year {year}")
    holidays = [(date(year, h.month, h.day), h.names, h.religious) for h in FIXED_HOLIDAYS]
    if year in KURBAN_AIT_FIRST_DAY:
        holidays.append((KURBAN_AIT_FIRST_DAY[year], KURBAN_AIT, True))
    holidays.sort(key=lambda item: item[0])
    days_off = {day for day, _, _ in holidays}
    shipped = [ShippedDay(day, DayKind.HOLIDAY, names) for day, names, _ in holidays]
    for day, names, religious in holidays:
        if religious or day.weekday() < SATURDAY:
            continue
        # Holidays are taken in date order, so Nauryz on Saturday and Sunday moves the two days
        # off to the first two free weekdays after it (never onto another holiday).
        moved = day + timedelta(days=1)
        while moved.weekday() >= SATURDAY or moved in days_off:
            moved += timedelta(days=1)
        days_off.add(moved)
        shipped.append(ShippedDay(moved, DayKind.HOLIDAY, carried_over_names(names)))
    return sorted(shipped, key=lambda item: item.day)

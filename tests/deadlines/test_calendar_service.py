"""The calendar table: seeding, adding and removing days, and the calendar built from it."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from listening_state.authz import SYSTEM
from listening_state.calendar_kz import holidays_for
from listening_state.extensions import db
from listening_state.models import AuditEntry, CalendarDay, DayKind, Role
from listening_state.services import calendar
from listening_state.services.errors import PermissionDenied, ValidationFailed
from tests.factories import make_council, make_ministry, make_user


def _count() -> int:
    return int(db.session.scalar(select(func.count(CalendarDay.id))) or 0)


def test_seed_adds_the_shipped_days_once(app: Flask) -> None:
    first = calendar.seed_calendar(actor=SYSTEM, years=[2026, 2027])
    assert first.added == len(holidays_for(2026)) + len(holidays_for(2027))
    assert first.kurban_ait_missing == []
    again = calendar.seed_calendar(actor=SYSTEM, years=[2026, 2027])
    assert again.added == 0
    assert _count() == first.added


def test_seed_leaves_days_the_administrator_changed_alone(app: Flask) -> None:
    admin = make_user(Role.ADMIN)
    calendar.add_day(
        actor=admin, day=date(2026, 12, 16), kind=DayKind.HOLIDAY, name_en="Independence"
    )
    calendar.seed_calendar(actor=SYSTEM, years=[2026])
    row = db.session.scalar(select(CalendarDay).where(CalendarDay.day == date(2026, 12, 16)))
    assert row is not None
    assert row.name_en == "Independence"


def test_seed_reports_years_without_kurban_ait(app: Flask) -> None:
    assert calendar.seed_calendar(actor=SYSTEM, years=[2028]).kurban_ait_missing == [2028]


def test_working_calendar_follows_the_table(app: Flask) -> None:
    calendar.seed_calendar(actor=SYSTEM, years=[2026])
    working = calendar.working_calendar()
    assert not working.is_working_day(date(2026, 3, 24))
    assert calendar.working_calendar() is working  # cached for the app context
    admin = make_user(Role.ADMIN)
    calendar.add_day(actor=admin, day=date(2026, 12, 5), kind=DayKind.WORKING_DAY, name_en="Worked")
    assert calendar.working_calendar().is_working_day(date(2026, 12, 5))
    row = db.session.scalar(select(CalendarDay).where(CalendarDay.day == date(2026, 3, 24)))
    assert row is not None
    calendar.remove_day(actor=admin, calendar_day=row)
    assert calendar.working_calendar().is_working_day(date(2026, 3, 24))


def test_days_of_lists_one_year_by_date(app: Flask) -> None:
    calendar.seed_calendar(actor=SYSTEM, years=[2026, 2027])
    days = calendar.days_of(2027)
    assert [d.day for d in days] == [d.day for d in holidays_for(2027)]
    assert days[0].name("kk") == "Жаңа жыл"


@pytest.mark.parametrize("role", ["citizen", "officer", "council_member"])
def test_only_administrators_change_the_calendar(app: Flask, role: str) -> None:
    ministry = make_ministry()
    user = {
        "citizen": lambda: make_user(),
        "officer": lambda: make_user(Role.MINISTRY_OFFICER, ministry=ministry),
        "council_member": lambda: make_user(Role.COUNCIL_MEMBER, council=make_council(ministry)),
    }[role]()
    with pytest.raises(PermissionDenied):
        calendar.add_day(actor=user, day=date(2026, 6, 1), kind=DayKind.HOLIDAY, name_en="Day")
    with pytest.raises(PermissionDenied):
        calendar.seed_calendar(actor=user, years=[2026])
    assert _count() == 0


def test_anonymous_cannot_seed(app: Flask) -> None:
    with pytest.raises(PermissionDenied):
        calendar.seed_calendar(actor=None, years=[2026])


def test_add_and_remove_are_audited(app: Flask) -> None:
    admin = make_user(Role.ADMIN)
    row = calendar.add_day(
        actor=admin,
        day=date(2026, 12, 31),
        kind=DayKind.HOLIDAY,
        name_kk="Демалыс күні",
        name_ru="Выходной день",
        name_en="Day off by decree",
    )
    calendar.remove_day(actor=admin, calendar_day=row)
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [e.action for e in entries] == ["calendar.add_day", "calendar.remove_day"]
    assert entries[0].after == {
        "day": "2026-12-31",
        "kind": "holiday",
        "name_en": "Day off by decree",
    }
    assert entries[1].before["day"] == "2026-12-31"
    assert entries[1].actor_id == admin.id
    assert _count() == 0


def test_add_refuses_bad_input_with_clear_messages(app: Flask) -> None:
    admin = make_user(Role.ADMIN)
    calendar.add_day(actor=admin, day=date(2026, 12, 31), kind=DayKind.HOLIDAY, name_en="Off")
    cases = [
        ({"day": date(2026, 12, 31), "kind": DayKind.HOLIDAY, "name_en": "Again"}, "day"),
        ({"day": None, "kind": DayKind.HOLIDAY, "name_en": "No date"}, "day"),
        ({"day": date(2026, 12, 4), "kind": DayKind.WORKING_DAY, "name_en": "Friday"}, "kind"),
        ({"day": date(2026, 12, 5), "kind": None, "name_en": "No kind"}, "kind"),
        ({"day": date(2026, 12, 5), "kind": DayKind.WORKING_DAY}, "name_en"),
        ({"day": date(2026, 12, 5), "kind": DayKind.HOLIDAY, "name_en": "<b> </b>"}, "name_en"),
        ({"day": date(2026, 12, 5), "kind": DayKind.HOLIDAY, "name_ru": "я" * 201}, "name_ru"),
        ({"day": date(1999, 12, 31), "kind": DayKind.HOLIDAY, "name_en": "Old"}, "day"),
    ]
    for kwargs, field in cases:
        with pytest.raises(ValidationFailed) as raised:
            calendar.add_day(actor=admin, **kwargs)  # type: ignore[arg-type]
        assert field in raised.value.errors, kwargs
        assert all(raised.value.errors[field]), kwargs
    assert _count() == 1


def test_cli_seed_is_idempotent(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["calendar", "seed", "--year", "2026"])
    assert result.exit_code == 0, result.output
    assert f"Calendar days added: {len(holidays_for(2026))}" in result.output
    result = runner.invoke(args=["calendar", "seed", "--year", "2026"])
    assert "Calendar days added: 0" in result.output
    assert _count() == len(holidays_for(2026))


def test_cli_seed_defaults_to_this_year_and_next(runner: FlaskCliRunner) -> None:
    from listening_state.services.deadlines import today

    year = today().year
    result = runner.invoke(args=["calendar", "seed"])
    assert result.exit_code == 0, result.output
    assert {d.day.year for d in db.session.scalars(select(CalendarDay))} == {year, year + 1}

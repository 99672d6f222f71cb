"""Kazakhstan's working calendar: the table administrators keep, and the calendar built from it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from flask import g
from flask_babel import lazy_gettext as _l
from sqlalchemy import extract, select
from sqlalchemy.exc import IntegrityError

from listening_state import authz, calendar_kz
from listening_state.authz import Actor
from listening_state.extensions import db
from listening_state.models import CalendarDay, DayKind
from listening_state.sanitize import clean_plain_text
from listening_state.services import audit
from listening_state.services.errors import NotFound, PermissionDenied, ValidationFailed
from listening_state.workdays import SATURDAY, WorkingCalendar

_CACHE_KEY = "working_calendar"
NAME_MAX = 200
FIRST_YEAR, LAST_YEAR = 2000, 2100  # a typo guard for the year of a day entered by hand


def can_manage_calendar(actor: Actor) -> bool:
    """The working calendar is national: administrators keep it."""
    return authz.is_admin(actor)


def _require_admin(actor: Actor) -> None:
    if not can_manage_calendar(actor):
        raise PermissionDenied("only administrators keep the working calendar")


def working_calendar() -> WorkingCalendar:
    """The calendar from the table, built once per app context (one query per request)."""
    cached = g.get(_CACHE_KEY)
    if isinstance(cached, WorkingCalendar):
        return cached
    rows = db.session.execute(select(CalendarDay.day, CalendarDay.kind)).all()
    calendar = WorkingCalendar(
        holidays=[day for day, kind in rows if kind is DayKind.HOLIDAY],
        working_weekend_days=[day for day, kind in rows if kind is DayKind.WORKING_DAY],
    )
    setattr(g, _CACHE_KEY, calendar)
    return calendar


def _forget_calendar() -> None:
    g.pop(_CACHE_KEY, None)


def days_of(year: int) -> list[CalendarDay]:
    """The year's holidays and working weekend days, by date."""
    return list(
        db.session.scalars(
            select(CalendarDay)
            .where(extract("year", CalendarDay.day) == year)
            .order_by(CalendarDay.day)
        )
    )


def get_day(day_id: int) -> CalendarDay:
    row = db.session.get(CalendarDay, day_id)
    if row is None:
        raise NotFound(f"no calendar day {day_id}")
    return row


def _audit_added(actor: Actor, row: CalendarDay, reason: str = "") -> None:
    audit.record(
        actor=actor,
        action="calendar.add_day",
        target=row,
        target_label=row.day.isoformat(),
        after={"day": row.day, "kind": row.kind, "name_en": row.name_en},
        reason=reason,
    )


def _validate(
    day: date | None, kind: DayKind | None, names: dict[str, str]
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if day is None:
        errors["day"] = [str(_l("Please enter the date."))]
    elif not FIRST_YEAR <= day.year <= LAST_YEAR:
        errors["day"] = [
            str(_l("Enter a date from %(first)d to %(last)d.", first=FIRST_YEAR, last=LAST_YEAR))
        ]
    elif db.session.scalar(select(CalendarDay.id).where(CalendarDay.day == day)) is not None:
        errors["day"] = [str(_l("This date is already in the calendar; remove it first."))]
    elif kind is DayKind.WORKING_DAY and day.weekday() < SATURDAY:
        errors["kind"] = [str(_l("Only a Saturday or a Sunday can be made a working day."))]
    if kind is None:
        errors["kind"] = [str(_l("Please choose the kind of day."))]
    for language, name in names.items():
        if len(name) > NAME_MAX:
            errors[f"name_{language}"] = [
                str(_l("The name may have at most %(max)d characters.", max=NAME_MAX))
            ]
    if not any(names.values()):
        errors["name_en"] = [str(_l("Please name the day in at least one language."))]
    return errors


def add_day(
    *,
    actor: Actor,
    day: date | None,
    kind: DayKind | None,
    name_kk: str = "",
    name_ru: str = "",
    name_en: str = "",
) -> CalendarDay:
    """Add a day off (a holiday or a transferred day) or a weekend day made a working day."""
    _require_admin(actor)
    names = {
        "kk": clean_plain_text(name_kk),
        "ru": clean_plain_text(name_ru),
        "en": clean_plain_text(name_en),
    }
    errors = _validate(day, kind, names)
    if errors or day is None or kind is None:  # _validate reports a missing day or kind
        raise ValidationFailed(errors)
    row = CalendarDay(
        day=day, kind=kind, name_kk=names["kk"], name_ru=names["ru"], name_en=names["en"]
    )
    db.session.add(row)
    try:
        db.session.flush()  # the id the audit entry needs; a concurrent duplicate fails here
    except IntegrityError as error:
        db.session.rollback()
        raise ValidationFailed(
            {"day": [str(_l("This date is already in the calendar; remove it first."))]}
        ) from error
    _audit_added(actor, row)
    db.session.commit()
    _forget_calendar()
    return row


def remove_day(*, actor: Actor, calendar_day: CalendarDay) -> None:
    _require_admin(actor)
    audit.record(
        actor=actor,
        action="calendar.remove_day",
        target=calendar_day,
        target_label=calendar_day.day.isoformat(),
        before={
            "day": calendar_day.day,
            "kind": calendar_day.kind,
            "name_en": calendar_day.name_en,
        },
    )
    db.session.delete(calendar_day)
    db.session.commit()
    _forget_calendar()


@dataclass
class SeedResult:
    added: int = 0
    # Years whose Kurban Ait date is not shipped: the administrator adds it by hand.
    kurban_ait_missing: list[int] = field(default_factory=list)


def seed_calendar(*, actor: Actor, years: Iterable[int]) -> SeedResult:
    """Add the shipped holidays of these years that are not in the table yet (idempotent:
    a date already present, whatever the administrator made of it, is left alone)."""
    _require_admin(actor)
    result = SeedResult()
    wanted = sorted(set(years))
    shipped = [item for year in wanted for item in calendar_kz.holidays_for(year)]
    present = set(
        db.session.scalars(
            select(CalendarDay.day).where(CalendarDay.day.in_(d.day for d in shipped))
        )
    )
    rows = [
        CalendarDay(
            day=item.day,
            kind=item.kind,
            name_kk=item.names.kk,
            name_ru=item.names.ru,
            name_en=item.names.en,
        )
        for item in shipped
        if item.day not in present
    ]
    db.session.add_all(rows)
    db.session.flush()
    for row in rows:
        _audit_added(actor, row, reason="shipped holiday data")
    db.session.commit()
    _forget_calendar()
    result.added = len(rows)
    result.kurban_ait_missing = [y for y in wanted if not calendar_kz.kurban_ait_known(y)]
    return result

"""A consultation's period: officers choose days, the database keeps the instants around them.

A consultation opens at the start of its first day and takes comments to the end of its last
day, Kazakhstan time (BABEL_DEFAULT_TIMEZONE). `closes_at` is the midnight after the last day,
the first instant comments are refused, so `opens_at <= now < closes_at` is the whole check
(Consultation.status) and pages show the instant just before it (Consultation.open_until).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l

from listening_state.models import Consultation


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def start_of(day: date) -> datetime:
    """Midnight at the start of a Kazakhstan day, in UTC."""
    return datetime.combine(day, time.min, _zone()).astimezone(UTC)


def end_of(day: date) -> datetime:
    """The midnight after a Kazakhstan day, in UTC: the `closes_at` of its last day."""
    return start_of(day + timedelta(days=1))


def day_of(at: datetime) -> date:
    """The Kazakhstan day of an instant: the opening day of `opens_at`."""
    return at.astimezone(_zone()).date()


def last_day(closes_at: datetime) -> date:
    """The Kazakhstan day of the last instant comments are taken (closes_at itself is not)."""
    return day_of(closes_at - timedelta(microseconds=1))


def instants(
    opens_on: date, closes_on: date, *, current: Consultation | None = None
) -> tuple[datetime, datetime]:
    """`opens_at` and `closes_at` for an officer's days.

    A day left as it was keeps the stored instant: a consultation closed early with "Close
    now" must not reopen until midnight because its text was corrected afterwards.
    """
    opens_at, closes_at = start_of(opens_on), end_of(closes_on)
    if current is not None:
        if opens_on == day_of(current.opens_at):
            opens_at = current.opens_at
        if closes_on == last_day(current.closes_at):
            closes_at = current.closes_at
    return opens_at, closes_at


def closing_errors(closes_at: datetime, now: datetime) -> list[str]:
    """A period that ended before it was published would leave no time to comment."""
    if closes_at <= now:
        return [str(_l("The closing date must be today or later."))]
    return []

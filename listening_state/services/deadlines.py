"""Statutory deadlines of a routed submission, counted in working days on Kazakhstan's calendar.

Administrative Procedural Code of the RK: an appeal is answered within 15 working days of its
receipt by the competent body; a body that is not competent forwards it within 3 working days
(the receiving body's period starts again); the period may be extended once, with reasons.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_

from listening_state import authz
from listening_state.authz import Actor
from listening_state.extensions import db
from listening_state.models import Submission, SubmissionStatus
from listening_state.models.base import utcnow
from listening_state.sanitize import clean_plain_text
from listening_state.services import audit, notifications
from listening_state.services.calendar import working_calendar
from listening_state.services.errors import InvalidTransition, PermissionDenied, ValidationFailed
from listening_state.workdays import WorkingCalendar

# Handling is over: no deadline runs for these.
FINISHED = (SubmissionStatus.ANSWERED, SubmissionStatus.CLOSED)
MIN_REASON = 5


def local_date(at: datetime) -> date:
    """The calendar date in Kazakhstan (BABEL_DEFAULT_TIMEZONE) of an aware timestamp."""
    if at.tzinfo is None:
        raise ValueError("a timezone-aware datetime is required")
    return at.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def today() -> date:
    return local_date(utcnow())


def _setting(name: str) -> int:
    return int(current_app.config[name])


def start_clock(submission: Submission, at: datetime) -> None:
    """The submission reached a ministry at `at`: that ministry's period starts now.

    On a forward the receiving ministry gets the full period, and its own single extension
    (the earlier ministry's extension was about its own period). The caller commits.
    """
    submission.routed_at = at
    submission.due_on = working_calendar().add_working_days(
        local_date(at), _setting("ANSWER_WORKING_DAYS")
    )
    submission.extended_at = None
    submission.extension_reason = ""


def forward_due_on(submission: Submission) -> date | None:
    """The last day a ministry that is not competent may forward the submission ("forward by")."""
    if submission.routed_at is None:
        return None
    return working_calendar().add_working_days(
        local_date(submission.routed_at), _setting("FORWARD_WORKING_DAYS")
    )


def latest_extension_date(submission: Submission) -> date | None:
    """The latest due date an extension may choose: the maximum added to the current one."""
    if submission.due_on is None:
        return None
    return working_calendar().add_working_days(
        submission.due_on, _setting("EXTENSION_MAX_WORKING_DAYS")
    )


def can_extend(actor: Actor, submission: Submission) -> bool:
    """Officers of the ministry responsible now, and administrators."""
    return submission.ministry_id is not None and authz.can_manage_ministry(
        actor, submission.ministry_id
    )


def extend_deadline(
    *, actor: Actor, submission: Submission, new_due_on: date | None, reason: str
) -> Submission:
    """Move the due date later, once per ministry, with a reason, within the statutory maximum."""
    if not can_extend(actor, submission):
        raise PermissionDenied("only the responsible ministry extends its deadline")
    if submission.due_on is None or submission.status in FINISHED:
        raise InvalidTransition("no deadline runs for this submission")
    if submission.extended_at is not None:
        raise InvalidTransition("the deadline was already extended once")
    reason = clean_plain_text(reason)
    errors: dict[str, list[str]] = {}
    if len(reason) < MIN_REASON:
        errors["reason"] = [str(_l("Please give the reason for the extension."))]
    latest = latest_extension_date(submission)
    calendar = working_calendar()
    if new_due_on is None:
        errors["new_due_on"] = [str(_l("Please choose the new due date."))]
    elif new_due_on <= submission.due_on:
        errors["new_due_on"] = [str(_l("The new due date must be later than the current one."))]
    elif latest is not None and new_due_on > latest:
        errors["new_due_on"] = [
            str(_l("The due date can be extended to %(date)s at the latest.", date=latest))
        ]
    elif not calendar.is_working_day(new_due_on):
        errors["new_due_on"] = [str(_l("Please choose a working day."))]
    if errors:
        raise ValidationFailed(errors)
    before = submission.due_on
    submission.due_on = new_due_on
    submission.extended_at = utcnow()
    submission.extension_reason = reason
    audit.record(
        actor=actor,
        action="submission.extend",
        target=submission,
        target_label=submission.reference,
        before={"due_on": before},
        after={"due_on": new_due_on},
        reason=reason,
    )
    notifications.notify_extended(submission)
    db.session.commit()
    return submission


def _running(submission: Submission) -> bool:
    return submission.due_on is not None and submission.status not in FINISHED


def is_overdue(submission: Submission, today: date) -> bool:
    """Not answered or closed, and its due date has passed."""
    return _running(submission) and submission.due_on is not None and today > submission.due_on


def is_due_soon(
    submission: Submission,
    today: date,
    within: int | None = None,
    calendar: WorkingCalendar | None = None,
) -> bool:
    """Not answered or closed, and due today or within `within` working days (not overdue)."""
    if not _running(submission) or submission.due_on is None:
        return False
    horizon = _due_soon_horizon(today, calendar or working_calendar(), within)
    return today <= submission.due_on <= horizon


def _due_soon_horizon(today: date, calendar: WorkingCalendar, within: int | None) -> date:
    days = _setting("DUE_SOON_WORKING_DAYS") if within is None else within
    return calendar.add_working_days(today, days)


def overdue_condition(today: date) -> ColumnElement[bool]:
    """The SQL form of :func:`is_overdue`, for counting and filtering in queries."""
    return and_(
        Submission.due_on.is_not(None),
        Submission.due_on < today,
        Submission.status.not_in(FINISHED),
    )


def due_soon_condition(
    today: date, calendar: WorkingCalendar | None = None, within: int | None = None
) -> ColumnElement[bool]:
    """The SQL form of :func:`is_due_soon`: the horizon is computed once, not per row."""
    horizon = _due_soon_horizon(today, calendar or working_calendar(), within)
    return and_(
        Submission.due_on.is_not(None),
        Submission.due_on >= today,
        Submission.due_on <= horizon,
        Submission.status.not_in(FINISHED),
    )

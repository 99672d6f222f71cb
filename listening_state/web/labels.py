"""Translatable labels for every enum value shown on a page."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice

from listening_state.models import (
    ConsultationStatus,
    MeetingStatus,
    MemberPosition,
    Role,
    Stance,
    SubmissionStatus,
    Visibility,
)

LABELS: dict[enum.Enum, LazyString] = {
    Stance.SUPPORT: _l("Support"),
    Stance.OPPOSE: _l("Oppose"),
    Stance.MIXED: _l("Mixed views"),
    Stance.NO_POSITION: _l("No position"),
    ConsultationStatus.DRAFT: _l("Draft"),
    ConsultationStatus.UPCOMING: _l("Upcoming"),
    ConsultationStatus.OPEN: _l("Open"),
    ConsultationStatus.CLOSED: _l("Closed"),
    ConsultationStatus.REPORT_PUBLISHED: _l("Report published"),
    SubmissionStatus.RECEIVED: _l("Received"),
    SubmissionStatus.NEEDS_TRIAGE: _l("Awaiting routing"),
    SubmissionStatus.ROUTED: _l("Sent to the ministry"),
    SubmissionStatus.IN_REVIEW: _l("In review"),
    SubmissionStatus.FORWARDED: _l("Forwarded"),
    SubmissionStatus.ANSWERED: _l("Answered"),
    SubmissionStatus.CLOSED: _l("Closed"),
    Visibility.PUBLISHED: _l("Published"),
    Visibility.PENDING: _l("Awaiting moderation"),
    Visibility.HIDDEN: _l("Not shown publicly"),
    MemberPosition.CHAIR: _l("Chair"),
    MemberPosition.DEPUTY: _l("Deputy chair"),
    MemberPosition.SECRETARY: _l("Secretary"),
    MemberPosition.MEMBER: _l("Member"),
    MeetingStatus.PLANNED: _l("Planned"),
    MeetingStatus.HELD: _l("Held"),
    MeetingStatus.CANCELLED: _l("Cancelled"),
    Role.CITIZEN: _l("Citizen"),
    Role.COUNCIL_MEMBER: _l("Council member"),
    Role.MINISTRY_OFFICER: _l("Ministry officer"),
    Role.ADMIN: _l("Administrator"),
}


def label(value: enum.Enum) -> str:
    return str(LABELS.get(value, value.value))


def as_choices(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """Form choices from (value, label) pairs; WTForms 3.3 wants SelectChoice objects."""
    return [SelectChoice(value, label) for value, label in pairs]


def choices(enum_class: type[enum.Enum]) -> list[SelectChoice]:
    """A select or radio field's choices for every member of an enum, labelled."""
    return as_choices((member.value, LABELS[member]) for member in enum_class)

"""Translatable labels for every enum value shown on a page."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice

from listening_state import personal_data
from listening_state.models import (
    ConsultationStatus,
    MeetingStatus,
    MemberPosition,
    ModerationHintKind,
    ModerationMode,
    ModerationReason,
    RecommendationStatus,
    ReportOutcome,
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
    ModerationMode.PRE: _l("Pre-moderation: comments are public once approved"),
    ModerationMode.POST: _l("Post-moderation: comments are public at once and can be hidden"),
    ModerationReason.OFF_TOPIC: _l("Off-topic"),
    ModerationReason.ABUSIVE: _l("Abusive"),
    ModerationReason.PERSONAL_DATA: _l("Personal data"),
    ModerationReason.DUPLICATE: _l("Duplicate"),
    ModerationReason.SPAM: _l("Spam or advertising"),
    ModerationReason.NOT_ABOUT_DRAFT: _l("Not about this draft"),
    ModerationReason.UNLAWFUL: _l("Unlawful content"),
    ModerationHintKind.FLAGGED: _l("Reported by readers"),
    ModerationHintKind.PERSONAL_DATA: _l("Contains personal data"),
    ModerationHintKind.DUPLICATE: _l("Possible duplicate"),
    ModerationHintKind.RISK: _l("Likely to break the rules"),
    RecommendationStatus.ISSUED: _l("Awaiting the ministry's answer"),
    RecommendationStatus.ACCEPTED: _l("Accepted"),
    RecommendationStatus.PARTLY_ACCEPTED: _l("Partly accepted"),
    RecommendationStatus.REJECTED: _l("Rejected"),
    ReportOutcome.CHANGED: _l("The draft was changed"),
    ReportOutcome.PARTLY_CHANGED: _l("The draft was partly changed"),
    ReportOutcome.NOT_CHANGED: _l("The draft was not changed"),
}

# The published moderation rules: what each reason code means, shown on the rules page.
RULES: dict[ModerationReason, LazyString] = {
    ModerationReason.OFF_TOPIC: _l(
        "The comment is not about the policy under consultation or public administration."
    ),
    ModerationReason.ABUSIVE: _l(
        "Insults, threats, harassment or hate towards a person or a group, including officials "
        "and other participants."
    ),
    ModerationReason.PERSONAL_DATA: _l(
        "The comment reveals someone's personal data (such as an IIN, a phone number, an "
        "address or health details) in a way that automatic masking cannot fix."
    ),
    ModerationReason.DUPLICATE: _l(
        "The same text was already sent to this consultation; the earlier comment is kept."
    ),
    ModerationReason.SPAM: _l(
        "Advertising, links to unrelated sites, or the same message sent in bulk. Spam is the "
        "only reason that also removes a comment from the ministry's view."
    ),
    ModerationReason.NOT_ABOUT_DRAFT: _l(
        "The comment is a personal request or complaint that belongs in an appeal to the "
        "responsible body, not a comment on this draft."
    ),
    ModerationReason.UNLAWFUL: _l(
        "Content that the law of the Republic of Kazakhstan prohibits, such as calls to "
        "violence or extremism."
    ),
}

PERSONAL_DATA_KINDS: dict[str, LazyString] = {
    personal_data.IIN: _l("IIN"),
    personal_data.BIN: _l("BIN"),
    personal_data.PHONE: _l("phone number"),
    personal_data.EMAIL: _l("e-mail address"),
    personal_data.CARD: _l("bank card number"),
}


def answer_choices() -> list[SelectChoice]:
    """The decisions a ministry may record on a recommendation; "issued" is where all start."""
    return as_choices(
        (status.value, LABELS[status])
        for status in RecommendationStatus
        if status is not RecommendationStatus.ISSUED
    )


def label(value: enum.Enum) -> str:
    return str(LABELS.get(value, value.value))


def as_choices(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """Form choices from (value, label) pairs; WTForms 3.3 wants SelectChoice objects."""
    return [SelectChoice(value, label) for value, label in pairs]


def choices(enum_class: type[enum.Enum]) -> list[SelectChoice]:
    """A select or radio field's choices for every member of an enum, labelled."""
    return as_choices((member.value, LABELS[member]) for member in enum_class)

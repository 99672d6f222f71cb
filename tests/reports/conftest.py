"""A ministry whose consultation has closed with real comments, and people in every role."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask

from listening_state.authz import SYSTEM
from listening_state.models import (
    Consultation,
    ConsultationReport,
    Ministry,
    ModerationMode,
    Role,
    Stance,
    Submission,
    User,
)
from listening_state.models.base import utcnow
from listening_state.services import consultations, moderation, reports
from listening_state.services.consultations import ConsultationInput
from tests.factories import (
    make_consultation,
    make_council,
    make_ministry,
    make_submission,
    make_user,
)
from tests.real_text import polis_comments


@dataclass
class Cast:
    ministry: Ministry
    other_ministry: Ministry
    consultation: Consultation  # post-moderated, two sections, still open
    officer: User
    other_officer: User
    member: User
    admin: User
    citizen: User


@pytest.fixture
def cast(app: Flask) -> Cast:
    ministry, other = make_ministry(), make_ministry()
    council = make_council(ministry)  # before the consultation, so it moderates its comments
    return Cast(
        ministry=ministry,
        other_ministry=other,
        consultation=make_consultation(ministry),
        officer=make_user(Role.MINISTRY_OFFICER, ministry=ministry),
        other_officer=make_user(Role.MINISTRY_OFFICER, ministry=other),
        member=make_user(Role.COUNCIL_MEMBER, council=council),
        admin=make_user(Role.ADMIN),
        citizen=make_user(),
    )


_next_comment = itertools.count()


def real_comment() -> str:
    """The next real Pol.is comment, so submissions in one test do not share a text."""
    texts = polis_comments()
    return texts[next(_next_comment) % len(texts)]


def comment(
    consultation: Consultation, stance: Stance, section_index: int | None = None
) -> Submission:
    return make_submission(
        consultation, body=real_comment(), stance=stance, section_index=section_index
    )


def close(consultation: Consultation) -> None:
    consultations.close_consultation(actor=SYSTEM, consultation=consultation)


def reopen(consultation: Consultation) -> None:
    """The ministry moves the closing date into the future again."""
    consultations.update_consultation(
        actor=SYSTEM,
        consultation=consultation,
        data=ConsultationInput(
            title=consultation.title,
            summary=consultation.summary,
            draft_markdown=consultations.draft_markdown(consultation),
            opens_at=consultation.opens_at,
            closes_at=utcnow() + timedelta(days=3),
            language=consultation.language,
            moderation_mode=consultation.moderation_mode,
        ),
    )


def closed_report(cast: Cast) -> ConsultationReport:
    """The consultation closed with a few comments, and its (empty) report prepared."""
    comment(cast.consultation, Stance.SUPPORT)
    comment(cast.consultation, Stance.OPPOSE, section_index=0)
    close(cast.consultation)
    return reports.prepare_report(actor=cast.officer, consultation=cast.consultation)


def pre_moderated(ministry: Ministry) -> Consultation:
    return make_consultation(ministry, moderation_mode=ModerationMode.PRE)


def approve(*items: Submission) -> None:
    for item in items:
        moderation.approve(actor=SYSTEM, submission=item)


def form_data(report: ConsultationReport, **fields: Any) -> dict[str, Any]:
    """The edit form as a browser sends it: every section's entry, then the given fields."""
    data: dict[str, Any] = {"summary": "", "outcome": "", "explanation": ""}
    for i, entry in enumerate(reports.ordered_sections(report)):
        data.update(
            {
                f"sections-{i}-section_id": entry.section_id,
                f"sections-{i}-heard": "",
                f"sections-{i}-outcome": "",
                f"sections-{i}-explanation": "",
            }
        )
    data.update(fields)
    return data

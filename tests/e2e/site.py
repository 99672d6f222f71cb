"""A small but complete site for the accessibility sweep: every main page has something on it.

Everything is made through the services (via tests/worlds.py and tests/factories.py) with real
text: the app's own multi-section demonstration draft, Pol.is comments, a UK petition and the
government's answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from listening_state.authz import SYSTEM
from listening_state.extensions import db
from listening_state.models import ModerationMode, ModerationReason, Role
from listening_state.models.base import utcnow
from listening_state.services import moderation, routing
from tests.factories import (
    make_consultation,
    make_council,
    make_ministry,
    make_routed_submission,
    make_submission,
    make_user,
)
from tests.real_text import POLIS_SPAM, polis_comments
from tests.worlds import add_holiday, build_ministry_world

ROLES = ("anonymous", "citizen", "council_member", "officer", "admin")


@dataclass(frozen=True)
class Site:
    """The e-mail of one user per role, and the main pages each role uses, as plain values."""

    emails: dict[str, str]
    pages: dict[str, list[str]]


def seed_site() -> Site:
    """Build the site and list each role's main pages (run inside an app context)."""
    citizen = make_user()
    admin = make_user(Role.ADMIN)
    comments = iter(polis_comments(min_length=60))
    world = build_ministry_world(citizen, comments, closed_title="Closed draft on public hearings")
    make_council(make_ministry())  # a second ministry: the inbox chooser and filters have choices
    ministry, open_one, closed = world.ministry, world.consultation, world.closed
    answered, meeting = world.answered, world.meeting

    published = make_submission(open_one, citizen, body=next(comments), section_index=1)
    make_submission(open_one, body=next(comments), section_index=2)
    routed = make_routed_submission(open_one, ministry, author=citizen, body=next(comments))
    waiting_triage = make_submission(open_one, body=next(comments))
    routing.route_new_submission(waiting_triage)

    pre = make_consultation(ministry, moderation_mode=ModerationMode.PRE)
    make_submission(pre, body=POLIS_SPAM)
    rejected = make_submission(pre, citizen, body=next(comments))
    moderation.reject(actor=SYSTEM, submission=rejected, reason=ModerationReason.OFF_TOPIC)

    add_holiday(date(utcnow().year, 3, 22))  # so this year's working calendar has a row to show

    code, c, k = ministry.code, open_one.id, world.council.id
    section = open_one.sections[1].id
    public = [
        "/",
        "/consultations",
        f"/consultations/{c}",
        "/councils",
        f"/councils/{k}",
        f"/councils/{k}/meetings/{meeting.id}",
        "/monitoring",
        "/monitoring/schema",
        "/moderation-rules",
        f"/consultations/{closed.id}/report",
        f"/consultations/{closed.id}/report/print",
    ]
    site = Site(
        emails={
            "citizen": citizen.email,
            "council_member": world.member.email,
            "officer": world.officer.email,
            "admin": admin.email,
        },
        pages={
            "anonymous": [*public, "/login", "/register", "/no-such-page"],
            "citizen": [
                "/",
                f"/consultations/{c}",
                f"/consultations/{c}/comment?section={section}",
                f"/consultations/{c}/comment",
                "/my/submissions",
                f"/submissions/{published.reference}/confirmation",
                f"/submissions/{answered.reference}",
                f"/submissions/{rejected.reference}",
                f"/submissions/{rejected.reference}/edit",
                f"/councils/{k}",
                "/account/settings",
                "/account/password",
                "/account/two-factor",
                "/account/tokens",
                "/account/delete",
            ],
            "council_member": [
                "/moderation",
                f"/councils/{k}",
                f"/manage/councils/{k}",
                f"/manage/meetings/{meeting.id}/edit",
                f"/manage/councils/{k}/recommendations/new",
                f"/consultations/{c}/themes",
            ],
            "officer": [
                f"/ministries/{code}/inbox",
                f"/ministries/{code}/inbox/{routed.reference}",
                f"/ministries/{code}/inbox/{answered.reference}",
                f"/submissions/{routed.reference}",  # with the form to forward it
                f"/ministries/{code}/answer-templates",
                "/manage/consultations",
                "/manage/consultations/new",
                f"/manage/consultations/{c}/edit",
                f"/manage/councils/{k}",
                f"/manage/recommendations/{world.recommendation.id}/answer",
                f"/ministries/{code}/themes",
                f"/consultations/{c}/themes",
                f"/consultations/{closed.id}/report/edit",
            ],
            "admin": [
                "/triage",
                "/admin/router",
                "/admin/audit",
                "/admin/outbox",
                "/admin/calendar",
                "/admin/sign-in-security",
                "/moderation",
                "/inbox",
                f"/ministries/{code}/inbox",
                f"/manage/councils/{k}",
                f"/manage/members/{world.seat.id}/edit",
                "/manage/consultations",
            ],
        },
    )
    db.session.close()  # hand the connection back before the server starts using the database
    return site

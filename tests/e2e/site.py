"""A small but complete site for the accessibility sweep: every main page has something on it.

Everything is made through the services (via tests/factories.py) with real text: the app's own
multi-section demonstration draft, Pol.is comments, a UK petition and the government's answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from listening_state.authz import SYSTEM
from listening_state.demo.drafts import DEMO_DRAFTS
from listening_state.extensions import db
from listening_state.models import DayKind, ModerationMode, ModerationReason, ReportOutcome, Role
from listening_state.models.base import utcnow
from listening_state.services import answers, calendar, moderation, reports, routing
from tests.factories import (
    MINISTRY_ANSWER,
    make_consultation,
    make_council,
    make_council_member,
    make_meeting,
    make_ministry,
    make_recommendation,
    make_routed_submission,
    make_submission,
    make_user,
)
from tests.real_text import POLIS_SPAM, polis_comments

ROLES = ("anonymous", "citizen", "council_member", "officer", "admin")


@dataclass(frozen=True)
class Site:
    """The e-mail of one user per role, and the main pages each role uses, as plain values."""

    emails: dict[str, str]
    pages: dict[str, list[str]]


def seed_site() -> Site:
    """Build the site and list each role's main pages (run inside an app context)."""
    ministry = make_ministry()
    council = make_council(ministry)
    make_council(make_ministry())  # a second ministry: the inbox chooser and filters have choices
    citizen = make_user()
    member = make_user(Role.COUNCIL_MEMBER, council=council)
    officer = make_user(Role.MINISTRY_OFFICER, ministry=ministry)
    admin = make_user(Role.ADMIN)

    draft = next(d for d in DEMO_DRAFTS if d.language == "en")
    open_one = make_consultation(
        ministry, title=draft.title, draft=draft.markdown, summary=draft.summary
    )
    comments = polis_comments(min_length=60)
    published = make_submission(open_one, citizen, body=comments[0], section_index=1)
    make_submission(open_one, body=comments[1], section_index=2)
    routed = make_routed_submission(open_one, ministry, author=citizen, body=comments[2])
    answered = make_routed_submission(open_one, ministry, author=citizen, body=comments[3])
    answers.answer_submissions(actor=officer, submissions=[answered], body=MINISTRY_ANSWER)
    waiting_triage = make_submission(open_one, body=comments[4])
    routing.route_new_submission(waiting_triage)

    pre = make_consultation(ministry, moderation_mode=ModerationMode.PRE)
    make_submission(pre, body=POLIS_SPAM)
    rejected = make_submission(pre, citizen, body=comments[5])
    moderation.reject(actor=SYSTEM, submission=rejected, reason=ModerationReason.OFF_TOPIC)

    closed = make_consultation(ministry, title="Closed draft on public hearings", state="closed")
    report = reports.prepare_report(actor=SYSTEM, consultation=closed)
    reports.update_report(
        actor=SYSTEM,
        report=report,
        data=reports.ReportInput(
            summary=comments[6], outcome=ReportOutcome.CHANGED, explanation=comments[7]
        ),
    )
    reports.publish_report(actor=SYSTEM, report=report)

    # Kazakhstan's Independence Day, so this year's working calendar has a row to show.
    calendar.add_day(
        actor=admin,
        day=date(utcnow().year, 12, 16),
        kind=DayKind.HOLIDAY,
        name_kk="Тәуелсіздік күні",
        name_ru="День Независимости",
        name_en="Independence Day",
    )
    seat = make_council_member(council, user=member)
    meeting = make_meeting(council, agenda=comments[8], minutes=comments[9])
    recommendation = make_recommendation(council, meeting=meeting, consultation=open_one)

    code, c, k = ministry.code, open_one.id, council.id
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
            "council_member": member.email,
            "officer": officer.email,
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
                f"/manage/recommendations/{recommendation.id}/answer",
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
                f"/manage/members/{seat.id}/edit",
                "/manage/consultations",
            ],
        },
    )
    db.session.close()  # hand the connection back before the server starts using the database
    return site

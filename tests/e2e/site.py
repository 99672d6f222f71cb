"""A small but complete site for the accessibility sweep: every main page has something on it.

Everything is made through the services (via tests/worlds.py and tests/factories.py) with real
text: the app's own multi-section demonstration draft, Pol.is comments, a UK petition and the
government's answer. Themes are found by the real rebuild job (a few seconds at these sizes,
with the themes tests' comments: tests/themes and tests/themes_web): the open consultation's,
the ministry's, and the closed consultation's, which its officer publishes for the public.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from listening_state.authz import SYSTEM
from listening_state.extensions import db
from listening_state.models import (
    Campaign,
    JobStatus,
    ModerationMode,
    ModerationReason,
    Role,
    Stance,
    ThemeBuild,
    ThemeMember,
)
from listening_state.models.base import utcnow
from listening_state.services import moderation, routing, theme_builds, theme_publication
from tests.factories import (
    make_consultation,
    make_council,
    make_ministry,
    make_routed_submission,
    make_submission,
    make_user,
)
from tests.real_text import POLIS_SPAM, polis_comments
from tests.themes.conftest import PER_CONVERSATION, rebuild, subject_comments
from tests.themes_web.conftest import campaign_copies
from tests.worlds import MinistryWorld, add_holiday, build_ministry_world

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
    world = build_ministry_world(
        citizen,
        comments,
        closed_title="Closed draft on public hearings",
        closed_comments=subject_comments(per_conversation=8, skip=PER_CONVERSATION),
    )
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
    theme_pages = _build_themes(world)

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
        f"/consultations/{closed.id}",  # with its published themes
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
                f"/consultations/{closed.id}",
                f"/consultations/{closed.id}/report",
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
                *theme_pages.staff,
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
                *theme_pages.staff,
                f"/consultations/{closed.id}/themes",  # published, and a rebuild under way
                theme_pages.inbox,
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
                *theme_pages.staff,
            ],
        },
    )
    db.session.close()  # hand the connection back before the server starts using the database
    return site


@dataclass(frozen=True)
class ThemePages:
    staff: list[str]  # what the council member, the officer and administrators all read
    inbox: str  # the ministry's inbox filtered by one of its themes


def _build_themes(world: MinistryWorld) -> ThemePages:
    """Find the themes of the open consultation (its comments routed to the ministry), of the
    closed one (published by its officer, so the public sees them) and of the ministry, with the
    real rebuild job."""
    stances = list(Stance)
    texts = [*subject_comments(), *campaign_copies()]  # three subjects, and one campaign
    sent = [
        make_submission(
            world.consultation,
            body=text,
            stance=stances[i % len(stances)],
            section_index=(None, 0, 1)[i % 3],
        )
        for i, text in enumerate(texts)
    ]
    for submission in sent:  # no router is active: each waits in triage ...
        routing.route_new_submission(submission)
    # ... until an administrator sends them all to the ministry at once
    routing.assign_from_triage(actor=SYSTEM, submissions=sent, ministry=world.ministry)
    for job in (
        rebuild(world.consultation),
        rebuild(world.closed),
        rebuild(ministry=world.ministry),
    ):
        assert job.status is JobStatus.DONE, job.error
    on_open = _themes_of(theme_builds.Scope.of(consultation=world.consultation))
    on_closed = _themes_of(theme_builds.Scope.of(consultation=world.closed))
    of_ministry = _themes_of(theme_builds.Scope.of(ministry=world.ministry))
    theme_publication.publish_build(actor=world.officer, build=on_closed)
    assert theme_publication.public_themes(world.closed), "the public would see no themes"
    # No worker runs here: the closed consultation's dashboard shows this rebuild's progress.
    theme_builds.request_rebuild(actor=world.officer, consultation=world.closed)

    staff = []
    for prefix, build in (
        (f"/consultations/{world.consultation.id}/themes", on_open),
        (f"/ministries/{world.ministry.code}/themes", of_ministry),
    ):
        campaign = db.session.scalar(select(Campaign.id).where(Campaign.build_id == build.id))
        assert campaign is not None, "the copied text should make a campaign"
        theme = build.themes[0].id
        staff += [prefix, f"{prefix}/{theme}", f"{prefix}/other", f"{prefix}/campaigns/{campaign}"]
    in_inbox = db.session.scalar(  # a theme with submissions in the inbox
        select(ThemeMember.theme_id)
        .where(
            ThemeMember.build_id == of_ministry.id,
            ThemeMember.submission_id.in_([s.id for s in sent]),
            ThemeMember.theme_id.is_not(None),
        )
        .order_by(ThemeMember.submission_id)
        .limit(1)
    )
    inbox = f"/ministries/{world.ministry.code}/inbox?theme={in_inbox}"
    return ThemePages(staff=staff, inbox=inbox)


def _themes_of(scope: theme_builds.Scope) -> ThemeBuild:
    build = theme_builds.latest_build(scope)
    assert build is not None, f"no themes for {scope.subject_key}"
    assert len(build.themes) >= 2, f"only {len(build.themes)} theme for {scope.subject_key}"
    return build

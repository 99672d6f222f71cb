"""Test data made through the services, the way the application makes it."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from flask.testing import FlaskClient

from listening_state.authz import SYSTEM
from listening_state.models import (
    Consultation,
    Ministry,
    ModerationMode,
    PublicCouncil,
    Role,
    Stance,
    Submission,
    User,
)
from listening_state.models.base import utcnow
from listening_state.services import (
    accounts,
    consultations,
    council_recommendations,
    councils,
    ministries,
    submissions,
)
from listening_state.services.consultations import ConsultationInput
from listening_state.services.councils import CouncilInput
from tests.real_text import polis_comments

PASSWORD = "correct horse battery"
_counter = itertools.count(1)

# Real sentences cut from ../shared/data/sib200 (FLORES-200, CC BY-SA 4.0) so tests handle
# genuine Kazakh and Russian text rather than invented strings.
KAZAKH_SENTENCE = (
    "Түркия үш жағынан теңіздермен қоршалған: батысында Эгей теңізімен, солтүстігінде "
    "Қара теңізбен және оңтүстігінде Жерорта теңізімен."
)

DRAFT = """## 1. Purpose

The draft sets out how the ministry will consult the public.

## 2. Scope

It applies to every draft act published for discussion.
"""


def make_ministry(code: str | None = None) -> Ministry:
    n = next(_counter)
    code = code or f"M{n}"
    return ministries.upsert_ministry(
        actor=SYSTEM,
        code=code,
        name_kk=f"Министрлік {code}",
        name_ru=f"Министерство {code}",
        name_en=f"Ministry {code}",
        mandate="Responsible for testing.",
    )


def make_council(ministry: Ministry) -> PublicCouncil:
    return councils.upsert_ministry_council(
        actor=SYSTEM,
        ministry=ministry,
        data=CouncilInput(
            name_kk=f"{ministry.name_kk} Қоғамдық кеңесі",
            name_ru=f"Общественный совет {ministry.code}",
            name_en=f"Public Council of {ministry.name_en}",
            description="Reviews draft acts.",
        ),
    )


def make_user(
    role: Role = Role.CITIZEN,
    *,
    ministry: Ministry | None = None,
    council: PublicCouncil | None = None,
    language: str = "en",
    email: str | None = None,
) -> User:
    n = next(_counter)
    return accounts.create_user(
        email=email or f"user{n}@example.kz",
        display_name=f"User {n}",
        password=PASSWORD,
        language=language,
        roles=[(role, ministry, council)],
    )


def make_consultation(
    ministry: Ministry | None = None,
    *,
    title: str = "Draft law on public consultation",
    draft: str = DRAFT,
    state: str = "open",
    summary: str = "",
    language: str = "en",
    moderation_mode: ModerationMode = ModerationMode.POST,
) -> Consultation:
    """A consultation in the given state: draft, upcoming, open or closed.

    Post-moderated unless asked otherwise, so comments are public at once; the product's
    default is pre-moderation, which the moderation tests ask for explicitly.
    """
    ministry = ministry or make_ministry()
    now = utcnow()
    opens, closes = {
        "draft": (now - timedelta(days=1), now + timedelta(days=30)),
        "upcoming": (now + timedelta(days=5), now + timedelta(days=30)),
        "open": (now - timedelta(days=1), now + timedelta(days=30)),
        "closed": (now - timedelta(days=30), now - timedelta(days=1)),
    }[state]
    consultation = consultations.create_consultation(
        actor=SYSTEM,
        ministry=ministry,
        data=ConsultationInput(
            title=title,
            summary=summary,
            draft_markdown=draft,
            opens_at=opens,
            closes_at=closes,
            language=language,
            moderation_mode=moderation_mode,
        ),
        historical=state == "closed",  # only the system may record a period already over
    )
    if state != "draft":
        consultations.publish_consultation(
            actor=SYSTEM, consultation=consultation, historical=state == "closed"
        )
    return consultation


# Real comments (Pol.is, CC BY 4.0) without digits or "@", so that none reads as personal
# data, and without characters HTML escapes or line breaks, so that a test finds them verbatim
# in a page. Each test starts from the first (see `restart_real_comments`), whatever ran before.
_PLAIN = set("0123456789@&<>'\"\n")
_REAL_COMMENTS = [c for c in polis_comments(min_length=40) if not _PLAIN.intersection(c)][:50]
_real_comments = itertools.cycle(_REAL_COMMENTS)


def restart_real_comments() -> None:
    global _real_comments
    _real_comments = itertools.cycle(_REAL_COMMENTS)


def make_submission(
    consultation: Consultation,
    author: User | None = None,
    *,
    body: str | None = None,
    stance: Stance = Stance.SUPPORT,
    section_index: int | None = None,
) -> Submission:
    """A citizen's comment; without `body`, the next of a few real Pol.is comments."""
    author = author or make_user()
    body = body if body is not None else next(_real_comments)
    section = consultation.sections[section_index] if section_index is not None else None
    return submissions.submit_feedback(
        actor=author, consultation=consultation, body=body, stance=stance, section=section
    )


def login(client: FlaskClient, user: User, password: str = PASSWORD) -> None:
    response = client.post("/login", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)


# A real petition and the UK government's answer to it, cut from ../shared/data/uk-petitions
# (Open Government Licence v3.0, collected by mySociety): a recommendation and a ministry answer.
RECOMMENDATION_TITLE = "Legal rights for ancient trees"
RECOMMENDATION_TEXT = (
    "All ancient trees (over 100 years of age) to have the legal right not to be damaged or "
    "felled, with the exception of sustainable forestry to produce wood and maintaining the "
    "tree’s health. This would effectively make tree preservation orders (TPOs) national."
)
MINISTRY_ANSWER = (
    "Ancient trees are a living link to our history so we already have extensive controls on "
    "their protection; additional legal rights for ancient trees are not necessary in addition "
    "to those."
)


def make_council_member(
    council: PublicCouncil,
    *,
    full_name: str = "Гүлнар Сейітова",
    position: str = "member",
    affiliation: str = "",
    started_on: date | None = None,
    ended_on: date | None = None,
    user: User | None = None,
) -> councils.CouncilMember:
    return councils.add_member(
        actor=SYSTEM,
        council=council,
        data=councils.MemberInput(
            full_name=full_name,
            position=councils.MemberPosition(position),
            affiliation=affiliation,
            started_on=started_on,
            ended_on=ended_on,
            user=user,
        ),
    )


def make_meeting(
    council: PublicCouncil,
    *,
    title: str = "Қоғамдық кеңес отырысы",
    held_on: date = date(2025, 11, 20),
    agenda: str = "",
    minutes: str = "",
    status: str = "held",
) -> councils.CouncilMeeting:
    return councils.schedule_meeting(
        actor=SYSTEM,
        council=council,
        data=councils.MeetingInput(
            held_on=held_on,
            title=title,
            agenda=agenda,
            minutes=minutes,
            status=councils.MeetingStatus(status),
        ),
    )


def make_recommendation(
    council: PublicCouncil,
    *,
    title: str = RECOMMENDATION_TITLE,
    text: str = RECOMMENDATION_TEXT,
    issued_on: date = date(2025, 11, 21),
    meeting: councils.CouncilMeeting | None = None,
    consultation: Consultation | None = None,
) -> councils.CouncilRecommendation:
    return council_recommendations.issue_recommendation(
        actor=SYSTEM,
        council=council,
        data=council_recommendations.RecommendationInput(
            title=title,
            text=text,
            issued_on=issued_on,
            meeting=meeting,
            consultation=consultation,
        ),
    )


def make_user_for_council(role: str, council: PublicCouncil) -> User:
    """A user who stands in a given relation to a council: its member, its ministry's officer,
    or the same role elsewhere (`other_council_member`, `other_officer`), a citizen or an admin."""
    return {
        "citizen": lambda: make_user(),
        "council_member": lambda: make_user(Role.COUNCIL_MEMBER, council=council),
        "other_council_member": lambda: make_user(
            Role.COUNCIL_MEMBER, council=make_council(make_ministry())
        ),
        "officer": lambda: make_user(Role.MINISTRY_OFFICER, ministry=council.ministry),
        "other_officer": lambda: make_user(Role.MINISTRY_OFFICER, ministry=make_ministry()),
        "admin": lambda: make_user(Role.ADMIN),
    }[role]()


def make_routed_submission(
    consultation: Consultation,
    ministry: Ministry,
    *,
    body: str = KAZAKH_SENTENCE,
    stance: Stance = Stance.SUPPORT,
    section_index: int | None = None,
    author: User | None = None,
    due_on: date | None = None,
    confidence: float | None = None,
) -> Submission:
    """A submission sent to `ministry` through triage, as an administrator would route it.

    `due_on` and `confidence` then set what the deadlines service and the router would have.
    """
    from listening_state.extensions import db
    from listening_state.services import routing

    submission = make_submission(
        consultation, author, body=body, stance=stance, section_index=section_index
    )
    routing.route_new_submission(submission)
    routing.assign_from_triage(actor=SYSTEM, submissions=[submission], ministry=ministry)
    if due_on is not None:
        submission.due_on = due_on
    if confidence is not None:
        submission.routing_confidence = confidence
    db.session.commit()
    return submission

"""Test data made through the services, the way the application makes it."""

from __future__ import annotations

import itertools
from datetime import timedelta

from flask.testing import FlaskClient

from listening_state.authz import SYSTEM
from listening_state.models import (
    Consultation,
    Ministry,
    PublicCouncil,
    Role,
    Stance,
    Submission,
    User,
)
from listening_state.models.base import utcnow
from listening_state.services import accounts, consultations, councils, ministries, submissions
from listening_state.services.consultations import ConsultationInput
from listening_state.services.councils import CouncilInput

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
) -> Consultation:
    """A consultation in the given state: draft, upcoming, open or closed."""
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
        ),
    )
    if state != "draft":
        consultations.publish_consultation(actor=SYSTEM, consultation=consultation)
    return consultation


def make_submission(
    consultation: Consultation,
    author: User | None = None,
    *,
    body: str = "I support the draft, but the deadlines are too short.",
    stance: Stance = Stance.SUPPORT,
    section_index: int | None = None,
) -> Submission:
    author = author or make_user()
    section = consultation.sections[section_index] if section_index is not None else None
    return submissions.submit_feedback(
        actor=author, consultation=consultation, body=body, stance=stance, section=section
    )


def login(client: FlaskClient, user: User, password: str = PASSWORD) -> None:
    response = client.post("/login", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)

"""The world the authorisation matrix is checked in, made through the services.

Two ministries ("this" and "other"), each built by tests/worlds.py (its Public Council, an
officer and a council member, a consultation open for comment with a submission routed to the
ministry and answered, one closed with a published report, a council meeting, a seat and a
recommendation) and given here theme builds of the closed consultation, an answer template
and a meeting document; site-wide objects; and one person in each of the seven roles. Every URL
parameter of the site can then be filled with an object that belongs to "this" ministry or
council.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, timedelta

from flask.testing import FlaskClient

from listening_state.authz import SYSTEM
from listening_state.extensions import db
from listening_state.models import (
    AnswerTemplate,
    Campaign,
    CouncilMeeting,
    MeetingDocument,
    Ministry,
    Role,
    ThemeBuild,
    User,
)
from listening_state.models.handling import OutboxMessage
from listening_state.models.routing import RouterVersion
from listening_state.services import (
    answers,
    api_tokens,
    calendar,
    council_documents,
    outbox,
    theme_builds,
)
from tests.factories import (
    KAZAKH_SENTENCE,
    MINISTRY_ANSWER,
    login,
    make_council_member,
    make_meeting,
    make_routed_submission,
    make_user,
)
from tests.real_text import polis_comments
from tests.themes_web.conftest import comment_texts, write_build
from tests.worlds import MinistryWorld, add_holiday, build_ministry_world

# A minimal valid PDF, as the council-records tests upload.
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@dataclass
class World:
    this: MinistryWorld
    other: MinistryWorld
    ids: dict[str, int | str]  # a value for every URL parameter name, of "this" ministry
    users: dict[str, User]
    tokens: dict[str, str]  # each signed-in role's API token

    def values(self) -> dict[str, int | str]:
        """A value for every URL parameter name, each belonging to "this" ministry."""
        return dict(self.ids)

    def fresh(self, name: str) -> int | None:
        """A new object for a parameter whose action removes it, so each role that may
        remove one finds one to remove (None: the parameter needs no fresh object)."""
        this = self.this
        if name == "document_id":
            meeting = make_meeting(this.council)
            return _upload(meeting).id
        if name == "template_id":
            return _template(this.ministry).id
        if name == "member_id":
            return make_council_member(this.council).id
        if name == "day_id":
            day = date(2026, 4, 1) + timedelta(days=len(calendar.days_of(2026)))
            return add_holiday(day).id
        return None


def _body(citizen: User) -> tuple[MinistryWorld, dict[str, int | str]]:
    """A ministry's world, with theme builds, a template and a document added, and its ids."""
    # The closed consultation's comments: one conversation, a text copied by several people
    # (a campaign) and Kazakh sentences.
    world = build_ministry_world(
        citizen,
        iter(polis_comments(min_length=60)),
        closed_title="Draft law on wages, sport and nature",
        closed_comments=comment_texts()[24:46],
    )
    ministry, consultation, closed = world.ministry, world.consultation, world.closed
    make_routed_submission(consultation, ministry, body=KAZAKH_SENTENCE)  # work still to do
    consultation_build = write_build(world.closed_comments, consultation=closed)
    ministry_build = write_build(world.closed_comments, ministry=ministry)
    job = theme_builds.request_rebuild(actor=SYSTEM, consultation=closed)
    template = _template(ministry)
    document = _upload(world.meeting)
    ids: dict[str, int | str] = {
        "consultation_id": consultation.id,
        "code": ministry.code,
        "council_id": world.council.id,
        "meeting_id": world.meeting.id,
        "document_id": document.id,
        "member_id": world.seat.id,
        "recommendation_id": world.recommendation.id,
        "reference": world.answered.reference,
        "template_id": template.id,
        "job_id": job.id,
        "theme_id": consultation_build.themes[0].id,
        "campaign_id": _first_campaign(consultation_build),
        "ministry_theme_id": ministry_build.themes[0].id,
        "ministry_campaign_id": _first_campaign(ministry_build),
        "closed_consultation_id": closed.id,
        "language": "kk",
    }
    return world, ids


def _template(ministry: Ministry) -> AnswerTemplate:
    title = f"Thank you ({len(answers.list_templates(actor=SYSTEM, ministry=ministry)) + 1})"
    return answers.create_template(
        actor=SYSTEM, ministry=ministry, title=title, body=MINISTRY_ANSWER, language="en"
    )


def _upload(meeting: CouncilMeeting) -> MeetingDocument:
    return council_documents.upload_document(
        actor=SYSTEM, meeting=meeting, file_name="minutes.pdf", stream=io.BytesIO(PDF)
    )


def _first_campaign(build: ThemeBuild) -> int:
    campaign = db.session.scalars(db.select(Campaign).where(Campaign.build_id == build.id)).first()
    assert campaign is not None, "the copied text should make a campaign"
    return campaign.id


def _site_wide(ids: dict[str, int | str], citizen: User) -> None:
    """Objects that belong to no ministry: a calendar day, an e-mail, a router version (its
    row only: activating it is all the matrix does, and no model is loaded from it)."""
    day = add_holiday(date(2026, 3, 23))
    message = db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)).first()
    if message is None:
        message = outbox.queue(
            kind="answer",
            recipient=citizen,
            subject="Thank you",
            body_text=MINISTRY_ANSWER,
            language="en",
        )
        db.session.commit()
    version = RouterVersion(
        version="20260101-000000-000000",
        file_name="router-20260101-000000-000000.joblib",
        sha256="0" * 64,
        size_bytes=0,
        threshold=0.5,
        coverage=0.0,
        cv_accuracy=0.0,
        cv_macro_f1=0.0,
        n_examples=0,
        report={},
    )
    db.session.add(version)
    db.session.commit()
    ids.update(day_id=day.id, message_id=message.id, version=version.version)


def build_world() -> World:
    citizen = make_user()
    this, ids = _body(citizen)
    other, _ = _body(make_user())
    _site_wide(ids, citizen)
    users = {
        "citizen": citizen,
        "council_member": this.member,
        "other_council_member": other.member,
        "officer": this.officer,
        "other_officer": other.officer,
        "admin": make_user(Role.ADMIN),
    }
    tokens = {
        role: api_tokens.create_token(actor=user, user=user, name="matrix").secret
        for role, user in users.items()
    }
    # A second token of the citizen's, for the page that revokes one.
    revocable = api_tokens.create_token(actor=citizen, user=citizen, name="to revoke")
    ids.update(token_id=revocable.token.id, user_id=citizen.id)
    return World(this=this, other=other, ids=ids, users=users, tokens=tokens)


def signed_in(client: FlaskClient, world: World, role: str) -> FlaskClient:
    if role != "anonymous":
        login(client, world.users[role])
    return client

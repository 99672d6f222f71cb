"""The world the authorisation matrix is checked in, made through the services.

Two ministries ("this" and "other"), each with its Public Council and a consultation open for
comment and one closed with a published report and theme builds; a submission routed to each
ministry and answered, an answer template, a council meeting with a document, a member and a
recommendation; and one person in each of the seven roles. Every URL parameter of the site can
then be filled with an object that belongs to "this" ministry or council.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask.testing import FlaskClient

from listening_state.authz import SYSTEM
from listening_state.extensions import db
from listening_state.models import (
    AnswerTemplate,
    Campaign,
    Consultation,
    CouncilMeeting,
    MeetingDocument,
    Ministry,
    PublicCouncil,
    Role,
    Submission,
    ThemeBuild,
    User,
)
from listening_state.models.handling import CalendarDay, DayKind, OutboxMessage
from listening_state.models.routing import RouterVersion
from listening_state.services import (
    answers,
    api_tokens,
    calendar,
    consultations,
    council_documents,
    outbox,
    reports,
    theme_builds,
)
from listening_state.services.reports import ReportInput, ReportOutcome
from tests.factories import (
    KAZAKH_SENTENCE,
    MINISTRY_ANSWER,
    RECOMMENDATION_TEXT,
    login,
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
from tests.themes_web.conftest import comment_texts, write_build

# A minimal valid PDF, as the council-records tests upload.
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@dataclass
class Body:
    """One ministry with everything that hangs off it."""

    ministry: Ministry
    council: PublicCouncil
    consultation: Consultation  # open, post-moderated: comments are public at once
    closed: Consultation  # closed, with a published report and theme builds
    submission: Submission  # by the world's citizen, routed to this ministry and answered
    ids: dict[str, int | str] = field(default_factory=dict)


@dataclass
class World:
    this: Body
    other: Body
    users: dict[str, User]
    tokens: dict[str, str]  # each signed-in role's API token

    def values(self) -> dict[str, int | str]:
        """A value for every URL parameter name, each belonging to "this" ministry."""
        return dict(self.this.ids)

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
            return _holiday(date(2026, 4, 1) + timedelta(days=len(calendar.days_of(2026)))).id
        return None


def _body(citizen: User) -> Body:
    ministry = make_ministry()
    council = make_council(ministry)  # before its consultations, so that it moderates them
    consultation = make_consultation(ministry)
    closed = make_consultation(ministry, title="Draft law on wages, sport and nature")
    # One conversation, a text copied by several people (a campaign) and Kazakh sentences.
    texts = comment_texts()[24:46]
    comments = [make_submission(closed, body=text) for text in texts]
    submission = make_routed_submission(consultation, ministry, author=citizen)
    officer = make_user(Role.MINISTRY_OFFICER, ministry=ministry)
    answers.answer_submissions(actor=officer, submissions=[submission], body=MINISTRY_ANSWER)
    make_routed_submission(consultation, ministry, body=KAZAKH_SENTENCE)  # work still to do
    consultations.close_consultation(actor=SYSTEM, consultation=closed)
    report = reports.prepare_report(actor=SYSTEM, consultation=closed)
    reports.update_report(
        actor=SYSTEM,
        report=report,
        data=ReportInput(
            summary=RECOMMENDATION_TEXT, outcome=ReportOutcome.CHANGED, explanation=MINISTRY_ANSWER
        ),
    )
    reports.publish_report(actor=SYSTEM, report=report)
    consultation_build = write_build(comments, consultation=closed)
    ministry_build = write_build(comments, ministry=ministry)
    job = theme_builds.request_rebuild(actor=SYSTEM, consultation=closed)
    template = _template(ministry)
    meeting = make_meeting(council)
    document = _upload(meeting)
    seat = make_council_member(council)
    recommendation = make_recommendation(council, meeting=meeting)
    body = Body(ministry, council, consultation, closed, submission)
    body.ids = {
        "consultation_id": consultation.id,
        "code": ministry.code,
        "council_id": council.id,
        "meeting_id": meeting.id,
        "document_id": document.id,
        "member_id": seat.id,
        "recommendation_id": recommendation.id,
        "reference": submission.reference,
        "template_id": template.id,
        "job_id": job.id,
        "theme_id": consultation_build.themes[0].id,
        "campaign_id": _first_campaign(consultation_build),
        "ministry_theme_id": ministry_build.themes[0].id,
        "ministry_campaign_id": _first_campaign(ministry_build),
        "closed_consultation_id": closed.id,
        "language": "kk",
    }
    return body


def _template(ministry: Ministry) -> AnswerTemplate:
    title = f"Thank you ({len(answers.list_templates(actor=SYSTEM, ministry=ministry)) + 1})"
    return answers.create_template(
        actor=SYSTEM, ministry=ministry, title=title, body=MINISTRY_ANSWER, language="en"
    )


def _upload(meeting: CouncilMeeting) -> MeetingDocument:
    return council_documents.upload_document(
        actor=SYSTEM, meeting=meeting, file_name="minutes.pdf", stream=io.BytesIO(PDF)
    )


def _holiday(day: date) -> CalendarDay:
    return calendar.add_day(
        actor=SYSTEM,
        day=day,
        kind=DayKind.HOLIDAY,
        name_kk="Наурыз мейрамы",
        name_ru="Наурыз мейрамы",
        name_en="Nauryz",
    )


def _first_campaign(build: ThemeBuild) -> int:
    campaign = db.session.scalars(db.select(Campaign).where(Campaign.build_id == build.id)).first()
    assert campaign is not None, "the copied text should make a campaign"
    return campaign.id


def _site_wide(ids: dict[str, int | str], citizen: User) -> None:
    """Objects that belong to no ministry: a calendar day, an e-mail, a router version (its
    row only: activating it is all the matrix does, and no model is loaded from it)."""
    day = _holiday(date(2026, 3, 23))
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
    this = _body(citizen)
    other = _body(make_user())
    _site_wide(this.ids, citizen)
    users = {
        "citizen": citizen,
        "council_member": make_user(Role.COUNCIL_MEMBER, council=this.council),
        "other_council_member": make_user(Role.COUNCIL_MEMBER, council=other.council),
        "officer": make_user(Role.MINISTRY_OFFICER, ministry=this.ministry),
        "other_officer": make_user(Role.MINISTRY_OFFICER, ministry=other.ministry),
        "admin": make_user(Role.ADMIN),
    }
    tokens = {
        role: api_tokens.create_token(actor=user, user=user, name="matrix").secret
        for role, user in users.items()
    }
    # A second token of the citizen's, for the page that revokes one.
    revocable = api_tokens.create_token(actor=citizen, user=citizen, name="to revoke")
    this.ids.update(token_id=revocable.token.id, user_id=citizen.id)
    return World(this=this, other=other, users=users, tokens=tokens)


def signed_in(client: FlaskClient, world: World, role: str) -> FlaskClient:
    if role != "anonymous":
        login(client, world.users[role])
    return client

"""A citizen with a full history on the platform (an answered section comment, a comment
waiting for routing, a report of someone else's comment, e-mails, an API token), and the
people around them."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

import pytest
from flask import Flask
from sqlalchemy import select

from listening_state.authz import SYSTEM
from listening_state.extensions import db
from listening_state.models import (
    ApiToken,
    Consultation,
    Flag,
    Ministry,
    ModerationReason,
    OutboxMessage,
    Role,
    Submission,
    User,
)
from listening_state.services import answers, moderation, outbox
from tests.factories import (
    make_consultation,
    make_ministry,
    make_routed_submission,
    make_submission,
    make_user,
)
from tests.inbox.conftest import government_answers
from tests.notifications.conftest import RecordingTransport
from tests.real_text import polis_comments


def flag_note() -> str:
    """A real reader's remark (Pol.is, CC BY 4.0), used as the note of a report."""
    return polis_comments("brexit-consensus", min_length=40)[0]


def others_comment() -> str:
    """The other citizen's comment, from another real conversation than the factories'."""
    return polis_comments("scoop-hivemind.ubi", min_length=40)[0]


@dataclass
class Scene:
    ministry: Ministry
    consultation: Consultation
    officer: User
    citizen: User
    other: User  # another citizen, whose data must never appear in the citizen's export
    answered: Submission  # the citizen's, on section 1, routed and answered
    waiting: Submission  # the citizen's, on the whole draft, not routed yet
    others: Submission  # the other citizen's, published; the citizen reported it
    flag: Flag
    token: ApiToken
    token_secret: str


def make_api_token(user: User, name: str) -> tuple[ApiToken, str]:
    """A token row as the API's token service stores it: the secret is only ever hashed.
    (No service makes tokens yet; this writes the row the model documents.)"""
    secret = "ls_" + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name,
        token_sha256=hashlib.sha256(secret.encode()).hexdigest(),
        prefix=secret[:10],
    )
    db.session.add(token)
    db.session.commit()
    return token, secret


@pytest.fixture
def scene(app: Flask) -> Scene:
    ministry = make_ministry()
    consultation = make_consultation(ministry)
    officer = make_user(Role.MINISTRY_OFFICER, ministry=ministry)
    citizen, other = make_user(), make_user()
    answered = make_routed_submission(consultation, ministry, author=citizen, section_index=1)
    answers.answer_submissions(actor=officer, submissions=[answered], body=government_answers()[0])
    # The routing e-mail goes out; the answer's stays pending: both kinds must go at deletion.
    outbox.send_due(actor=SYSTEM, transport=RecordingTransport(), limit=1)
    waiting = make_submission(consultation, citizen)
    others = make_routed_submission(consultation, ministry, author=other, body=others_comment())
    flag = moderation.flag_submission(
        actor=citizen, submission=others, reason=ModerationReason.OFF_TOPIC, note=flag_note()
    )
    token, token_secret = make_api_token(citizen, "Home laptop")
    return Scene(
        ministry=ministry,
        consultation=consultation,
        officer=officer,
        citizen=citizen,
        other=other,
        answered=answered,
        waiting=waiting,
        others=others,
        flag=flag,
        token=token,
        token_secret=token_secret,
    )


def messages_to(user_id: int, address: str) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(OutboxMessage).where(
                (OutboxMessage.recipient_id == user_id) | (OutboxMessage.to_address == address)
            )
        )
    )

"""The account holder is told by e-mail when their account's security changes: a lockout, a new
password, two-step sign-in turned on, off, or removed by an administrator."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from listening_state.extensions import db
from listening_state.models import OutboxMessage, Role, User
from listening_state.services import accounts, two_factor
from listening_state.services.errors import ValidationFailed
from listening_state.services.security_notices import KIND
from tests.auth_security.helpers import enrol, post_password
from tests.factories import PASSWORD, make_ministry, make_user
from tests.notifications.conftest import messages, translated


def notices(user: User) -> list[OutboxMessage]:
    return [m for m in messages(KIND) if m.recipient_id == user.id]


def test_a_lockout_is_told_to_the_holder_with_the_address_it_came_from(
    client: FlaskClient,
) -> None:
    officer = make_user(Role.MINISTRY_OFFICER, ministry=make_ministry())
    for _ in range(5):
        post_password(client, officer, "wrong password")
    [notice] = notices(officer)
    assert notice.subject == "Your account was locked after failed sign-ins"
    assert notice.to_address == officer.email
    assert "Nobody can sign in to it until" in notice.body_text
    assert "127.0.0.1" in notice.body_text  # the test client's address
    assert "/account/password" in notice.body_text


def test_failed_sign_ins_that_lock_nothing_send_nothing(client: FlaskClient) -> None:
    citizen = make_user()  # citizens are not locked by default
    for _ in range(6):
        post_password(client, citizen, "wrong password")
    assert notices(citizen) == []


def test_a_new_password_is_told_even_to_someone_who_turned_e_mail_off(app: Flask) -> None:
    citizen = make_user(language="ru")
    citizen.notify_by_email = False  # that setting is about submissions
    db.session.commit()
    accounts.change_password(
        actor=citizen, user=citizen, current_password=PASSWORD, new_password="copper lantern 2026"
    )
    [notice] = notices(citizen)
    subject = translated("ru", "Your password was changed")
    assert subject != "Your password was changed"
    assert notice.language == "ru"
    assert notice.subject == subject
    assert translated("ru", "Listening State") in notice.body_text


def test_two_step_sign_in_on_off_and_removed_by_an_administrator(app: Flask) -> None:
    officer = make_user(Role.MINISTRY_OFFICER, ministry=make_ministry())
    totp = enrol(officer)
    two_factor.disable(actor=officer, user=officer, password=PASSWORD, code=totp.now())
    enrol(officer)
    admin = make_user(Role.ADMIN)
    assert two_factor.reset(actor=admin, user=officer, reason="lost phone")
    assert [m.subject for m in notices(officer)] == [
        "Two-step sign-in was turned on for your account",
        "Two-step sign-in was turned off for your account",
        "Two-step sign-in was turned on for your account",
        "An administrator removed your two-step sign-in",
    ]
    assert "/account/two-factor" in notices(officer)[-1].body_text
    assert notices(admin) == []


def test_a_refused_change_tells_nobody(app: Flask) -> None:
    citizen = make_user()
    with pytest.raises(ValidationFailed):
        accounts.change_password(
            actor=citizen, user=citizen, current_password="not mine", new_password="copper 2026 x"
        )
    assert notices(citizen) == []

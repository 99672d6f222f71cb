"""The second factor: enrolment, the two-step sign-in, replay and wrong codes."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

import pyotp
import pytest
from cryptography.fernet import Fernet
from flask import Flask
from flask.testing import FlaskClient

from listening_state.extensions import db
from listening_state.models import AuditEntry, Role, User
from listening_state.models.base import utcnow
from listening_state.services import two_factor
from listening_state.services.errors import ValidationFailed
from listening_state.web.auth.session_keys import PENDING_SIGN_IN
from tests.auth_security.helpers import (
    enrol,
    enrolment_secret,
    post_code,
    post_password,
    signed_in,
)
from tests.concurrently import at_once
from tests.factories import PASSWORD, login, make_ministry, make_user


def _officer() -> User:
    return make_user(Role.MINISTRY_OFFICER, ministry=make_ministry())


def _wrong(totp: pyotp.TOTP) -> str:
    """A well-formed code that is not valid now (one from ten minutes ago)."""
    return totp.at(time.time() - 600)


def test_enrolment_shows_the_secret_and_an_otpauth_address(client: FlaskClient) -> None:
    officer = _officer()
    login(client, officer)
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = enrolment_secret(client)
    assert secret in page
    assert f"otpauth://totp/Listening%20State:{officer.email.replace('@', '%40')}" in page
    assert client.get("/account/two-factor").get_data(as_text=True).count(secret) >= 1


def test_enrolment_needs_a_right_first_code(client: FlaskClient) -> None:
    officer = _officer()
    login(client, officer)
    client.get("/account/two-factor")
    totp = pyotp.TOTP(enrolment_secret(client))
    wrong = client.post("/account/two-factor", data={"code": _wrong(totp)})
    assert wrong.status_code == 400
    db.session.refresh(officer)
    assert not two_factor.is_enabled(officer)
    right = client.post("/account/two-factor", data={"code": totp.now()})
    assert right.status_code == 200  # the recovery codes, shown once
    assert "Your recovery codes" in right.get_data(as_text=True)
    db.session.refresh(officer)
    assert two_factor.is_enabled(officer)
    assert officer.totp_secret is not None
    assert officer.totp_secret.open() == totp.secret
    actions = db.session.scalars(db.select(AuditEntry.action)).all()
    assert actions == ["account.two_factor_enable"]


def test_sign_in_asks_for_a_code_and_signs_in_only_after_it(client: FlaskClient) -> None:
    officer = _officer()
    totp = enrol(officer)
    response = post_password(client, officer)
    assert response.headers["Location"] == "/login/code"
    assert not signed_in(client)  # the password alone signs nobody in
    assert post_code(client, totp.now()).headers["Location"] == "/"
    assert signed_in(client)
    with client.session_transaction() as session:
        assert PENDING_SIGN_IN not in session


def test_a_code_with_a_space_is_accepted(client: FlaskClient) -> None:
    officer = _officer()
    totp = enrol(officer)
    post_password(client, officer)
    code = totp.now()
    assert post_code(client, f"{code[:3]} {code[3:]}").status_code == 302


def test_a_used_code_cannot_be_used_again(client: FlaskClient) -> None:
    officer = _officer()
    totp = enrol(officer)
    code = totp.now()
    post_password(client, officer)
    assert post_code(client, code).status_code == 302
    client.post("/logout")
    post_password(client, officer)
    replayed = post_code(client, code)
    assert replayed.status_code == 200
    assert "already used" in replayed.get_data(as_text=True)
    assert not signed_in(client)


def test_the_code_confirming_enrolment_cannot_sign_in(app: Flask) -> None:
    officer = _officer()
    secret = two_factor.new_secret()
    code = pyotp.TOTP(secret).now()
    two_factor.enable(actor=officer, user=officer, secret=secret, code=code)
    assert not two_factor.consume_code(officer, code)


def test_a_code_one_step_old_is_accepted_two_steps_old_is_not(app: Flask) -> None:
    officer = _officer()
    secret = two_factor.new_secret()
    totp = pyotp.TOTP(secret)
    now = utcnow()
    enrolled = now - timedelta(seconds=90)  # three steps ago, so later steps are unused
    two_factor.enable(
        actor=officer, user=officer, secret=secret, code=totp.at(enrolled), now=enrolled
    )
    assert not two_factor.consume_code(officer, totp.at(now - timedelta(seconds=60)), now)
    assert two_factor.consume_code(officer, totp.at(now - timedelta(seconds=30)), now)


def test_wrong_codes_count_toward_the_lockout(client: FlaskClient) -> None:
    officer = _officer()
    totp = enrol(officer)
    post_password(client, officer)
    for _ in range(5):
        assert post_code(client, _wrong(totp)).status_code == 200
    db.session.refresh(officer)
    assert officer.locked_until is not None
    assert post_code(client, totp.now()).status_code == 200  # locked: even a right code
    assert not signed_in(client)
    assert (
        db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)).all()[-1]
        == "account.lock"
    )


def test_a_right_password_does_not_reset_the_count_of_wrong_codes(client: FlaskClient) -> None:
    """Otherwise someone who has the password could guess codes forever, 4 at a time."""
    officer = _officer()
    totp = enrol(officer)
    for _ in range(2):
        post_password(client, officer)
        for _ in range(3):
            post_code(client, _wrong(totp))
    db.session.refresh(officer)
    assert officer.locked_until is not None


def test_the_code_page_without_a_password_step_sends_to_sign_in(client: FlaskClient) -> None:
    response = client.get("/login/code")
    assert response.headers["Location"] == "/login"


def test_the_pending_sign_in_expires(app_with: Callable[..., Flask]) -> None:
    client = app_with(TOTP_PENDING_SECONDS=-1).test_client()
    officer = _officer()
    totp = enrol(officer)
    post_password(client, officer)
    assert post_code(client, totp.now()).headers["Location"] == "/login"
    assert not signed_in(client)


def test_disabling_needs_the_password_and_a_current_code(client: FlaskClient) -> None:
    officer = _officer()
    totp = enrol(officer)
    post_password(client, officer)
    post_code(client, totp.now())
    wrong_password = client.post(
        "/account/two-factor/disable", data={"password": "wrong password", "code": totp.now()}
    )
    assert wrong_password.status_code == 400
    wrong_code = client.post(
        "/account/two-factor/disable", data={"password": PASSWORD, "code": _wrong(totp)}
    )
    assert wrong_code.status_code == 400
    db.session.refresh(officer)
    assert two_factor.is_enabled(officer)
    with pytest.raises(ValidationFailed):  # the sign-in code was used: the same one is refused
        two_factor.disable(actor=officer, user=officer, password=PASSWORD, code=totp.now())
    later = utcnow() + timedelta(seconds=30)
    two_factor.disable(
        actor=officer, user=officer, password=PASSWORD, code=totp.at(later), now=later
    )
    assert not two_factor.is_enabled(officer)
    assert officer.totp_secret is None


def test_required_mode_sends_staff_without_a_second_factor_to_enrol(
    app_with: Callable[..., Flask],
) -> None:
    client = app_with(TOTP_REQUIRED_FOR_STAFF=True).test_client()
    officer = _officer()
    login(client, officer)
    blocked = client.get("/manage/consultations")
    assert blocked.status_code == 302
    assert blocked.headers["Location"] == "/account/two-factor"
    assert client.get("/").headers["Location"] == "/account/two-factor"
    client.get("/account/two-factor")
    totp = pyotp.TOTP(enrolment_secret(client))
    client.post("/account/two-factor", data={"code": totp.now()})
    assert client.get("/manage/consultations").status_code == 200


def test_required_mode_leaves_citizens_alone(app_with: Callable[..., Flask]) -> None:
    client = app_with(TOTP_REQUIRED_FOR_STAFF=True).test_client()
    login(client, make_user())
    assert client.get("/my/submissions").status_code == 200


def test_optional_mode_lets_staff_work_without_a_second_factor(client: FlaskClient) -> None:
    login(client, _officer())
    assert client.get("/manage/consultations").status_code == 200


def test_the_second_factor_is_required_in_production_by_default(
    app_with: Callable[..., Flask],
) -> None:
    production = {"ENV_NAME": "production", "TOTP_ENCRYPTION_KEYS": Fernet.generate_key().decode()}
    assert app_with(**production).config["TOTP_REQUIRED_FOR_STAFF"] is True
    assert app_with().config["TOTP_REQUIRED_FOR_STAFF"] is False
    assert (
        app_with(**production, TOTP_REQUIRED_FOR_STAFF=False).config["TOTP_REQUIRED_FOR_STAFF"]
        is False
    )


@pytest.mark.postgres
def test_one_code_sent_twice_at_once_is_accepted_once(app: Flask) -> None:
    """Two sign-ins racing with the same code: the conditional UPDATE lets only one through."""
    officer = _officer()
    totp = enrol(officer)
    code, user_id = totp.now(), officer.id
    db.session.commit()

    def attempt() -> bool:
        user = db.session.get(User, user_id)
        assert user is not None
        accepted = two_factor.consume_code(user, code)
        db.session.commit()
        return accepted

    assert sorted(at_once(app, 2, attempt)) == [False, True]

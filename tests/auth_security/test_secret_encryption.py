"""The second factor's secret is encrypted in the database and in the session cookie; secrets
from before encryption and under an older key keep working, and a missing key is explained."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import pyotp
import pytest
from cryptography.fernet import Fernet
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.exc import StatementError

from listening_state import secret_box
from listening_state.extensions import db
from listening_state.models import Role, User
from listening_state.web.auth.session_keys import ENROLMENT_SECRET
from tests.auth_security.helpers import (
    enrol,
    enrol_with_codes,
    enrolment_secret,
    post_code,
    post_password,
    signed_in,
)
from tests.factories import PASSWORD, login, make_ministry, make_user

UNREADABLE = "Codes from your authenticator app cannot be checked at the moment."


def _officer() -> User:
    return make_user(Role.MINISTRY_OFFICER, ministry=make_ministry())


def _new_key() -> str:
    return Fernet.generate_key().decode()


def _stored(user: User) -> str:
    """What the column holds, read past the model."""
    return str(
        db.session.execute(
            text("SELECT totp_secret FROM user_account WHERE id = :id"), {"id": user.id}
        ).scalar_one()
    )


def _store(user: User, value: str) -> None:
    """Write the column past the model: as it was before encryption, or under another key."""
    db.session.execute(
        text("UPDATE user_account SET totp_secret = :value WHERE id = :id"),
        {"value": value, "id": user.id},
    )
    db.session.commit()


def _opened_with(key: str, token: str) -> str:
    return Fernet(key).decrypt(token).decode()


@dataclass(frozen=True)
class LostKey:
    """An officer who enrolled under a key that `app` (the app now serving) no longer has."""

    officer: User
    totp: pyotp.TOTP
    recovery_codes: list[str]
    app: Flask


@pytest.fixture
def lost_key(app_with: Callable[..., Flask]) -> LostKey:
    officer = _officer()
    totp, codes = enrol_with_codes(officer)
    return LostKey(officer, totp, codes, app_with(TOTP_ENCRYPTION_KEYS=_new_key()))


def test_enrolment_stores_the_secret_encrypted(client: FlaskClient) -> None:
    officer = _officer()
    login(client, officer)
    client.get("/account/two-factor")
    secret = enrolment_secret(client)
    confirmed = client.post("/account/two-factor", data={"code": pyotp.TOTP(secret).now()})
    assert confirmed.status_code == 200
    stored = _stored(officer)
    assert secret not in stored
    assert secret_box.unseal(stored) == secret


def test_the_session_cookie_does_not_reveal_the_enrolment_secret(
    app: Flask, client: FlaskClient
) -> None:
    login(client, _officer())
    response = client.get("/account/two-factor")
    page = response.get_data(as_text=True)
    secret = enrolment_secret(client)
    assert secret in page  # shown to its holder, once, on the page ...
    assert response.headers["Cache-Control"] == "no-store"  # ... which no browser keeps
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    session = app.session_interface.get_signing_serializer(app).loads(cookie.value)
    assert ENROLMENT_SECRET in session
    assert secret not in repr(session)


def test_a_plain_secret_cannot_be_stored(app: Flask) -> None:
    officer = _officer()
    officer.totp_secret = pyotp.random_base32()
    with pytest.raises(StatementError, match="seal a secret"):
        db.session.commit()
    db.session.rollback()


def test_a_secret_stored_before_encryption_signs_in_and_is_then_encrypted(
    client: FlaskClient,
) -> None:
    officer = _officer()
    totp = enrol(officer)
    _store(officer, totp.secret)
    post_password(client, officer)
    assert post_code(client, totp.now()).headers["Location"] == "/"
    stored = _stored(officer)
    assert totp.secret not in stored
    assert secret_box.unseal(stored) == totp.secret


def test_a_secret_under_the_old_key_signs_in_when_that_key_comes_second(
    app: Flask, app_with: Callable[..., Flask]
) -> None:
    officer = _officer()
    totp = enrol(officer)
    [old] = app.config["TOTP_ENCRYPTION_KEYS"]
    new = _new_key()
    client = app_with(TOTP_ENCRYPTION_KEYS=f"{new},{old}").test_client()
    post_password(client, officer)
    assert post_code(client, totp.now()).headers["Location"] == "/"
    assert _opened_with(new, _stored(officer)) == totp.secret  # sealed again under the new key


def test_a_secret_no_key_opens_refuses_the_code_clearly_but_not_recovery_codes(
    lost_key: LostKey, caplog: pytest.LogCaptureFixture
) -> None:
    officer = lost_key.officer
    client = lost_key.app.test_client()
    assert post_password(client, officer).headers["Location"] == "/login/code"
    with caplog.at_level(logging.ERROR, logger="listening_state.services.two_factor"):
        refused = post_code(client, lost_key.totp.now())
    assert refused.status_code == 200
    assert UNREADABLE in refused.get_data(as_text=True)
    assert f"user {officer.id} opens with no key" in caplog.text
    assert not signed_in(client)
    db.session.refresh(officer)
    assert officer.failed_sign_ins == 0  # the holder did nothing wrong
    assert post_code(client, lost_key.recovery_codes[0]).headers["Location"] == "/"


def test_turning_off_a_second_factor_no_key_opens_says_whom_to_ask(lost_key: LostKey) -> None:
    client = lost_key.app.test_client()
    post_password(client, lost_key.officer)
    post_code(client, lost_key.recovery_codes[0])
    response = client.post(
        "/account/two-factor/disable", data={"password": PASSWORD, "code": lost_key.totp.now()}
    )
    assert response.status_code == 400
    assert "Ask an administrator to remove your second factor." in response.get_data(as_text=True)


def test_an_administrator_removes_a_second_factor_no_key_opens(lost_key: LostKey) -> None:
    officer, wrong_key = lost_key.officer, lost_key.app
    admin = wrong_key.test_client()
    login(admin, make_user(Role.ADMIN))
    assert admin.post(f"/admin/sign-in-security/{officer.id}/reset-two-factor").status_code == 302
    holder = wrong_key.test_client()
    assert post_password(holder, officer).headers["Location"] == "/"  # no code asked now
    holder.get("/account/two-factor")
    assert enrolment_secret(holder)  # and they can enrol again


def test_encrypt_totp_secrets_moves_plain_and_old_key_secrets_to_the_first_key(
    app: Flask, app_with: Callable[..., Flask]
) -> None:
    [old] = app.config["TOTP_ENCRYPTION_KEYS"]
    new = _new_key()
    plain, under_old, under_new = _officer(), _officer(), _officer()
    secrets = {user.id: enrol(user).secret for user in (plain, under_old, under_new)}
    _store(plain, secrets[plain.id])
    _store(under_new, Fernet(new).encrypt(secrets[under_new.id].encode()).decode())
    untouched = _stored(under_new)
    rotated = app_with(TOTP_ENCRYPTION_KEYS=f"{new},{old}")
    with rotated.app_context():
        result = rotated.test_cli_runner().invoke(args=["security", "encrypt-totp-secrets"])
    assert result.exit_code == 0, result.output
    assert "2 secret(s) encrypted under the first key" in result.output
    for user in (plain, under_old, under_new):
        assert _opened_with(new, _stored(user)) == secrets[user.id]
    assert _stored(under_new) == untouched


def test_encrypt_totp_secrets_names_the_accounts_no_key_opens(lost_key: LostKey) -> None:
    officer, wrong_key = lost_key.officer, lost_key.app
    with wrong_key.app_context():
        result = wrong_key.test_cli_runner().invoke(args=["security", "encrypt-totp-secrets"])
    assert result.exit_code == 1
    assert officer.email in result.output

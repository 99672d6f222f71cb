"""Lockout: staff accounts are locked for a while after repeated wrong passwords."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient

from listening_state.extensions import db
from listening_state.models import AuditEntry, Role, User
from listening_state.models.base import utcnow
from listening_state.services import sign_in
from tests.auth_security.helpers import post_password, signed_in
from tests.factories import make_ministry, make_user

FAILED = "The e-mail address or password is not correct."


def _officer() -> User:
    return make_user(Role.MINISTRY_OFFICER, ministry=make_ministry())


def _fail(client: FlaskClient, user: User, times: int) -> None:
    for _ in range(times):
        response = post_password(client, user, "wrong password")
        assert response.status_code == 200
        assert FAILED in response.get_data(as_text=True)


def test_five_wrong_passwords_lock_a_staff_account(client: FlaskClient) -> None:
    officer = _officer()
    _fail(client, officer, 5)
    db.session.refresh(officer)
    assert officer.locked_until is not None
    assert officer.locked_until - utcnow() > timedelta(minutes=14)
    refused = post_password(client, officer)  # even the right password, while locked
    assert refused.status_code == 200
    assert not signed_in(client)


def test_four_wrong_passwords_do_not_lock(client: FlaskClient) -> None:
    officer = _officer()
    _fail(client, officer, 4)
    db.session.refresh(officer)
    assert officer.locked_until is None
    assert officer.failed_sign_ins == 4
    assert post_password(client, officer).status_code == 302


def test_a_successful_sign_in_resets_the_count(client: FlaskClient) -> None:
    officer = _officer()
    _fail(client, officer, 4)
    assert post_password(client, officer).status_code == 302
    client.post("/logout")
    db.session.refresh(officer)
    assert officer.failed_sign_ins == 0
    _fail(client, officer, 4)
    assert post_password(client, officer).status_code == 302


def test_a_locked_account_gets_the_same_answer_as_an_unknown_email(client: FlaskClient) -> None:
    officer = _officer()
    _fail(client, officer, 5)
    locked = post_password(client, officer)
    unknown = client.post(
        "/login", data={"email": "nobody@example.kz", "password": "correct horse battery"}
    )
    assert locked.status_code == unknown.status_code == 200
    for page in (locked.get_data(as_text=True), unknown.get_data(as_text=True)):
        assert FAILED in page
        assert "locked" not in page.replace("a staff account is locked for 15 minutes", "")


def test_the_lock_runs_out_and_the_right_password_works_again(app: Flask) -> None:
    officer = _officer()
    for _ in range(5):
        assert sign_in.check_password(email=officer.email, password="wrong password") is None
    later = utcnow() + timedelta(minutes=15, seconds=1)
    accepted = sign_in.check_password(
        email=officer.email, password="correct horse battery", now=later
    )
    assert accepted is not None
    db.session.refresh(officer)
    assert officer.locked_until is None


def test_the_lockout_is_in_the_audit_log(client: FlaskClient) -> None:
    officer = _officer()
    _fail(client, officer, 5)
    entry = db.session.scalars(db.select(AuditEntry)).one()
    assert entry.action == "account.lock"
    assert entry.target_id == officer.id
    assert entry.actor_label == "anonymous"
    assert entry.after["failures"] == 5
    assert entry.ip == "127.0.0.1"


def test_citizens_are_not_locked_by_default(client: FlaskClient) -> None:
    citizen = make_user()
    _fail(client, citizen, 6)
    assert post_password(client, citizen).status_code == 302


def test_citizens_are_locked_when_the_setting_says_so(app_with: Callable[..., Flask]) -> None:
    client = app_with(SIGN_IN_LOCKOUT_CITIZENS=True).test_client()
    citizen = make_user()
    _fail(client, citizen, 5)
    assert post_password(client, citizen).status_code == 200
    # The failed attempts are often the citizen's own: no address of theirs stays in the log.
    entry = db.session.scalars(db.select(AuditEntry)).one()
    assert (entry.action, entry.target_id, entry.ip) == ("account.lock", citizen.id, "")


def test_the_number_of_failures_and_the_duration_are_settings(
    app_with: Callable[..., Flask],
) -> None:
    client = app_with(SIGN_IN_MAX_FAILURES=2, SIGN_IN_LOCKOUT_MINUTES=60).test_client()
    officer = _officer()
    _fail(client, officer, 2)
    db.session.refresh(officer)
    assert officer.locked_until is not None
    assert officer.locked_until - utcnow() > timedelta(minutes=59)

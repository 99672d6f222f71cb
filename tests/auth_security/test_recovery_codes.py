"""Recovery codes: one-time codes that sign in when the authenticator app is lost."""

from __future__ import annotations

import hashlib
import re

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from listening_state.extensions import db
from listening_state.models import AuditEntry, RecoveryCode, Role, User
from listening_state.services import account_deletion, recovery_codes, sign_in, two_factor
from listening_state.services.errors import PermissionDenied, ValidationFailed
from listening_state.services.security_notices import KIND
from tests.auth_security.helpers import (
    enrol_with_codes,
    enrolment_secret,
    post_code,
    post_password,
    signed_in,
)
from tests.concurrently import at_once
from tests.factories import PASSWORD, login, make_ministry, make_user
from tests.notifications.conftest import messages

CODE_SHAPE = re.compile(
    r"^[23456789abcdefghjkmnpqrstuvwxyz]{5}-[23456789abcdefghjkmnpqrstuvwxyz]{5}$"
)


def _officer() -> User:
    return make_user(Role.MINISTRY_OFFICER, ministry=make_ministry())


def _stored(user: User) -> list[RecoveryCode]:
    return list(
        db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)).all()
    )


def _sign_in_with(client: FlaskClient, user: User, code: str) -> bool:
    client.post("/logout")
    post_password(client, user)
    post_code(client, code)
    return signed_in(client)


def test_turning_the_second_factor_on_gives_ten_distinct_codes_kept_only_as_hashes(
    app: Flask,
) -> None:
    officer = _officer()
    _totp, codes = enrol_with_codes(officer)
    assert len(codes) == len(set(codes)) == 10
    assert all(CODE_SHAPE.match(code) for code in codes)
    stored = _stored(officer)
    expected = {hashlib.sha256(c.replace("-", "").encode()).hexdigest() for c in codes}
    assert {row.code_hash for row in stored} == expected
    assert all(row.used_at is None for row in stored)
    assert recovery_codes.remaining(officer) == 10


def test_a_recovery_code_signs_in_once(client: FlaskClient) -> None:
    officer = _officer()
    _totp, codes = enrol_with_codes(officer)
    assert post_password(client, officer).headers["Location"] == "/login/code"
    # Typed in capitals, with a space for the dash: still the same code.
    assert post_code(client, codes[0].upper().replace("-", " ")).headers["Location"] == "/"
    assert signed_in(client)
    assert recovery_codes.remaining(officer) == 9
    assert not _sign_in_with(client, officer, codes[0])
    assert _sign_in_with(client, officer, codes[1])


def test_the_codes_of_another_account_do_not_work(client: FlaskClient) -> None:
    officer, other = _officer(), _officer()
    enrol_with_codes(officer)
    _totp, others = enrol_with_codes(other)
    assert not _sign_in_with(client, officer, others[0])
    assert recovery_codes.remaining(other) == 10


def test_recovery_codes_need_the_second_factor_on(app: Flask) -> None:
    officer = _officer()
    _totp, codes = enrol_with_codes(officer)
    officer.totp_enabled_at = None  # as if turned off without clearing (never done)
    db.session.commit()
    assert sign_in.check_code(user_id=officer.id, code=codes[0]) is None
    assert recovery_codes.remaining(officer) == 10


@pytest.mark.postgres
def test_one_recovery_code_sent_twice_at_once_is_accepted_once(app: Flask) -> None:
    """Two sign-ins racing with the same code: the conditional UPDATE lets only one through."""
    officer = _officer()
    _totp, codes = enrol_with_codes(officer)
    user_id = officer.id

    def attempt() -> bool:
        user = db.session.get(User, user_id)
        assert user is not None
        used = recovery_codes.use_code(user, codes[0])
        db.session.commit()
        return used

    assert sorted(at_once(app, 2, attempt)) == [False, True]
    assert recovery_codes.remaining(officer) == 9


def test_wrong_recovery_codes_count_toward_the_lockout(client: FlaskClient) -> None:
    officer = _officer()
    _totp, codes = enrol_with_codes(officer)
    post_password(client, officer)
    for _ in range(5):
        assert post_code(client, "abcde-fghjk").status_code == 200
    db.session.refresh(officer)
    assert officer.locked_until is not None
    assert post_code(client, codes[0]).status_code == 200  # locked: even a right code
    assert not signed_in(client)
    assert recovery_codes.remaining(officer) == 10


def test_using_a_code_tells_the_holder_how_many_are_left(client: FlaskClient) -> None:
    officer = _officer()
    _totp, codes = enrol_with_codes(officer)
    assert _sign_in_with(client, officer, codes[3])
    notice = [m for m in messages(KIND) if m.recipient_id == officer.id][-1]
    assert notice.subject == "A recovery code was used to sign in to your account"
    assert "9 are left" in notice.body_text
    assert "/account/two-factor" in notice.body_text


def test_turning_off_or_an_administrator_s_reset_removes_the_codes(client: FlaskClient) -> None:
    officer = _officer()
    totp, codes = enrol_with_codes(officer)
    two_factor.disable(actor=officer, user=officer, password=PASSWORD, code=totp.now())
    assert _stored(officer) == []
    other = _officer()
    _totp, reset_codes = enrol_with_codes(other)
    two_factor.reset(actor=make_user(Role.ADMIN), user=other)
    assert _stored(other) == []
    # Set up again: the codes from before the reset are gone for good.
    enrol_with_codes(officer)
    enrol_with_codes(other)
    assert not _sign_in_with(client, officer, codes[0])
    assert not _sign_in_with(client, other, reset_codes[0])


def test_deleting_the_account_removes_the_codes(app: Flask) -> None:
    citizen = make_user()
    enrol_with_codes(citizen)
    account_deletion.delete_account(actor=citizen, user=citizen, password=PASSWORD)
    count = select(func.count()).select_from(RecoveryCode)
    assert db.session.scalar(count.where(RecoveryCode.user_id == citizen.id)) == 0


def test_new_codes_need_the_password_and_replace_the_old_ones(client: FlaskClient) -> None:
    officer = _officer()
    _totp, old = enrol_with_codes(officer)
    assert _sign_in_with(client, officer, old[0])
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "Unused recovery codes left: 9." in page
    assert "Make new recovery codes" in page
    url = "/account/two-factor/recovery-codes"
    refused = client.post(url, data={"codes-password": "wrong password"})
    assert refused.status_code == 400
    assert "Your password is not correct." in refused.get_data(as_text=True)
    assert recovery_codes.remaining(officer) == 9
    made = client.post(url, data={"codes-password": PASSWORD})
    assert made.status_code == 200
    assert made.headers["Cache-Control"] == "no-store"
    shown = re.findall(r"<li><code>([^<]+)</code></li>", made.get_data(as_text=True))
    assert len(shown) == 10
    assert not set(shown) & set(old)
    assert recovery_codes.remaining(officer) == 10
    assert not _sign_in_with(client, officer, old[1])
    assert _sign_in_with(client, officer, shown[0])
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert actions.count("account.recovery_codes_issue") == 1


def test_only_the_holder_makes_new_codes(app: Flask) -> None:
    officer = _officer()
    enrol_with_codes(officer)
    with pytest.raises(PermissionDenied):
        two_factor.issue_codes(actor=make_user(Role.ADMIN), user=officer, password=PASSWORD)
    with pytest.raises(ValidationFailed):
        two_factor.issue_codes(actor=officer, user=officer, password="wrong password")


def test_enrolment_shows_the_codes_once_and_the_code_page_mentions_them(
    client: FlaskClient,
) -> None:
    officer = _officer()
    login(client, officer)
    client.get("/account/two-factor")
    page = client.post(
        "/account/two-factor", data={"code": pyotp.TOTP(enrolment_secret(client)).now()}
    )
    text = page.get_data(as_text=True)
    shown = re.findall(r"<li><code>([^<]+)</code></li>", text)
    assert len(shown) == 10
    assert "<h1>Your recovery codes</h1>" in text
    assert page.headers["Cache-Control"] == "no-store"
    assert not set(shown) & set(client.get("/account/two-factor").get_data(as_text=True).split())
    client.post("/logout")
    post_password(client, officer)
    assert "recovery code" in client.get("/login/code").get_data(as_text=True)

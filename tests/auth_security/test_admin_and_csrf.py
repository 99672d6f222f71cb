"""Administrators' resets, and the CSRF token on every sign-in security form."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from listening_state.extensions import db
from listening_state.models import AuditEntry, Role, User
from listening_state.services import sign_in, two_factor
from listening_state.services.accounts import authenticate
from listening_state.services.errors import PermissionDenied
from tests.auth_security.helpers import enrol, post_code, post_password
from tests.factories import PASSWORD, login, make_council, make_ministry, make_user


def _officer() -> User:
    return make_user(Role.MINISTRY_OFFICER, ministry=make_ministry())


def test_an_administrator_removes_a_lost_second_factor(client: FlaskClient) -> None:
    officer = _officer()
    enrol(officer)
    admin = make_user(Role.ADMIN)
    login(client, admin)
    page = client.get("/admin/sign-in-security", query_string={"email": officer.email})
    assert "Remove the second factor" in page.get_data(as_text=True)
    response = client.post(f"/admin/sign-in-security/{officer.id}/reset-two-factor")
    assert response.status_code == 302
    db.session.refresh(officer)
    assert not two_factor.is_enabled(officer)
    assert officer.totp_secret is None
    entry = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.action == "account.two_factor_reset")
    ).one()
    assert (entry.actor_id, entry.target_id) == (admin.id, officer.id)
    client.post("/logout")
    assert post_password(client, officer).headers["Location"] == "/"  # no code asked now


def test_an_administrator_unlocks_a_locked_account(client: FlaskClient) -> None:
    officer = _officer()
    for _ in range(5):
        post_password(client, officer, "wrong password")
    login(client, make_user(Role.ADMIN))
    page = client.get("/admin/sign-in-security", query_string={"email": officer.email})
    assert "Unlock" in page.get_data(as_text=True)
    client.post(f"/admin/sign-in-security/{officer.id}/unlock")
    db.session.refresh(officer)
    assert not sign_in.is_locked(officer)
    client.post("/logout")
    assert post_password(client, officer).status_code == 302
    actions = db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["account.lock", "account.unlock"]


@pytest.mark.parametrize("role", [Role.CITIZEN, Role.MINISTRY_OFFICER, Role.COUNCIL_MEMBER])
def test_only_administrators_reach_the_security_admin_pages(
    client: FlaskClient, role: Role
) -> None:
    ministry = make_ministry()
    target = _officer()
    enrol(target)
    if role is Role.COUNCIL_MEMBER:
        user = make_user(role, council=make_council(ministry))
    else:
        user = make_user(role, ministry=ministry if role is Role.MINISTRY_OFFICER else None)
    login(client, user)
    assert client.get("/admin/sign-in-security").status_code == 403
    assert client.post(f"/admin/sign-in-security/{target.id}/reset-two-factor").status_code == 403
    assert client.post(f"/admin/sign-in-security/{target.id}/unlock").status_code == 403
    db.session.refresh(target)
    assert two_factor.is_enabled(target)


def test_the_reset_service_refuses_non_administrators(app: Flask) -> None:
    officer = _officer()
    enrol(officer)
    with pytest.raises(PermissionDenied):
        two_factor.reset(actor=officer, user=officer)
    with pytest.raises(PermissionDenied):
        two_factor.reset(actor=None, user=officer)


def test_the_admin_page_for_an_unknown_account_is_404(client: FlaskClient) -> None:
    login(client, make_user(Role.ADMIN))
    assert client.post("/admin/sign-in-security/999999/unlock").status_code == 404
    missing = client.get("/admin/sign-in-security", query_string={"email": "no@example.kz"})
    assert "No account has this e-mail address." in missing.get_data(as_text=True)


def _csrf_token(page: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert match is not None, page
    return match.group(1)


def test_every_security_form_carries_and_checks_a_csrf_token(
    app_with: Callable[..., Flask],
) -> None:
    client = app_with(WTF_CSRF_ENABLED=True).test_client()
    officer = _officer()
    totp = enrol(officer)
    login_token = _csrf_token(client.get("/login").get_data(as_text=True))
    no_token = client.post("/login", data={"email": officer.email, "password": "x"})
    assert no_token.status_code == 400
    client.post(
        "/login",
        data={
            "email": officer.email,
            "password": "correct horse battery",
            "csrf_token": login_token,
        },
    )
    code_page = client.get("/login/code").get_data(as_text=True)
    assert post_code(client, totp.now()).status_code == 400  # right code, but no token
    client.post("/login/code", data={"code": totp.now(), "csrf_token": _csrf_token(code_page)})
    two_factor_page = client.get("/account/two-factor").get_data(as_text=True)
    assert _csrf_token(two_factor_page)
    assert 'name="codes-csrf_token" type="hidden"' in two_factor_page
    new = "copper lantern 2026"
    refused = [
        client.post(
            "/account/password",
            data={"current_password": PASSWORD, "new_password": new, "confirm": new},
        ),
        client.post("/account/two-factor/disable", data={"password": PASSWORD, "code": "000000"}),
        client.post("/account/two-factor", data={"code": "000000"}),
        client.post("/account/two-factor/recovery-codes", data={"codes-password": PASSWORD}),
    ]
    for response in refused:  # the error page, not the form sent back with its errors
        assert response.status_code == 400
        assert "Bad request" in response.get_data(as_text=True)
    assert _csrf_token(client.get("/account/password").get_data(as_text=True))
    assert authenticate(email=officer.email, password=PASSWORD) is not None

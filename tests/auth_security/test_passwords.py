"""The password rule: staff need longer passwords; nobody may use a common one or their name."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from werkzeug.test import TestResponse

from listening_state.authz import SYSTEM
from listening_state.demo.loader import DEMO_PASSWORD
from listening_state.extensions import db
from listening_state.models import AuditEntry, Role
from listening_state.services import accounts
from listening_state.services.errors import PermissionDenied, ValidationFailed
from listening_state.services.passwords import common_passwords, password_problems
from tests.auth_security.helpers import post_password, signed_in
from tests.factories import PASSWORD, login, make_ministry, make_user


def _officer_with(password: str, email: str = "officer@example.kz", name: str = "Officer") -> None:
    accounts.create_user(
        email=email,
        display_name=name,
        password=password,
        roles=[(Role.MINISTRY_OFFICER, make_ministry(), None)],
    )


def test_a_staff_password_shorter_than_twelve_characters_is_refused(app: Flask) -> None:
    with pytest.raises(ValidationFailed) as refused:
        _officer_with("maple river")  # 11 characters
    assert "at least 12 characters" in refused.value.errors["password"][0]
    _officer_with("maple river 8")
    assert accounts.find_user_by_email("officer@example.kz") is not None


def test_a_citizen_password_of_eight_characters_is_still_accepted(client: FlaskClient) -> None:
    response = client.post(
        "/register",
        data={
            "display_name": "Айгерім",
            "email": "aigerim@example.kz",
            "password": "maple r8",
            "confirm": "maple r8",
            "language": "kk",
        },
    )
    assert response.status_code == 302
    assert signed_in(client)


@pytest.mark.parametrize("password", ["qwerty123456", "1q2w3e4r5t6y", "Password1234"])
def test_a_common_password_is_refused_even_when_long(app: Flask, password: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        _officer_with(password)
    assert "most common" in " ".join(refused.value.errors["password"])


def test_a_common_password_is_refused_for_citizens_too(app: Flask) -> None:
    with pytest.raises(ValidationFailed):
        accounts.register_citizen(
            email="a@example.kz", display_name="A", password="password123", language="kk"
        )


def test_the_block_list_holds_real_common_passwords_and_nothing_too_short() -> None:
    passwords = common_passwords()
    assert {"password", "qwertyuiop", "iloveyou"} <= passwords
    assert min(len(p) for p in passwords) >= 8
    assert len(passwords) > 8000


def test_a_password_containing_the_email_or_name_is_refused(app: Flask) -> None:
    with pytest.raises(ValidationFailed):
        _officer_with("aigerim.n 2026 spring", email="aigerim.n@example.kz")
    with pytest.raises(ValidationFailed):
        _officer_with("Dana Sultan river", name="Dana Sultan")
    _officer_with("copper lantern 2026", email="aigerim.n@example.kz", name="Dana Sultan")


def test_a_password_of_few_different_characters_is_refused(app: Flask) -> None:
    problems = password_problems("abababababab", email="x@example.kz", display_name="", staff=True)
    assert problems == ["Use more different characters."]


def test_demo_and_test_passwords_meet_the_staff_rule(app: Flask) -> None:
    """`flask demo load` (tests/test_cli.py) makes its staff with DEMO_PASSWORD."""
    for email, name in (("admin@demo.kz", "Demo administrator"), ("user1@example.kz", "User 1")):
        for password in (DEMO_PASSWORD, PASSWORD):
            assert password_problems(password, email=email, display_name=name, staff=True) == []


def change_password(client: FlaskClient, current: str, new: str) -> TestResponse:
    return client.post(
        "/account/password",
        data={"current_password": current, "new_password": new, "confirm": new},
    )


def test_change_password_needs_the_current_one_and_a_good_new_one(client: FlaskClient) -> None:
    user = make_user()
    login(client, user)
    wrong = change_password(client, "not my password", "copper lantern 2026")
    assert wrong.status_code == 400
    assert "current password is not correct" in wrong.get_data(as_text=True)
    common = change_password(client, PASSWORD, "qwerty123456")
    assert common.status_code == 400
    changed = change_password(client, PASSWORD, "copper lantern 2026")
    assert changed.status_code == 302
    client.post("/logout")
    assert post_password(client, user).status_code == 200  # the old password no longer works
    assert post_password(client, user, "copper lantern 2026").status_code == 302
    actions = db.session.scalars(db.select(AuditEntry.action)).all()
    assert actions == ["account.password_change"]


def test_a_new_password_signs_the_account_out_everywhere_else(app: Flask) -> None:
    user = make_user()
    here, laptop, phone = app.test_client(), app.test_client(), app.test_client()
    for client in (here, laptop):
        login(client, user)
    phone.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    phone.delete_cookie("session")  # the browser was closed: only remember-me is left
    assert all(signed_in(client) for client in (here, laptop, phone))
    changed = change_password(here, PASSWORD, "copper lantern 2026")
    assert changed.status_code == 302
    assert signed_in(here)  # the one who changed it stays signed in
    assert not signed_in(laptop)
    phone.delete_cookie("session")
    assert not signed_in(phone)  # the old remember-me cookie no longer signs anybody in


def test_a_session_naming_only_the_account_id_signs_nobody_in(app: Flask) -> None:
    user = make_user()
    client = app.test_client()
    login(client, user)
    assert signed_in(client)
    with client.session_transaction() as session:
        assert session["_user_id"] == user.get_id()
        session["_user_id"] = str(user.id)  # as sessions were before fingerprints
    assert not signed_in(client)


def test_only_the_holder_changes_a_password(app: Flask) -> None:
    user, other = make_user(), make_user()
    with pytest.raises(PermissionDenied):
        accounts.change_password(
            actor=other, user=user, current_password=PASSWORD, new_password="copper lantern 2026"
        )


def test_the_password_page_needs_a_signed_in_user(client: FlaskClient) -> None:
    response = client.get("/account/password")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_staff_with_a_password_weaker_than_the_rule_are_sent_to_change_it(
    client: FlaskClient,
) -> None:
    """A citizen made an officer keeps a citizen's password; the first staff sign-in asks for
    a new one before any other page opens."""
    user = accounts.register_citizen(
        email="dana@example.kz", display_name="Dana", password="maple r8", language="en"
    )
    accounts.grant_role(
        actor=SYSTEM, user=user, role=Role.MINISTRY_OFFICER, ministry=make_ministry()
    )
    response = post_password(client, user, "maple r8")
    assert response.headers["Location"] == "/account/password"
    blocked = client.get("/manage/consultations")
    assert blocked.status_code == 302
    assert blocked.headers["Location"] == "/account/password"
    short = client.post(
        "/account/password",
        data={"current_password": "maple r8", "new_password": "maple r9", "confirm": "maple r9"},
    )
    assert "at least 12 characters" in short.get_data(as_text=True)
    client.post(
        "/account/password",
        data={
            "current_password": "maple r8",
            "new_password": "copper lantern 2026",
            "confirm": "copper lantern 2026",
        },
    )
    assert client.get("/manage/consultations").status_code == 200


def test_staff_with_a_good_password_are_not_asked_to_change_it(client: FlaskClient) -> None:
    officer = make_user(Role.MINISTRY_OFFICER, ministry=make_ministry())
    assert post_password(client, officer).headers["Location"] == "/"
    assert client.get("/manage/consultations").status_code == 200


def test_the_accounts_command_explains_the_staff_rule(runner: FlaskCliRunner) -> None:
    args = ["users", "create", "--email", "a@b.kz", "--role", "admin", "--password"]
    weak = runner.invoke(args=[*args, "maple river"])
    assert weak.exit_code != 0
    assert "Staff accounts need a password of at least 12 characters." in weak.output
    assert runner.invoke(args=[*args, "maple river 8"]).exit_code == 0

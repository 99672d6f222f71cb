"""A citizen deletes their account: personal data goes, submissions stay public and anonymous."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from listening_state.authz import SYSTEM
from listening_state.extensions import db
from listening_state.models import ApiToken, AuditEntry, Role, RoleGrant, Submission, User
from listening_state.services import account_deletion, accounts, answers, digest, inbox, routing
from listening_state.services.errors import PermissionDenied
from tests.account_data.conftest import Scene, messages_to
from tests.factories import PASSWORD, login, make_routed_submission
from tests.inbox.conftest import government_answers
from tests.real_text import polis_comments


def delete_via_page(client: FlaskClient, password: str = PASSWORD) -> int:
    return client.post("/account/delete", data={"password": password}).status_code


def fresh(user_id: int) -> User:
    db.session.expire_all()
    user = db.session.get(User, user_id)
    assert user is not None
    return user


def test_comments_stay_public_signed_deleted_account(client: FlaskClient, scene: Scene) -> None:
    name, body = scene.citizen.display_name, scene.answered.body
    login(client, scene.citizen)
    assert delete_via_page(client) == 302
    page = client.get(f"/consultations/{scene.consultation.id}").get_data(as_text=True)
    assert "Deleted account" in page
    assert name not in page
    submission = db.session.get(Submission, scene.answered.id)
    assert submission is not None
    assert submission.body == body
    assert submission.author_id == scene.citizen.id
    assert body in page  # the answered comment is still shown


def test_pages_go_by_the_deletion_mark_not_the_stored_name(
    client: FlaskClient, scene: Scene
) -> None:
    """The label readers see is chosen (and translated) when the page is drawn: a row whose
    stored name is anything else still reads "Deleted account"."""
    name = scene.citizen.display_name
    login(client, scene.citizen)
    assert delete_via_page(client) == 302
    fresh(scene.citizen.id).display_name = name
    db.session.commit()
    page = client.get(f"/consultations/{scene.consultation.id}").get_data(as_text=True)
    assert "Deleted account" in page
    assert name not in page


def test_personal_data_is_erased_in_one_go(client: FlaskClient, scene: Scene) -> None:
    old_email = scene.citizen.email
    login(client, scene.citizen)
    assert delete_via_page(client) == 302
    user = fresh(scene.citizen.id)
    assert user.email == f"deleted-{user.id}@invalid"
    assert user.display_name == "Deleted account"
    assert user.deleted_at is not None
    assert not user.is_active
    assert not user.notify_by_email
    assert (user.totp_secret, user.totp_enabled_at, user.totp_last_step) == (None, None, None)
    assert db.session.scalars(select(RoleGrant).where(RoleGrant.user_id == user.id)).all() == []
    assert db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).all() == []
    assert messages_to(user.id, old_email) == []


def test_messages_to_others_stay(client: FlaskClient, scene: Scene) -> None:
    before = messages_to(scene.other.id, scene.other.email)
    assert before, "the other citizen's routing e-mail"
    login(client, scene.citizen)
    assert delete_via_page(client) == 302
    assert [m.id for m in messages_to(scene.other.id, scene.other.email)] == [m.id for m in before]


def test_the_audit_entry_names_no_one(client: FlaskClient, scene: Scene) -> None:
    old_email, name = scene.citizen.email, scene.citizen.display_name
    login(client, scene.citizen)
    assert delete_via_page(client) == 302
    [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "account.delete"))
    assert entry.target_id == scene.citizen.id
    assert entry.actor_label == entry.target_label == f"account #{scene.citizen.id}"
    assert entry.ip == ""
    assert entry.after == {"messages_deleted": 2, "api_tokens_deleted": 1}
    text = repr((entry.actor_label, entry.target_label, entry.before, entry.after, entry.reason))
    assert old_email not in text
    assert name not in text


def test_no_audit_entry_keeps_the_address_or_the_name(client: FlaskClient, scene: Scene) -> None:
    """The log outlives the account, so a citizen's own entries (their report of a comment,
    a password change) name them by account number only: nothing to erase at deletion."""
    old_email, name = scene.citizen.email, scene.citizen.display_name
    accounts.change_password(
        actor=scene.citizen,
        user=scene.citizen,
        current_password=PASSWORD,
        new_password=PASSWORD + " and more",
    )
    login(client, scene.citizen, password=PASSWORD + " and more")
    assert delete_via_page(client, PASSWORD + " and more") == 302
    own = db.session.scalars(select(AuditEntry).where(AuditEntry.actor_id == scene.citizen.id))
    assert {e.action for e in own} >= {"submission.flag", "account.password_change"}
    for entry in db.session.scalars(select(AuditEntry)):
        text = repr(
            (entry.actor_label, entry.target_label, entry.before, entry.after, entry.reason)
        )
        assert old_email not in text, entry.action
        assert name not in text, entry.action


def test_no_audit_entry_keeps_the_citizens_client_address(
    client: FlaskClient, scene: Scene
) -> None:
    """A report made through the page is logged without the citizen's address: the log is
    never rewritten, so it must not hold one. (Officials' addresses stay: test_audit.py.)"""
    reported = make_routed_submission(
        scene.consultation, scene.ministry, author=scene.other, body=polis_comments()[5]
    )
    client.environ_base["REMOTE_ADDR"] = "10.9.8.7"  # sign-in is bound to the address
    login(client, scene.citizen)
    response = client.post(f"/submissions/{reported.reference}/flag", data={"reason": "spam"})
    assert response.status_code == 302
    assert delete_via_page(client) == 302
    own = db.session.scalars(select(AuditEntry).where(AuditEntry.actor_id == scene.citizen.id))
    assert {e.action for e in own} >= {"submission.flag", "account.delete"}
    assert not db.session.scalars(select(AuditEntry).where(AuditEntry.ip != "")).all()


def test_sign_in_is_refused_afterwards(client: FlaskClient, scene: Scene) -> None:
    old_email = scene.citizen.email
    login(client, scene.citizen)
    assert delete_via_page(client) == 302
    assert client.get("/account/settings").status_code == 302  # signed out
    for email in (old_email, f"deleted-{scene.citizen.id}@invalid"):
        response = client.post("/login", data={"email": email, "password": PASSWORD})
        assert response.status_code == 200
        assert client.get("/account/settings").status_code == 302


def test_a_session_on_another_device_ends_too(app: Flask, scene: Scene) -> None:
    phone, laptop = app.test_client(), app.test_client()
    login(phone, scene.citizen)
    login(laptop, scene.citizen)
    assert delete_via_page(laptop) == 302
    assert phone.get("/account/settings").status_code == 302
    assert phone.get("/account/export").status_code == 302


def test_the_same_address_can_register_again(client: FlaskClient, scene: Scene) -> None:
    old_email = scene.citizen.email
    login(client, scene.citizen)
    assert delete_via_page(client) == 302
    response = client.post(
        "/register",
        data={
            "display_name": "Айгерім Сәрсенбаева",
            "email": old_email,
            "password": PASSWORD,
            "confirm": PASSWORD,
            "language": "kk",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    users = db.session.scalars(select(User).where(User.email == old_email)).all()
    assert [u.id for u in users] != [scene.citizen.id]
    assert len(users) == 1
    # The new account starts empty: the old comments are not given back to it.
    page = client.get("/my/submissions").get_data(as_text=True)
    assert scene.answered.reference not in page


def test_no_e_mail_reaches_a_deleted_account(client: FlaskClient, scene: Scene) -> None:
    old_email = scene.citizen.email
    login(client, scene.citizen)
    assert delete_via_page(client) == 302
    # Even were notifications switched back on (administrators may change settings), the
    # notification service must skip an erased account.
    accounts.update_settings(
        actor=SYSTEM, user=fresh(scene.citizen.id), notify_by_email=True, language="en"
    )
    submission = db.session.get(Submission, scene.waiting.id)
    assert submission is not None
    routing.route_new_submission(submission)  # no router is active: it waits in triage
    routing.assign_from_triage(actor=SYSTEM, submissions=[submission], ministry=scene.ministry)
    answers.answer_submissions(
        actor=scene.officer, submissions=[submission], body=government_answers()[1]
    )
    assert messages_to(scene.citizen.id, old_email) == []
    assert messages_to(scene.citizen.id, fresh(scene.citizen.id).email) == []


def test_a_wrong_password_deletes_nothing(client: FlaskClient, scene: Scene) -> None:
    login(client, scene.citizen)
    response = client.post("/account/delete", data={"password": "not the password at all"})
    assert response.status_code == 400
    assert "This is not your password." in response.get_data(as_text=True)
    assert fresh(scene.citizen.id).deleted_at is None


def test_the_form_needs_a_csrf_token(app_with: Callable[..., Flask], scene: Scene) -> None:
    client = app_with(WTF_CSRF_ENABLED=True).test_client()
    login_page = client.get("/login").get_data(as_text=True)
    token = login_page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        "/login",
        data={"email": scene.citizen.email, "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    assert delete_via_page(client) == 400
    assert fresh(scene.citizen.id).deleted_at is None
    page = client.get("/account/delete").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post("/account/delete", data={"password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    assert fresh(scene.citizen.id).deleted_at is not None


def test_anonymous_visitors_are_sent_to_sign_in(client: FlaskClient, scene: Scene) -> None:
    for method in (client.get, client.post):
        response = method("/account/delete")
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


def test_staff_must_have_their_roles_revoked_first(client: FlaskClient, scene: Scene) -> None:
    login(client, scene.officer)
    page = client.get("/account/delete").get_data(as_text=True)
    assert "Ask an administrator to revoke your roles first" in page
    assert 'type="password"' not in page
    assert delete_via_page(client) == 409
    assert fresh(scene.officer.id).deleted_at is None


def test_the_service_refuses_staff_whatever_the_page(scene: Scene) -> None:
    with pytest.raises(account_deletion.StaffMustHandOver):
        account_deletion.delete_account(actor=scene.officer, user=scene.officer, password=PASSWORD)
    assert fresh(scene.officer.id).deleted_at is None


def test_an_assignment_to_a_former_officer_is_cleared(client: FlaskClient, scene: Scene) -> None:
    inbox.assign(actor=scene.officer, submissions=[scene.others], officer=scene.officer)
    accounts.revoke_role(
        actor=SYSTEM, user=scene.officer, role=Role.MINISTRY_OFFICER, ministry=scene.ministry
    )
    accounts.grant_role(actor=SYSTEM, user=scene.officer, role=Role.CITIZEN)
    login(client, scene.officer)
    assert delete_via_page(client) == 302
    submission = db.session.get(Submission, scene.others.id)
    db.session.refresh(submission)
    assert submission is not None
    assert submission.assigned_to_id is None


def test_only_the_account_holder_deletes(scene: Scene) -> None:
    with pytest.raises(PermissionDenied):
        account_deletion.delete_account(actor=scene.other, user=scene.citizen, password=PASSWORD)
    assert fresh(scene.citizen.id).deleted_at is None


def test_nobody_can_register_the_placeholder_address(client: FlaskClient, scene: Scene) -> None:
    """So the placeholder of an account deleted later can never collide with a real one."""
    placeholder = f"deleted-{scene.other.id + 1000}@invalid"
    response = client.post(
        "/register",
        data={
            "display_name": scene.citizen.display_name,
            "email": placeholder,
            "password": PASSWORD,
            "confirm": PASSWORD,
            "language": "en",
        },
    )
    assert response.status_code == 200
    assert db.session.scalar(select(User).where(User.email == placeholder)) is None


def test_password_guesses_on_the_form_are_rate_limited(
    app_with: Callable[..., Flask], scene: Scene
) -> None:
    client = app_with(
        RATELIMIT_ENABLED=True, ACCOUNT_DELETE_RATE_LIMIT="2 per minute"
    ).test_client()
    login(client, scene.citizen)
    guesses = [delete_via_page(client, password="wrong guess number one") for _ in range(3)]
    assert guesses == [400, 400, 429]
    assert delete_via_page(client) == 429
    assert fresh(scene.citizen.id).deleted_at is None


def test_the_daily_digest_skips_a_deleted_account(client: FlaskClient, scene: Scene) -> None:
    login(client, scene.citizen)
    assert delete_via_page(client) == 302
    # Nothing stops an administrator granting a role to an erased account by mistake; the
    # digest must still not write to it.
    deleted = fresh(scene.citizen.id)
    accounts.grant_role(
        actor=SYSTEM, user=deleted, role=Role.MINISTRY_OFFICER, ministry=scene.ministry
    )
    accounts.update_settings(actor=SYSTEM, user=deleted, notify_by_email=True, language="en")
    assert digest.queue_digests(actor=SYSTEM) == 1  # the ministry's real officer
    assert messages_to(scene.citizen.id, deleted.email) == []
    assert [m.kind for m in messages_to(scene.officer.id, scene.officer.email)] == ["digest"]

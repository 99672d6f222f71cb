"""The outbox page for administrators and the account settings page."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale, gettext

from listening_state.authz import SYSTEM
from listening_state.extensions import db
from listening_state.models import OutboxStatus, Role, User
from listening_state.services import outbox
from tests.factories import PASSWORD, login, make_routed_submission, make_user
from tests.notifications.conftest import Cast, FailingTransport, messages

SCRIPT = "<script>alert(1)</script>"


def _failed_message(app: Flask, cast: Cast) -> int:
    app.config["MAIL_MAX_ATTEMPTS"] = 1
    make_routed_submission(cast.consultation, cast.ministry, author=cast.citizen)
    outbox.send_due(actor=SYSTEM, transport=FailingTransport())
    [message] = messages()
    assert message.status is OutboxStatus.FAILED
    return message.id


def test_the_outbox_is_for_administrators_only(client: FlaskClient, cast: Cast) -> None:
    assert client.get("/admin/outbox").status_code == 302  # to the sign-in page
    for user in (cast.citizen, cast.officer, cast.member):
        login(client, user)
        assert client.get("/admin/outbox").status_code == 403
        assert client.post("/admin/outbox/1/retry").status_code == 403
        client.post("/logout")


def test_administrators_see_failures_and_queue_them_again(
    app: Flask, client: FlaskClient, cast: Cast
) -> None:
    message_id = _failed_message(app, cast)
    login(client, cast.admin)
    page = client.get("/admin/outbox?status=failed").get_data(as_text=True)
    assert "ConnectionRefusedError" in page
    assert f'action="/admin/outbox/{message_id}/retry' in page
    assert "Send again" in page
    assert "No message matches" in client.get("/admin/outbox?status=sent").get_data(as_text=True)
    done = client.post(f"/admin/outbox/{message_id}/retry?next=/admin/outbox?status=failed")
    assert done.status_code == 302
    assert done.headers["Location"].endswith("/admin/outbox?status=failed")
    [message] = messages()
    assert (message.status, message.attempts) == (OutboxStatus.PENDING, 0)
    assert client.post(f"/admin/outbox/{message_id}/retry").status_code == 409
    assert client.post("/admin/outbox/999999/retry").status_code == 404


def test_an_unknown_status_filter_is_refused(client: FlaskClient, cast: Cast) -> None:
    login(client, cast.admin)
    assert client.get("/admin/outbox?status=lost").status_code == 400


def test_development_shows_what_would_be_sent_escaped(
    app: Flask, client: FlaskClient, cast: Cast
) -> None:
    author = make_user()
    author.display_name = SCRIPT
    db.session.commit()
    submission = make_routed_submission(cast.consultation, cast.ministry, author=author)
    login(client, cast.admin)
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert "Development mode" in page
    assert f"/submissions/{submission.reference}" in page
    assert SCRIPT not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    app.config["MAIL_TRANSPORT"] = "smtp"  # in production only the headers are shown
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert submission.reference in page
    assert f"/submissions/{submission.reference}" not in page


def test_settings_turn_notifications_off_and_change_the_language(
    client: FlaskClient, cast: Cast
) -> None:
    assert client.get("/account/settings").status_code == 302
    login(client, cast.citizen)
    page = client.get("/account/settings").get_data(as_text=True)
    assert "E-mail me when something happens to my submissions" in page
    box = re.search(r'<input[^>]*id="notify_by_email"[^>]*>', page)
    assert box is not None
    assert " checked" in box.group(0)
    saved = client.post("/account/settings", data={"language": "ru"})  # the box left unticked
    assert saved.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, cast.citizen.id)
    assert user is not None
    assert (user.notify_by_email, user.preferred_language) == (False, "ru")
    make_routed_submission(cast.consultation, cast.ministry, author=user)
    assert messages() == [], "an opted-out author is not written to"
    client.post("/account/settings", data={"language": "kk", "notify_by_email": "y"})
    db.session.expire_all()
    assert (user.notify_by_email, user.preferred_language) == (True, "kk")


def test_the_saved_message_is_in_the_language_just_chosen(
    app: Flask, client: FlaskClient, cast: Cast
) -> None:
    login(client, cast.citizen)  # reads English
    page = client.post("/account/settings", data={"language": "ru"}, follow_redirects=True)
    with app.test_request_context(), force_locale("ru"):
        saved = gettext("Your settings are saved.")
    assert saved != "Your settings are saved."
    assert saved in page.get_data(as_text=True)


def test_settings_refuse_an_unknown_language(client: FlaskClient, cast: Cast) -> None:
    login(client, cast.citizen)
    refused = client.post("/account/settings", data={"language": "de", "notify_by_email": ""})
    assert refused.status_code == 400
    db.session.expire_all()
    user = db.session.get(User, cast.citizen.id)
    assert user is not None
    assert (user.notify_by_email, user.preferred_language) == (True, "en")


def _csrf_token(page: str) -> str:
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert found is not None, "the page carries a CSRF token"
    return found.group(1)


def test_settings_and_retry_need_a_csrf_token(
    app: Flask, app_with: Callable[..., Flask], cast: Cast
) -> None:
    message_id = _failed_message(app, cast)
    client = app_with(WTF_CSRF_ENABLED=True).test_client()
    admin = make_user(Role.ADMIN)
    token = _csrf_token(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"email": admin.email, "password": PASSWORD, "csrf_token": token})
    assert client.post("/account/settings", data={"language": "ru"}).status_code == 400
    assert client.post(f"/admin/outbox/{message_id}/retry").status_code == 400
    db.session.expire_all()
    assert db.session.get(User, admin.id).preferred_language == "en"  # type: ignore[union-attr]
    assert messages()[0].status is OutboxStatus.FAILED
    page = client.get("/account/settings").get_data(as_text=True)
    saved = client.post(
        "/account/settings", data={"language": "ru", "csrf_token": _csrf_token(page)}
    )
    assert saved.status_code == 302
    page = client.get("/admin/outbox").get_data(as_text=True)
    retried = client.post(
        f"/admin/outbox/{message_id}/retry", data={"csrf_token": _csrf_token(page)}
    )
    assert retried.status_code == 302
    assert messages()[0].status is OutboxStatus.PENDING


def test_the_settings_page_is_rate_limited(app_with: Callable[..., Flask]) -> None:
    client = app_with(
        RATELIMIT_ENABLED=True, ACCOUNT_SETTINGS_RATE_LIMIT="2 per minute"
    ).test_client()
    user = make_user()
    login(client, user)
    codes = [
        client.post("/account/settings", data={"language": "en"}).status_code for _ in range(3)
    ]
    assert codes == [302, 302, 429]

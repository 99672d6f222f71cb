"""Registration, sign-in and sign-out."""

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from listening_state.extensions import db
from listening_state.models import User
from tests.factories import PASSWORD, login, make_user


def _register(client: FlaskClient, email: str = "Aigerim@Example.kz", **extra: str) -> object:
    data = {
        "display_name": "Айгерім",
        "email": email,
        "password": "long enough password",
        "confirm": "long enough password",
        "language": "kk",
    }
    data.update(extra)
    return client.post("/register", data=data)


def test_register_creates_a_citizen_and_signs_in(client: FlaskClient) -> None:
    response = _register(client)
    assert response.status_code == 302
    user = db.session.scalar(db.select(User))
    assert user is not None
    assert user.email == "aigerim@example.kz"
    assert user.preferred_language == "kk"
    assert user.password_hash != "long enough password"
    assert client.get("/my/submissions").status_code == 200


def test_register_refuses_an_email_that_differs_only_in_case(client: FlaskClient) -> None:
    make_user(email="aigerim@example.kz")
    response = _register(client, email="AIGERIM@example.KZ")
    assert response.status_code == 200
    assert "already exists" in response.get_data(as_text=True)


def test_register_shows_an_error_on_each_bad_field(client: FlaskClient) -> None:
    response = client.post(
        "/register",
        data={
            "display_name": "",
            "email": "not-an-email",
            "password": "short",
            "confirm": "other",
            "language": "kk",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for field in ("display_name", "email", "password", "confirm"):
        assert f'id="{field}-errors"' in page
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0


def test_login_and_logout(client: FlaskClient) -> None:
    user = make_user()
    login(client, user)
    assert client.get("/my/submissions").status_code == 200
    assert client.post("/logout").status_code == 302
    assert client.get("/my/submissions").status_code == 302


def test_logout_by_get_only_asks_for_confirmation(client: FlaskClient) -> None:
    login(client, make_user())
    assert client.get("/logout").status_code == 200
    assert client.get("/my/submissions").status_code == 200


def test_login_error_does_not_reveal_whether_the_email_exists(client: FlaskClient) -> None:
    user = make_user()
    wrong_password = client.post("/login", data={"email": user.email, "password": "wrong password"})
    unknown_email = client.post(
        "/login", data={"email": "nobody@example.kz", "password": "wrong password"}
    )
    assert wrong_password.status_code == unknown_email.status_code == 200
    message = "The e-mail address or password is not correct."
    assert message in wrong_password.get_data(as_text=True)
    assert message in unknown_email.get_data(as_text=True)


def test_login_is_case_insensitive_on_email(client: FlaskClient) -> None:
    user = make_user(email="dana@example.kz")
    response = client.post("/login", data={"email": "DANA@Example.KZ", "password": PASSWORD})
    assert response.status_code == 302
    assert user.email == "dana@example.kz"


def test_login_follows_only_same_site_next(client: FlaskClient) -> None:
    user = make_user()
    inside = client.post(
        "/login?next=/my/submissions", data={"email": user.email, "password": PASSWORD}
    )
    assert inside.headers["Location"] == "/my/submissions"
    client.post("/logout")
    outside = client.post(
        "/login?next=//evil.example/x", data={"email": user.email, "password": PASSWORD}
    )
    assert outside.headers["Location"] == "/"


def test_login_is_rate_limited(app_with: Callable[..., Flask]) -> None:
    client = app_with(RATELIMIT_ENABLED=True).test_client()
    statuses = [
        client.post(
            "/login", data={"email": "x@example.kz", "password": "wrong password"}
        ).status_code
        for _ in range(12)
    ]
    assert statuses[-1] == 429
    assert statuses.count(200) == 10
    limited = client.post("/login", data={"email": "x@example.kz", "password": "wrong password"})
    assert "Too many requests" in limited.get_data(as_text=True)
    assert "Retry-After" in limited.headers


def test_forms_refuse_requests_without_a_csrf_token(app_with: Callable[..., Flask]) -> None:
    client = app_with(WTF_CSRF_ENABLED=True).test_client()
    response = client.post("/register", data={"display_name": "X", "email": "x@example.kz"})
    assert response.status_code == 400
    assert "Bad request" in response.get_data(as_text=True)


def test_session_is_dropped_when_the_browser_identity_changes(client: FlaskClient) -> None:
    """Strong session protection: a stolen cookie used from another browser signs nobody in."""
    login(client, make_user())
    assert client.get("/my/submissions").status_code == 200
    stolen = client.get("/my/submissions", headers={"User-Agent": "another browser"})
    assert stolen.status_code == 302
    assert "/login" in stolen.headers["Location"]

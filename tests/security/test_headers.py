"""Security headers on every page, HSTS only over HTTPS, and cookie flags."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from cryptography.fernet import Fernet
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import PASSWORD, make_user


def test_a_page_over_http_has_the_strict_headers_but_no_hsts(client: FlaskClient) -> None:
    response = client.get("/consultations")
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    assert "'unsafe-inline'" not in csp
    assert "'unsafe-eval'" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in response.headers


def test_a_page_over_https_has_hsts(app: Flask) -> None:
    client = app.test_client()
    response = client.get("/consultations", base_url="https://localhost")
    assert response.status_code == 200
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_hsts_settings_are_followed(app_with: Callable[..., Flask]) -> None:
    app = app_with(HSTS_MAX_AGE=600, HSTS_INCLUDE_SUBDOMAINS=True)
    response = app.test_client().get("/", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"] == "max-age=600; includeSubDomains"


def test_hsts_can_be_turned_off(app_with: Callable[..., Flask]) -> None:
    app = app_with(HSTS_MAX_AGE=0)
    response = app.test_client().get("/", base_url="https://localhost")
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_follows_the_proxys_scheme_when_trusted(app_with: Callable[..., Flask]) -> None:
    trusting = app_with(PROXY_FIX_X_PROTO=1).test_client()
    forwarded = trusting.get("/", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" in forwarded.headers
    untrusting = app_with().test_client()
    spoofed = untrusting.get("/", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in spoofed.headers


def test_error_pages_and_static_files_have_the_headers_too(client: FlaskClient) -> None:
    for path in ("/no-such-page", "/static/js/app.js"):
        response = client.get(path)
        response.close()  # static files are streamed from an open file
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def _set_cookies(response_headers: list[str], name: str) -> str:
    matching = [header for header in response_headers if header.startswith(f"{name}=")]
    assert matching, f"no {name} cookie set in {response_headers}"
    return matching[-1]


def test_production_cookies_are_secure_httponly_and_samesite(
    app_with: Callable[..., Flask],
) -> None:
    app = app_with(ENV_NAME="production", TOTP_ENCRYPTION_KEYS=Fernet.generate_key().decode())
    user = make_user()
    client = app.test_client()
    response = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "remember": "y"},
        base_url="https://localhost",
    )
    assert response.status_code == 302
    cookies = response.headers.getlist("Set-Cookie")
    for name in ("session", "remember_token"):
        cookie = _set_cookies(cookies, name)
        assert "; Secure" in cookie
        assert "; HttpOnly" in cookie
        assert "; SameSite=Lax" in cookie


def test_development_cookies_work_over_plain_http(client: FlaskClient) -> None:
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    cookie = _set_cookies(response.headers.getlist("Set-Cookie"), "session")
    assert "; Secure" not in cookie
    assert "; HttpOnly" in cookie


def test_the_session_cookie_ends_with_the_browser(app_with: Callable[..., Flask]) -> None:
    """Not a permanent session: Flask-Login's strong protection (a cookie replayed from another
    browser signs nobody in) only covers sessions that are not permanent."""
    app = app_with(PERMANENT_SESSION_LIFETIME=600)
    assert app.permanent_session_lifetime == timedelta(seconds=600)
    user = make_user()
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    cookie = _set_cookies(response.headers.getlist("Set-Cookie"), "session")
    assert "Expires=" not in cookie
    assert client.get("/my/submissions").status_code == 200
    replayed = client.get("/my/submissions", headers={"User-Agent": "another browser"})
    assert replayed.status_code == 302


def test_the_server_refuses_a_session_older_than_the_lifetime(
    app_with: Callable[..., Flask],
) -> None:
    issuing = app_with(PERMANENT_SESSION_LIFETIME=600)
    user = make_user()
    client = issuing.test_client()
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert client.get("/my/submissions").status_code == 200
    # The same cookie read by a server whose lifetime has already run out (a negative lifetime
    # stands in for waiting): the signature is too old, so the visitor is signed out.
    client.application = app_with(PERMANENT_SESSION_LIFETIME=-1)
    response = client.get("/my/submissions")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]

"""Sign-in wiring and response headers that every page gets."""

from __future__ import annotations

import hmac

from flask import Flask, Response, abort, request
from flask_babel import lazy_gettext as _l

from listening_state.extensions import login_manager
from listening_state.models import User


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    @login_manager.user_loader  # type: ignore[untyped-decorator]  # Flask-Login is untyped
    def load_user(user_id: str) -> User | None:
        from listening_state.services.accounts import get_user

        number, _, fingerprint = user_id.partition(":")
        user = get_user(int(number)) if number.isdigit() else None
        if user is None or not hmac.compare_digest(fingerprint, user.get_id().partition(":")[2]):
            return None  # no such account, or the password changed since this session began
        # A session (or remember-me cookie) opened before the account was deleted loads as
        # nobody: is_authenticated alone would be False, but services handed current_user
        # would still see a User actor.
        return user if user.is_active else None

    @app.before_request
    def refuse_nul_bytes() -> None:
        # No real text contains NUL, and PostgreSQL cannot store or compare it: refuse it early
        # with a clear 400 instead of failing deep inside a query.
        values = [*request.args.values(), *request.form.values(), request.path]
        if any("\x00" in value for value in values):
            abort(400)

    @app.before_request
    def remember_client_address() -> None:
        # The audit log records where each decision came from; services read it from here.
        from listening_state.services.audit import client_ip

        client_ip.set(request.remote_addr or "")

    @app.teardown_request
    def forget_client_address(error: BaseException | None) -> None:
        # Work done later on this thread outside a request (jobs, commands) has no address.
        from listening_state.services.audit import client_ip

        client_ip.set("")

    @app.after_request
    def set_security_headers(response: Response) -> Response:
        # No inline scripts or styles anywhere, so the policy can stay strict.
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; "
            "form-action 'self'; frame-ancestors 'none'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        hsts = strict_transport_security(app)
        # Browsers ignore HSTS over plain HTTP, and sending it there could pin a host that has
        # no certificate yet; behind a proxy, is_secure needs PROXY_FIX_X_PROTO.
        if request.is_secure and hsts:
            response.headers.setdefault("Strict-Transport-Security", hsts)
        return response


# The site uses none of these browser features; refusing them limits what injected code could do.
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
    "accelerometer=(), gyroscope=(), magnetometer=(), fullscreen=(self)"
)


def strict_transport_security(app: Flask) -> str:
    """The HSTS header value from HSTS_MAX_AGE and HSTS_INCLUDE_SUBDOMAINS ('' when off)."""
    max_age = int(app.config["HSTS_MAX_AGE"])
    if max_age <= 0:
        return ""
    value = f"max-age={max_age}"
    if app.config["HSTS_INCLUDE_SUBDOMAINS"]:
        value += "; includeSubDomains"
    return value

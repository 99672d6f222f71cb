"""Sign-in wiring and response headers that every page gets."""

from __future__ import annotations

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

        return get_user(int(user_id)) if user_id.isdigit() else None

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
        return response

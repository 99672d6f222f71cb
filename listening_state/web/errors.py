"""Friendly error pages in the visitor's language, and domain errors mapped to statuses."""

from __future__ import annotations

from flask import Flask, render_template
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from listening_state.services.errors import InvalidTransition, NotFound, PermissionDenied

MESSAGES = {
    400: (
        _l("Bad request"),
        _l("Something in the request was not right. Please go back and try again."),
    ),
    403: (_l("Not allowed"), _l("You do not have permission to open this page.")),
    404: (_l("Page not found"), _l("We could not find what you were looking for.")),
    405: (_l("Not allowed"), _l("This action is not available here.")),
    409: (_l("Not possible now"), _l("This action is not possible in the current state.")),
    429: (
        _l("Too many requests"),
        _l("You have made too many requests. Please wait a little and try again."),
    ),
    500: (
        _l("Something went wrong"),
        _l("An error occurred on our side. Nothing you saved was lost; please try again later."),
    ),
}


def render_error(code: int) -> tuple[str, int]:
    title, message = MESSAGES.get(code, MESSAGES[500])
    return render_template("errors/error.html", code=code, title=title, message=message), code


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int, dict[str, str]]:
        code = error.code or 500
        page, _status = render_error(code if code in MESSAGES else 500 if code >= 500 else 400)
        # Keep headers such as Allow (405) and Retry-After (429) that the exception carries.
        headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
        return page, code, headers

    @app.errorhandler(PermissionDenied)
    def permission_denied(error: PermissionDenied) -> tuple[str, int]:
        return render_error(403)

    @app.errorhandler(NotFound)
    def not_found(error: NotFound) -> tuple[str, int]:
        return render_error(404)

    @app.errorhandler(InvalidTransition)
    def invalid_transition(error: InvalidTransition) -> tuple[str, int]:
        return render_error(409)

    @app.errorhandler(500)
    def server_error(error: Exception) -> tuple[str, int]:
        return render_error(500)

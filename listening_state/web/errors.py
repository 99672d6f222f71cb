"""Error responses: friendly pages in the visitor's language, JSON for API clients.

Under /api/ (and for any client that prefers JSON to HTML) every error has one shape,
`{"error": {"code": <status>, "message": <text>}}`, so API clients need a single parser.

An error is answered even while the database cannot be reached: the page's menu and the
choice of language ask about the signed-in user, and when loading them fails the same error is
answered again as to a visitor (database_outage.py), keeping its own status.
"""

from __future__ import annotations

import math
import time

from flask import Flask, Response, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from werkzeug.exceptions import HTTPException

from listening_state.database_outage import visitor_if_database_fails
from listening_state.extensions import limiter
from listening_state.services.errors import InvalidTransition, NotFound, PermissionDenied

MESSAGES = {
    400: (
        _l("Bad request"),
        _l("Something in the request was not right. Please go back and try again."),
    ),
    401: (_l("Sign-in required"), _l("Please sign in to continue.")),
    403: (_l("Not allowed"), _l("You do not have permission to open this page.")),
    404: (_l("Page not found"), _l("We could not find what you were looking for.")),
    405: (_l("Not allowed"), _l("This action is not available here.")),
    409: (_l("Not possible now"), _l("This action is not possible in the current state.")),
    413: (
        _l("Too large"),
        _l("What you sent is larger than we accept. Please send a smaller file."),
    ),
    429: (
        _l("Too many requests"),
        _l("You have made too many requests. Please wait a little and try again."),
    ),
    500: (
        _l("Something went wrong"),
        _l("An error occurred on our side. Nothing you saved was lost; please try again later."),
    ),
    503: (
        _l("Temporarily unavailable"),
        _l("The service is busy or being restarted. Please try again in a few seconds."),
    ),
}


def wants_json() -> bool:
    """API paths, and clients that ask for JSON before HTML, get errors as JSON."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def json_error(code: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """The one JSON error shape of the site: {"error": {"code": int, "message": str}}."""
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = code
    response.headers.update(headers or {})
    return response


def render_error(code: int, message: str | None = None) -> tuple[str, int]:
    title, default_message = MESSAGES.get(code, MESSAGES[500])
    page = render_template(
        "errors/error.html", code=code, title=title, message=message or default_message
    )
    return page, code


def error_response(
    code: int, *, message: str | None = None, headers: dict[str, str] | None = None
) -> ResponseReturnValue:
    """An error as JSON or as a page, whichever the client asked for."""
    known = code if code in MESSAGES else 500 if code >= 500 else 400
    if wants_json():
        return json_error(code, message or str(MESSAGES[known][1]), headers)
    page, _status = render_error(known, message)
    return page, code, headers or {}


def retry_after_seconds() -> int | None:
    """Seconds until the rate limit this request broke lets the client in again."""
    current = limiter.current_limit
    if current is None:
        return None
    return max(1, math.ceil(current.reset_at - time.time()))


def retry_message(seconds: int) -> str:
    # Minutes read better than hundreds of seconds; round up so that the advice is never early.
    if seconds < 120:
        return str(
            ngettext(
                "You have made too many requests. Please try again in %(num)d second.",
                "You have made too many requests. Please try again in %(num)d seconds.",
                seconds,
            )
        )
    return str(
        ngettext(
            "You have made too many requests. Please try again in %(num)d minute.",
            "You have made too many requests. Please try again in %(num)d minutes.",
            math.ceil(seconds / 60),
        )
    )


def _custom_description(error: HTTPException) -> str | None:
    """A message given to abort() on purpose (API validation), not werkzeug's stock text."""
    if error.description and error.description != type(error).description:
        return str(error.description)
    return None


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    @visitor_if_database_fails
    def http_error(error: HTTPException) -> ResponseReturnValue:
        code = error.code or 500
        # Keep headers such as Allow (405) and Retry-After (429) that the exception carries.
        headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
        message = _custom_description(error) if wants_json() else None
        if code == 429:  # say when to come back, not which limit was hit
            seconds = retry_after_seconds()
            message = retry_message(seconds) if seconds is not None else None
            if seconds is not None:
                headers["Retry-After"] = str(seconds)
        return error_response(code, message=message, headers=headers)

    @app.errorhandler(PermissionDenied)
    @visitor_if_database_fails
    def permission_denied(error: PermissionDenied) -> ResponseReturnValue:
        return error_response(403)

    @app.errorhandler(NotFound)
    @visitor_if_database_fails
    def not_found(error: NotFound) -> ResponseReturnValue:
        return error_response(404)

    @app.errorhandler(InvalidTransition)
    @visitor_if_database_fails
    def invalid_transition(error: InvalidTransition) -> ResponseReturnValue:
        return error_response(409)

    @app.errorhandler(500)
    @visitor_if_database_fails
    def server_error(error: Exception) -> ResponseReturnValue:
        return error_response(500)

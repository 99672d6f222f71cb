"""JSON errors of the API: `{"error": {"code": int, "message": str, "fields"?: {...}}}`.

Registered on the API blueprint, so they answer for every URL it matched (even when the error
was raised by an app-wide hook such as the rate limiter); URLs it did not match are answered
by the app's own handlers, which give the same shape for /api/ paths.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, InternalServerError

from listening_state.database_outage import visitor_if_database_fails
from listening_state.services.errors import (
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)

MESSAGES = {
    400: _l("The request is not valid."),
    401: _l("A valid API token is required: send it as “Authorization: Bearer <token>”."),
    403: _l("Your account may not do this."),
    404: _l("Not found."),
    405: _l("This method is not allowed here."),
    409: _l("This is not possible in the current state."),
    413: _l("The request is too large."),
    415: _l("Send the body as JSON (Content-Type: application/json)."),
    429: _l("Too many requests. Please wait a little and try again."),
    500: _l("An error occurred on our side. Please try again later."),
}


def error_response(
    code: int,
    *,
    fields: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[Response, int, dict[str, str]]:
    """The one error shape of the API."""
    body: dict[str, Any] = {"code": code, "message": str(MESSAGES.get(code, MESSAGES[500]))}
    if fields:
        body["fields"] = fields
    headers = dict(headers or {})
    if code == 401:
        headers.setdefault("WWW-Authenticate", "Bearer")
    return jsonify(error=body), code, headers


def register(bp: Blueprint) -> None:
    @bp.errorhandler(HTTPException)
    @visitor_if_database_fails
    def http_error(error: HTTPException) -> tuple[Response, int, dict[str, str]]:
        code = error.code or 500
        if code not in MESSAGES:
            code = 500 if code >= 500 else 400
        # Keep Allow (405), Retry-After (429) and WWW-Authenticate (401) from the exception.
        kept = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
        return error_response(code, headers=kept)

    @bp.errorhandler(InternalServerError)
    @visitor_if_database_fails
    def server_error(error: InternalServerError) -> tuple[Response, int, dict[str, str]]:
        return error_response(500)

    @bp.errorhandler(ValidationFailed)
    @visitor_if_database_fails
    def validation_failed(error: ValidationFailed) -> tuple[Response, int, dict[str, str]]:
        return error_response(400, fields=error.errors)

    @bp.errorhandler(PermissionDenied)
    @visitor_if_database_fails
    def permission_denied(error: PermissionDenied) -> tuple[Response, int, dict[str, str]]:
        return error_response(403)

    @bp.errorhandler(NotFound)
    @visitor_if_database_fails
    def not_found(error: NotFound) -> tuple[Response, int, dict[str, str]]:
        return error_response(404)

    @bp.errorhandler(InvalidTransition)
    @visitor_if_database_fails
    def invalid_transition(error: InvalidTransition) -> tuple[Response, int, dict[str, str]]:
        return error_response(409)

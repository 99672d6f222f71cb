"""503 Service Unavailable, with Retry-After, while the database cannot be reached.

A restart or failover of PostgreSQL is a short, expected outage: the visitor is told to try
again in a moment (and a load balancer or API client sees a status it may retry), rather than
the 500 that says something is broken. The pool pings connections before use
(`pool_pre_ping`), so the first request after the database returns reconnects by itself.
"""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import PendingRollbackError

from listening_state.database_outage import UNAVAILABLE_ERRORS, answer_as_visitor
from listening_state.web.errors import error_response, json_error, wants_json

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
TITLE = _l("Temporarily unavailable")
MESSAGE = _l(
    "We cannot reach our database for a moment. Please try again in a few seconds. If you "
    "were sending a comment, look for it under “My submissions” before sending it again."
)


def database_unavailable(error: Exception) -> ResponseReturnValue:
    """Answer 503 without touching the database again (the site's JSON error shape for API
    clients, the friendly page for everyone else)."""
    log.warning("database unavailable for %s %s: %s", request.method, request.path, error)
    # The visitor's language and the page's menu ask about the signed-in user, which would
    # query the database again; answered as to a visitor, nothing here needs it.
    answer_as_visitor()
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
    if wants_json():
        return json_error(503, str(MESSAGE), headers)
    page = render_template("errors/error.html", code=503, title=TITLE, message=MESSAGE)
    return page, 503, headers


def _caused_by_outage(error: BaseException) -> bool:
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, UNAVAILABLE_ERRORS):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def session_unusable(error: PendingRollbackError) -> ResponseReturnValue:
    """A session used again after a failed flush: 503 when the failure was the database going
    away (code that logs or reads a row in its `except` block does this), 500 otherwise; the
    500 page is rendered as to a visitor too, since the session cannot load the user."""
    if _caused_by_outage(error):
        return database_unavailable(error)
    log.error("session used after a failed transaction", exc_info=error)
    answer_as_visitor()
    return error_response(500)


def register(app: Flask) -> None:
    for error_class in UNAVAILABLE_ERRORS:
        app.register_error_handler(error_class, database_unavailable)
    app.register_error_handler(PendingRollbackError, session_unusable)

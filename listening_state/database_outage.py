"""Answering while the database is unreachable: as to a visitor, never asking it again.

The page's menu and the choice of language ask about the signed-in user, which loads the
account from the database (or re-reads one expired by a commit or rollback). Error pages, the
503 page and the API's JSON errors use what is here, so that answering an error during an
outage does not fail a second time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from flask import g, request
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import DisconnectionError, OperationalError, PendingRollbackError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from listening_state.extensions import db, login_manager

log = logging.getLogger(__name__)

# Connection refused or dropped, and no pooled connection free in time: the database is
# unreachable or overloaded, which a retry a few seconds later can cure.
UNAVAILABLE_ERRORS = (OperationalError, DisconnectionError, PoolTimeoutError)


def forget_session() -> None:
    """Give the failed connection back; rolling back a dead connection can itself fail."""
    try:
        db.session.rollback()
    except Exception:  # the connection is gone: nothing to roll back, teardown removes it
        log.debug("rollback after a database failure failed", exc_info=True)


def answer_as_visitor() -> None:
    """Answer the rest of this request as to a visitor, without the database."""
    forget_session()
    g._login_user = login_manager.anonymous_user()


E = TypeVar("E", bound=Exception)


def visitor_if_database_fails(
    handler: Callable[[E], ResponseReturnValue],
) -> Callable[[E], ResponseReturnValue]:
    """An error handler that, when answering finds the database unreachable (or the session
    unusable), answers the same error again as to a visitor: a 404 stays a 404 during an
    outage instead of failing a second time as a 500. With the database up, nothing changes:
    a signed-in user sees their own menu and language."""

    @wraps(handler)
    def handle(error: E) -> ResponseReturnValue:
        try:
            return handler(error)
        except (*UNAVAILABLE_ERRORS, PendingRollbackError) as failure:
            log.warning(
                "database failed while answering %s %s with %s; answered as to a visitor: %s",
                request.method,
                request.path,
                type(error).__name__,
                failure,
            )
            answer_as_visitor()
            return handler(error)

    return handle

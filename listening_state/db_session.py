"""How services use the database session beyond plain queries and commits."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from listening_state.extensions import db


@contextmanager
def loaded_state_kept() -> Iterator[None]:
    """Commits inside the block keep what is loaded instead of expiring it.

    For work that goes on with rows it has just written itself (a new comment, then its
    routing, hints and themes): reading each back after every commit costs a query, and a
    pooled connection's ping, each time. A rollback still expires everything, so after a
    failure the rows are read again as usual.
    """
    session = db.session()
    keep, session.expire_on_commit = session.expire_on_commit, False
    try:
        yield
    finally:
        session.expire_on_commit = keep

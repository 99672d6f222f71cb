"""The SQL statements a block of code sends, for tests that guard how many queries it takes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from listening_state.extensions import db


@contextmanager
def recorded_statements() -> Iterator[list[str]]:
    """Statements sent through the app's engine inside the block, transaction ends included
    (as "COMMIT" and "ROLLBACK"), in order."""
    statements: list[str] = []

    def statement(_conn: Any, _cursor: Any, text: str, *_args: Any) -> None:
        statements.append(text)

    def commit(_conn: Any) -> None:
        statements.append("COMMIT")

    def rollback(_conn: Any) -> None:
        statements.append("ROLLBACK")

    listeners = (("before_cursor_execute", statement), ("commit", commit), ("rollback", rollback))
    for name, listener in listeners:
        event.listen(db.engine, name, listener)
    try:
        yield statements
    finally:
        for name, listener in listeners:
            event.remove(db.engine, name, listener)

"""Keeping the monitoring rollup exact in the same transaction as each change to submissions.

Every change reads the contributions of the submissions it touches twice, with the rollup's
own queries (monitoring_rollup.py): before (the old ones, subtracted) and after (the new ones,
added); a side where none of them is counted at all is known to be empty without reading it.
Both read the rows as the database holds them, so the result is exact whatever changed a row
(a status, a routing, a spam decision, a deadline) and whatever the database did besides:
PostgreSQL deletes a deleted consultation's submissions by ON DELETE CASCADE, SQLite (foreign
keys not enforced) keeps them, and they stay counted.

Changes are seen in two places: every ORM flush (objects added, changed, deleted) and every
INSERT, UPDATE or DELETE statement on submissions (or DELETE on consultations) executed
through the ORM session. Writes that bypass the session (raw SQL, COPY, executemany on a bare
connection) are not seen: run `flask monitoring rebuild-rollup` after them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    FromClause,
    Result,
    and_,
    case,
    delete,
    event,
    false,
    inspect,
    or_,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from listening_state.models import Consultation, Submission
from listening_state.models.base import utcnow
from listening_state.services.monitoring_rollup import (
    ROLLUPS,
    Rollup,
    counted,
    recount,
    utc_offset,
)

# A change to more submissions than this recounts everything instead (an IN list of ids
# stays well under the backends' limits on bound parameters).
MAX_SCOPED = 5_000
PENDING = "monitoring_rollup_pending"  # Session.info key, from before to after a flush
# A change to these decides what a submission contributes.
COUNTED_ATTRIBUTES = (
    "ministry_id",
    "status",
    "visibility",
    "moderation_reason",
    "routed_at",
    "answered_at",
    "due_on",
)
Key = tuple[Any, ...]
Counts = dict[Key, tuple[int, ...]]


@dataclass
class _Change:
    """Submissions a change touches, and what they counted for before it."""

    offset: int
    submission_ids: set[int] = field(default_factory=set)
    consultation_ids: set[int] = field(default_factory=set)  # deleted, with their submissions
    before: dict[str, Counts] = field(default_factory=dict)
    recount: bool = False

    def scope(self) -> ColumnElement[bool]:
        parts = []
        if self.submission_ids:
            parts.append(Submission.id.in_(sorted(self.submission_ids)))
        if self.consultation_ids:
            parts.append(Submission.consultation_id.in_(sorted(self.consultation_ids)))
        return or_(false(), *parts)

    def too_large(self) -> bool:
        return len(self.submission_ids) + len(self.consultation_ids) > MAX_SCOPED


def _contributions(connection: Connection, rollup: Rollup, change: _Change) -> Counts:
    rows = connection.execute(rollup.grouped(change.offset, change.scope()))
    width = len(rollup.keys)
    return {tuple(row[:width]): tuple(row[width:]) for row in rows}


def _hold_write_lock(connection: Connection) -> None:
    """On SQLite, take the database's write lock before reading what rows counted for, so no
    other writer commits in between (pysqlite would only begin at the first write)."""
    if connection.dialect.name != "sqlite":
        return
    if not connection.connection.driver_connection.in_transaction:  # type: ignore[union-attr]
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _begin(connection: Connection, change: _Change) -> None:
    """Read the touched submissions' contributions, locking them until the change commits."""
    _hold_write_lock(connection)
    if change.too_large():
        change.recount = True
        return
    if connection.dialect.name == "postgresql" and change.consultation_ids:
        # No submission may be added to them meanwhile.
        connection.execute(
            select(Consultation.id)
            .where(Consultation.id.in_(change.consultation_ids))
            .with_for_update()
        )
    if _any_counted(connection, change, lock=True):
        change.before = {
            rollup.table.name: _contributions(connection, rollup, change) for rollup in ROLLUPS
        }


def _any_counted(connection: Connection, change: _Change, *, lock: bool = False) -> bool:
    """Whether any touched submission is counted at all (`monitoring_rollup.counted`), with
    every touched row locked until the change commits when asked (PostgreSQL). When none is,
    every table's contributions are empty without reading them: one query instead of one
    per table, the usual case when routing a new comment (nothing counted before it) and
    when the router sends it to triage (nothing counted after it either)."""
    query = select(case((and_(*counted()), 1), else_=0)).where(change.scope())
    if lock and connection.dialect.name == "postgresql":
        query = query.with_for_update()
    return 1 in connection.execute(query).scalars().all()


def _finish(connection: Connection, change: _Change) -> None:
    """Add the difference between the touched submissions' new and old contributions."""
    if change.recount or change.too_large():
        recount(connection, change.offset)
        return
    counted_now = _any_counted(connection, change)
    for rollup in ROLLUPS:
        after = _contributions(connection, rollup, change) if counted_now else {}
        before = change.before.get(rollup.table.name, {})
        _apply(connection, rollup, _difference(after, before, len(rollup.counts)))


def _difference(after: Counts, before: Counts, width: int) -> Counts:
    changes: Counts = {}
    for key in after.keys() | before.keys():
        new, old = after.get(key, (0,) * width), before.get(key, (0,) * width)
        delta = tuple(n - o for n, o in zip(new, old, strict=True))
        if any(delta):
            changes[key] = delta
    return changes


def _sortable(key: Key) -> tuple[Any, ...]:
    return tuple(value.value if isinstance(value, Enum) else value for value in key)


def _apply(connection: Connection, rollup: Rollup, changes: Counts) -> None:
    if not changes:
        return
    insert = (postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert)(
        rollup.table
    )
    upsert = insert.on_conflict_do_update(
        index_elements=[rollup.table.c[name] for name in rollup.keys],
        set_={name: rollup.table.c[name] + insert.excluded[name] for name in rollup.counts},
    )
    # Rows in key order: concurrent changes lock them in the same order, so never deadlock.
    ordered = sorted(changes.items(), key=lambda item: _sortable(item[0]))
    connection.execute(
        upsert,
        [
            dict(zip((*rollup.keys, *rollup.counts), (*key, *delta), strict=True))
            for key, delta in ordered
        ],
    )
    emptied = {key[0] for key, delta in changes.items() if delta[0] < 0}
    if emptied:
        connection.execute(
            delete(rollup.table).where(
                rollup.table.c.ministry_id.in_(emptied), rollup.table.c[rollup.counts[0]] == 0
            )
        )


def _counted_change(submission: Submission) -> bool:
    state = inspect(submission)
    return any(state.attrs[name].history.has_changes() for name in COUNTED_ATTRIBUTES)


def _before_flush(session: Session, context: UOWTransaction, instances: Any) -> None:
    session.info.pop(PENDING, None)
    changed = {
        obj.id for obj in session.dirty if isinstance(obj, Submission) and _counted_change(obj)
    }
    changed |= {obj.id for obj in session.deleted if isinstance(obj, Submission)}
    consultations = {obj.id for obj in session.deleted if isinstance(obj, Consultation)}
    if changed or consultations:
        change = _Change(utc_offset(utcnow()), changed, consultations)
        _begin(session.connection(), change)
        session.info[PENDING] = change


def _after_flush(session: Session, context: UOWTransaction) -> None:
    change = session.info.pop(PENDING, None)
    # New submissions count from now on; those without a ministry count for nothing yet.
    added = {
        obj.id for obj in session.new if isinstance(obj, Submission) and obj.ministry_id is not None
    }
    if not isinstance(change, _Change):
        if not added:
            return
        change = _Change(utc_offset(utcnow()))
    change.submission_ids |= added
    _finish(session.connection(), change)


def _targets(statement: Any, table: FromClause) -> bool:
    """Whether an INSERT, UPDATE or DELETE statement writes to `table` (ORM statements name
    it through an annotated copy, equal to it but not the same object)."""
    target = getattr(statement, "table", None)
    return target is not None and bool(target == table)


def _rows_without_ministry(parameters: Any) -> bool:
    """Whether an INSERT's rows are all given, and none is routed (the demo's import of
    Pol.is comments): such rows count for nothing yet."""
    rows = parameters if isinstance(parameters, list) else [parameters] if parameters else []
    return bool(rows) and all(row.get("ministry_id") is None for row in rows)


def _on_execute(state: ORMExecuteState) -> Result[Any] | None:
    """Bulk INSERT, UPDATE and DELETE statements executed through the session: the rows they
    write, read before and after like a flush's, or a full recount when they cannot be told."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return None
    statement = state.statement
    submissions, consultations = Submission.__table__, Consultation.__table__
    if not (_targets(statement, submissions) or _targets(statement, consultations)):
        return None
    change = _Change(offset=utc_offset(utcnow()))
    connection = state.session.connection()
    if _targets(statement, submissions) and state.is_insert:
        if _rows_without_ministry(state.parameters):
            return None
        change.recount = True
        _hold_write_lock(connection)
    elif _targets(statement, submissions):
        if isinstance(state.parameters, list):  # ORM bulk UPDATE by primary key
            change.submission_ids = {int(row["id"]) for row in state.parameters}
        else:
            change.submission_ids = set(_locked_ids(connection, Submission.id, statement))
            statement = _only(statement, Submission.id, change)
        _begin(connection, change)
    elif _targets(statement, consultations) and state.is_delete:
        change.consultation_ids = set(_locked_ids(connection, Consultation.id, statement))
        statement = _only(statement, Consultation.id, change)
        _begin(connection, change)
    else:
        return None
    result = state.invoke_statement(statement=statement)
    _finish(connection, change)
    return result


def _locked_ids(connection: Connection, id_column: Any, statement: Any) -> list[int]:
    """The ids of the rows an UPDATE or DELETE statement selects, locked on PostgreSQL."""
    _hold_write_lock(connection)
    query = select(id_column)
    if statement.whereclause is not None:
        query = query.where(statement.whereclause)
    return list(connection.execute(query.with_for_update()).scalars())


def _only(statement: Any, id_column: Any, change: _Change) -> Any:
    """The statement restricted to the rows read, so that a row a concurrent commit makes
    match meanwhile is left alone; a change too large for that is recounted instead."""
    if change.too_large():
        return statement
    ids = change.submission_ids | change.consultation_ids
    return statement.where(id_column.in_(sorted(ids)))


def register() -> None:
    """Keep the rollup up to date in every ORM session (once per process)."""
    for name, listener in (
        ("before_flush", _before_flush),
        ("after_flush", _after_flush),
        ("do_orm_execute", _on_execute),
    ):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)

"""The audit log: an append-only record of every decision that changes what people see or hold.

Rows are only ever inserted. Every ORM session refuses to flush a changed or deleted entry and
refuses bulk UPDATE/DELETE statements on the table,
and the database refuses them too, with a trigger on both SQLite and PostgreSQL, so neither a
code path nor a stray SQL statement can rewrite history. (Migration b7d41c2e9a10 lifted the
trigger once, to erase the client addresses kept of citizens; see `services.audit`.)
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DDL, JSON, Integer, String, Text, event
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column

from listening_state.models.base import Model, UTCDateTime, utcnow


class AuditEntry(Model):
    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # No foreign key: the log outlives the accounts and rows it mentions, and must never be
    # touched by a cascade.
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)
    actor_label: Mapped[str] = mapped_column(String(254), default="")
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str] = mapped_column(String(32), index=True)
    target_id: Mapped[int | None] = mapped_column(Integer)
    target_label: Mapped[str] = mapped_column(String(300), default="")
    before: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    after: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    reason: Mapped[str] = mapped_column(Text, default="")
    ip: Mapped[str] = mapped_column(String(45), default="")

    def __repr__(self) -> str:
        return f"<AuditEntry {self.id} {self.action}>"


APPEND_ONLY_MESSAGE = "audit_entry is append-only"


class AppendOnlyViolation(Exception):
    """Something tried to change or remove an audit entry."""


@event.listens_for(Session, "before_flush")
def _refuse_changes(session: Session, flush_context: Any, instances: Any) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditEntry) and (obj in session.deleted or session.is_modified(obj)):
            raise AppendOnlyViolation(APPEND_ONLY_MESSAGE)


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_changes(state: ORMExecuteState) -> None:
    if (state.is_update or state.is_delete) and any(
        mapper.class_ is AuditEntry for mapper in state.all_mappers
    ):
        raise AppendOnlyViolation(APPEND_ONLY_MESSAGE)


SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER audit_entry_no_{verb.lower()} BEFORE {verb} ON audit_entry
BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"""
    for verb in ("UPDATE", "DELETE")
]
POSTGRESQL_TRIGGERS = [
    f"""CREATE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}'; END $$""",
    """CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry
FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()""",
]
# TRUNCATE skips row triggers; it is how tests reset tables, so it stays possible on purpose.


def _on_table_event(when: str, statement: str, dialect: str) -> None:
    ddl = DDL(statement).execute_if(dialect=dialect)  # type: ignore[no-untyped-call]
    event.listen(AuditEntry.__table__, when, ddl)


for _statement in SQLITE_TRIGGERS:
    _on_table_event("after_create", _statement, "sqlite")
for _statement in POSTGRESQL_TRIGGERS:
    _on_table_event("after_create", _statement, "postgresql")
_on_table_event(
    "before_drop", "DROP FUNCTION IF EXISTS audit_entry_append_only() CASCADE", "postgresql"
)

"""The audit log: who changed what, when, from where, and why.

Services call :func:`record` inside the same unit of work as the change it describes, so the
entry commits with the change or not at all. Rows are append-only (see ``models/audit.py``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, or_, select

from listening_state import authz
from listening_state.authz import SYSTEM, Actor
from listening_state.extensions import db
from listening_state.models import AuditEntry, User
from listening_state.services.errors import PermissionDenied
from listening_state.services.spreadsheets import Cell, csv_chunks, rows_when_read

# Set by the web layer for each request; services never read the request themselves.
client_ip: ContextVar[str] = ContextVar("audit_client_ip", default="")


def account_label(user: User) -> str:
    """How the log names an account. Staff act in an official capacity and are named by
    e-mail, which stays with their acts; a citizen is named by account number only, so the
    log (which is never rewritten) holds nothing to erase when they delete their account.
    The audit page still finds a citizen's entries by their current e-mail (`_filtered`)."""
    return user.email if user.is_staff else f"account #{user.id}"


def _is_citizen_account(value: Any) -> bool:
    return isinstance(value, User) and not value.is_staff


def _client_address(actor: Actor, target: Any) -> str:
    """The requester's address, kept for officials' acts and attempts on staff accounts.

    A citizen's own requests leave none, and neither do anonymous ones on a citizen's account
    (a sign-in lockout: often the citizen's own failed attempts). Like the account label, this
    keeps every address that could be a citizen's out of a log that is never rewritten, so
    there is nothing to erase when they delete their account.
    """
    if isinstance(actor, User):
        return client_ip.get() if actor.is_staff else ""
    return "" if _is_citizen_account(target) else client_ip.get()


def _actor_fields(actor: Actor) -> tuple[int | None, str]:
    if isinstance(actor, User):
        return actor.id, account_label(actor)
    if actor is SYSTEM:
        return None, "system"
    return None, "anonymous"


def record(
    *,
    actor: Actor,
    action: str,
    target: Any,
    target_label: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEntry:
    """Add an entry to the current unit of work; the caller's commit writes it."""
    actor_id, actor_label = _actor_fields(actor)
    entry = AuditEntry(
        actor_id=actor_id,
        actor_label=actor_label,
        action=action,
        target_type=type(target).__tablename__,
        target_id=target.id,
        target_label=target_label[:300],
        before=_jsonable(before or {}),
        after=_jsonable(after or {}),
        reason=reason,
        ip=_client_address(actor, target),
    )
    db.session.add(entry)
    return entry


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    """Enums by value and dates as ISO text, so every backend stores the same JSON."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if hasattr(value, "value") and not isinstance(value, int | float | str):
            value = value.value
        elif isinstance(value, date | datetime):
            value = value.isoformat()
        out[key] = value
    return out


@dataclass(frozen=True)
class AuditFilter:
    action: str = ""
    target_type: str = ""
    target_id: int | None = None
    actor: str = ""  # part of the actor's e-mail
    since: date | None = None
    until: date | None = None


def _filtered(filters: AuditFilter) -> Select[AuditEntry]:
    stmt = select(AuditEntry)
    if filters.action:
        stmt = stmt.where(AuditEntry.action == filters.action)
    if filters.target_type:
        stmt = stmt.where(AuditEntry.target_type == filters.target_type)
    if filters.target_id is not None:
        stmt = stmt.where(AuditEntry.target_id == filters.target_id)
    if filters.actor:
        # autoescape: a typed % or _ is a character of the e-mail, not a LIKE wildcard.
        wanted = filters.actor.strip().casefold()
        by_email = select(User.id).where(User.email.contains(wanted, autoescape=True))
        stmt = stmt.where(
            or_(
                AuditEntry.actor_label.contains(wanted, autoescape=True),
                AuditEntry.actor_id.in_(by_email),
            )
        )
    if filters.since:
        stmt = stmt.where(AuditEntry.at >= datetime.combine(filters.since, time(), UTC))
    if filters.until:
        end = datetime.combine(filters.until + timedelta(days=1), time(), UTC)
        stmt = stmt.where(AuditEntry.at < end)
    return stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())


def require_reader(*, actor: Actor) -> None:
    """Refuse anyone but an administrator, before anything of the log is read."""
    if not authz.is_admin(actor):
        raise PermissionDenied("only administrators read the audit log")


def search(*, actor: Actor, filters: AuditFilter, page: int = 1, per_page: int = 50) -> Pagination:
    require_reader(actor=actor)
    return db.paginate(_filtered(filters), page=page, per_page=per_page, error_out=False)


def known_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).distinct().order_by("action")))


CSV_COLUMNS = (
    "id",
    "at",
    "actor_id",
    "actor",
    "action",
    "target_type",
    "target_id",
    "target",
    "before",
    "after",
    "reason",
    "ip",
)


def _csv_row(entry: AuditEntry) -> tuple[Cell, ...]:
    return (
        entry.id,
        entry.at.isoformat(),
        entry.actor_id,
        entry.actor_label,
        entry.action,
        entry.target_type,
        entry.target_id,
        entry.target_label,
        json.dumps(entry.before, ensure_ascii=False, sort_keys=True),
        json.dumps(entry.after, ensure_ascii=False, sort_keys=True),
        entry.reason,
        entry.ip,
    )


def export_csv(*, actor: Actor, filters: AuditFilter, batch: int = 1000) -> Iterator[str]:
    """The filtered log as CSV text, streamed in chunks so a large log never sits in memory;
    refused at once (not at the first chunk) when the actor may not read it."""
    require_reader(actor=actor)
    stmt = _filtered(filters).execution_options(yield_per=batch)
    return csv_chunks(CSV_COLUMNS, rows_when_read(lambda: db.session.scalars(stmt), _csv_row))


def known_target_types() -> list[str]:
    return list(
        db.session.scalars(select(AuditEntry.target_type).distinct().order_by("target_type"))
    )

"""The filtered inbox as a file for analysts: CSV (streamed) or an Excel workbook.

Both use the inbox's own query, so an export holds exactly what the page lists, under the same
permission check. Text cells are neutralised against spreadsheet formula injection.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from sqlalchemy.orm import selectinload

from listening_state.authz import Actor
from listening_state.extensions import db
from listening_state.models import Ministry, Submission
from listening_state.services.deadlines import is_due_soon, is_overdue
from listening_state.services.inbox import InboxFilter, filtered
from listening_state.services.spreadsheets import (
    Cell,
    csv_chunks,
    local_naive,
    rows_when_read,
    xlsx_bytes,
)

COLUMNS = (
    "reference",
    "received_at",
    "routed_at",
    "due_on",
    "overdue",
    "due_soon",
    "status",
    "stance",
    "consultation",
    "section",
    "language",
    "router_confidence",
    "assigned_officer",
    "answered_at",
    "answer",
    "submission_text",
    "personal_data",
    "risk_score",
    "risk_reason",
    "duplicate_of",
    "duplicate_score",
)


def _row(submission: Submission, on: date) -> tuple[Cell, ...]:
    candidates = submission.duplicate_candidates or []
    return (
        submission.reference,
        local_naive(submission.created_at),
        local_naive(submission.routed_at),
        submission.due_on,
        "yes" if is_overdue(submission, on) else "no",
        "yes" if is_due_soon(submission, on) else "no",
        submission.status.value,
        submission.stance.value,
        submission.consultation.title,
        submission.section.heading if submission.section else "",
        submission.language,
        submission.routing_confidence,
        submission.assigned_to.display_name if submission.assigned_to else "",
        local_naive(submission.answered_at),
        submission.answer.body if submission.answer else "",
        submission.body,
        submission.personal_data_kinds,
        submission.risk_score,
        submission.risk_reason.value if submission.risk_reason else "",
        str(candidates[0].get("reference", "")) if candidates else "",
        submission.duplicate_score,
    )


def _rows(
    *, actor: Actor, ministry: Ministry, filters: InboxFilter, on: date, batch: int
) -> Iterator[tuple[Cell, ...]]:
    """The rows, lazily; refused at once (not at the first row) when the actor may not."""
    stmt = (
        filtered(actor=actor, ministry=ministry, filters=filters, on=on)
        .options(
            selectinload(Submission.consultation),
            selectinload(Submission.section),
            selectinload(Submission.assigned_to),
            selectinload(Submission.answer),
        )
        .execution_options(yield_per=batch)
    )
    return rows_when_read(lambda: db.session.scalars(stmt), lambda s: _row(s, on))


def export_csv(
    *, actor: Actor, ministry: Ministry, filters: InboxFilter, on: date, batch: int = 500
) -> Iterator[str]:
    """CSV text in chunks, to stream; the permission check runs when this is called."""
    rows = _rows(actor=actor, ministry=ministry, filters=filters, on=on, batch=batch)
    return csv_chunks(COLUMNS, rows)


def export_xlsx(
    *, actor: Actor, ministry: Ministry, filters: InboxFilter, on: date, batch: int = 500
) -> bytes:
    """An .xlsx workbook with one sheet; written row by row so memory stays bounded."""
    rows = _rows(actor=actor, ministry=ministry, filters=filters, on=on, batch=batch)
    return xlsx_bytes("Inbox", COLUMNS, rows)

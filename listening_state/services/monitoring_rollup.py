"""The monitoring rollup (models/monitoring.py): what each table counts, and a full recount.

Each table is defined once, as a GROUP BY over submissions (`ROLLUPS`). The full recount runs
it over every submission; monitoring_upkeep.py runs it over just the submissions a change
touches, before and after the change, and adds the difference, so that the kept counts and a
recount cannot disagree.

The time zone arithmetic (within the deadline, week start) uses the site zone's UTC offset when
a row is counted. Kazakhstan keeps one offset all year; after changing BABEL_DEFAULT_TIMEZONE,
or a change of the zone's offset, recount (`flask monitoring rebuild-rollup`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    Table,
    delete,
    func,
    select,
    text,
)
from sqlalchemy.orm import QueryableAttribute

from listening_state import authz
from listening_state.authz import Actor
from listening_state.extensions import db
from listening_state.models import (
    MinistryAnswerStat,
    MinistryAnswerWeek,
    MinistryOpenDue,
    MinistryStatusStat,
    Submission,
    SubmissionStatus,
)
from listening_state.models.base import utcnow
from listening_state.services.deadlines import FINISHED
from listening_state.services.errors import PermissionDenied
from listening_state.services.monitoring_sql import (
    BeforeLocalDayEnds,
    LocalWeekStart,
    WholeUnitsBetween,
)
from listening_state.services.submissions import not_spam

DAY_SECONDS = 86_400


@dataclass(frozen=True)
class Grouping:
    """A rollup as SQL: key expressions, count expressions, and which of the counted
    submissions (`counted()`) it counts."""

    keys: tuple[ColumnElement[Any] | QueryableAttribute[Any], ...]
    counts: tuple[ColumnElement[int], ...]
    where: tuple[ColumnElement[bool], ...]


@dataclass(frozen=True)
class Rollup:
    table: Table
    keys: tuple[str, ...]  # the table's columns for Grouping.keys, in order (its primary key)
    counts: tuple[str, ...]  # ... and for Grouping.counts; the first is the row's total
    grouping: Callable[[int], Grouping]  # of the zone's UTC offset in seconds

    def grouped(self, utc_offset: int, scope: ColumnElement[bool] | None = None) -> Select[Any]:
        """Contributions per key of every submission, or of those in `scope`."""
        grouping = self.grouping(utc_offset)
        query = select(*grouping.keys, *grouping.counts).where(*counted(), *grouping.where)
        if scope is not None:
            query = query.where(scope)
        return query.group_by(*grouping.keys)


def counted() -> tuple[ColumnElement[bool], ...]:
    """Every table counts only submissions with a responsible ministry, spam excluded: a
    submission outside these contributes nothing anywhere (monitoring_upkeep relies on it)."""
    return Submission.ministry_id.is_not(None), not_spam()


def _by_status(utc_offset: int) -> Grouping:
    return Grouping((Submission.ministry_id, Submission.status), (func.count(),), ())


def _open_by_due_date(utc_offset: int) -> Grouping:
    return Grouping(
        (Submission.ministry_id, Submission.due_on),
        (func.count(),),
        (Submission.status.not_in(FINISHED), Submission.due_on.is_not(None)),
    )


def _answers_by_days(utc_offset: int) -> Grouping:
    dated = Submission.due_on.is_not(None)
    in_time = BeforeLocalDayEnds(Submission.answered_at, Submission.due_on, utc_offset)
    return Grouping(
        (
            Submission.ministry_id,
            WholeUnitsBetween(Submission.answered_at, Submission.routed_at, DAY_SECONDS),
        ),
        (func.count(), func.count().filter(dated), func.count().filter(dated, in_time)),
        (
            Submission.status == SubmissionStatus.ANSWERED,
            Submission.routed_at.is_not(None),
            Submission.answered_at.is_not(None),
        ),
    )


def _answers_by_week(utc_offset: int) -> Grouping:
    return Grouping(
        (Submission.ministry_id, LocalWeekStart(Submission.answered_at, utc_offset)),
        (func.count(),),
        (Submission.answered_at.is_not(None),),
    )


def _table(model: type[Any]) -> Table:
    table: Table = model.__table__
    return table


ROLLUPS = (
    Rollup(_table(MinistryStatusStat), ("ministry_id", "status"), ("submissions",), _by_status),
    Rollup(_table(MinistryOpenDue), ("ministry_id", "due_on"), ("submissions",), _open_by_due_date),
    Rollup(
        _table(MinistryAnswerStat),
        ("ministry_id", "days_to_answer"),
        ("answered", "with_deadline", "within_deadline"),
        _answers_by_days,
    ),
    Rollup(
        _table(MinistryAnswerWeek), ("ministry_id", "week_start"), ("answers",), _answers_by_week
    ),
)


def utc_offset(at: datetime) -> int:
    """The site time zone's offset from UTC at `at`, in seconds."""
    offset = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]).utcoffset(at)
    return int(offset.total_seconds()) if offset is not None else 0


# -- full recount --------------------------------------------------------------------------


def rebuild_rollup(*, actor: Actor) -> dict[str, int]:
    """Recount every rollup table from the submissions (after a bulk load that bypassed the
    ORM); returns the rows each table now holds."""
    if not authz.is_admin(actor):
        raise PermissionDenied("only administrators rebuild the monitoring rollup")
    connection = db.session.connection()
    recount(connection, utc_offset(utcnow()))
    rows = {
        rollup.table.name: connection.execute(
            select(func.count()).select_from(rollup.table)
        ).scalar_one()
        for rollup in ROLLUPS
    }
    db.session.commit()
    return rows


def recount(connection: Connection, offset: int) -> None:
    """Empty every rollup table and count it afresh, in the caller's transaction."""
    if connection.dialect.name == "postgresql":
        # Writers wait until the recount commits, then add their changes to it.
        names = ", ".join(rollup.table.name for rollup in ROLLUPS)
        connection.execute(text(f"LOCK TABLE {names} IN EXCLUSIVE MODE"))
    for rollup in ROLLUPS:
        connection.execute(delete(rollup.table))
        connection.execute(
            rollup.table.insert().from_select(
                [*rollup.keys, *rollup.counts], rollup.grouped(offset)
            )
        )

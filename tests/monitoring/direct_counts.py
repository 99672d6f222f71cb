"""The monitoring figures counted straight from the submissions, as the page did before the
rollup: the reference the rollup's figures must equal."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import Executable, func, select

from listening_state.extensions import db
from listening_state.models import Ministry, Submission, SubmissionStatus
from listening_state.services import deadlines
from listening_state.services.monitoring_sql import BeforeLocalDayEnds, WholeUnitsBetween
from listening_state.services.submissions import not_spam


@dataclass
class Handling:
    received: int = 0
    answered: int = 0
    overdue: int = 0
    days: Counter[int] = field(default_factory=Counter)
    with_deadline: int = 0
    within_deadline: int = 0


def _rows(stmt: Executable) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in db.session.execute(stmt)]


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def handling(now: datetime) -> dict[int, Handling]:
    """Per ministry: received, answered, overdue, the days-to-answer histogram, deadlines."""
    found: dict[int, Handling] = {}
    counted = (Submission.ministry_id.in_(select(Ministry.id)), not_spam())
    overdue = deadlines.overdue_condition(deadlines.local_date(now))
    by_status = (
        select(
            Submission.ministry_id, Submission.status, func.count(), func.count().filter(overdue)
        )
        .where(*counted)
        .group_by(Submission.ministry_id, Submission.status)
    )
    for ministry_id, status, count, late in _rows(by_status):
        entry = found.setdefault(ministry_id, Handling())
        entry.received += count
        entry.overdue += late
        if status is SubmissionStatus.ANSWERED:
            entry.answered += count

    offset = _zone().utcoffset(now)
    assert offset is not None
    days = WholeUnitsBetween(Submission.answered_at, Submission.routed_at, 86_400)
    dated = Submission.due_on.is_not(None)
    in_time = BeforeLocalDayEnds(
        Submission.answered_at, Submission.due_on, int(offset.total_seconds())
    )
    by_days = (
        select(
            Submission.ministry_id,
            days,
            func.count(),
            func.count().filter(dated),
            func.count().filter(dated, in_time),
        )
        .where(
            *counted,
            Submission.status == SubmissionStatus.ANSWERED,
            Submission.routed_at.is_not(None),
            Submission.answered_at.is_not(None),
        )
        .group_by(Submission.ministry_id, days)
    )
    for ministry_id, whole_days, count, with_deadline, within in _rows(by_days):
        entry = found.setdefault(ministry_id, Handling())
        entry.days[whole_days] += count
        entry.with_deadline += with_deadline
        entry.within_deadline += within
    return found


def answers_per_week(starts: list[date], now: datetime) -> dict[int, list[int]]:
    """{ministry id: answers in each week starting on `starts`}, the last week until `now`."""
    bounds = [datetime.combine(day, time.min, tzinfo=_zone()).astimezone(UTC) for day in starts]
    bounds.append(now + timedelta(microseconds=1))
    found: dict[int, list[int]] = {}
    for index in range(len(starts)):
        rows = _rows(
            select(Submission.ministry_id, func.count())
            .where(
                Submission.ministry_id.is_not(None),
                not_spam(),
                Submission.answered_at >= bounds[index],
                Submission.answered_at < bounds[index + 1],
            )
            .group_by(Submission.ministry_id)
        )
        for ministry_id, count in rows:
            found.setdefault(ministry_id, [0] * len(starts))[index] += count
    return found

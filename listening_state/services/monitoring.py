"""Public figures on how each ministry handles what citizens send, counted in the database.

Every figure comes from a handful of GROUP BY queries over all ministries at once, read from
covering indexes (see `Submission.__table_args__`), so the cost does not grow with the number
of ministries and the submission rows themselves (with their text) are never read.

The median days to answer comes from a histogram: the database counts answers per ministry
and whole number of days (some thousands of rows, however many submissions there are), and the
median is read off those counts here. The same code runs on SQLite, which has no percentile
function, and on PostgreSQL, and it also gives the exact median over all ministries together,
which per-ministry medians cannot.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from time import monotonic
from typing import Any, TypeVar, cast
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import ColumnElement, Executable, func, literal, or_, select, union_all

from listening_state.extensions import db
from listening_state.models import (
    Consultation,
    ConsultationStatus,
    CouncilRecommendation,
    Ministry,
    PublicCouncil,
    RecommendationStatus,
    Submission,
    SubmissionStatus,
)
from listening_state.models.base import utcnow
from listening_state.services import deadlines
from listening_state.services.consultations import status_condition
from listening_state.services.monitoring_sql import BeforeLocalDayEnds, WholeUnitsBetween
from listening_state.services.submissions import not_spam

DAY_SECONDS = 86_400
CHART_WEEKS = 26
T = TypeVar("T")


@dataclass(frozen=True)
class Figures:
    """What the monitoring page shows for one ministry, or for all of them together."""

    received: int = 0  # routed to the ministry, spam excluded
    answered: int = 0
    median_days_to_answer: float | None = None  # None: nothing answered yet
    answered_with_deadline: int = 0  # answered submissions that had a due date
    answered_within_deadline: int = 0
    overdue: int = 0  # still waiting, due date passed
    consultations_open: int = 0
    consultations_closed: int = 0  # closed, report published or not
    reports_published: int = 0
    recommendations_accepted: int = 0

    @property
    def answered_share(self) -> float | None:
        return self.answered / self.received if self.received else None

    @property
    def within_deadline_share(self) -> float | None:
        if not self.answered_with_deadline:
            return None
        return self.answered_within_deadline / self.answered_with_deadline


@dataclass(frozen=True)
class MinistryFigures(Figures):
    ministry_id: int = 0
    code: str = ""
    name_kk: str = ""
    name_ru: str = ""
    name_en: str = ""

    def name(self, language: str) -> str:
        """The ministry's name in the interface language, English as the fallback."""
        return {"kk": self.name_kk, "ru": self.name_ru}.get(language) or self.name_en


@dataclass(frozen=True)
class Monitoring:
    generated_at: datetime
    ministries: list[MinistryFigures]
    overall: Figures


@dataclass(frozen=True)
class WeeklyAnswers:
    """Submissions answered in each of the last weeks (Monday to Sunday, local time)."""

    week_starts: list[date]
    overall: list[int]
    by_ministry: dict[int, list[int]] = field(default_factory=dict)

    def of(self, ministry_id: int | None) -> list[int]:
        if ministry_id is None:
            return self.overall
        return self.by_ministry.get(ministry_id, [0] * len(self.week_starts))


def median_from_histogram(counts: Mapping[int, int]) -> float | None:
    """The median of values given as {value: how many times it occurs}."""
    total = sum(counts.values())
    if total == 0:
        return None
    # Zero-based ranks of the middle value, or of the two middle values for an even count.
    ranks = sorted({(total - 1) // 2, total // 2})
    middle: list[int] = []
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        while ranks and seen > ranks[0]:
            middle.append(value)
            ranks.pop(0)
        if not ranks:
            break
    return sum(middle) / len(middle)


def _utc_offset(at: datetime) -> int:
    """The site time zone's offset from UTC now (Kazakhstan keeps one offset all year)."""
    offset = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]).utcoffset(at)
    return int(offset.total_seconds()) if offset is not None else 0


def _has_ministry() -> ColumnElement[bool]:
    """Submissions with a responsible ministry, written for each planner.

    SQLite, without statistics, would read the answered rows through the single-column status
    index and then the table; "in the ministry table" gives it an equality on the first column
    of the covering handling index, which it then reads alone. PostgreSQL would join for that,
    so it gets the plain condition and reads the same index.
    """
    if db.session.get_bind().dialect.name == "sqlite":
        return Submission.ministry_id.in_(select(Ministry.id))
    return Submission.ministry_id.is_not(None)


def _grouped(stmt: Executable) -> list[tuple[Any, ...]]:
    """The rows of an aggregate query; its ministry id (first column) is never NULL."""
    return [tuple(row) for row in db.session.execute(stmt)]


@dataclass
class _Handling:
    received: int = 0
    answered: int = 0
    overdue: int = 0
    days: Counter[int] = field(default_factory=Counter)  # answers by whole days to answer
    with_deadline: int = 0
    within_deadline: int = 0


def _handling(now: datetime) -> dict[int, _Handling]:
    """Per ministry: submissions by status and overdue ones, then answers by whole days from
    routing to answer and by deadline. Two passes over the covering handling index: folding
    them into one would make SQLite sort every submission instead of the answered ones."""
    handling: dict[int, _Handling] = defaultdict(_Handling)
    by_status = select(
        Submission.ministry_id,
        Submission.status,
        func.count(),
        func.count().filter(deadlines.overdue_condition(deadlines.local_date(now))),
    )
    for ministry_id, status, count, overdue in _grouped(
        by_status.where(_has_ministry(), not_spam()).group_by(
            Submission.ministry_id, Submission.status
        )
    ):
        entry = handling[ministry_id]
        entry.received += count
        entry.overdue += overdue
        if status is SubmissionStatus.ANSWERED:
            entry.answered += count

    days = WholeUnitsBetween(Submission.answered_at, Submission.routed_at, DAY_SECONDS)
    dated = Submission.due_on.is_not(None)
    in_time = BeforeLocalDayEnds(Submission.answered_at, Submission.due_on, _utc_offset(now))
    by_days = select(
        Submission.ministry_id,
        days,
        func.count(),
        func.count().filter(dated),
        func.count().filter(dated, in_time),
    ).where(
        _has_ministry(),
        not_spam(),
        Submission.status == SubmissionStatus.ANSWERED,
        Submission.routed_at.is_not(None),
        Submission.answered_at.is_not(None),
    )
    for ministry_id, whole_days, count, with_deadline, within in _grouped(
        by_days.group_by(Submission.ministry_id, days)
    ):
        entry = handling[ministry_id]
        entry.days[whole_days] += count
        entry.with_deadline += with_deadline
        entry.within_deadline += within
    return handling


def _consultation_counts(now: datetime) -> dict[int, tuple[int, int, int]]:
    """{ministry id: (open, closed, report published)} among published consultations."""
    reported = status_condition(ConsultationStatus.REPORT_PUBLISHED, now)
    rows = _grouped(
        select(
            Consultation.ministry_id,
            func.count().filter(status_condition(ConsultationStatus.OPEN, now)),
            func.count().filter(or_(status_condition(ConsultationStatus.CLOSED, now), reported)),
            func.count().filter(reported),
        )
        .where(Consultation.published_at.is_not(None))
        .group_by(Consultation.ministry_id)
    )
    return {ministry_id: (open_, closed, reports) for ministry_id, open_, closed, reports in rows}


def _accepted_recommendations() -> dict[int, int]:
    """Recommendations of each ministry's Public Council that the ministry accepted."""
    rows = _grouped(
        select(PublicCouncil.ministry_id, func.count())
        .join(CouncilRecommendation, CouncilRecommendation.council_id == PublicCouncil.id)
        .where(
            PublicCouncil.ministry_id.is_not(None),
            CouncilRecommendation.status == RecommendationStatus.ACCEPTED,
        )
        .group_by(PublicCouncil.ministry_id)
    )
    return {ministry_id: count for ministry_id, count in rows}


def ministry_figures(*, now: datetime | None = None) -> Monitoring:
    """One row of figures per ministry (those with nothing yet show zeros), and the totals."""
    now = now or utcnow()
    handling = _handling(now)
    consultations = _consultation_counts(now)
    accepted = _accepted_recommendations()
    rows = []
    for ministry in db.session.scalars(select(Ministry).order_by(Ministry.code)):
        handled = handling.get(ministry.id, _Handling())
        open_, closed, reports = consultations.get(ministry.id, (0, 0, 0))
        rows.append(
            MinistryFigures(
                ministry_id=ministry.id,
                code=ministry.code,
                name_kk=ministry.name_kk,
                name_ru=ministry.name_ru,
                name_en=ministry.name_en,
                received=handled.received,
                answered=handled.answered,
                median_days_to_answer=median_from_histogram(handled.days),
                answered_with_deadline=handled.with_deadline,
                answered_within_deadline=handled.within_deadline,
                overdue=handled.overdue,
                consultations_open=open_,
                consultations_closed=closed,
                reports_published=reports,
                recommendations_accepted=accepted.get(ministry.id, 0),
            )
        )
    return Monitoring(generated_at=now, ministries=rows, overall=_overall(rows, handling.values()))


def _overall(rows: list[MinistryFigures], handling: Iterable[_Handling]) -> Figures:
    all_days: Counter[int] = Counter()
    for entry in handling:
        all_days.update(entry.days)
    return Figures(
        received=sum(r.received for r in rows),
        answered=sum(r.answered for r in rows),
        median_days_to_answer=median_from_histogram(all_days),
        answered_with_deadline=sum(r.answered_with_deadline for r in rows),
        answered_within_deadline=sum(r.answered_within_deadline for r in rows),
        overdue=sum(r.overdue for r in rows),
        consultations_open=sum(r.consultations_open for r in rows),
        consultations_closed=sum(r.consultations_closed for r in rows),
        reports_published=sum(r.reports_published for r in rows),
        recommendations_accepted=sum(r.recommendations_accepted for r in rows),
    )


def answers_per_week(*, weeks: int = CHART_WEEKS, now: datetime | None = None) -> WeeklyAnswers:
    """Submissions answered per week, per ministry and overall; the last week is the current
    one (so far). Weeks start on Monday at midnight, Kazakhstan time."""
    now = now or utcnow()
    today = deadlines.local_date(now)
    this_monday = today - timedelta(days=today.weekday())
    starts = [this_monday - timedelta(weeks=weeks - 1 - n) for n in range(weeks)]
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    bounds = [datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC) for day in starts]
    # One range of the answered-at index per week, each counted by ministry: small sorts and
    # plain comparisons, where one GROUP BY over a computed week number would sort them all.
    per_week = [
        select(literal(index), Submission.ministry_id, func.count())
        .where(
            Submission.ministry_id.is_not(None),
            not_spam(),
            Submission.answered_at >= bounds[index],
            # The current week runs until now: an answer stamped later is not counted.
            Submission.answered_at < bounds[index + 1]
            if index + 1 < weeks
            else Submission.answered_at <= now,
        )
        .group_by(Submission.ministry_id)
        for index in range(weeks)
    ]
    overall = [0] * weeks
    by_ministry: dict[int, list[int]] = {}
    for index, ministry_id, count in _grouped(union_all(*per_week)):
        by_ministry.setdefault(ministry_id, [0] * weeks)[index] += count
        overall[index] += count
    return WeeklyAnswers(week_starts=starts, overall=overall, by_ministry=by_ministry)


def _kept(key: str, compute: Callable[[], T]) -> T:
    """`compute()`, or its result from less than MONITORING_CACHE_SECONDS ago in this process.

    With the default of 0 nothing is kept: every request counts afresh.
    """
    seconds = float(current_app.config["MONITORING_CACHE_SECONDS"])
    if seconds <= 0:
        return compute()
    kept: dict[str, tuple[float, Any]] = current_app.extensions.setdefault("monitoring", {})
    now = monotonic()
    hit = kept.get(key)
    if hit is not None and now - hit[0] < seconds:
        return cast(T, hit[1])
    value = compute()
    kept[key] = (now, value)
    return value


def current_figures() -> Monitoring:
    """The figures for the public page and the downloads (see MONITORING_CACHE_SECONDS)."""
    return _kept("figures", ministry_figures)


def current_answers_per_week() -> WeeklyAnswers:
    return _kept("weeks", answers_per_week)

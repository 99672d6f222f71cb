"""Public figures on how each ministry handles what citizens send, counted in the database.

The handling figures are read from the monitoring rollup (models/monitoring.py): a few
thousand rows of counts per ministry that every change to a submission keeps exact in its own
transaction (services/monitoring_upkeep.py, with the queries of services/monitoring_rollup.py),
so the page costs the same at a million submissions as at a hundred, and is never out of
date. Consultations, reports and council recommendations are counted directly: there are
thousands of them, not millions.

The median days to answer comes from a histogram: answers per ministry and whole number of
days, and the median is read off those counts here. The same code runs on SQLite, which has no
percentile function, and on PostgreSQL, and it also gives the exact median over all ministries
together, which per-ministry medians cannot.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from time import monotonic
from typing import Any, TypeVar, cast

from flask import current_app
from sqlalchemy import Executable, func, or_, select

from listening_state.extensions import db
from listening_state.models import (
    Consultation,
    ConsultationStatus,
    CouncilRecommendation,
    Ministry,
    MinistryAnswerStat,
    MinistryAnswerWeek,
    MinistryOpenDue,
    MinistryStatusStat,
    PublicCouncil,
    RecommendationStatus,
    SubmissionStatus,
)
from listening_state.models.base import utcnow
from listening_state.services import deadlines
from listening_state.services.consultations import status_condition

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


def _handling(today: date) -> dict[int, _Handling]:
    """Per ministry, from the rollup: submissions by status, those overdue (still waiting, due
    before today), and answers by whole days from routing to answer and by deadline."""
    handling: dict[int, _Handling] = defaultdict(_Handling)
    by_status = select(
        MinistryStatusStat.ministry_id, MinistryStatusStat.status, MinistryStatusStat.submissions
    )
    for ministry_id, status, count in _grouped(by_status):
        entry = handling[ministry_id]
        entry.received += count
        if status is SubmissionStatus.ANSWERED:
            entry.answered += count

    overdue = (
        select(MinistryOpenDue.ministry_id, func.sum(MinistryOpenDue.submissions))
        .where(MinistryOpenDue.due_on < today)
        .group_by(MinistryOpenDue.ministry_id)
    )
    for ministry_id, count in _grouped(overdue):
        handling[ministry_id].overdue += int(count)

    by_days = select(
        MinistryAnswerStat.ministry_id,
        MinistryAnswerStat.days_to_answer,
        MinistryAnswerStat.answered,
        MinistryAnswerStat.with_deadline,
        MinistryAnswerStat.within_deadline,
    )
    for ministry_id, whole_days, count, with_deadline, within in _grouped(by_days):
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
    handling = _handling(deadlines.local_date(now))
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
    # Only ministries that exist: SQLite, not enforcing foreign keys, could keep a removed
    # ministry's counts.
    shown = [handling[row.ministry_id] for row in rows if row.ministry_id in handling]
    return Monitoring(generated_at=now, ministries=rows, overall=_overall(rows, shown))


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
    one (so far: answers are stamped when given). Weeks start on Monday at midnight,
    Kazakhstan time."""
    now = now or utcnow()
    today = deadlines.local_date(now)
    this_monday = today - timedelta(days=today.weekday())
    starts = [this_monday - timedelta(weeks=weeks - 1 - n) for n in range(weeks)]
    rows = select(
        MinistryAnswerWeek.ministry_id, MinistryAnswerWeek.week_start, MinistryAnswerWeek.answers
    ).where(MinistryAnswerWeek.week_start.between(starts[0], this_monday))
    overall = [0] * weeks
    by_ministry: dict[int, list[int]] = {}
    for ministry_id, week_start, count in _grouped(rows):
        index = (week_start - starts[0]).days // 7
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

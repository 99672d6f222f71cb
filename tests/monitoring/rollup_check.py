"""Checks shared by the rollup tests: the kept tables against a recount, and the page's
figures against the direct counts the page made before the rollup."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import select

from listening_state.authz import SYSTEM
from listening_state.extensions import db
from listening_state.models import MinistryAnswerStat
from listening_state.models.base import utcnow
from listening_state.services import monitoring, monitoring_rollup
from listening_state.services.monitoring import MinistryFigures, median_from_histogram
from tests.monitoring import direct_counts


def kept_rows() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every rollup table, in a stable order."""
    return {
        rollup.table.name: sorted(
            (tuple(row) for row in db.session.execute(select(rollup.table))), key=str
        )
        for rollup in monitoring_rollup.ROLLUPS
    }


def figures_of(code: str) -> MinistryFigures:
    return next(row for row in monitoring.ministry_figures().ministries if row.code == code)


def assert_figures_equal_direct_counts() -> None:
    now = utcnow()
    figures = monitoring.ministry_figures(now=now)
    direct = direct_counts.handling(now)
    histograms: dict[int, Counter[int]] = {}
    for row in db.session.execute(select(MinistryAnswerStat)).scalars():
        histograms.setdefault(row.ministry_id, Counter())[row.days_to_answer] = row.answered
    for shown in figures.ministries:
        expected = direct.get(shown.ministry_id, direct_counts.Handling())
        assert (
            shown.received,
            shown.answered,
            shown.overdue,
            shown.answered_with_deadline,
            shown.answered_within_deadline,
        ) == (
            expected.received,
            expected.answered,
            expected.overdue,
            expected.with_deadline,
            expected.within_deadline,
        ), shown.code
        assert histograms.get(shown.ministry_id, Counter()) == expected.days, shown.code
        assert shown.median_days_to_answer == median_from_histogram(expected.days)
    weeks = monitoring.answers_per_week(now=now)
    assert weeks.by_ministry == direct_counts.answers_per_week(weeks.week_starts, now)


def assert_exact() -> None:
    """The kept rollup is what a full recount gives, and the figures what direct counts give."""
    kept = kept_rows()
    monitoring_rollup.rebuild_rollup(actor=SYSTEM)
    assert kept_rows() == kept
    assert_figures_equal_direct_counts()

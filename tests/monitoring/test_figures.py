"""Each monitoring figure, counted by the database on small hand-built histories."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask

from listening_state.models import ModerationReason, RecommendationStatus
from listening_state.models.base import utcnow
from listening_state.services import inbox, monitoring
from listening_state.services.monitoring import MinistryFigures, median_from_histogram
from tests.factories import make_consultation
from tests.monitoring.conftest import (
    World,
    answer,
    answered_after,
    close,
    publish_report,
    recommendations,
    reject_as,
    route,
    today,
)

ALMATY = ZoneInfo("Asia/Almaty")


def figures_of(code: str) -> MinistryFigures:
    rows = monitoring.ministry_figures().ministries
    return next(row for row in rows if row.code == code)


@pytest.mark.parametrize(
    ("histogram", "median"),
    [
        ({3: 1, 5: 1, 9: 1}, 5),  # odd count: the middle value
        ({2: 1, 4: 1}, 3),  # even count: halfway between the two middle values
        ({1: 2, 7: 2}, 4),
        ({0: 3, 10: 1}, 0),
        ({4: 5}, 4),
        ({}, None),
    ],
)
def test_median_from_a_histogram(histogram: dict[int, int], median: float | None) -> None:
    assert median_from_histogram(histogram) == median


def test_received_answered_and_median_with_an_odd_count(world: World) -> None:
    for days in (2, 4, 9):
        answered_after(world.officer, world.consultation, world.ministry, days)
    route(world.consultation, world.ministry)  # still waiting
    row = figures_of("MA")
    assert (row.received, row.answered) == (4, 3)
    assert row.answered_share == pytest.approx(0.75)
    assert row.median_days_to_answer == 4


def test_median_with_an_even_count_is_halfway(world: World) -> None:
    for days in (1, 4):
        answered_after(world.other_officer, world.other_consultation, world.other, days)
    assert figures_of("MB").median_days_to_answer == 2.5


def test_days_to_answer_are_whole_24_hour_periods(world: World) -> None:
    routed = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    exactly_a_day = route(world.consultation, world.ministry, routed_at=routed)
    answer(world.officer, exactly_a_day, at=routed + timedelta(days=1))
    just_under = route(world.other_consultation, world.other, routed_at=routed)
    answer(world.other_officer, just_under, at=routed + timedelta(days=1, seconds=-1))
    assert figures_of("MA").median_days_to_answer == 1
    assert figures_of("MB").median_days_to_answer == 0


def test_the_overall_median_is_over_all_answers_not_a_median_of_medians(world: World) -> None:
    for _ in range(3):
        answered_after(world.officer, world.consultation, world.ministry, 1)
    answered_after(world.other_officer, world.other_consultation, world.other, 10)
    overall = monitoring.ministry_figures().overall
    assert overall.median_days_to_answer == 1  # per-ministry medians 1 and 10 would give 5.5
    assert (overall.received, overall.answered) == (4, 4)


def test_within_the_deadline_means_by_the_end_of_the_due_day_in_kazakhstan(world: World) -> None:
    due = today() - timedelta(days=3)
    last_second = datetime.combine(due, time(23, 59, 59), tzinfo=ALMATY)
    routed = last_second - timedelta(days=20)
    on_time = route(world.consultation, world.ministry, routed_at=routed, due_on=due)
    answer(world.officer, on_time, at=last_second)
    late = route(world.consultation, world.ministry, routed_at=routed, due_on=due)
    answer(world.officer, late, at=last_second + timedelta(seconds=1))
    row = figures_of("MA")
    assert (row.answered_within_deadline, row.answered_with_deadline) == (1, 2)
    assert row.within_deadline_share == pytest.approx(0.5)


def test_overdue_counts_what_still_waits_past_its_due_date(world: World) -> None:
    yesterday, on = today() - timedelta(days=1), today()
    route(world.consultation, world.ministry, due_on=yesterday)
    in_review = route(world.consultation, world.ministry, due_on=yesterday)
    inbox.start_review(actor=world.officer, submission=in_review)
    route(world.consultation, world.ministry, due_on=on)  # due today: not late yet
    answer(world.officer, route(world.consultation, world.ministry, due_on=yesterday))
    close(world.officer, route(world.consultation, world.ministry, due_on=yesterday))
    row = figures_of("MA")
    assert row.overdue == 2
    assert (row.received, row.answered) == (5, 1)


def test_spam_is_not_counted_but_other_rejections_are(world: World) -> None:
    spam = answered_after(world.officer, world.consultation, world.ministry, 30)
    reject_as(world.admin, spam, ModerationReason.SPAM)
    off_topic = answered_after(world.officer, world.consultation, world.ministry, 2)
    reject_as(world.admin, off_topic, ModerationReason.OFF_TOPIC)
    late_spam = route(world.consultation, world.ministry, due_on=today() - timedelta(days=1))
    reject_as(world.admin, late_spam, ModerationReason.SPAM)
    row = figures_of("MA")
    assert (row.received, row.answered, row.overdue) == (1, 1, 0)
    assert row.median_days_to_answer == 2


def test_a_ministry_with_nothing_shows_zeros_and_no_shares(world: World) -> None:
    answered_after(world.officer, world.consultation, world.ministry, 3)
    row = figures_of("MC")
    assert (row.received, row.answered, row.overdue) == (0, 0, 0)
    assert row.answered_share is None
    assert row.median_days_to_answer is None
    assert row.within_deadline_share is None
    assert (row.consultations_open, row.reports_published, row.recommendations_accepted) == (
        0,
        0,
        0,
    )
    assert row.name("kk") == "Министрлік MC"


def test_consultations_reports_and_accepted_recommendations(world: World) -> None:
    make_consultation(world.ministry, state="open")
    make_consultation(world.ministry, state="closed")
    reported = make_consultation(world.ministry, state="closed")
    publish_report(reported)
    make_consultation(world.ministry, state="draft")  # unpublished: not counted
    make_consultation(world.ministry, state="upcoming")  # neither open nor closed yet
    recommendations(
        world.ministry,
        world.officer,
        RecommendationStatus.ACCEPTED,
        RecommendationStatus.ACCEPTED,
        RecommendationStatus.PARTLY_ACCEPTED,
        RecommendationStatus.REJECTED,
        RecommendationStatus.ISSUED,
    )
    row = figures_of("MA")
    # The world's own consultation is open too.
    assert (row.consultations_open, row.consultations_closed, row.reports_published) == (2, 2, 1)
    assert row.recommendations_accepted == 2
    assert figures_of("MB").recommendations_accepted == 0


def test_answers_per_week_by_ministry_and_overall(world: World) -> None:
    now = utcnow()
    for weeks_ago, ministry, officer, consultation in (
        (0, world.ministry, world.officer, world.consultation),
        (0, world.ministry, world.officer, world.consultation),
        (1, world.other, world.other_officer, world.other_consultation),
        (3, world.ministry, world.officer, world.consultation),
        (30, world.ministry, world.officer, world.consultation),  # before the chart's weeks
    ):
        submission = route(consultation, ministry, routed_at=now - timedelta(weeks=40))
        answer(officer, submission, at=now - timedelta(weeks=weeks_ago))
    weeks = monitoring.answers_per_week(weeks=26, now=now)
    assert len(weeks.week_starts) == len(weeks.overall) == 26
    assert all(start.weekday() == 0 for start in weeks.week_starts)  # weeks start on Monday
    assert weeks.week_starts[-1] <= today() < weeks.week_starts[-1] + timedelta(days=7)
    mine = weeks.of(world.ministry.id)
    assert (mine[-1], mine[-2], mine[-4]) == (2, 0, 1)
    assert weeks.of(world.other.id)[-2] == 1
    assert weeks.of(world.idle.id) == [0] * 26
    assert sum(weeks.overall) == 4
    assert weeks.overall[-1] == 2


def test_the_cache_keeps_figures_only_when_configured(
    world: World, app_with: Callable[..., Flask]
) -> None:
    answered_after(world.officer, world.consultation, world.ministry, 1)
    assert monitoring.current_figures() is not monitoring.current_figures()  # default: 0 s
    kept_app = app_with(MONITORING_CACHE_SECONDS=60)
    with kept_app.app_context():
        first = monitoring.current_figures()
    route(world.consultation, world.ministry)
    with kept_app.app_context():
        assert monitoring.current_figures() is first
    assert first.overall.received == 1
    assert monitoring.current_figures().overall.received == 2

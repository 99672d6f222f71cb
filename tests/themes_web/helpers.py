"""Counting the build's members one by one in Python: the oracle the dashboard must equal."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from listening_state.extensions import db
from listening_state.models import Stance, Submission, ThemeBuild, ThemeMember

ALMATY = ZoneInfo("Asia/Almaty")
Predicate = Callable[[Submission], bool]


def local_day(submission: Submission) -> date:
    return submission.created_at.astimezone(ALMATY).date()


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def member_rows(build: ThemeBuild) -> list[tuple[int | None, int | None, Submission]]:
    """(theme id, campaign id, submission) of every member, spam included."""
    stmt = (
        select(ThemeMember.theme_id, ThemeMember.campaign_id, Submission)
        .join(Submission, Submission.id == ThemeMember.submission_id)
        .where(ThemeMember.build_id == build.id)
    )
    return [(theme_id, campaign_id, s) for theme_id, campaign_id, s in db.session.execute(stmt)]


def counted(
    build: ThemeBuild, keep: Predicate = lambda s: True
) -> dict[int | None, Counter[Stance]]:
    """Submissions by theme and stance, spam left out, as the dashboard should count them."""
    found: dict[int | None, Counter[Stance]] = defaultdict(Counter)
    for theme_id, _, submission in member_rows(build):
        if not submission.is_spam and keep(submission):
            found[theme_id][submission.stance] += 1
    return found


def weekly(build: ThemeBuild, keep: Predicate = lambda s: True) -> Counter[date]:
    """Submissions by the Monday of their week, Kazakhstan time."""
    return Counter(
        monday(local_day(s)) for _, _, s in member_rows(build) if not s.is_spam and keep(s)
    )

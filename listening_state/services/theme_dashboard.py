"""The "What we heard" dashboard: a scope's latest themes counted under the reader's filters,
week by week, with their quotes and campaigns.

Every figure is an aggregate query over ThemeMember joined with Submission (GROUP BY theme and
stance, theme and week, campaign), so the page costs a handful of queries whatever the number
of submissions, and its numbers are the database's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, func, literal, select

from listening_state.authz import Actor
from listening_state.extensions import db
from listening_state.models import (
    Campaign,
    Stance,
    Submission,
    Theme,
    ThemeBuild,
    ThemeMember,
    Visibility,
)
from listening_state.models.base import UTCDateTime
from listening_state.services.deadlines import local_date
from listening_state.services.moderation import public_text
from listening_state.services.monitoring_sql import WholeUnitsBetween
from listening_state.services.reports import StanceCounts
from listening_state.services.submissions import not_spam
from listening_state.services.theme_views import (
    ThemeFilter,
    ThemeScope,
    conditions,
    latest_build,
    local_midnight,
    members,
    require_viewer,
)

MAX_CHART_WEEKS = 104  # two years; a ministry's older submissions are counted, not charted
WEEK_SECONDS = 7 * 86_400


@dataclass(frozen=True)
class ThemeCount:
    """One theme (None: "other") under the filters: its submissions by stance, week by week."""

    theme: Theme | None
    stances: StanceCounts
    share: float  # of all submissions counted
    weekly: tuple[int, ...]

    @property
    def count(self) -> int:
        return self.stances.total


@dataclass(frozen=True)
class Quote:
    reference: str
    text: str  # personal data replaced by markers
    stance: Stance
    language: str


@dataclass(frozen=True)
class CampaignSummary:
    campaign: Campaign
    theme: Theme | None
    members: int  # under the filters, spam left out
    representative: Submission | None


@dataclass(frozen=True)
class Dashboard:
    build: ThemeBuild
    themes: tuple[ThemeCount, ...]  # in the build's order, largest first
    other: ThemeCount
    total: int
    week_starts: tuple[date, ...]
    weekly_total: tuple[int, ...]
    quotes: Mapping[int, list[Quote]]  # by theme id
    campaigns: tuple[CampaignSummary, ...]


def stance_counts(
    build_id: int, where: Iterable[ColumnElement[bool]]
) -> dict[int | None, dict[Stance, int]]:
    """{theme id (None: other): {stance: submissions}} in one GROUP BY query."""
    stmt = members(build_id, where, ThemeMember.theme_id, Submission.stance, func.count())
    counted: dict[int | None, dict[Stance, int]] = defaultdict(dict)
    for theme_id, stance, count in db.session.execute(
        stmt.group_by(ThemeMember.theme_id, Submission.stance)
    ):
        counted[theme_id][stance] = int(count)
    return counted


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weekly_counts(
    build_id: int, where: Sequence[ColumnElement[bool]]
) -> tuple[tuple[date, ...], dict[int | None, list[int]]]:
    """Week starts (Mondays, Kazakhstan time) from the first submission's week to the last's,
    and each theme's submissions per week, grouped by theme and week in the database."""
    span = members(
        build_id, where, func.min(Submission.created_at), func.max(Submission.created_at)
    )
    first, last = db.session.execute(span).one()
    if first is None:
        return (), {}
    last_week = _monday(local_date(last))
    first_week = max(_monday(local_date(first)), last_week - timedelta(weeks=MAX_CHART_WEEKS - 1))
    n_weeks = (last_week - first_week).days // 7 + 1
    since = local_midnight(first_week)
    week = WholeUnitsBetween(
        Submission.created_at, literal(since, UTCDateTime), literal(WEEK_SECONDS)
    )
    stmt = members(build_id, [*where, Submission.created_at >= since], ThemeMember.theme_id, week)
    by_theme: dict[int | None, list[int]] = defaultdict(lambda: [0] * n_weeks)
    for theme_id, index, count in db.session.execute(
        stmt.add_columns(func.count()).group_by(ThemeMember.theme_id, week)
    ):
        if 0 <= index < n_weeks:
            by_theme[theme_id][index] += int(count)
    starts = tuple(first_week + timedelta(weeks=n) for n in range(n_weeks))
    return starts, by_theme


def quotes_of(
    themes: Sequence[Theme],
    where: Iterable[ColumnElement[bool]] = (),
    markers: Mapping[str, str] | None = None,
) -> dict[int, list[Quote]]:
    """Each theme's quotes that are still published (and match `where`), in the engine's
    order, with personal data replaced by markers: what may be quoted to anyone."""
    wanted = {int(i) for theme in themes for i in theme.quote_ids}
    stmt = select(Submission).where(
        Submission.id.in_(wanted), Submission.visibility == Visibility.PUBLISHED, *where
    )
    found = {s.id: s for s in db.session.scalars(stmt)} if wanted else {}
    return {
        theme.id: [
            Quote(s.reference, public_text(s, markers), s.stance, s.language)
            for s in (found.get(int(i)) for i in theme.quote_ids)
            if s is not None
        ]
        for theme in themes
    }


def _campaigns(
    build: ThemeBuild, where: Sequence[ColumnElement[bool]]
) -> tuple[CampaignSummary, ...]:
    counted: dict[int, int] = dict(
        db.session.execute(
            members(build.id, where, ThemeMember.campaign_id, func.count())
            .where(ThemeMember.campaign_id.is_not(None))
            .group_by(ThemeMember.campaign_id)
        ).all()
    )
    if not counted:
        return ()
    campaigns = list(
        db.session.scalars(
            select(Campaign)
            .where(Campaign.id.in_(counted))
            .order_by(Campaign.size.desc(), Campaign.id)
        )
    )
    wanted = [c.representative_id for c in campaigns if c.representative_id is not None]
    stmt = select(Submission).where(Submission.id.in_(wanted), not_spam())
    representatives = {s.id: s for s in db.session.scalars(stmt)}
    themes = {theme.id: theme for theme in build.themes}
    return tuple(
        CampaignSummary(
            campaign=c,
            theme=themes.get(c.theme_id) if c.theme_id is not None else None,
            members=int(counted[c.id]),
            representative=representatives.get(c.representative_id or 0),
        )
        for c in campaigns
    )


def _count(
    theme: Theme | None, stances: Mapping[Stance, int], total: int, weekly: Sequence[int]
) -> ThemeCount:
    counts = StanceCounts(stances)
    share = counts.total / total if total else 0.0
    return ThemeCount(theme=theme, stances=counts, share=share, weekly=tuple(weekly))


def dashboard(
    *,
    actor: Actor,
    scope: ThemeScope,
    filters: ThemeFilter,
    markers: Mapping[str, str] | None = None,
) -> Dashboard | None:
    """The scope's latest themes counted under the filters; None before the first build."""
    require_viewer(actor, scope)
    build = latest_build(scope)
    if build is None:
        return None
    where = conditions(filters)
    by_theme = stance_counts(build.id, where)
    total = sum(sum(stances.values()) for stances in by_theme.values())
    week_starts, weekly = weekly_counts(build.id, where)
    empty = [0] * len(week_starts)
    themes = tuple(
        _count(t, by_theme.get(t.id, {}), total, weekly.get(t.id, empty)) for t in build.themes
    )
    return Dashboard(
        build=build,
        themes=themes,
        other=_count(None, by_theme.get(None, {}), total, weekly.get(None, empty)),
        total=total,
        week_starts=week_starts,
        weekly_total=tuple(map(sum, zip(*weekly.values(), strict=True))),
        quotes=quotes_of(build.themes, where, markers),
        campaigns=_campaigns(build, where),
    )

"""What we heard, write side: rebuilding the themes and campaigns of a consultation or of a
ministry as a background job (new submissions between rebuilds: theme_assignment.py).

A rebuild reads the scope's submissions in chunks (spam left out, as everywhere the ministry
reads; only published ones may be quoted), finds campaigns, then themes with each campaign
as one entry, stores the fitted model files, and writes the build with its themes, campaigns
and members in ONE commit, pruning old builds in the same commit. Anything failing before
that commit leaves the previous build, hence the current themes, untouched.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import ColumnElement, and_, case, delete, func, insert, or_, select

from listening_state import authz
from listening_state.authz import Actor
from listening_state.extensions import db
from listening_state.ml.campaigns import (
    CampaignIndex,
    CampaignResult,
    CampaignSettings,
    assign_to_campaigns,
    build_index,
    find_campaigns,
)
from listening_state.ml.themes import ThemeSettings, ThemeSummary, build_themes
from listening_state.models import (
    BackgroundJob,
    Campaign,
    Consultation,
    Ministry,
    Submission,
    Theme,
    ThemeBuild,
    ThemeMember,
    Visibility,
)
from listening_state.models.base import utcnow
from listening_state.services import jobs, theme_models
from listening_state.services.errors import PermissionDenied
from listening_state.services.jobs import Report
from listening_state.services.submissions import not_spam

log = logging.getLogger(__name__)

REBUILD_KIND = "themes.rebuild"
LOAD_CHUNK = 5_000  # submissions read per query
INSERT_CHUNK = 10_000  # member rows per INSERT: a million never go through the ORM one by one


class NothingToAnalyse(Exception):
    """The scope has no submissions to find themes in."""


@dataclass(frozen=True)
class Scope:
    """What a build summarises: one consultation, or everything one ministry received."""

    consultation_id: int | None = None
    ministry_id: int | None = None

    @classmethod
    def of(
        cls, *, consultation: Consultation | None = None, ministry: Ministry | None = None
    ) -> Scope:
        if consultation is not None and ministry is None:
            return cls(consultation_id=consultation.id)
        if ministry is not None and consultation is None:
            return cls(ministry_id=ministry.id)
        raise ValueError("a theme scope is one consultation or one ministry")

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> Scope:
        consultation_id, ministry_id = params.get("consultation_id"), params.get("ministry_id")
        if (consultation_id is None) == (ministry_id is None):
            raise ValueError(f"job parameters name no single scope: {params!r}")
        return cls(consultation_id=consultation_id, ministry_id=ministry_id)

    @property
    def subject_key(self) -> str:
        if self.consultation_id is not None:
            return f"consultation:{self.consultation_id}"
        return f"ministry:{self.ministry_id}"

    @property
    def params(self) -> dict[str, Any]:
        if self.consultation_id is not None:
            return {"consultation_id": self.consultation_id}
        return {"ministry_id": self.ministry_id}

    def submissions(self) -> ColumnElement[bool]:
        """The submissions the scope summarises: a ministry hears what is routed to it and
        what is said on its consultations (as authz.can_view_submission lets it read)."""
        if self.consultation_id is not None:
            return Submission.consultation_id == self.consultation_id
        own = select(Consultation.id).where(Consultation.ministry_id == self.ministry_id)
        return or_(Submission.ministry_id == self.ministry_id, Submission.consultation_id.in_(own))

    def builds(self) -> ColumnElement[bool]:
        if self.consultation_id is not None:
            return ThemeBuild.consultation_id == self.consultation_id
        return and_(
            ThemeBuild.ministry_id == self.ministry_id, ThemeBuild.consultation_id.is_(None)
        )


def latest_build(scope: Scope) -> ThemeBuild | None:
    """The scope's current themes: its latest build."""
    return db.session.scalar(
        select(ThemeBuild)
        .where(scope.builds())
        .order_by(ThemeBuild.created_at.desc(), ThemeBuild.id.desc())
        .limit(1)
    )


def latest_builds(scopes: Sequence[Scope]) -> list[ThemeBuild]:
    """Each scope's latest build, in one query (a new comment asks for two or three scopes);
    scopes without a build are left out."""
    if not scopes:
        return []
    # One partition per scope: a consultation's builds, or a ministry's own (no consultation).
    scope_key = (
        ThemeBuild.consultation_id,
        case((ThemeBuild.consultation_id.is_(None), ThemeBuild.ministry_id)),
    )
    recency = func.row_number().over(
        partition_by=scope_key, order_by=(ThemeBuild.created_at.desc(), ThemeBuild.id.desc())
    )
    ranked = (
        select(ThemeBuild.id, recency.label("recency"))
        .where(or_(*(scope.builds() for scope in scopes)))
        .subquery()
    )
    return list(
        db.session.scalars(
            select(ThemeBuild)
            .join(ranked, ranked.c.id == ThemeBuild.id)
            .where(ranked.c.recency == 1)
            .order_by(ThemeBuild.id)
        )
    )


def request_rebuild(
    *, actor: Actor, consultation: Consultation | None = None, ministry: Ministry | None = None
) -> BackgroundJob:
    """Queue a rebuild of a consultation's or a ministry's themes (or return the one already
    queued or running); the ministry's officers and administrators ask for it."""
    scope = Scope.of(consultation=consultation, ministry=ministry)
    ministry_id = consultation.ministry_id if consultation is not None else scope.ministry_id
    if ministry_id is None or not authz.can_rebuild_themes(actor, ministry_id):
        raise PermissionDenied("only the ministry and administrators rebuild its themes")
    return jobs.enqueue(
        kind=REBUILD_KIND, subject_key=scope.subject_key, params=scope.params, requested_by=actor
    )


def consultations_without_themes(*, min_submissions: int) -> list[Consultation]:
    """Published consultations with at least this many submissions and no build yet."""
    counts = (
        select(Submission.consultation_id)
        .where(not_spam())
        .group_by(Submission.consultation_id)
        .having(func.count(Submission.id) >= min_submissions)
    )
    built = select(ThemeBuild.consultation_id).where(ThemeBuild.consultation_id.is_not(None))
    return list(
        db.session.scalars(
            select(Consultation)
            .where(
                Consultation.published_at.is_not(None),
                Consultation.id.in_(counts),
                Consultation.id.not_in(built),
            )
            .order_by(Consultation.id)
        )
    )


# -- the rebuild job ---------------------------------------------------------------------------


@dataclass
class Inputs:
    """The scope's submissions, in id order, as the engines read them."""

    ids: list[int] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    weeks: list[date] = field(default_factory=list)  # days in Kazakhstan: its weeks
    stances: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    quotable: list[bool] = field(default_factory=list)


def _load_inputs(scope: Scope, report: Report) -> Inputs:
    """Read in chunks by id (keyset), only the columns the engines need."""
    where = (scope.submissions(), not_spam())
    total = db.session.scalar(select(func.count(Submission.id)).where(*where)) or 0
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    inputs, last_id = Inputs(), 0
    while True:
        rows = db.session.execute(
            select(
                Submission.id,
                Submission.body,
                Submission.created_at,
                Submission.stance,
                Submission.language,
                Submission.visibility,
            )
            .where(*where, Submission.id > last_id)
            .order_by(Submission.id)
            .limit(LOAD_CHUNK)
        ).all()
        if not rows:
            return inputs
        for row in rows:
            inputs.ids.append(row.id)
            inputs.texts.append(row.body)  # stored sanitised at intake
            inputs.weeks.append(row.created_at.astimezone(zone).date())
            inputs.stances.append(row.stance.value)
            inputs.languages.append(row.language or "other")
            inputs.quotable.append(row.visibility is Visibility.PUBLISHED)
        last_id = rows[-1].id
        report(0.1 * len(inputs.ids) / max(total, 1), "reading submissions")


def run_rebuild(job: BackgroundJob, report: Report) -> None:
    """The job handler: find campaigns and themes, then write the build in one commit."""
    scope = Scope.from_params(job.params)
    started = time.perf_counter()
    inputs = _load_inputs(scope, report)
    if not inputs.ids:
        raise NothingToAnalyse(f"{scope.subject_key} has no submissions to find themes in")
    report(0.1, "finding campaigns")
    campaign_settings, theme_settings = CampaignSettings(), ThemeSettings()
    found = find_campaigns(inputs.texts, settings=campaign_settings, ids=inputs.ids)
    report(0.2, "finding themes")
    summary = build_themes(
        inputs.texts,
        ids=[str(i) for i in inputs.ids],
        times=inputs.weeks,
        stances=inputs.stances,
        languages=inputs.languages,
        quotable=inputs.quotable,
        campaign_of=[None if c is None else str(c) for c in found.campaign_of],
        settings=theme_settings,
        progress=lambda fraction, step: report(0.2 + 0.7 * fraction, step),
    )
    report(0.9, "saving")
    found_all = Found(found, summary, build_index(inputs.texts, found, campaign_settings))
    theme_file, index_file = theme_models.save_files(summary.model, found_all.index)
    settings = {
        "themes": dataclasses.asdict(theme_settings),
        "campaigns": dataclasses.asdict(campaign_settings),
        theme_models.INDEX_FILE: index_file.name,
        theme_models.INDEX_SHA256: index_file.sha256,
    }
    build = ThemeBuild(
        consultation_id=scope.consultation_id,
        ministry_id=scope.ministry_id,
        job_id=job.id,
        inputs=len(inputs.ids),
        other_count=summary.other_count,
        chosen_k=summary.chosen_k,
        settings=settings,
        model_file=theme_file.name,
        model_sha256=theme_file.sha256,
        seconds=round(time.perf_counter() - started, 3),
    )
    try:
        unused = _write_build(scope, build, inputs, found_all)
    except BaseException:
        db.session.rollback()
        _remove_files({theme_file.name, index_file.name})
        raise
    _remove_files(unused)


@dataclass(frozen=True)
class Found:
    """What the engines found in one rebuild."""

    campaigns: CampaignResult
    themes: ThemeSummary
    index: CampaignIndex  # the campaigns' representatives, for texts that come later


def _remove_files(names: set[str]) -> None:
    """Model files no build refers to any more; failing to delete one loses nothing."""
    try:
        theme_models.remove_unused(names)
    except Exception:
        log.warning("could not remove unused model files %s", sorted(names), exc_info=True)
        db.session.rollback()


def _write_build(scope: Scope, build: ThemeBuild, inputs: Inputs, found: Found) -> set[str]:
    """Insert the build, its themes, campaigns and members and prune old builds, in one
    commit; returns the files of the pruned builds."""
    quotable = {i for i, ok in zip(inputs.ids, inputs.quotable, strict=True) if ok}
    db.session.add(build)
    db.session.flush()
    themes = [
        Theme(
            build_id=build.id,
            position=theme.id,
            label=theme.label[:300],
            keywords=list(theme.keywords),
            size=theme.size,
            share=theme.share,
            stances=theme.stances,
            languages=theme.languages,
            trend=[[week.week_start.isoformat(), week.count] for week in theme.trend],
            quote_ids=[int(q) for q in theme.quotes if int(q) in quotable],
        )
        for theme in found.themes.themes
    ]
    db.session.add_all(themes)
    db.session.flush()
    theme_ids = {theme.position: theme.id for theme in themes}
    campaigns = [
        Campaign(
            build_id=build.id,
            theme_id=_theme_id(theme_ids, found.themes.assignments[campaign.members[0]]),
            size=campaign.size,
            representative_id=int(campaign.representative_id),
            mean_similarity=campaign.mean_similarity,
        )
        for campaign in found.campaigns.campaigns
    ]
    db.session.add_all(campaigns)
    db.session.flush()
    members = Members(build.id, theme_ids, campaigns, utcnow())
    for start in range(0, len(inputs.ids), INSERT_CHUNK):
        chunk = range(start, min(start + INSERT_CHUNK, len(inputs.ids)))
        rows = [
            members.row(inputs.ids[i], found.themes.assignments[i], found.campaigns.campaign_of[i])
            for i in chunk
        ]
        db.session.execute(insert(ThemeMember), rows)
    _add_late_arrivals(scope, max(inputs.ids), found, members)
    unused = _prune_old_builds(scope)
    db.session.commit()
    return unused


def _theme_id(theme_ids: dict[int, int], position: int | None) -> int | None:
    return None if position is None else theme_ids[position]


@dataclass(frozen=True)
class Members:
    """Turns the engines' numbers (theme positions, campaign numbers) into member rows."""

    build_id: int
    theme_ids: dict[int, int]  # theme position -> Theme.id
    campaigns: list[Campaign]  # in the engine's campaign order
    assigned_at: datetime

    def row(self, submission_id: int, position: int | None, campaign: int | None) -> dict[str, Any]:
        if campaign is not None:  # a campaign's copies share its theme
            theme_id = self.campaigns[campaign].theme_id
        else:
            theme_id = _theme_id(self.theme_ids, position)
        return {
            "build_id": self.build_id,
            "submission_id": submission_id,
            "theme_id": theme_id,
            "campaign_id": None if campaign is None else self.campaigns[campaign].id,
            "assigned_at": self.assigned_at,
        }


def _add_late_arrivals(scope: Scope, last_read_id: int, found: Found, members: Members) -> None:
    """Submissions stored while the engines ran were assigned to the previous build at
    intake; put them in this one too, or they would miss the themes until the next rebuild."""
    late = db.session.execute(
        select(Submission.id, Submission.body)
        .where(scope.submissions(), not_spam(), Submission.id > last_read_id)
        .order_by(Submission.id)
    ).all()
    if not late:
        return
    texts = [row.body for row in late]
    positions = found.themes.model.assign(texts)
    numbers = assign_to_campaigns(texts, found.index)
    rows = [
        members.row(row.id, position, number)
        for row, position, number in zip(late, positions, numbers, strict=True)
    ]
    db.session.execute(insert(ThemeMember), rows)


def _prune_old_builds(scope: Scope) -> set[str]:
    """Delete builds beyond the newest THEME_BUILDS_KEPT of the scope, children first (SQLite
    enforces no ON DELETE CASCADE unless asked to); returns their files."""
    kept = max(int(current_app.config["THEME_BUILDS_KEPT"]), 1)
    old = list(
        db.session.scalars(
            select(ThemeBuild)
            .where(scope.builds())
            .order_by(ThemeBuild.created_at.desc(), ThemeBuild.id.desc())
            .offset(kept)
        )
    )
    if not old:
        return set()
    old_ids = [build.id for build in old]
    files: set[str] = set()
    for build in old:
        files |= theme_models.files_of(build)
    for stmt in (
        delete(ThemeMember).where(ThemeMember.build_id.in_(old_ids)),
        delete(Campaign).where(Campaign.build_id.in_(old_ids)),
        delete(Theme).where(Theme.build_id.in_(old_ids)),
        delete(ThemeBuild).where(ThemeBuild.id.in_(old_ids)),
    ):
        db.session.execute(stmt.execution_options(synchronize_session=False))
    db.session.expire_all()
    return files

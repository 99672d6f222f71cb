"""What we heard, read side: the themes of a consultation (or one of its sections) or of a
ministry, counted live from the database under the reader's filters.

A scope's themes are those of its latest ThemeBuild. Sizes are counted from ThemeMember joined
with Submission by GROUP BY, so they follow moderation and the submissions assigned between
rebuilds; spam is left out, as everywhere the ministry reads. Officers of the scope's ministry,
members of its council and administrators read them (authz.can_view_themes).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import ColumnElement, Select, and_, select

from listening_state import authz
from listening_state.authz import Actor
from listening_state.extensions import db
from listening_state.models import (
    BackgroundJob,
    Campaign,
    Consultation,
    Ministry,
    PublicCouncil,
    Stance,
    Submission,
    Theme,
    ThemeBuild,
    ThemeMember,
)
from listening_state.services import jobs, ministries
from listening_state.services.errors import NotFound, PermissionDenied
from listening_state.services.submissions import LISTED_WITH, not_spam

THEMES_JOB = "themes.rebuild"


@dataclass(frozen=True)
class ThemeScope:
    """What the themes summarise: one consultation, or everything a ministry received."""

    ministry: Ministry  # the consultation's ministry for a consultation
    consultation: Consultation | None = None
    council_id: int | None = None  # the ministry's council, whose members read its themes

    @property
    def subject_key(self) -> str:
        """The rebuild job's subject (see theme_builds.request_rebuild)."""
        if self.consultation is not None:
            return f"consultation:{self.consultation.id}"
        return f"ministry:{self.ministry.id}"


@dataclass(frozen=True)
class ThemeFilter:
    section_id: int | None = None
    stance: Stance | None = None
    language: str = ""
    since: date | None = None  # Kazakhstan dates, both included
    until: date | None = None


# -- scopes and who reads them -----------------------------------------------------------------


def _ministry_council(ministry: Ministry) -> int | None:
    return db.session.scalar(
        select(PublicCouncil.id).where(PublicCouncil.ministry_id == ministry.id)
    )


def require_viewer(actor: Actor, scope: ThemeScope) -> None:
    if scope.consultation is not None:
        allowed = authz.can_view_themes(actor, scope.consultation)
    else:
        allowed = authz.can_view_ministry_themes(actor, scope.ministry.id, scope.council_id)
    if not allowed:
        raise PermissionDenied("only the ministry, its council and administrators")


def consultation_scope(*, actor: Actor, consultation_id: int) -> ThemeScope:
    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None:
        raise NotFound("consultation")
    scope = ThemeScope(ministry=consultation.ministry, consultation=consultation)
    require_viewer(actor, scope)
    return scope


def ministry_scope(*, actor: Actor, code: str) -> ThemeScope:
    ministry = ministries.get_by_code(code)
    scope = ThemeScope(ministry=ministry, council_id=_ministry_council(ministry))
    require_viewer(actor, scope)
    return scope


def may_rebuild(actor: Actor, scope: ThemeScope) -> bool:
    """Rebuilding and publishing are the ministry's; council members only read."""
    return authz.can_rebuild_themes(actor, scope.ministry.id)


def may_publish(actor: Actor, scope: ThemeScope) -> bool:
    return scope.consultation is not None and authz.can_publish_themes(actor, scope.consultation)


def _of_scope(scope: ThemeScope) -> ColumnElement[bool]:
    if scope.consultation is not None:
        return ThemeBuild.consultation_id == scope.consultation.id
    return and_(ThemeBuild.ministry_id == scope.ministry.id, ThemeBuild.consultation_id.is_(None))


def latest_build(scope: ThemeScope) -> ThemeBuild | None:
    """The scope's current themes: its latest build (a failed rebuild writes none)."""
    stmt = select(ThemeBuild).where(_of_scope(scope))
    return db.session.scalar(stmt.order_by(ThemeBuild.created_at.desc(), ThemeBuild.id.desc()))


def find_build(*, actor: Actor, scope: ThemeScope, build_id: int) -> ThemeBuild:
    """A build of this scope, by its id."""
    require_viewer(actor, scope)
    build = db.session.scalar(select(ThemeBuild).where(ThemeBuild.id == build_id, _of_scope(scope)))
    if build is None:
        raise NotFound("build")
    return build


def latest_rebuild(*, actor: Actor, scope: ThemeScope) -> BackgroundJob | None:
    require_viewer(actor, scope)
    return jobs.latest_job(kind=THEMES_JOB, subject_key=scope.subject_key)


def job_status(*, actor: Actor, job_id: int) -> BackgroundJob:
    """A job for a progress bar: a theme rebuild of a scope this actor reads (admins: any)."""
    job = db.session.get(BackgroundJob, job_id)
    if job is None:
        raise NotFound("job")
    if authz.is_admin(actor):
        return job
    kind, _, subject_id = job.subject_key.partition(":")
    if job.kind != THEMES_JOB or not subject_id.isdigit():
        raise NotFound("job")
    if kind == "consultation":
        consultation_scope(actor=actor, consultation_id=int(subject_id))
    elif kind == "ministry":
        ministry = ministries.get_by_id(int(subject_id))
        ministry_scope(actor=actor, code=ministry.code)
    else:
        raise NotFound("job")
    return job


# -- counting ----------------------------------------------------------------------------------


def local_midnight(day: date) -> datetime:
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)


def conditions(filters: ThemeFilter) -> list[ColumnElement[bool]]:
    """The filters as SQL on Submission; spam is always left out."""
    found = [not_spam()]
    if filters.section_id is not None:
        found.append(Submission.section_id == filters.section_id)
    if filters.stance is not None:
        found.append(Submission.stance == filters.stance)
    if filters.language:
        found.append(Submission.language == filters.language)
    if filters.since is not None:
        found.append(Submission.created_at >= local_midnight(filters.since))
    if filters.until is not None:
        found.append(Submission.created_at < local_midnight(filters.until + timedelta(days=1)))
    return found


def members(build_id: int, where: Iterable[ColumnElement[bool]], *columns: Any) -> Select[Any]:
    """`columns` over the build's members joined with their submissions."""
    return (
        select(*columns)
        .select_from(ThemeMember)
        .join(Submission, Submission.id == ThemeMember.submission_id)
        .where(ThemeMember.build_id == build_id, *where)
    )


# -- lists -------------------------------------------------------------------------------------


def _current(actor: Actor, scope: ThemeScope) -> ThemeBuild:
    require_viewer(actor, scope)
    build = latest_build(scope)
    if build is None:
        raise NotFound("themes")
    return build


def find_theme(*, actor: Actor, scope: ThemeScope, theme_id: int) -> Theme:
    """A theme of the scope's current build; themes of older builds are gone."""
    build = _current(actor, scope)
    theme = db.session.get(Theme, theme_id)
    if theme is None or theme.build_id != build.id:
        raise NotFound("theme")
    return theme


def theme_submissions(
    *,
    actor: Actor,
    scope: ThemeScope,
    theme: Theme | None,
    filters: ThemeFilter,
    page: int = 1,
    per_page: int = 50,
) -> Pagination:
    """The submissions of one theme (None: "other") under the filters, newest first."""
    build = _current(actor, scope)
    if theme is not None and theme.build_id != build.id:
        raise NotFound("theme")
    in_theme = ThemeMember.theme_id == theme.id if theme else ThemeMember.theme_id.is_(None)
    stmt = members(build.id, [in_theme, *conditions(filters)], Submission)
    stmt = stmt.order_by(Submission.created_at.desc(), Submission.id.desc()).options(*LISTED_WITH)
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def campaign_members(
    *, actor: Actor, scope: ThemeScope, campaign_id: int, page: int = 1, per_page: int = 50
) -> tuple[Campaign, Pagination]:
    """A campaign of the current build and, page by page, the submissions it groups."""
    build = _current(actor, scope)
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or campaign.build_id != build.id:
        raise NotFound("campaign")
    stmt = members(build.id, [ThemeMember.campaign_id == campaign.id, not_spam()], Submission)
    stmt = stmt.order_by(Submission.created_at, Submission.id).options(*LISTED_WITH)
    return campaign, db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def inbox_theme_choices(
    *, actor: Actor, ministry: Ministry, consultation: Consultation | None
) -> list[tuple[int, str]]:
    """(theme id, label) for the inbox's theme filter: the ministry's current themes, and the
    chosen consultation's."""
    if not authz.can_work_inbox(actor, ministry.id):
        raise PermissionDenied("only this ministry's officers and administrators")
    scopes = [ThemeScope(ministry=ministry)]
    if consultation is not None:
        scopes.append(ThemeScope(ministry=consultation.ministry, consultation=consultation))
    choices = []
    for scope in scopes:
        build = latest_build(scope)
        prefix = f"{scope.consultation.title}: " if scope.consultation is not None else ""
        choices += [(t.id, prefix + t.label) for t in (build.themes if build else [])]
    return choices


def theme_inboxes(*, actor: Actor, scope: ThemeScope, theme: Theme) -> list[Ministry]:
    """The inboxes a theme's page links to, filtered by the theme: those this actor works that
    hold some of its submissions, the scope's ministry first.

    Submissions are routed to whichever ministry is competent (or wait in triage), so the
    consultation's own ministry may hold none of them. A ministry's themes are offered in its
    own inbox only (inbox_theme_choices), so only that one is linked from them.
    """
    in_theme = select(ThemeMember.submission_id).where(ThemeMember.theme_id == theme.id)
    # The inbox's own conditions (inbox.filtered): routed there, not spam, in the theme.
    held = select(Submission.ministry_id).where(Submission.id.in_(in_theme), not_spam())
    stmt = select(Ministry).where(Ministry.id.in_(held))
    if scope.consultation is None:
        stmt = stmt.where(Ministry.id == scope.ministry.id)
    stmt = stmt.order_by(Ministry.id != scope.ministry.id, Ministry.code)
    return [m for m in db.session.scalars(stmt) if authz.can_work_inbox(actor, m.id)]

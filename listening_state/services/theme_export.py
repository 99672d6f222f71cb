"""A scope's themes with their submissions, for analysts: one row per submission, as CSV
(streamed) or an Excel workbook, under the dashboard's filters and permission check."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from sqlalchemy import Row
from sqlalchemy.orm import selectinload

from listening_state.authz import Actor
from listening_state.extensions import db
from listening_state.models import Submission, Theme, ThemeMember
from listening_state.services.errors import NotFound
from listening_state.services.moderation import text_for
from listening_state.services.spreadsheets import (
    Cell,
    csv_chunks,
    local_naive,
    rows_when_read,
    xlsx_bytes,
)
from listening_state.services.theme_views import (
    ThemeFilter,
    ThemeScope,
    conditions,
    latest_build,
    members,
    require_viewer,
)

COLUMNS = (
    "reference",
    "received_at",
    "theme_id",
    "theme",
    "campaign_id",
    "stance",
    "language",
    "consultation",
    "section",
    "text",
)
OTHER = "other"  # the theme column of submissions in no theme


def _rows(
    *,
    actor: Actor,
    scope: ThemeScope,
    filters: ThemeFilter,
    markers: Mapping[str, str] | None,
    batch: int,
) -> Iterator[tuple[Cell, ...]]:
    """The rows, lazily; refused at once (not at the first row) when the actor may not."""
    require_viewer(actor, scope)
    build = latest_build(scope)
    if build is None:
        raise NotFound("themes")
    labels = {theme.id: theme.label for theme in build.themes}
    stmt = (
        members(
            build.id,
            conditions(filters),
            Submission,
            ThemeMember.theme_id,
            ThemeMember.campaign_id,
        )
        .outerjoin(Theme, Theme.id == ThemeMember.theme_id)
        # Theme by theme as on the dashboard, "other" last (NULL order differs by backend).
        .order_by(Theme.position.is_(None), Theme.position, Submission.created_at, Submission.id)
        .options(selectinload(Submission.consultation), selectinload(Submission.section))
        .execution_options(yield_per=batch)
    )
    return rows_when_read(
        lambda: db.session.execute(stmt),
        lambda result: _row(result, labels=labels, actor=actor, markers=markers),
    )


def _row(
    result: Row[Submission, int | None, int | None],
    *,
    labels: Mapping[int, str],
    actor: Actor,
    markers: Mapping[str, str] | None,
) -> tuple[Cell, ...]:
    submission, theme_id, campaign_id = result
    return (
        submission.reference,
        local_naive(submission.created_at),
        theme_id,
        labels.get(theme_id, "") if theme_id is not None else OTHER,
        campaign_id,
        submission.stance.value,
        submission.language,
        submission.consultation.title,
        submission.section.heading if submission.section else "",
        text_for(actor, submission, markers),
    )


def export_csv(
    *,
    actor: Actor,
    scope: ThemeScope,
    filters: ThemeFilter,
    markers: Mapping[str, str] | None = None,
    batch: int = 500,
) -> Iterator[str]:
    """CSV in chunks, to stream; the permission check runs when this is called."""
    rows = _rows(actor=actor, scope=scope, filters=filters, markers=markers, batch=batch)
    return csv_chunks(COLUMNS, rows)


def export_xlsx(
    *,
    actor: Actor,
    scope: ThemeScope,
    filters: ThemeFilter,
    markers: Mapping[str, str] | None = None,
    batch: int = 500,
) -> bytes:
    """An .xlsx workbook with one sheet."""
    rows = _rows(actor=actor, scope=scope, filters=filters, markers=markers, batch=batch)
    return xlsx_bytes("Themes", COLUMNS, rows)

"""What the public hears of what we heard: a consultation's themes once its ministry publishes
them, shown on the consultation page and in its report after the consultation has closed.

The public figures count published comments only, as the report's figures do, so they never
reveal what moderation removed; quotes are published comments with personal data replaced.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from listening_state import authz
from listening_state.authz import Actor
from listening_state.extensions import db
from listening_state.models import (
    Consultation,
    ConsultationStatus,
    Submission,
    Theme,
    ThemeBuild,
    User,
    Visibility,
)
from listening_state.models.base import utcnow
from listening_state.services import audit
from listening_state.services.errors import InvalidTransition, PermissionDenied
from listening_state.services.reports import StanceCounts
from listening_state.services.theme_dashboard import Quote, quotes_of, stance_counts
from listening_state.services.theme_views import ThemeScope, latest_build

# The public sees a consultation's themes once it has closed (and after its report).
SHOWN_WHEN = (ConsultationStatus.CLOSED, ConsultationStatus.REPORT_PUBLISHED)


@dataclass(frozen=True)
class PublicTheme:
    theme: Theme
    stances: StanceCounts  # published comments only
    share: float
    quotes: list[Quote]

    @property
    def count(self) -> int:
        return self.stances.total


@dataclass(frozen=True)
class PublicThemes:
    build: ThemeBuild
    themes: list[PublicTheme]  # with at least one published comment, largest first
    other: int  # published comments in no theme
    total: int


def require_publisher(*, actor: Actor, consultation: Consultation) -> None:
    """Refuse anyone but the consultation's ministry (views ask before reading the form, so that
    those who may not publish learn nothing from its validation)."""
    if not authz.can_publish_themes(actor, consultation):
        raise PermissionDenied("only the consultation's ministry publishes its themes")


def publish_build(*, actor: Actor, build: ThemeBuild) -> None:
    """Let the public see this build's themes; only a consultation's latest build."""
    consultation = build.consultation
    if consultation is None:
        raise InvalidTransition("only a consultation's themes are published")
    require_publisher(actor=actor, consultation=consultation)
    latest = latest_build(ThemeScope(ministry=consultation.ministry, consultation=consultation))
    if build.published_at is not None or latest is None or latest.id != build.id:
        raise InvalidTransition("already published, or a newer build exists")
    build.published_at = utcnow()
    build.published_by_id = actor.id if isinstance(actor, User) else None
    audit.record(
        actor=actor,
        action="themes.publish",
        target=build,
        target_label=consultation.title,
        before={"published_at": None},
        after={"published_at": build.published_at},
    )
    db.session.commit()


def public_themes(
    consultation: Consultation, markers: Mapping[str, str] | None = None
) -> PublicThemes | None:
    """The published themes of a closed consultation, counted over published comments; None
    while it is open, or when its latest build is not published."""
    if consultation.status() not in SHOWN_WHEN:
        return None
    build = latest_build(ThemeScope(ministry=consultation.ministry, consultation=consultation))
    if build is None or build.published_at is None:
        return None
    published = [Submission.visibility == Visibility.PUBLISHED]
    by_theme = stance_counts(build.id, published)
    total = sum(sum(stances.values()) for stances in by_theme.values())
    quotes = quotes_of(build.themes, markers=markers)
    themes = [
        PublicTheme(
            theme=theme,
            stances=StanceCounts(by_theme[theme.id]),
            share=sum(by_theme[theme.id].values()) / total,
            quotes=quotes[theme.id],
        )
        for theme in build.themes
        if by_theme.get(theme.id)
    ]
    themes.sort(key=lambda shown: -shown.count)  # stable: the build's order among equals
    other = sum(by_theme.get(None, {}).values())
    return PublicThemes(build=build, themes=themes, other=other, total=total)

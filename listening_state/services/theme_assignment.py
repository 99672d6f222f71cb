"""New submissions between rebuilds: each joins the current themes of its consultation and of
its ministries at once, in the nearest theme (or "other") and in a campaign it copies, with
the build's stored models (verified by SHA-256, kept in memory per build)."""

from __future__ import annotations

import logging

from sqlalchemy import select

from listening_state.extensions import db
from listening_state.ml.campaigns import assign_to_campaigns
from listening_state.models import Campaign, Submission, Theme, ThemeBuild, ThemeMember
from listening_state.models.base import utcnow
from listening_state.services import theme_models
from listening_state.services.theme_builds import Scope, latest_builds

log = logging.getLogger(__name__)


def _builds_containing(submission: Submission) -> list[ThemeBuild]:
    """The current builds whose scope holds this submission: its consultation's, its
    consultation's ministry's and, once routed elsewhere, that ministry's."""
    ministry_ids = {submission.consultation.ministry_id}
    if submission.ministry_id is not None:
        ministry_ids.add(submission.ministry_id)
    scopes = [Scope(consultation_id=submission.consultation_id)]
    scopes += [Scope(ministry_id=ministry_id) for ministry_id in sorted(ministry_ids)]
    return latest_builds(scopes)


def assign_new_submission(submission: Submission) -> int:
    """Put a stored submission in the current themes of its scopes (nearest theme, or "other",
    and a campaign it copies); returns how many builds it joined. Never raises: a failure
    here is logged and the submission joins at the next rebuild."""
    joined = 0
    try:
        builds = _builds_containing(submission)
    except Exception:
        log.exception("no theme assignment for submission %s", submission.reference)
        db.session.rollback()
        return 0
    for build in builds:
        try:
            joined += int(_assign(build, submission))
            db.session.commit()
        except theme_models.ThemeModelUnavailable as error:
            log.warning("submission %s not assigned to themes: %s", submission.reference, error)
            db.session.rollback()
        except Exception:
            log.exception(
                "theme assignment of submission %s to build %s failed",
                submission.reference,
                build.id,
            )
            db.session.rollback()
    return joined


def _assign(build: ThemeBuild, submission: Submission) -> bool:
    if submission.is_spam:
        return False
    if db.session.get(ThemeMember, (build.id, submission.id)) is not None:
        return False  # already a member: the rebuild saw it
    loaded = theme_models.load(build)
    [position] = loaded.themes.assign([submission.body])
    [campaign_number] = assign_to_campaigns([submission.body], loaded.campaigns)
    campaign = None
    if campaign_number is not None:
        campaign = db.session.scalar(
            select(Campaign).where(
                Campaign.build_id == build.id,
                Campaign.representative_id == loaded.campaigns.keys[campaign_number],
            )
        )
    if campaign is not None:  # a copy of a campaign's text belongs to that campaign's theme
        theme_id = campaign.theme_id
    else:
        theme_id = (
            None
            if position is None
            else db.session.scalar(
                select(Theme.id).where(Theme.build_id == build.id, Theme.position == position)
            )
        )
    db.session.add(
        ThemeMember(
            build_id=build.id,
            submission_id=submission.id,
            theme_id=theme_id,
            campaign_id=campaign.id if campaign is not None else None,
            assigned_at=utcnow(),
        )
    )
    return True

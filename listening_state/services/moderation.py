"""Moderation by the Public Council: what the public sees of each comment, and why.

Moderation decides visibility only. A rejected comment still reaches the ministry, except spam,
which is the one reason that also drops it from the ministry's view.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import ColumnElement, Select, select, update

from listening_state import authz
from listening_state.authz import Actor
from listening_state.extensions import db
from listening_state.ml.language import detect_language
from listening_state.models import (
    Consultation,
    Flag,
    ModerationHintKind,
    ModerationReason,
    Submission,
    User,
    Visibility,
)
from listening_state.models.base import utcnow
from listening_state.personal_data import redact
from listening_state.sanitize import clean_plain_text
from listening_state.services import audit, moderation_hints, notifications
from listening_state.services.errors import (
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from listening_state.services.submissions import LISTED_WITH, personal_data_kinds, validate_body

MAX_NOTE = 1000


class QueueState:
    """The queue's state filter: what waits for a decision, or what was decided."""

    PENDING = "pending"
    PUBLISHED = "published"
    HIDDEN = "hidden"
    ALL = "all"
    CHOICES = (PENDING, PUBLISHED, HIDDEN, ALL)


@dataclass(frozen=True)
class QueueFilter:
    consultation_id: int | None = None
    state: str = QueueState.PENDING
    hint: ModerationHintKind | None = None


def public_text(submission: Submission, markers: Mapping[str, str] | None = None) -> str:
    """The comment as the public may read it: personal data replaced by markers."""
    if not submission.personal_data_kinds:
        return submission.body
    return redact(submission.body, markers)


def text_for(actor: Actor, submission: Submission, markers: Mapping[str, str] | None = None) -> str:
    """The original for those allowed to read personal data; the public version for others."""
    if authz.can_read_personal_data(actor, submission):
        return submission.body
    return public_text(submission, markers)


# -- the queue ---------------------------------------------------------------------------------


def _hint_condition(hint: ModerationHintKind) -> ColumnElement[bool]:
    config = current_app.config
    duplicate_min = float(config["DUPLICATE_HINT_MIN_SCORE"])
    risk_min = float(config["RISK_HINT_MIN_SCORE"])
    if hint is ModerationHintKind.FLAGGED:
        return Submission.open_flag_count > 0
    if hint is ModerationHintKind.PERSONAL_DATA:
        return Submission.personal_data_kinds != ""
    if hint is ModerationHintKind.DUPLICATE:
        return Submission.duplicate_score >= duplicate_min
    return Submission.risk_score >= risk_min


def _moderated_consultations(actor: Actor) -> Select[Consultation]:
    stmt = select(Consultation).where(Consultation.published_at.is_not(None))
    if not authz.is_admin(actor):
        council_ids = actor.council_ids() if isinstance(actor, User) else set()
        stmt = stmt.where(Consultation.council_id.in_(council_ids))
    return stmt


def queue_consultations(*, actor: Actor) -> list[Consultation]:
    """The consultations whose comments this actor moderates, for the queue's filter."""
    _require_any_moderator(actor)
    return list(db.session.scalars(_moderated_consultations(actor).order_by(Consultation.title)))


def moderation_queue(
    *, actor: Actor, filters: QueueFilter, page: int = 1, per_page: int = 50
) -> Pagination:
    """Items this actor may moderate, oldest first, narrowed by the filters."""
    _require_any_moderator(actor)
    consultation_ids = _moderated_consultations(actor).with_only_columns(Consultation.id)
    stmt = select(Submission).where(Submission.consultation_id.in_(consultation_ids))
    if filters.consultation_id is not None:
        stmt = stmt.where(Submission.consultation_id == filters.consultation_id)
    if filters.state != QueueState.ALL:
        stmt = stmt.where(Submission.visibility == Visibility(filters.state))
    if filters.hint is not None:
        stmt = stmt.where(_hint_condition(filters.hint))
    stmt = stmt.order_by(Submission.created_at, Submission.id).options(*LISTED_WITH)
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def open_flags(submissions: Sequence[Submission]) -> dict[int, list[Flag]]:
    """Unresolved reports of these submissions, loaded in one query for the queue page."""
    ids = [s.id for s in submissions]
    flags: dict[int, list[Flag]] = {i: [] for i in ids}
    if ids:
        stmt = (
            select(Flag)
            .where(Flag.submission_id.in_(ids), Flag.resolved_at.is_(None))
            .order_by(Flag.id)
        )
        for flag_row in db.session.scalars(stmt):
            flags[flag_row.submission_id].append(flag_row)
    return flags


def duplicate_originals(submissions: Sequence[Submission]) -> dict[int, Submission]:
    """The top duplicate candidate of each item, loaded in one query, so the queue can quote it."""
    ids = {s.duplicate_of_id for s in submissions if s.duplicate_of_id is not None}
    if not ids:
        return {}
    return {s.id: s for s in db.session.scalars(select(Submission).where(Submission.id.in_(ids)))}


def pending_count(*, actor: Actor) -> int:
    if not authz.can_moderate_anything(actor):
        return 0
    consultation_ids = _moderated_consultations(actor).with_only_columns(Consultation.id)
    stmt = select(db.func.count(Submission.id)).where(
        Submission.consultation_id.in_(consultation_ids),
        Submission.visibility == Visibility.PENDING,
    )
    return int(db.session.scalar(stmt) or 0)


def _require_any_moderator(actor: Actor) -> None:
    if not authz.can_moderate_anything(actor):
        raise PermissionDenied("only council members and administrators moderate")


def _require_moderator(actor: Actor, submission: Submission) -> None:
    if not authz.can_moderate(actor, submission.consultation):
        raise PermissionDenied("not a member of this consultation's council")


# -- decisions ---------------------------------------------------------------------------------


def _clean_note(note: str) -> str:
    note = clean_plain_text(note)
    if len(note) > MAX_NOTE:
        raise ValidationFailed(
            {"note": [str(_l("The note must be at most %(n)d characters long.", n=MAX_NOTE))]}
        )
    return note


def _state(submission: Submission) -> dict[str, object]:
    return {
        "visibility": submission.visibility,
        "reason": submission.moderation_reason,
        "open_flags": submission.open_flag_count,
    }


def _resolve_flags(submissions: Sequence[Submission]) -> None:
    """A decision closes the readers' reports on what it decides: one UPDATE for all."""
    db.session.execute(
        update(Flag)
        .where(Flag.submission_id.in_([s.id for s in submissions]), Flag.resolved_at.is_(None))
        .values(resolved_at=utcnow())
    )


def _decide(
    actor: Actor,
    submission: Submission,
    visibility: Visibility,
    reason: ModerationReason | None,
    note: str,
) -> None:
    before = _state(submission)
    submission.open_flag_count = 0  # its flags are resolved by decide_many
    submission.visibility = visibility
    submission.moderation_reason = reason
    submission.moderation_note = note
    submission.moderated_at = utcnow()
    submission.moderated_by_id = actor.id if isinstance(actor, User) else None
    audit.record(
        actor=actor,
        action="submission.approve" if reason is None else "submission.reject",
        target=submission,
        target_label=submission.reference,
        before=before,
        after=_state(submission),
        reason=" ".join(part for part in (reason.value if reason else "", note) if part),
    )


def approve(*, actor: Actor, submission: Submission, note: str = "") -> None:
    """Publish the comment (or keep it published after reports) and close its reports."""
    decide_many(actor=actor, submissions=[submission], reason=None, note=note)


def reject(
    *, actor: Actor, submission: Submission, reason: ModerationReason, note: str = ""
) -> None:
    """Hide the comment from the public, with a reason from the published rules."""
    decide_many(actor=actor, submissions=[submission], reason=reason, note=note)


def decide_many(
    *,
    actor: Actor,
    submissions: Sequence[Submission],
    reason: ModerationReason | None,
    note: str = "",
) -> int:
    """Approve (no reason) or reject (a reason) several items at once: all of them or none."""
    if not submissions:
        raise ValidationFailed({"selected": [str(_l("Select at least one comment."))]})
    for submission in submissions:
        _require_moderator(actor, submission)
    note = _clean_note(note)
    visibility = Visibility.PUBLISHED if reason is None else Visibility.HIDDEN
    news = [s for s in submissions if s.visibility is not visibility]  # a change tells the author
    _resolve_flags(submissions)
    for submission in submissions:
        _decide(actor, submission, visibility, reason, note)
    notifications.notify_moderated(news)
    db.session.commit()
    return len(submissions)


# -- reports by readers ------------------------------------------------------------------------


def flag_submission(
    *, actor: Actor, submission: Submission, reason: ModerationReason, note: str = ""
) -> Flag:
    """A reader reports a published comment; enough reports hide it until a moderator decides."""
    if not authz.can_flag(actor, submission) or not isinstance(actor, User):
        raise PermissionDenied("cannot report this comment")
    already = db.session.scalar(
        select(Flag.id).where(Flag.submission_id == submission.id, Flag.user_id == actor.id)
    )
    if already is not None:
        raise InvalidTransition("you have already reported this comment")
    flag_row = Flag(submission=submission, user=actor, reason=reason, note=_clean_note(note))
    db.session.add(flag_row)
    before = _state(submission)
    submission.open_flag_count += 1
    if submission.open_flag_count >= current_app.config["FLAG_HIDE_THRESHOLD"]:
        submission.visibility = Visibility.PENDING
    audit.record(
        actor=actor,
        action="submission.flag",
        target=submission,
        target_label=submission.reference,
        before=before,
        after=_state(submission),
        reason=" ".join(part for part in (reason.value, flag_row.note) if part),
    )
    db.session.commit()
    return flag_row


def has_flagged(*, actor: Actor, submission_ids: Sequence[int]) -> set[int]:
    """Which of these comments the actor has already reported (to show 'Reported')."""
    if not isinstance(actor, User) or not submission_ids:
        return set()
    stmt = select(Flag.submission_id).where(
        Flag.user_id == actor.id, Flag.submission_id.in_(submission_ids)
    )
    return set(db.session.scalars(stmt))


# -- the author's second chance ----------------------------------------------------------------


def can_resubmit(actor: Actor, submission: Submission) -> bool:
    return (
        isinstance(actor, User)
        and submission.author_id == actor.id
        and submission.visibility is Visibility.HIDDEN
        and submission.resubmitted_at is None
        and submission.consultation.is_open()
    )


def resubmit(*, actor: Actor, submission: Submission, body: str) -> None:
    """The author edits a rejected comment once and sends it back to the queue."""
    if not isinstance(actor, User) or submission.author_id != actor.id:
        raise NotFound("submission")
    if not can_resubmit(actor, submission):
        raise InvalidTransition("this comment cannot be edited again")
    new_body = validate_body(body)
    before = {**_state(submission), "body": submission.body}
    submission.body = new_body
    submission.personal_data_kinds = personal_data_kinds(new_body)
    submission.language = detect_language(new_body)
    submission.visibility = Visibility.PENDING
    submission.resubmitted_at = utcnow()
    audit.record(
        actor=actor,
        action="submission.resubmit",
        target=submission,
        target_label=submission.reference,
        before=before,
        after={**_state(submission), "body": submission.body},
    )
    db.session.commit()
    moderation_hints.compute_hints(submission)  # after the commit: a hint can never lose it

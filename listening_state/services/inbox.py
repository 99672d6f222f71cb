"""A ministry's inbox: what was routed to it, filtered and sorted, and how officers move each
submission along (review, assignment, closing without an answer; answers are in answers.py).

Spam is the one moderation outcome the ministry never sees, so every query here starts from
`not_spam()`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import selectinload

from listening_state import authz
from listening_state.authz import Actor
from listening_state.extensions import db
from listening_state.limits import is_id
from listening_state.models import (
    Consultation,
    Ministry,
    Role,
    RoleGrant,
    Stance,
    Submission,
    SubmissionStatus,
    ThemeMember,
    User,
)
from listening_state.sanitize import clean_plain_text
from listening_state.services import audit, deadlines
from listening_state.services.errors import (
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from listening_state.services.submissions import LISTED_WITH, not_spam
from listening_state.text import fold

MAX_SEARCH_WORDS = 8
MIN_CLOSE_REASON, MAX_CLOSE_REASON = 5, 1000

# Where a submission still waits for the ministry; answered and closed ones are done.
OPEN_STATUSES = (
    SubmissionStatus.RECEIVED,
    SubmissionStatus.ROUTED,
    SubmissionStatus.FORWARDED,
    SubmissionStatus.IN_REVIEW,
)
DONE_STATUSES = (SubmissionStatus.ANSWERED, SubmissionStatus.CLOSED)
REVIEWABLE = (SubmissionStatus.RECEIVED, SubmissionStatus.ROUTED, SubmissionStatus.FORWARDED)
INBOX_STATUSES = (
    SubmissionStatus.ROUTED,
    SubmissionStatus.FORWARDED,
    SubmissionStatus.IN_REVIEW,
    SubmissionStatus.ANSWERED,
    SubmissionStatus.CLOSED,
)


class Sort:
    OLDEST = "oldest"
    NEWEST = "newest"
    DUE = "due"
    CHOICES = (OLDEST, NEWEST, DUE)


class Assigned:
    ANYONE = ""
    ME = "me"
    UNASSIGNED = "unassigned"
    CHOICES = (ANYONE, ME, UNASSIGNED)


@dataclass(frozen=True)
class InboxFilter:
    consultation_id: int | None = None
    section_id: int | None = None
    status: SubmissionStatus | None = None
    stance: Stance | None = None
    overdue: bool = False
    due_soon: bool = False
    min_confidence: float | None = None  # 0..1, the router's confidence when it chose
    max_confidence: float | None = None
    assigned: str = Assigned.ANYONE
    query: str = ""
    sort: str = Sort.OLDEST
    theme_id: int | None = None  # a Theme's id: its members only (see theme_views)


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _word_condition(word: str) -> ColumnElement[bool]:
    """One search word in the body, whatever its case.

    PostgreSQL's ILIKE folds Cyrillic, SQLite's folds ASCII only; so the word is also matched
    as written, folded, upper case and capitalised, which covers how words appear in text.
    """
    folded = fold(word)
    variants = dict.fromkeys((word, folded, folded.upper(), folded.capitalize()))
    return or_(
        *(Submission.body.ilike(f"%{_like_escaped(variant)}%", escape="\\") for variant in variants)
    )


def _require_inbox(actor: Actor, ministry: Ministry) -> None:
    if not authz.can_work_inbox(actor, ministry.id):
        raise PermissionDenied("only this ministry's officers and administrators")


def filtered(
    *, actor: Actor, ministry: Ministry, filters: InboxFilter, on: date
) -> Select[Submission]:
    """The inbox query: the page and both exports use this, so they always agree."""
    _require_inbox(actor, ministry)
    stmt = select(Submission).where(Submission.ministry_id == ministry.id, not_spam())
    if filters.consultation_id is not None:
        stmt = stmt.where(Submission.consultation_id == filters.consultation_id)
    if filters.section_id is not None:
        stmt = stmt.where(Submission.section_id == filters.section_id)
    if filters.status is not None:
        stmt = stmt.where(Submission.status == filters.status)
    if filters.stance is not None:
        stmt = stmt.where(Submission.stance == filters.stance)
    if filters.overdue:
        stmt = stmt.where(deadlines.overdue_condition(on))
    if filters.due_soon:
        stmt = stmt.where(deadlines.due_soon_condition(on))
    if filters.min_confidence is not None:
        stmt = stmt.where(Submission.routing_confidence >= filters.min_confidence)
    if filters.max_confidence is not None:
        stmt = stmt.where(Submission.routing_confidence <= filters.max_confidence)
    if filters.assigned == Assigned.ME:
        stmt = stmt.where(Submission.assigned_to_id == (actor.id if isinstance(actor, User) else 0))
    elif filters.assigned == Assigned.UNASSIGNED:
        stmt = stmt.where(Submission.assigned_to_id.is_(None))
    if filters.theme_id is not None:
        members = select(ThemeMember.submission_id).where(ThemeMember.theme_id == filters.theme_id)
        stmt = stmt.where(Submission.id.in_(members))
    for word in filters.query.split()[:MAX_SEARCH_WORDS]:
        stmt = stmt.where(_word_condition(word))
    order: tuple[Any, ...]  # columns and ordering expressions of different types
    if filters.sort == Sort.NEWEST:
        order = (Submission.created_at.desc(), Submission.id.desc())
    elif filters.sort == Sort.DUE:
        # Undated ones last, on every backend (SQLite and PostgreSQL disagree on NULL order).
        order = (Submission.due_on.is_(None), Submission.due_on, Submission.id)
    else:
        order = (Submission.created_at, Submission.id)
    return stmt.order_by(*order)


def inbox(
    *,
    actor: Actor,
    ministry: Ministry,
    filters: InboxFilter,
    on: date,
    page: int = 1,
    per_page: int = 50,
) -> Pagination:
    """One page of the ministry's inbox."""
    stmt = filtered(actor=actor, ministry=ministry, filters=filters, on=on).options(
        *LISTED_WITH, selectinload(Submission.assigned_to), selectinload(Submission.answer)
    )
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def counts(ministry: Ministry, today: date) -> dict[str, int]:
    """Open, overdue, due soon and answered items of the ministry, counted in one query."""
    row = db.session.execute(
        select(
            func.count(Submission.id).filter(Submission.status.in_(OPEN_STATUSES)),
            func.count(Submission.id).filter(deadlines.overdue_condition(today)),
            func.count(Submission.id).filter(deadlines.due_soon_condition(today)),
            func.count(Submission.id).filter(Submission.status == SubmissionStatus.ANSWERED),
        ).where(Submission.ministry_id == ministry.id, not_spam())
    ).one()
    return {
        "open": int(row[0]),
        "overdue": int(row[1]),
        "due_soon": int(row[2]),
        "answered": int(row[3]),
    }


def inbox_ministries(*, actor: Actor) -> list[Ministry]:
    """The ministries whose inbox this actor may open: all of them for administrators."""
    stmt = select(Ministry).order_by(Ministry.code)
    if not authz.is_admin(actor):
        ids = actor.ministry_ids() if isinstance(actor, User) else set()
        stmt = stmt.where(Ministry.id.in_(ids))
    return list(db.session.scalars(stmt))


def inbox_consultations(*, actor: Actor, ministry: Ministry) -> list[Consultation]:
    """Consultations with submissions in this inbox, for the filter."""
    _require_inbox(actor, ministry)
    ids = select(Submission.consultation_id).where(Submission.ministry_id == ministry.id)
    stmt = select(Consultation).where(Consultation.id.in_(ids)).order_by(Consultation.title)
    return list(db.session.scalars(stmt.options(selectinload(Consultation.sections))))


def officers_of(ministry: Ministry) -> list[User]:
    """Who may be assigned the ministry's submissions."""
    stmt = (
        select(User)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .where(RoleGrant.role == Role.MINISTRY_OFFICER, RoleGrant.ministry_id == ministry.id)
        .order_by(User.display_name, User.id)
        .distinct()
    )
    return list(db.session.scalars(stmt))


def find_in_inbox(*, actor: Actor, ministry: Ministry, reference: str) -> Submission:
    """One submission of this inbox by its code; another ministry's is not found here."""
    _require_inbox(actor, ministry)
    submission = db.session.scalar(
        select(Submission).where(
            Submission.reference == reference.strip().upper(),
            Submission.ministry_id == ministry.id,
            not_spam(),
        )
    )
    if submission is None:
        raise NotFound("submission")
    return submission


# -- handling ----------------------------------------------------------------------------------


def _require_handler(actor: Actor, submission: Submission) -> None:
    if not authz.can_handle_submission(actor, submission) or submission.is_spam:
        raise PermissionDenied("only the responsible ministry handles this submission")


def _status_change(
    actor: Actor, submission: Submission, status: SubmissionStatus, action: str, reason: str = ""
) -> None:
    before = {"status": submission.status}
    submission.status = status
    audit.record(
        actor=actor,
        action=action,
        target=submission,
        target_label=submission.reference,
        before=before,
        after={"status": status},
        reason=reason,
    )


def start_review(*, actor: Actor, submission: Submission) -> None:
    """An officer takes a received (or forwarded) submission into review."""
    _require_handler(actor, submission)
    if submission.status not in REVIEWABLE:
        raise InvalidTransition("only a received submission can go into review")
    _status_change(actor, submission, SubmissionStatus.IN_REVIEW, "submission.status")
    db.session.commit()


def close_without_answer(*, actor: Actor, submission: Submission, reason: str) -> None:
    """Close a submission the ministry will not answer, saying why."""
    _require_handler(actor, submission)
    if submission.status not in OPEN_STATUSES:
        raise InvalidTransition("only a submission still waiting can be closed")
    reason = clean_plain_text(reason)
    if not MIN_CLOSE_REASON <= len(reason) <= MAX_CLOSE_REASON:
        message = _l(
            "Please give a reason of %(min)d to %(max)d characters.",
            min=MIN_CLOSE_REASON,
            max=MAX_CLOSE_REASON,
        )
        raise ValidationFailed({"reason": [str(message)]})
    submission.closed_reason = reason
    _status_change(actor, submission, SubmissionStatus.CLOSED, "submission.close", reason)
    db.session.commit()


def assign(*, actor: Actor, submissions: Sequence[Submission], officer: User | None) -> int:
    """Give one or several submissions to an officer of their ministry (None: unassign)."""
    if not submissions:
        raise ValidationFailed({"selected": [str(_l("Select at least one submission."))]})
    for submission in submissions:
        _require_handler(actor, submission)
        if submission.status not in OPEN_STATUSES:
            raise InvalidTransition("answered and closed submissions are not assigned")
        if officer is not None and not authz.can_be_assigned(officer, submission.ministry_id or 0):
            raise ValidationFailed(
                {"officer": [str(_l("Choose an officer of the responsible ministry."))]}
            )
    for submission in submissions:
        before = {"assigned_to_id": submission.assigned_to_id}
        submission.assigned_to_id = officer.id if officer is not None else None
        audit.record(
            actor=actor,
            action="submission.assign",
            target=submission,
            target_label=submission.reference,
            before=before,
            after={"assigned_to_id": submission.assigned_to_id},
        )
    db.session.commit()
    return len(submissions)


def get_officer(user_id: int) -> User:
    user = db.session.get(User, user_id) if is_id(user_id) else None
    if user is None:
        raise NotFound("user")
    return user

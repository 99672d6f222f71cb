"""Submissions: citizens comment on drafts and follow what happens to their comments."""

from __future__ import annotations

import secrets
import string

from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from listening_state import authz
from listening_state.authz import Actor
from listening_state.db_session import loaded_state_kept
from listening_state.extensions import db
from listening_state.limits import is_id
from listening_state.ml.language import detect_language
from listening_state.models import (
    Consultation,
    ConsultationSection,
    ModerationMode,
    ModerationReason,
    Stance,
    Submission,
    User,
    Visibility,
)
from listening_state.personal_data import find_personal_data
from listening_state.sanitize import clean_plain_text, markup_removed
from listening_state.services.errors import (
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)

MIN_BODY, MAX_BODY = 10, 5000
REFERENCE_ALPHABET = string.ascii_uppercase + string.digits
REFERENCE_ATTEMPTS = 5  # four clashes in a row would mean a broken random source
REFERENCE_PATTERN = r"LS-[A-Z0-9]{4}-[A-Z0-9]{4}"


def new_reference() -> str:
    """An unguessable public code, LS-XXXX-XXXX (36^8, about 2.8e12 values); the unique
    constraint on the column, not a query beforehand, catches the rare code already taken."""
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"LS-{chars[:4]}-{chars[4:]}"


def _reference_taken(error: IntegrityError) -> bool:
    # PostgreSQL names the constraint; SQLite names the column.
    message = str(error.orig)
    return "uq_submission_reference" in message or "submission.reference" in message


def _store(submission: Submission) -> None:
    """Commit a new submission under a fresh reference, drawing again if it was taken.

    The commit that stores it keeps what is loaded: the request goes on to show and route what
    it has just written. (A clash's rollback expires everything, so after one it is read again.)
    """
    with loaded_state_kept():
        for attempt in range(REFERENCE_ATTEMPTS):
            submission.reference = new_reference()
            db.session.add(submission)
            try:
                db.session.commit()
                return
            except IntegrityError as error:
                db.session.rollback()
                if not _reference_taken(error) or attempt == REFERENCE_ATTEMPTS - 1:
                    raise


def validate_body(body: str) -> str:
    """The comment as it will be stored, or ValidationFailed saying why it cannot be.

    Comments are stored as plain text. Rather than store a shorter text than the citizen
    wrote, without a word, a comment that holds markup is refused with what would go.
    """
    removed = markup_removed(body)
    if removed is not None:
        raise ValidationFailed({"body": [_markup_message(removed)]})
    cleaned = clean_plain_text(body)
    if not MIN_BODY <= len(cleaned) <= MAX_BODY:
        raise ValidationFailed(
            {
                "body": [
                    str(
                        _l(
                            "Your comment must be %(min)d to %(max)d characters long.",
                            min=MIN_BODY,
                            max=MAX_BODY,
                        )
                    )
                ]
            }
        )
    return cleaned


def _markup_message(removed: list[str]) -> str:
    if not removed:
        return str(
            _l(
                "Part of your comment is taken for web page code (it starts with <) and would "
                "be removed. Please write it without the < and > signs."
            )
        )
    return str(
        _l(
            "Text between < and > is taken for web page code and would be removed: "
            "%(fragments)s. Please write it another way, for example without the < and > signs.",
            fragments=", ".join(removed),
        )
    )


def initial_visibility(consultation: Consultation) -> Visibility:
    """Pre-moderation keeps a new comment from the public until approved; post shows it at once."""
    if consultation.moderation_mode is ModerationMode.POST:
        return Visibility.PUBLISHED
    return Visibility.PENDING


def personal_data_kinds(text: str) -> str:
    """The kinds of personal data in a text, comma-separated (empty when there are none)."""
    return ",".join(sorted({finding.kind for finding in find_personal_data(text)}))


def submit_feedback(
    *,
    actor: Actor,
    consultation: Consultation,
    body: str,
    stance: Stance,
    section: ConsultationSection | None = None,
) -> Submission:
    """Store a citizen's comment; it is committed before anything else may happen to it."""
    if not authz.can_submit(actor) or not isinstance(actor, User):
        raise PermissionDenied("sign in to comment")
    if not consultation.is_open():
        raise InvalidTransition("this consultation is not open for comments")
    if section is not None and section.consultation_id != consultation.id:
        raise NotFound("section")
    cleaned = validate_body(body)
    submission = Submission(
        consultation=consultation,
        section=section,
        author=actor,
        body=cleaned,
        personal_data_kinds=personal_data_kinds(cleaned),
        language=detect_language(cleaned),  # kk, ru, en or other: a hint for moderators
        stance=stance,
        visibility=initial_visibility(consultation),
    )
    _store(submission)
    return submission


def not_spam() -> ColumnElement[bool]:
    """Rejected as spam is the one moderation outcome the ministry does not see."""
    return or_(
        Submission.visibility != Visibility.HIDDEN,
        Submission.moderation_reason.is_distinct_from(ModerationReason.SPAM),
    )


# What list pages show of each submission, loaded with the page instead of once per row.
LISTED_WITH = (
    selectinload(Submission.consultation),
    selectinload(Submission.section),
    selectinload(Submission.author),
)


def published_submissions(
    *, consultation: Consultation, section_id: int | None = None, page: int = 1, per_page: int = 20
) -> Pagination:
    """What the public sees of a consultation's comments, newest first."""
    stmt = select(Submission).where(
        Submission.consultation_id == consultation.id,
        Submission.visibility == Visibility.PUBLISHED,
    )
    if section_id is not None:
        stmt = stmt.where(Submission.section_id == section_id)
    stmt = stmt.order_by(Submission.created_at.desc(), Submission.id.desc()).options(*LISTED_WITH)
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def submissions_of(*, author: User, page: int = 1, per_page: int = 20) -> Pagination:
    """A citizen's own submissions, newest first."""
    stmt = (
        select(Submission)
        .where(Submission.author_id == author.id)
        .order_by(Submission.created_at.desc(), Submission.id.desc())
        .options(*LISTED_WITH)
    )
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def get_many(ids: list[int]) -> list[Submission]:
    """The submissions with these ids, in the given order; unknown ids are an error."""
    if not all(map(is_id, ids)):
        raise NotFound("submission")
    found = {s.id: s for s in db.session.scalars(select(Submission).where(Submission.id.in_(ids)))}
    if len(found) != len(set(ids)):
        raise NotFound("submission")
    return [found[i] for i in dict.fromkeys(ids)]


def find_by_reference(*, actor: Actor, reference: str) -> Submission:
    """One submission by its code, for its author (and its ministry); others learn nothing."""
    submission = db.session.scalar(
        select(Submission).where(Submission.reference == reference.strip().upper())
    )
    if submission is None or not authz.can_view_submission(actor, submission):
        raise NotFound("submission")
    return submission


def find_published(*, reference: str) -> Submission:
    """A comment the public can see, by its code; anything else is not found."""
    submission = db.session.scalar(
        select(Submission).where(
            Submission.reference == reference.strip().upper(),
            Submission.visibility == Visibility.PUBLISHED,
        )
    )
    if submission is None:
        raise NotFound("submission")
    return submission

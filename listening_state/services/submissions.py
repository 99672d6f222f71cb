"""Submissions: citizens comment on drafts and follow what happens to their comments."""

from __future__ import annotations

import secrets
import string

from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from listening_state import authz
from listening_state.authz import Actor
from listening_state.extensions import db
from listening_state.models import (
    Consultation,
    ConsultationSection,
    Stance,
    Submission,
    User,
    Visibility,
)
from listening_state.sanitize import clean_plain_text
from listening_state.services.errors import (
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)

MIN_BODY, MAX_BODY = 10, 5000
REFERENCE_ALPHABET = string.ascii_uppercase + string.digits
REFERENCE_PATTERN = r"LS-[A-Z0-9]{4}-[A-Z0-9]{4}"


def new_reference() -> str:
    """An unguessable public code, LS-XXXX-XXXX (36^8, about 2.8e12 values)."""
    while True:
        chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
        reference = f"LS-{chars[:4]}-{chars[4:]}"
        if (
            db.session.scalar(select(Submission.id).where(Submission.reference == reference))
            is None
        ):
            return reference


def validate_body(body: str) -> str:
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
    submission = Submission(
        reference=new_reference(),
        consultation=consultation,
        section=section,
        author=actor,
        body=validate_body(body),
        stance=stance,
        visibility=Visibility.PUBLISHED,
    )
    db.session.add(submission)
    db.session.commit()
    return submission


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

"""Public answers of a ministry to submissions, and its reusable answer templates.

One answer may serve many submissions (a bulk answer, e.g. to everything said about one
section): a single Answer row that each submission links to.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from listening_state import authz
from listening_state.authz import Actor
from listening_state.extensions import db
from listening_state.models import (
    Answer,
    AnswerTemplate,
    Ministry,
    Submission,
    SubmissionStatus,
    User,
)
from listening_state.models.base import utcnow
from listening_state.sanitize import clean_line, clean_plain_text
from listening_state.services import audit, notifications
from listening_state.services.errors import (
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from listening_state.services.inbox import OPEN_STATUSES

MIN_ANSWER, MAX_ANSWER = 10, 10_000
MAX_TITLE = 200
TEMPLATE_LANGUAGES = ("kk", "ru", "en")


def _clean_answer(body: str, field: str = "body") -> str:
    body = clean_plain_text(body)
    if not MIN_ANSWER <= len(body) <= MAX_ANSWER:
        message = _l(
            "The answer must be %(min)d to %(max)d characters long.",
            min=MIN_ANSWER,
            max=MAX_ANSWER,
        )
        raise ValidationFailed({field: [str(message)]})
    return body


def answer_submissions(
    *,
    actor: Actor,
    submissions: Sequence[Submission],
    body: str,
    template: AnswerTemplate | None = None,
) -> Answer:
    """Answer one or several submissions with one public text: all of them or none."""
    if not submissions:
        raise ValidationFailed({"selected": [str(_l("Select at least one submission."))]})
    ministry_ids = {s.ministry_id for s in submissions}
    for submission in submissions:
        if not authz.can_handle_submission(actor, submission) or submission.is_spam:
            raise PermissionDenied("only the responsible ministry answers")
    if len(ministry_ids) != 1:
        raise ValidationFailed(
            {"selected": [str(_l("Answer the submissions of one ministry at a time."))]}
        )
    for submission in submissions:
        if submission.status not in OPEN_STATUSES:
            raise InvalidTransition(f"{submission.reference} is already answered or closed")
    ministry_id = submissions[0].ministry_id or 0
    if template is not None and template.ministry_id != ministry_id:
        raise NotFound("answer template")
    answer = Answer(
        ministry_id=ministry_id,
        body=_clean_answer(body),
        author_id=actor.id if isinstance(actor, User) else None,
        template_id=template.id if template is not None else None,
    )
    db.session.add(answer)
    db.session.flush()  # the answer's id goes into each audit entry
    now = utcnow()
    for submission in submissions:
        before = {"status": submission.status, "answer_id": submission.answer_id}
        submission.answer = answer
        submission.answered_at = now
        submission.status = SubmissionStatus.ANSWERED
        audit.record(
            actor=actor,
            action="submission.answer",
            target=submission,
            target_label=submission.reference,
            before=before,
            after={"status": submission.status, "answer_id": answer.id, "bulk": len(submissions)},
        )
    notifications.notify_answered(submissions)
    db.session.commit()
    return answer


# -- templates ---------------------------------------------------------------------------------


def _require_ministry(actor: Actor, ministry_id: int) -> None:
    if not authz.can_work_inbox(actor, ministry_id):
        raise PermissionDenied("only this ministry's officers and administrators")


def list_templates(*, actor: Actor, ministry: Ministry) -> list[AnswerTemplate]:
    _require_ministry(actor, ministry.id)
    stmt = (
        select(AnswerTemplate)
        .where(AnswerTemplate.ministry_id == ministry.id)
        .order_by(AnswerTemplate.title, AnswerTemplate.id)
    )
    return list(db.session.scalars(stmt))


def get_template(*, actor: Actor, ministry: Ministry, template_id: int) -> AnswerTemplate:
    """A template of this ministry; another ministry's is not found."""
    _require_ministry(actor, ministry.id)
    template = db.session.get(AnswerTemplate, template_id)
    if template is None or template.ministry_id != ministry.id:
        raise NotFound("answer template")
    return template


def _validated(
    ministry_id: int, title: str, body: str, language: str, own_id: int | None
) -> tuple[str, str, str]:
    errors: dict[str, list[str]] = {}
    title = clean_line(title)
    if not 1 <= len(title) <= MAX_TITLE:
        errors["title"] = [
            str(_l("Give the template a title of at most %(n)d characters.", n=MAX_TITLE))
        ]
    else:
        taken = db.session.scalar(
            select(AnswerTemplate.id).where(
                AnswerTemplate.ministry_id == ministry_id, AnswerTemplate.title == title
            )
        )
        if taken is not None and taken != own_id:
            errors["title"] = [str(_l("Another template already has this title."))]
    if language not in TEMPLATE_LANGUAGES:
        errors["language"] = [str(_l("Choose the template's language."))]
    try:
        body = _clean_answer(body)
    except ValidationFailed as error:
        errors.update(error.errors)
    if errors:
        raise ValidationFailed(errors)
    return title, body, language


def _template_state(template: AnswerTemplate) -> dict[str, object]:
    return {"title": template.title, "language": template.language, "body": template.body}


def create_template(
    *, actor: Actor, ministry: Ministry, title: str, body: str, language: str
) -> AnswerTemplate:
    _require_ministry(actor, ministry.id)
    title, body, language = _validated(ministry.id, title, body, language, None)
    template = AnswerTemplate(ministry_id=ministry.id, title=title, body=body, language=language)
    db.session.add(template)
    db.session.flush()
    audit.record(
        actor=actor,
        action="answer_template.create",
        target=template,
        target_label=title,
        after=_template_state(template),
    )
    db.session.commit()
    return template


def update_template(
    *, actor: Actor, template: AnswerTemplate, title: str, body: str, language: str
) -> AnswerTemplate:
    _require_ministry(actor, template.ministry_id)
    title, body, language = _validated(template.ministry_id, title, body, language, template.id)
    before = _template_state(template)
    template.title, template.body, template.language = title, body, language
    audit.record(
        actor=actor,
        action="answer_template.update",
        target=template,
        target_label=title,
        before=before,
        after=_template_state(template),
    )
    db.session.commit()
    return template


def delete_template(*, actor: Actor, template: AnswerTemplate) -> None:
    """Answers made from it keep their text; they only lose the link to the template."""
    _require_ministry(actor, template.ministry_id)
    audit.record(
        actor=actor,
        action="answer_template.delete",
        target=template,
        target_label=template.title,
        before=_template_state(template),
    )
    # Not every backend enforces ON DELETE SET NULL (SQLite without its pragma), so say it here.
    db.session.execute(
        update(Answer).where(Answer.template_id == template.id).values(template_id=None)
    )
    db.session.delete(template)
    db.session.commit()

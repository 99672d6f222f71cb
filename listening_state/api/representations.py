"""What the API returns for each thing: plain dicts that match the OpenAPI document's schemas."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from flask import url_for
from flask_sqlalchemy.pagination import Pagination

from listening_state.models import Consultation, Ministry, Submission
from listening_state.personal_data_markers import personal_data_markers
from listening_state.services import deadlines
from listening_state.services.moderation import public_text
from listening_state.services.theme_publication import PublicThemes

Json = dict[str, Any]


def timestamp(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z, as clients in any language parse it."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def page(pagination: Pagination, items: list[Json]) -> Json:
    return {
        "items": items,
        "page": pagination.page,
        "per_page": pagination.per_page,
        "total": pagination.total or 0,
        "pages": pagination.pages,
    }


def ministry(body: Ministry) -> Json:
    return {
        "id": body.id,
        "code": body.code,
        "name_kk": body.name_kk,
        "name_ru": body.name_ru,
        "name_en": body.name_en,
    }


def consultation_summary(consultation: Consultation) -> Json:
    return {
        "id": consultation.id,
        "title": consultation.title,
        "summary": consultation.summary,
        "language": consultation.language,
        "status": consultation.status().value,
        "ministry": ministry(consultation.ministry),
        "opens_at": timestamp(consultation.opens_at),
        "closes_at": timestamp(consultation.closes_at),
        "published_at": timestamp(consultation.published_at),
        "url": url_for("consultations.detail", consultation_id=consultation.id, _external=True),
    }


def consultation_detail(consultation: Consultation, counts: dict[int, int]) -> Json:
    return {
        **consultation_summary(consultation),
        "moderation_mode": consultation.moderation_mode.value,
        "sections": [
            {
                "id": section.id,
                "position": section.position,
                "heading": section.heading,
                "body_markdown": section.body_markdown,
                "comment_count": counts.get(section.id, 0),
            }
            for section in consultation.sections
        ],
    }


def _author_name(submission: Submission) -> str | None:
    author = submission.author
    if author is not None and author.is_active:
        return author.display_name
    return submission.author_label or None


def public_submission(submission: Submission) -> Json:
    """A published comment as anyone may read it: personal data replaced by markers in the
    reader's language, as on the consultation's page."""
    return {
        "reference": submission.reference,
        "consultation_id": submission.consultation_id,
        "section_id": submission.section_id,
        "stance": submission.stance.value,
        "language": submission.language,
        "author": _author_name(submission),
        "created_at": timestamp(submission.created_at),
        "body": public_text(submission, personal_data_markers()),
    }


def own_submission(submission: Submission) -> Json:
    """A submission as its author (or the ministry handling it) reads it: the original text,
    where it stands and the ministry's answer."""
    answer = submission.answer
    return {
        "reference": submission.reference,
        "consultation": {"id": submission.consultation_id, "title": submission.consultation.title},
        "section_id": submission.section_id,
        "stance": submission.stance.value,
        "language": submission.language,
        "status": submission.status.value,
        "visibility": submission.visibility.value,
        "moderation_reason": (
            submission.moderation_reason.value if submission.moderation_reason else None
        ),
        "created_at": timestamp(submission.created_at),
        "body": submission.body,
        "answer": (
            {"body": answer.body, "answered_at": timestamp(submission.answered_at)}
            if answer is not None
            else None
        ),
    }


def inbox_item(submission: Submission, today: date) -> Json:
    assigned = submission.assigned_to
    return {
        **own_submission(submission),
        "ministry_id": submission.ministry_id,
        "routed_at": timestamp(submission.routed_at),
        "due_on": day(submission.due_on),
        "overdue": deadlines.is_overdue(submission, today),
        "due_soon": deadlines.is_due_soon(submission, today),
        "routing_confidence": submission.routing_confidence,
        "assigned_to": (
            {"id": assigned.id, "display_name": assigned.display_name} if assigned else None
        ),
        "closed_reason": submission.closed_reason or None,
    }


def themes(shown: PublicThemes | None) -> Json:
    if shown is None:
        return {"published_at": None, "total": 0, "other": 0, "themes": []}
    return {
        "published_at": timestamp(shown.build.published_at),
        "total": shown.total,
        "other": shown.other,
        "themes": [
            {
                "label": item.theme.label,
                "keywords": list(item.theme.keywords),
                "count": item.count,
                "share": item.share,
                "stances": {stance.value: n for stance, n in item.stances.counts.items()},
                "quotes": [
                    {
                        "reference": quote.reference,
                        "text": quote.text,
                        "stance": quote.stance.value,
                        "language": quote.language,
                    }
                    for quote in item.quotes
                ],
            }
            for item in shown.themes
        ],
    }

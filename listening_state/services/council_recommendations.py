"""Recommendations a Public Council issues to its ministry, and the ministry's answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

from listening_state import authz
from listening_state.authz import Actor
from listening_state.extensions import db
from listening_state.models import (
    Consultation,
    CouncilMeeting,
    CouncilRecommendation,
    PublicCouncil,
    RecommendationStatus,
    User,
)
from listening_state.models.base import utcnow
from listening_state.sanitize import clean_line, clean_plain_text
from listening_state.services import audit
from listening_state.services.councils import require_keeper
from listening_state.services.errors import (
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)

ANSWER_STATUSES = (
    RecommendationStatus.ACCEPTED,
    RecommendationStatus.PARTLY_ACCEPTED,
    RecommendationStatus.REJECTED,
)
MAX_RECOMMENDATION_CHARS = 20_000


@dataclass(frozen=True)
class RecommendationInput:
    title: str
    text: str
    issued_on: date
    meeting: CouncilMeeting | None = None
    consultation: Consultation | None = None


def _validated_recommendation(council: PublicCouncil, data: RecommendationInput) -> tuple[str, str]:
    errors: dict[str, list[str]] = {}
    title, text = clean_line(data.title), clean_plain_text(data.text)
    if not 3 <= len(title) <= 300:
        errors["title"] = [str(_l("The title must be 3 to 300 characters long."))]
    if not 10 <= len(text) <= MAX_RECOMMENDATION_CHARS:
        errors["text"] = [str(_l("The recommendation must be 10 to 20,000 characters long."))]
    if data.meeting is not None and data.meeting.council_id != council.id:
        errors["meeting"] = [str(_l("Choose a meeting of this council."))]
    if data.consultation is not None and data.consultation.council_id != council.id:
        errors["consultation"] = [str(_l("Choose a consultation of this council."))]
    if errors:
        raise ValidationFailed(errors)
    return title, text


def issue_recommendation(
    *, actor: Actor, council: PublicCouncil, data: RecommendationInput
) -> CouncilRecommendation:
    """Publish a recommendation of the council to its ministry."""
    require_keeper(actor, council)
    title, text = _validated_recommendation(council, data)
    recommendation = CouncilRecommendation(
        council=council,
        title=title,
        text=text,
        issued_on=data.issued_on,
        meeting=data.meeting,
        consultation=data.consultation,
        status=RecommendationStatus.ISSUED,
    )
    db.session.add(recommendation)
    db.session.flush()
    audit.record(
        actor=actor,
        action="council.recommendation_issued",
        target=recommendation,
        target_label=title,
        after={"status": recommendation.status, "issued_on": data.issued_on, "title": title},
    )
    db.session.commit()
    return recommendation


def update_recommendation(
    *, actor: Actor, recommendation: CouncilRecommendation, data: RecommendationInput
) -> None:
    """Correct a recommendation; once the ministry has answered, its wording is settled."""
    require_keeper(actor, recommendation.council)
    if recommendation.status is not RecommendationStatus.ISSUED:
        raise InvalidTransition("the ministry has already answered this recommendation")
    title, text = _validated_recommendation(recommendation.council, data)
    before = {"title": recommendation.title, "text": recommendation.text}
    recommendation.title, recommendation.text = title, text
    recommendation.issued_on = data.issued_on
    recommendation.meeting, recommendation.consultation = data.meeting, data.consultation
    audit.record(
        actor=actor,
        action="council.recommendation_changed",
        target=recommendation,
        target_label=title,
        before=before,
        after={"title": title, "text": text},
    )
    db.session.commit()


def answer_recommendation(
    *,
    actor: Actor,
    recommendation: CouncilRecommendation,
    status: RecommendationStatus,
    answer: str,
) -> None:
    """Record the ministry's decision on a recommendation and its reasons (may be revised)."""
    if not authz.can_answer_recommendation(actor, recommendation):
        raise PermissionDenied("only the ministry answers its council's recommendations")
    errors: dict[str, list[str]] = {}
    answer = clean_plain_text(answer)
    if status not in ANSWER_STATUSES:
        errors["status"] = [str(_l("Choose accepted, partly accepted or rejected."))]
    if not 10 <= len(answer) <= MAX_RECOMMENDATION_CHARS:
        errors["answer"] = [str(_l("The answer must be 10 to 20,000 characters long."))]
    if errors:
        raise ValidationFailed(errors)
    before = {"status": recommendation.status, "ministry_answer": recommendation.ministry_answer}
    recommendation.status, recommendation.ministry_answer = status, answer
    recommendation.answered_at = utcnow()
    recommendation.answered_by_id = actor.id if isinstance(actor, User) else None
    audit.record(
        actor=actor,
        action="council.recommendation_answered",
        target=recommendation,
        target_label=recommendation.title,
        before=before,
        after={"status": status, "ministry_answer": answer},
    )
    db.session.commit()


def get_recommendation(recommendation_id: int) -> CouncilRecommendation:
    recommendation = db.session.get(CouncilRecommendation, recommendation_id)
    if recommendation is None:
        raise NotFound("recommendation")
    return recommendation


def get_managed_recommendation(*, actor: Actor, recommendation_id: int) -> CouncilRecommendation:
    recommendation = get_recommendation(recommendation_id)
    require_keeper(actor, recommendation.council)
    return recommendation


def get_answerable_recommendation(*, actor: Actor, recommendation_id: int) -> CouncilRecommendation:
    recommendation = get_recommendation(recommendation_id)
    if not authz.can_answer_recommendation(actor, recommendation):
        raise PermissionDenied("only the ministry answers its council's recommendations")
    return recommendation

"""Routing submissions to the responsible ministry: the model first, people where it is unsure."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from listening_state import authz
from listening_state.authz import Actor
from listening_state.extensions import db
from listening_state.ml.routing import Prediction
from listening_state.models import (
    Ministry,
    RoutingDecision,
    RoutingSource,
    Submission,
    SubmissionStatus,
    User,
)
from listening_state.models.base import utcnow
from listening_state.sanitize import clean_plain_text
from listening_state.services import audit, deadlines, notifications
from listening_state.services.errors import InvalidTransition, PermissionDenied, ValidationFailed
from listening_state.services.router_registry import RouterUnavailable, active_router
from listening_state.services.submissions import LISTED_WITH, not_spam

log = logging.getLogger(__name__)


def routing_text(submission: Submission) -> str:
    """What the router reads: the comment, with the draft and section it is about as context."""
    section = submission.section.heading if submission.section else ""
    return "\n".join(
        part for part in (submission.consultation.title, section, submission.body) if part
    )


def _ministries_by_code(codes: list[str]) -> dict[str, Ministry]:
    return {m.code: m for m in db.session.scalars(select(Ministry).where(Ministry.code.in_(codes)))}


def _suggestions(prediction: Prediction, ministries: dict[str, Ministry]) -> list[dict[str, Any]]:
    explanation = [
        {"term": term, "weight": round(weight, 4)} for term, weight in prediction.explanation
    ]
    return [
        {
            "code": s.label,
            "ministry_id": ministries[s.label].id if s.label in ministries else None,
            "probability": round(s.probability, 4),
            "explanation": explanation if rank == 0 else [],
        }
        for rank, s in enumerate(prediction.suggestions)
    ]


def route_new_submission(submission: Submission) -> RoutingDecision | None:
    """Route a stored submission; it never raises, so the citizen's success is never at risk.

    At or above the model's threshold the submission goes to the predicted ministry; below it,
    or when the model is missing, tampered with or fails, it waits in the triage queue.
    """
    # Read while the submission is loaded: after a failed flush its attributes are expired,
    # and reading them for a log line would query a database that may be the thing that failed.
    reference = submission.reference
    try:
        return _route_with_model(submission)
    except Exception:
        log.exception("routing failed for submission %s; sending it to triage", reference)
        db.session.rollback()
    try:
        return _record(
            submission, RoutingDecision(source=RoutingSource.MODEL, reason="router unavailable")
        )
    except Exception:
        log.exception("could not record triage for submission %s", reference)
        db.session.rollback()
        return None


def _route_with_model(submission: Submission) -> RoutingDecision:
    try:
        loaded = active_router()
    except RouterUnavailable as error:
        log.warning(
            "router unavailable, submission %s goes to triage: %s", submission.reference, error
        )
        return _record(
            submission, RoutingDecision(source=RoutingSource.MODEL, reason="router unavailable")
        )
    prediction = loaded.model.predict_one(routing_text(submission))
    ministries = _ministries_by_code([s.label for s in prediction.suggestions])
    top = prediction.top
    target = ministries.get(top.label)
    confident = target is not None and top.probability >= loaded.model.threshold
    decision = RoutingDecision(
        source=RoutingSource.MODEL,
        to_ministry_id=target.id if confident and target else None,
        model_version=loaded.version,
        confidence=top.probability,
        suggestions=_suggestions(prediction, ministries),
    )
    return _record(submission, decision)


def _audit(actor: Actor, submission: Submission, decision: RoutingDecision) -> None:
    audit.record(
        actor=actor,
        action=f"routing.{decision.source.value}",
        target=submission,
        target_label=submission.reference,
        before={"ministry_id": decision.from_ministry_id},
        after={"ministry_id": decision.to_ministry_id, "confidence": decision.confidence},
        reason=decision.reason,
    )


def _record(
    submission: Submission, decision: RoutingDecision, actor: Actor = authz.SYSTEM
) -> RoutingDecision:
    """Apply a decision to the submission and store both, in one commit."""
    decision.from_ministry_id = submission.ministry_id
    submission.routing_history.append(decision)
    _audit(actor, submission, decision)
    if decision.to_ministry_id is None:
        submission.status = SubmissionStatus.NEEDS_TRIAGE
    else:
        submission.ministry_id = decision.to_ministry_id
        deadlines.start_clock(submission, at=utcnow())  # a forward restarts the clock
        submission.status = (
            SubmissionStatus.FORWARDED
            if decision.source is RoutingSource.REROUTE
            else SubmissionStatus.ROUTED
        )
    if decision.source is RoutingSource.MODEL:
        submission.routing_confidence = decision.confidence
    notifications.notify_routing(submission, decision)
    db.session.commit()
    return decision


def triage_queue(*, actor: Actor, page: int = 1, per_page: int = 50) -> Pagination:
    """Submissions the router was unsure about, oldest first (administrators)."""
    if not authz.can_triage(actor):
        raise PermissionDenied("only administrators triage")
    stmt = (
        select(Submission)
        .where(Submission.status == SubmissionStatus.NEEDS_TRIAGE, not_spam())
        .order_by(Submission.created_at, Submission.id)
        .options(*LISTED_WITH, selectinload(Submission.routing_history))
    )
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def latest_suggestions(submission: Submission) -> list[dict[str, Any]]:
    for decision in reversed(submission.routing_history):
        if decision.source is RoutingSource.MODEL and decision.suggestions:
            return decision.suggestions
    return []


def assign_from_triage(
    *, actor: Actor, submissions: Sequence[Submission], ministry: Ministry, reason: str = ""
) -> int:
    """Send one or several triaged submissions to a ministry; each becomes training data."""
    if not authz.can_triage(actor):
        raise PermissionDenied("only administrators triage")
    waiting = [s for s in submissions if s.status is SubmissionStatus.NEEDS_TRIAGE]
    if len(waiting) != len(submissions):
        raise InvalidTransition("only submissions waiting in triage can be assigned")
    for submission in waiting:
        decision = RoutingDecision(
            source=RoutingSource.TRIAGE,
            from_ministry_id=submission.ministry_id,
            to_ministry_id=ministry.id,
            actor_id=actor.id if isinstance(actor, User) else None,
            reason=clean_plain_text(reason),
        )
        submission.routing_history.append(decision)
        _audit(actor, submission, decision)
        submission.ministry_id = ministry.id
        submission.status = SubmissionStatus.ROUTED
        deadlines.start_clock(submission, at=utcnow())
    notifications.notify_routed(waiting)
    db.session.commit()
    return len(waiting)


def require_rerouter(*, actor: Actor, submission: Submission) -> None:
    """Only the ministry a submission is routed to sends it on (views ask before reading the
    form, so that its author, who may open the submission, is refused rather than corrected)."""
    if submission.ministry_id is None or not authz.can_manage_ministry(
        actor, submission.ministry_id
    ):
        raise PermissionDenied("only the responsible ministry can send a submission on")


def reroute_submission(
    *, actor: Actor, submission: Submission, ministry: Ministry, reason: str
) -> RoutingDecision:
    """An officer sends a submission routed to their ministry on to the competent one."""
    require_rerouter(actor=actor, submission=submission)
    if submission.status in (SubmissionStatus.ANSWERED, SubmissionStatus.CLOSED):
        raise InvalidTransition("an answered or closed submission is not sent on")
    reason = clean_plain_text(reason)
    errors: dict[str, list[str]] = {}
    if len(reason) < 5:
        errors["reason"] = [str(_l("Please say why this is not your ministry's competence."))]
    if ministry.id == submission.ministry_id:
        errors["ministry"] = [str(_l("Choose another ministry."))]
    if errors:
        raise ValidationFailed(errors)
    decision = RoutingDecision(
        source=RoutingSource.REROUTE,
        to_ministry_id=ministry.id,
        actor_id=actor.id if isinstance(actor, User) else None,
        reason=reason,
    )
    return _record(submission, decision, actor)

"""Receiving a citizen's comment: store it first, then route it (routing can never lose it)."""

from __future__ import annotations

from listening_state.authz import Actor
from listening_state.models import Consultation, ConsultationSection, Stance, Submission
from listening_state.services import routing, submissions


def receive_feedback(
    *,
    actor: Actor,
    consultation: Consultation,
    body: str,
    stance: Stance,
    section: ConsultationSection | None = None,
) -> Submission:
    """Commit the submission, then route it; a routing failure leaves it saved, in triage."""
    submission = submissions.submit_feedback(
        actor=actor, consultation=consultation, body=body, stance=stance, section=section
    )
    routing.route_new_submission(submission)
    return submission

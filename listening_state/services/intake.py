"""Receiving a citizen's comment: store it first, then route it (routing can never lose it)."""

from __future__ import annotations

from listening_state.authz import Actor
from listening_state.models import Consultation, ConsultationSection, Stance, Submission
from listening_state.services import moderation_hints, routing, submissions


def receive_feedback(
    *,
    actor: Actor,
    consultation: Consultation,
    body: str,
    stance: Stance,
    section: ConsultationSection | None = None,
) -> Submission:
    """Commit the submission, then route it and add moderators' hints; neither can lose it.

    A routing failure leaves it saved, in triage; a hint failure leaves it without that hint.
    """
    submission = submissions.submit_feedback(
        actor=actor, consultation=consultation, body=body, stance=stance, section=section
    )
    routing.route_new_submission(submission)
    moderation_hints.compute_hints(submission)
    return submission

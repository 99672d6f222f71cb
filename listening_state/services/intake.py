"""Receiving a citizen's comment: store it first, then route it (routing can never lose it)."""

from __future__ import annotations

from listening_state.authz import Actor
from listening_state.models import Consultation, ConsultationSection, Stance, Submission
from listening_state.services import moderation_hints, routing, submissions, theme_assignment


def receive_feedback(
    *,
    actor: Actor,
    consultation: Consultation,
    body: str,
    stance: Stance,
    section: ConsultationSection | None = None,
) -> Submission:
    """Commit the submission, then route it, add moderators' hints and put it in the current
    themes of its consultation and ministry; none of these can lose it.

    A routing failure leaves it saved, in triage; a hint failure leaves it without that hint;
    a theme failure leaves it out of the themes until the next rebuild.
    """
    submission = submissions.submit_feedback(
        actor=actor, consultation=consultation, body=body, stance=stance, section=section
    )
    routing.route_new_submission(submission)
    moderation_hints.compute_hints(submission)
    theme_assignment.assign_new_submission(submission)  # after routing: its ministry is known
    return submission

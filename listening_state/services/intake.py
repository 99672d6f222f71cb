"""Receiving a citizen's comment: store it first, then route it (routing can never lose it).

The rest of intake (routing, moderators' hints, themes) runs in the request by default, so the
citizen's confirmation already names the ministry. With INTAKE_DEFERRED it runs in the job
sweep instead: the request only stores the comment, and a worker finishes it seconds later, so
a flood of comments costs the web processes little and waits in the table rather than in
their queues.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import ColumnElement, exists, select

from listening_state.authz import Actor
from listening_state.db_session import loaded_state_kept
from listening_state.extensions import db
from listening_state.models import (
    Consultation,
    ConsultationSection,
    RoutingDecision,
    Stance,
    Submission,
    SubmissionStatus,
)
from listening_state.models.base import utcnow
from listening_state.services import moderation_hints, routing, submissions, theme_assignment

log = logging.getLogger(__name__)

STRANDED_LIMIT = 100  # submissions finished per sweep; the next sweep takes the rest


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
    if not current_app.config["INTAKE_DEFERRED"]:
        _after_storing(submission)
    return submission


def _after_storing(submission: Submission) -> bool:
    """Route, hint and theme a stored submission; False when not even triage could be recorded
    (it stays stranded for the next sweep).

    Each step commits what it wrote; the next goes on with the submission as it stands instead
    of reading it back.
    """
    with loaded_state_kept():
        decision = routing.route_new_submission(submission)
        moderation_hints.compute_hints(submission)
        theme_assignment.assign_new_submission(submission)  # after routing: its ministry is known
    return decision is not None


def _stranded(cutoff: datetime) -> tuple[ColumnElement[bool], ...]:
    """Comments stored but never routed: deferred ones, or ones whose process or database died
    between the commit that stored them and the one that routed them. Imported comments (with
    a source key) are left unrouted on purpose, and, unless intake is deferred, a comment
    younger than the cutoff may still be in its request."""
    return (
        Submission.status == SubmissionStatus.RECEIVED,
        Submission.ministry_id.is_(None),
        Submission.source_key.is_(None),
        Submission.created_at < cutoff,
        ~exists().where(RoutingDecision.submission_id == Submission.id),
    )


def finish_stranded(*, now: datetime | None = None) -> int:
    """Route (and hint, and theme) the stranded comments; returns how many were finished.

    Called by the job sweep. Each comment is taken under a row lock that other sweepers skip
    (PostgreSQL), and looked at again once locked, so two workers never route one twice.
    Deferred intake takes every stored comment, batch after batch until fewer than a batch were
    finished (none left, other workers took some, or routing could not be recorded) or for at
    most INTAKE_SWEEP_SECONDS, so that in a flood the sweep still returns to its other work
    (periodic jobs, stale ones); otherwise one batch of those older than
    INTAKE_RECOVERY_SECONDS.
    """
    if not current_app.config["INTAKE_DEFERRED"]:
        age = timedelta(seconds=float(current_app.config["INTAKE_RECOVERY_SECONDS"]))
        return _finish_batch(_stranded((now or utcnow()) - age), stranded_by_failure=True)
    finished = 0
    deadline = time.monotonic() + float(current_app.config["INTAKE_SWEEP_SECONDS"])
    while True:
        batch = _finish_batch(_stranded(now or utcnow()), stranded_by_failure=False)
        finished += batch
        if batch < STRANDED_LIMIT or time.monotonic() >= deadline:
            return finished


def _finish_batch(stranded: tuple[ColumnElement[bool], ...], *, stranded_by_failure: bool) -> int:
    ids = list(
        db.session.scalars(
            select(Submission.id).where(*stranded).order_by(Submission.id).limit(STRANDED_LIMIT)
        )
    )
    db.session.rollback()
    finished = 0
    for submission_id in ids:
        submission = db.session.scalar(
            select(Submission)
            .where(Submission.id == submission_id, *stranded)
            .with_for_update(skip_locked=True)
        )
        if submission is None:  # another worker has it, or finished it meanwhile
            db.session.rollback()
            continue
        if stranded_by_failure:
            log.warning(
                "submission %s was stored but never routed: routing it now", submission.reference
            )
        finished += _after_storing(submission)  # its first commit releases the lock
    return finished

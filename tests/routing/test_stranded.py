"""A comment stored but never routed (the process or the database died right after storing it)
is routed by the job sweep, once, and nothing else is touched."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from listening_state.extensions import db
from listening_state.models import (
    Consultation,
    Ministry,
    RouterVersion,
    RoutingDecision,
    Stance,
    Submission,
    SubmissionStatus,
)
from listening_state.models.base import utcnow
from listening_state.services import intake, periodic_jobs, submissions
from tests.concurrently import at_once
from tests.factories import make_consultation, make_user
from tests.routing.conftest import held_out_petition


@pytest.fixture
def consultation(ministries: dict[str, Ministry]) -> Consultation:
    return make_consultation(ministries["MT"], title="Draft rules for public transport fares")


def stored_only(consultation: Consultation, index: int = 0, age_seconds: int = 120) -> Submission:
    """What a request leaves behind when it dies between storing and routing."""
    submission = submissions.submit_feedback(
        actor=make_user(),
        consultation=consultation,
        body=held_out_petition("MT", index),
        stance=Stance.SUPPORT,
    )
    submission.created_at = utcnow() - timedelta(seconds=age_seconds)
    db.session.commit()
    return submission


def decisions(submission: Submission) -> int:
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(RoutingDecision)
            .where(RoutingDecision.submission_id == submission.id)
        )
        or 0
    )


def test_the_sweep_routes_a_comment_that_was_stored_but_never_routed(
    active_router: RouterVersion, consultation: Consultation, ministries: dict[str, Ministry]
) -> None:
    stranded = stored_only(consultation)
    assert stranded.status is SubmissionStatus.RECEIVED
    report = periodic_jobs.sweep()
    assert report.stranded == 1
    db.session.refresh(stranded)
    assert stranded.status is SubmissionStatus.ROUTED
    assert stranded.ministry_id == ministries["MT"].id
    assert decisions(stranded) == 1
    assert periodic_jobs.sweep().stranded == 0  # once only


def test_a_young_comment_an_imported_one_and_a_routed_one_are_left_alone(
    active_router: RouterVersion, consultation: Consultation
) -> None:
    young = stored_only(consultation, 0, age_seconds=5)  # its request may still be routing it
    imported = stored_only(consultation, 1)
    imported.source_key = "polis:demo:1"  # imported demo comments stay unrouted on purpose
    db.session.commit()
    routed = intake.receive_feedback(
        actor=make_user(),
        consultation=consultation,
        body=held_out_petition("MT", 2),
        stance=Stance.SUPPORT,
    )
    routed.created_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    assert intake.finish_stranded() == 0
    assert [decisions(s) for s in (young, imported, routed)] == [0, 0, 1]
    # Once old enough, the young one is finished too.
    later = utcnow() + timedelta(seconds=120)
    assert intake.finish_stranded(now=later) == 1
    assert decisions(young) == 1


def test_without_a_router_a_stranded_comment_goes_to_triage(consultation: Consultation) -> None:
    stranded = stored_only(consultation)
    assert intake.finish_stranded() == 1
    db.session.refresh(stranded)
    assert stranded.status is SubmissionStatus.NEEDS_TRIAGE


@pytest.mark.postgres
def test_workers_sweeping_at_once_route_a_stranded_comment_once(
    app_with: Callable[..., Flask], active_router: RouterVersion, consultation: Consultation
) -> None:
    stranded = [stored_only(consultation, index) for index in range(3)]
    finished = at_once(app_with(), 3, intake.finish_stranded)
    assert sum(finished) == 3
    assert [decisions(s) for s in stranded] == [1, 1, 1]

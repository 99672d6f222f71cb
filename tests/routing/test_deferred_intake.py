"""Deferred intake (INTAKE_DEFERRED): the comment request only stores the comment, and the job
sweep routes it, adds the moderators' hints and puts it in themes."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from listening_state.extensions import db
from listening_state.models import (
    Consultation,
    Ministry,
    RouterVersion,
    Stance,
    Submission,
    SubmissionStatus,
)
from listening_state.services import intake, periodic_jobs, routing
from tests.factories import login, make_consultation, make_user
from tests.routing.conftest import held_out_petition
from tests.routing.test_stranded import decisions


@pytest.fixture
def deferred(app: Flask) -> Flask:
    app.config["INTAKE_DEFERRED"] = True
    return app


@pytest.fixture
def consultation(ministries: dict[str, Ministry]) -> Consultation:
    return make_consultation(ministries["MT"], title="Draft rules for public transport fares")


def post_comment(client: FlaskClient, consultation: Consultation, body: str) -> Submission:
    response = client.post(
        f"/consultations/{consultation.id}/comment",
        data={"section_id": "", "stance": "support", "body": body},
    )
    assert response.status_code == 302
    reference = response.headers["Location"].rstrip("/").split("/")[-2]
    found = db.session.scalar(db.select(Submission).where(Submission.reference == reference))
    assert found is not None
    return found


@pytest.fixture
def batches_of_two(
    deferred: Flask, active_router: RouterVersion, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deferred intake with a router, finishing comments two at a time."""
    monkeypatch.setattr(intake, "STRANDED_LIMIT", 2)


def stored_comments(consultation: Consultation, n: int) -> list[Submission]:
    """Comments received with intake deferred: stored, not yet routed."""
    return [
        intake.receive_feedback(
            actor=make_user(),
            consultation=consultation,
            body=held_out_petition("MT", index),
            stance=Stance.SUPPORT,
        )
        for index in range(n)
    ]


def test_the_request_stores_the_comment_and_the_sweep_routes_and_hints_it(
    deferred: Flask,
    client: FlaskClient,
    active_router: RouterVersion,
    consultation: Consultation,
    ministries: dict[str, Ministry],
) -> None:
    login(client, make_user())
    body = held_out_petition("MT", 0)
    first = post_comment(client, consultation, body)
    again = post_comment(client, consultation, body)
    assert [s.status for s in (first, again)] == [SubmissionStatus.RECEIVED] * 2
    assert [decisions(s) for s in (first, again)] == [0, 0]
    assert again.duplicate_of_id is None  # hints wait for the sweep too
    page = client.get(f"/submissions/{first.reference}/confirmation").get_data(as_text=True)
    assert "Not yet routed" in page

    assert periodic_jobs.sweep().stranded == 2
    db.session.expire_all()
    assert [s.status for s in (first, again)] == [SubmissionStatus.ROUTED] * 2
    assert first.ministry_id == ministries["MT"].id
    assert [decisions(s) for s in (first, again)] == [1, 1]
    assert again.duplicate_of_id == first.id
    page = client.get(f"/submissions/{first.reference}/confirmation").get_data(as_text=True)
    assert "Not yet routed" not in page
    assert periodic_jobs.sweep().stranded == 0


def test_one_sweep_drains_every_waiting_comment_batch_after_batch(
    batches_of_two: None, consultation: Consultation, monkeypatch: pytest.MonkeyPatch
) -> None:
    waiting = stored_comments(consultation, 5)
    assert [decisions(s) for s in waiting] == [0] * 5
    assert intake.finish_stranded() == 5
    assert [decisions(s) for s in waiting] == [1] * 5


def test_in_a_flood_the_sweep_returns_after_its_time_and_the_next_one_goes_on(
    batches_of_two: None, consultation: Consultation, app: Flask
) -> None:
    waiting = stored_comments(consultation, 5)
    app.config["INTAKE_SWEEP_SECONDS"] = 0  # every batch is the last of its sweep
    assert [periodic_jobs.sweep().stranded for _ in range(4)] == [2, 2, 1, 0]
    assert [decisions(s) for s in waiting] == [1] * 5


def test_comments_whose_routing_cannot_be_recorded_end_the_sweep(
    batches_of_two: None, consultation: Consultation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """They stay stranded for the next sweep; the sweep does not take them again and again."""
    stored_comments(consultation, 3)
    attempts: list[int] = []

    def unrecorded(submission: Submission) -> None:
        attempts.append(submission.id)
        assert len(attempts) <= 6, "the sweep keeps taking the same comments"

    monkeypatch.setattr(routing, "route_new_submission", unrecorded)
    assert intake.finish_stranded() == 0
    assert len(attempts) == 2  # one batch, then it stops

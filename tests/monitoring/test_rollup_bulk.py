"""Bulk statements, large changes, concurrent writers and the full recount keep the
monitoring rollup exact too."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import delete, insert, text, update

from listening_state.extensions import db
from listening_state.models import (
    Consultation,
    Stance,
    Submission,
    SubmissionStatus,
    Visibility,
)
from listening_state.models.base import utcnow
from listening_state.services import answers, monitoring_rollup, monitoring_upkeep
from listening_state.services.errors import PermissionDenied
from listening_state.services.submissions import new_reference
from tests.factories import KAZAKH_SENTENCE
from tests.inbox.conftest import government_answers
from tests.monitoring.conftest import World, answered_after, route, today
from tests.monitoring.rollup_check import assert_exact, figures_of, kept_rows


def _rows(world: World, count: int, **values: Any) -> list[dict[str, Any]]:
    """Submissions as a bulk load gives them: plain rows, not ORM objects."""
    return [
        {
            "reference": new_reference(),
            "consultation_id": world.consultation.id,
            "body": KAZAKH_SENTENCE,
            "stance": Stance.SUPPORT,
            "status": SubmissionStatus.RECEIVED,
            "visibility": Visibility.PUBLISHED,
            **values,
        }
        for _ in range(count)
    ]


def test_a_bulk_update_statement_is_counted(world: World) -> None:
    for _ in range(3):
        route(world.consultation, world.ministry, due_on=today() - timedelta(days=1))
    answered_after(world.officer, world.consultation, world.ministry, 4)
    db.session.execute(
        update(Submission)
        .where(Submission.status == SubmissionStatus.ROUTED)
        .values(status=SubmissionStatus.CLOSED, closed_reason="Closed in bulk.")
    )
    db.session.commit()
    assert (figures_of("MA").received, figures_of("MA").overdue) == (4, 0)
    assert_exact()


def test_a_bulk_update_by_primary_key_is_counted(world: World) -> None:
    moved = route(world.consultation, world.ministry)
    route(world.consultation, world.ministry)
    db.session.execute(update(Submission), [{"id": moved.id, "ministry_id": world.other.id}])
    db.session.commit()
    assert (figures_of("MA").received, figures_of("MB").received) == (1, 1)
    assert_exact()


def test_a_bulk_delete_of_submissions_is_counted(world: World) -> None:
    gone = answered_after(world.officer, world.consultation, world.ministry, 6)
    answered_after(world.officer, world.consultation, world.ministry, 2)
    db.session.execute(delete(Submission).where(Submission.id == gone.id))
    db.session.commit()
    assert (figures_of("MA").answered, figures_of("MA").median_days_to_answer) == (1, 2)
    assert_exact()


def test_a_bulk_delete_of_consultations_is_counted(world: World) -> None:
    answered_after(world.other_officer, world.other_consultation, world.other, 2)
    route(world.consultation, world.ministry)
    db.session.execute(delete(Consultation).where(Consultation.ministry_id == world.other.id))
    db.session.commit()
    assert_exact()


def test_bulk_inserted_comments_without_a_ministry_count_for_nothing(world: World) -> None:
    route(world.consultation, world.ministry)
    kept = kept_rows()
    db.session.execute(insert(Submission), _rows(world, 3))  # as the demo imports Pol.is comments
    db.session.commit()
    assert kept_rows() == kept
    assert_exact()


def test_bulk_inserted_routed_submissions_are_recounted(world: World) -> None:
    routed = {
        "ministry_id": world.ministry.id,
        "status": SubmissionStatus.ROUTED,
        "routed_at": utcnow(),
        "due_on": today() - timedelta(days=1),
    }
    db.session.execute(insert(Submission), _rows(world, 2, **routed))
    db.session.commit()
    assert (figures_of("MA").received, figures_of("MA").overdue) == (2, 2)
    assert_exact()


def test_a_change_to_more_submissions_than_the_limit_is_recounted(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(monitoring_upkeep, "MAX_SCOPED", 2)
    waiting = [route(world.consultation, world.ministry) for _ in range(3)]
    answers.answer_submissions(
        actor=world.officer, submissions=waiting, body=government_answers()[0]
    )
    assert figures_of("MA").answered == 3
    assert_exact()


def test_only_administrators_rebuild_the_rollup(world: World) -> None:
    with pytest.raises(PermissionDenied):
        monitoring_rollup.rebuild_rollup(actor=world.officer)


def test_the_cli_recounts_what_bypassed_the_session(world: World, runner: FlaskCliRunner) -> None:
    submission = route(world.consultation, world.ministry)
    # Raw SQL on the connection is invisible to the session: the rollup misses it...
    db.session.connection().execute(
        text("UPDATE submission SET status = 'closed' WHERE id = :id"), {"id": submission.id}
    )
    db.session.commit()
    result = runner.invoke(args=["monitoring", "rebuild-rollup"])
    assert result.exit_code == 0, result.output
    assert "ministry_status_stat: 1 rows" in result.output
    assert "rebuilt in" in result.output
    # ... until the recount.
    assert_exact()


def _wait_until_blocked(app: Flask, writer: threading.Thread) -> None:
    """Until the other writer waits for our lock (PostgreSQL shows it; SQLite cannot)."""
    deadline = time.monotonic() + 10
    while writer.is_alive() and time.monotonic() < deadline:
        if db.engine.dialect.name != "postgresql":
            time.sleep(0.5)
            return
        with db.engine.connect() as connection:
            waiting = connection.scalar(
                text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
            )
        if waiting:
            return
        time.sleep(0.05)


def test_a_concurrent_change_to_the_same_submission_is_counted_once(
    app: Flask, world: World
) -> None:
    submission = route(world.consultation, world.ministry, due_on=today() - timedelta(days=1))
    submission_id = submission.id
    errors: list[BaseException] = []

    def other_officer_extends_it() -> None:
        with app.app_context():
            try:
                other = db.session.get_one(Submission, submission_id)  # still ROUTED here
                other.due_on = today() + timedelta(days=10)
                db.session.commit()  # waits for the first change, then counts from it
            except BaseException as error:  # handed to the test's thread
                errors.append(error)
            finally:
                db.session.remove()

    submission.status = SubmissionStatus.CLOSED
    submission.closed_reason = "Closed while the other officer extended it."
    db.session.flush()  # the first change holds its locks...
    writer = threading.Thread(target=other_officer_extends_it)
    writer.start()
    _wait_until_blocked(app, writer)
    db.session.commit()  # ... until it commits
    writer.join(timeout=30)
    assert not writer.is_alive()
    assert errors == []
    db.session.expire_all()
    assert (figures_of("MA").received, figures_of("MA").overdue) == (1, 0)
    assert_exact()

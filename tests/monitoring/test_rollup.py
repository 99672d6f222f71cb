"""The monitoring rollup stays exactly what a recount gives, through every handling step."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from listening_state.extensions import db
from listening_state.models import ModerationReason, Stance, Submission, SubmissionStatus
from listening_state.models.base import utcnow
from listening_state.services import answers, deadlines, inbox, moderation, routing
from listening_state.services.calendar import working_calendar
from tests.factories import KAZAKH_SENTENCE, make_submission
from tests.inbox.conftest import government_answers
from tests.monitoring.conftest import (
    World,
    answer,
    answered_after,
    close,
    reject_as,
    route,
    today,
)
from tests.monitoring.rollup_check import assert_exact, figures_of, kept_rows


def test_each_handling_step_keeps_the_rollup_equal_to_a_recount(world: World) -> None:
    now = utcnow()
    make_submission(world.consultation)  # sent, not routed yet: counted nowhere
    assert_exact()

    route(world.consultation, world.ministry, due_on=today() - timedelta(days=2))  # overdue
    in_review = route(world.consultation, world.ministry, due_on=today() - timedelta(days=1))
    inbox.start_review(actor=world.officer, submission=in_review)
    assert_exact()
    assert figures_of("MA").overdue == 2

    single = answered_after(world.officer, world.consultation, world.ministry, 3)
    bulk = [
        route(world.consultation, world.ministry, routed_at=now - timedelta(days=days))
        for days in (1, 5, 9)
    ]
    answers.answer_submissions(actor=world.officer, submissions=bulk, body=government_answers()[1])
    assert_exact()
    assert (figures_of("MA").answered, figures_of("MA").median_days_to_answer) == (4, 4)

    extended = route(world.consultation, world.ministry, due_on=today())
    deadlines.extend_deadline(
        actor=world.officer,
        submission=extended,
        new_due_on=working_calendar().add_working_days(today(), 2),
        reason="The ministry consults the regions first.",
    )
    forwarded = route(world.consultation, world.ministry, due_on=today() - timedelta(days=3))
    routing.reroute_submission(
        actor=world.officer,
        submission=forwarded,
        ministry=world.other,
        reason="Transport is the other ministry's remit.",
    )
    close(world.officer, route(world.consultation, world.ministry))
    assert_exact()
    assert figures_of("MB").received == 1

    reject_as(world.admin, single, ModerationReason.SPAM)  # answered, then found to be spam
    assert_exact()
    assert figures_of("MA").answered == 3
    moderation.approve(actor=world.admin, submission=single)  # a moderator changes their mind
    assert_exact()
    assert figures_of("MA").answered == 4


def test_backdated_timestamps_move_the_counts(world: World) -> None:
    submission = route(world.consultation, world.ministry, due_on=today())
    answer(world.officer, submission)
    submission.routed_at = utcnow() - timedelta(days=12)
    submission.answered_at = utcnow() - timedelta(days=2)  # and so, on time, another week
    db.session.commit()
    assert_exact()
    assert figures_of("MA").median_days_to_answer == 10


def test_a_rolled_back_change_leaves_the_rollup_as_it_was(world: World) -> None:
    submission = route(world.consultation, world.ministry)
    kept = kept_rows()
    submission.status = SubmissionStatus.ANSWERED
    submission.answered_at = utcnow()
    db.session.flush()
    assert kept_rows() != kept  # counted inside the transaction that changes it
    db.session.rollback()
    assert kept_rows() == kept
    assert_exact()


def test_a_flush_that_fails_changes_no_count(world: World) -> None:
    first = route(world.consultation, world.ministry)
    second = route(world.consultation, world.ministry)
    kept = kept_rows()
    first.status = SubmissionStatus.CLOSED
    second.reference = first.reference  # unique: the flush fails after the rollup's reads
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert kept_rows() == kept
    assert_exact()


def test_deleting_a_consultation_counts_what_the_database_did_with_its_submissions(
    world: World,
) -> None:
    answered_after(world.other_officer, world.other_consultation, world.other, 2)
    route(world.other_consultation, world.other, due_on=today() - timedelta(days=1))
    route(world.consultation, world.ministry)
    consultation_id = world.other_consultation.id
    db.session.delete(world.other_consultation)
    db.session.commit()
    # PostgreSQL deletes them (ON DELETE CASCADE); SQLite, not enforcing foreign keys, keeps
    # them: the rollup follows whichever happened.
    remaining = db.session.scalar(
        select(func.count())
        .select_from(Submission)
        .where(Submission.consultation_id == consultation_id)
    )
    expected = 0 if db.engine.dialect.name == "postgresql" else 2
    assert remaining == expected
    assert figures_of("MB").received == expected
    assert figures_of("MA").received == 1
    assert_exact()


def test_a_new_submission_routed_at_once_is_counted(world: World) -> None:
    submission = Submission(
        reference="LS-TEST-0001",
        consultation=world.consultation,
        body=KAZAKH_SENTENCE,
        stance=Stance.SUPPORT,
        ministry_id=world.ministry.id,
        status=SubmissionStatus.ROUTED,
        routed_at=utcnow(),
        due_on=today() - timedelta(days=1),
    )
    db.session.add(submission)
    db.session.commit()
    assert (figures_of("MA").received, figures_of("MA").overdue) == (1, 1)
    assert_exact()

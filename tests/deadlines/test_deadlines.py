"""Due dates: set when a ministry receives a submission, restarted on a forward, extended once."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from listening_state.authz import SYSTEM
from listening_state.extensions import db
from listening_state.models import (
    AuditEntry,
    Consultation,
    Ministry,
    Role,
    RouterVersion,
    Stance,
    Submission,
    SubmissionStatus,
    User,
)
from listening_state.services import deadlines, intake, routing
from listening_state.services.calendar import working_calendar
from listening_state.services.errors import InvalidTransition, PermissionDenied, ValidationFailed
from tests.factories import make_consultation, make_user
from tests.routing.conftest import held_out_petition

pytestmark = pytest.mark.usefixtures("seeded_calendar")

# Thursday 5 March 2026, 11:00 in Almaty: 15 working days later, past 8 March (carried to the
# 9th) and Nauryz (21-25 March), is Wednesday 1 April.
ROUTED_AT = datetime(2026, 3, 5, 6, 0, tzinfo=UTC)
DUE = date(2026, 4, 1)
LATEST_EXTENSION = date(2026, 4, 22)  # 15 working days after 1 April
REASON = "We asked the regional akimat for the data the answer needs."


@pytest.fixture
def consultation(ministries: dict[str, Ministry]) -> Consultation:
    return make_consultation(ministries["MT"], title="Draft rules for public transport fares")


def _receive(consultation: Consultation, index: int = 0) -> Submission:
    """A real transport petition; with no active router it waits in triage."""
    return intake.receive_feedback(
        actor=make_user(),
        consultation=consultation,
        body=held_out_petition("MT", index),
        stance=Stance.SUPPORT,
    )


@pytest.fixture
def routed(consultation: Consultation, ministries: dict[str, Ministry]) -> Submission:
    """Assigned to MT from triage, its clock then set to a known day."""
    submission = _receive(consultation)
    routing.assign_from_triage(actor=SYSTEM, submissions=[submission], ministry=ministries["MT"])
    deadlines.start_clock(submission, at=ROUTED_AT)
    db.session.commit()
    return submission


def _local_routed_on(submission: Submission) -> date:
    assert submission.routed_at is not None
    return deadlines.local_date(submission.routed_at)


def test_start_clock_counts_working_days_in_almaty_time(routed: Submission) -> None:
    assert routed.due_on == DUE
    # 20:00 UTC is already 6 March in Almaty: the period starts a day later.
    deadlines.start_clock(routed, at=datetime(2026, 3, 5, 20, 0, tzinfo=UTC))
    assert routed.due_on == date(2026, 4, 2)
    with pytest.raises(ValueError, match="timezone"):
        deadlines.start_clock(routed, at=datetime(2026, 3, 5, 20, 0))  # noqa: DTZ001


def test_the_answer_period_is_a_setting(routed: Submission) -> None:
    from flask import current_app

    current_app.config["ANSWER_WORKING_DAYS"] = 5
    deadlines.start_clock(routed, at=ROUTED_AT)
    assert routed.due_on == date(2026, 3, 13)


def test_auto_route_sets_the_due_date(
    active_router: RouterVersion, consultation: Consultation, ministries: dict[str, Ministry]
) -> None:
    submission = _receive(consultation)
    assert submission.status is SubmissionStatus.ROUTED
    assert submission.due_on is not None
    routed_on = _local_routed_on(submission)
    assert submission.due_on == working_calendar().add_working_days(routed_on, 15)
    assert working_calendar().working_days_between(routed_on, submission.due_on) == 15


def test_triage_leaves_no_due_date_until_assigned(
    consultation: Consultation, ministries: dict[str, Ministry]
) -> None:
    submission = _receive(consultation)
    assert submission.status is SubmissionStatus.NEEDS_TRIAGE
    assert submission.routed_at is None
    assert submission.due_on is None
    assert deadlines.forward_due_on(submission) is None
    routing.assign_from_triage(
        actor=make_user(Role.ADMIN), submissions=[submission], ministry=ministries["MF"]
    )
    db.session.refresh(submission)
    assert submission.due_on == working_calendar().add_working_days(
        _local_routed_on(submission), 15
    )


def test_forward_by_is_three_working_days_after_routing(routed: Submission) -> None:
    # 6 March, then 9 March (8 March carried over) is off, then 10 and 11 March.
    assert deadlines.forward_due_on(routed) == date(2026, 3, 11)


def test_a_forward_restarts_the_clock_at_the_receiving_ministry(
    routed: Submission, ministries: dict[str, Ministry]
) -> None:
    officer = make_user(Role.MINISTRY_OFFICER, ministry=ministries["MT"])
    deadlines.extend_deadline(
        actor=officer, submission=routed, new_due_on=date(2026, 4, 10), reason=REASON
    )
    routing.reroute_submission(
        actor=officer,
        submission=routed,
        ministry=ministries["MH"],
        reason="Medicines are the Ministry of Health's remit.",
    )
    db.session.refresh(routed)
    assert routed.status is SubmissionStatus.FORWARDED
    assert routed.routed_at is not None
    assert routed.routed_at.replace(tzinfo=UTC) > ROUTED_AT
    assert routed.due_on == working_calendar().add_working_days(_local_routed_on(routed), 15)
    # The receiving ministry's period is its own, with its own extension.
    assert routed.extended_at is None
    assert routed.extension_reason == ""


def test_extension_moves_the_due_date_and_is_audited(
    routed: Submission, ministries: dict[str, Ministry]
) -> None:
    officer = make_user(Role.MINISTRY_OFFICER, ministry=ministries["MT"])
    deadlines.extend_deadline(
        actor=officer, submission=routed, new_due_on=LATEST_EXTENSION, reason=REASON
    )
    db.session.refresh(routed)
    assert routed.due_on == LATEST_EXTENSION
    assert routed.extended_at is not None
    assert routed.extension_reason == REASON
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "submission.extend")
    ).one()
    assert entry.before == {"due_on": "2026-04-01"}
    assert entry.after == {"due_on": "2026-04-22"}
    assert entry.reason == REASON
    assert entry.actor_id == officer.id
    assert entry.target_id == routed.id


def test_extension_happens_once(routed: Submission) -> None:
    deadlines.extend_deadline(
        actor=SYSTEM, submission=routed, new_due_on=date(2026, 4, 8), reason=REASON
    )
    with pytest.raises(InvalidTransition):
        deadlines.extend_deadline(
            actor=SYSTEM, submission=routed, new_due_on=date(2026, 4, 15), reason=REASON
        )
    assert routed.due_on == date(2026, 4, 8)


@pytest.mark.parametrize(
    ("new_due_on", "reason", "field"),
    [
        (date(2026, 4, 23), REASON, "new_due_on"),  # past the maximum
        (date(2026, 3, 31), REASON, "new_due_on"),  # earlier than the current due date
        (DUE, REASON, "new_due_on"),  # no later than the current one
        (date(2026, 4, 4), REASON, "new_due_on"),  # a Saturday
        (None, REASON, "new_due_on"),
        (date(2026, 4, 10), "", "reason"),
        (date(2026, 4, 10), "  <b></b> ", "reason"),
    ],
)
def test_extension_is_refused_outside_the_rules(
    routed: Submission, new_due_on: date | None, reason: str, field: str
) -> None:
    with pytest.raises(ValidationFailed) as raised:
        deadlines.extend_deadline(
            actor=SYSTEM, submission=routed, new_due_on=new_due_on, reason=reason
        )
    assert list(raised.value.errors) == [field]
    db.session.refresh(routed)
    assert routed.due_on == DUE
    assert routed.extended_at is None


def test_the_maximum_follows_the_setting(routed: Submission) -> None:
    from flask import current_app

    current_app.config["EXTENSION_MAX_WORKING_DAYS"] = 5
    assert deadlines.latest_extension_date(routed) == date(2026, 4, 8)
    with pytest.raises(ValidationFailed):
        deadlines.extend_deadline(
            actor=SYSTEM, submission=routed, new_due_on=date(2026, 4, 9), reason=REASON
        )


def test_no_extension_once_answered_or_closed(routed: Submission) -> None:
    for status in (SubmissionStatus.ANSWERED, SubmissionStatus.CLOSED):
        routed.status = status
        db.session.commit()
        with pytest.raises(InvalidTransition):
            deadlines.extend_deadline(
                actor=SYSTEM, submission=routed, new_due_on=date(2026, 4, 8), reason=REASON
            )


def _actor(role: str, ministries: dict[str, Ministry], routed: Submission) -> User | None:
    if role == "author":
        return routed.author
    if role == "citizen":
        return make_user()
    if role == "other_officer":
        return make_user(Role.MINISTRY_OFFICER, ministry=ministries["MF"])
    if role == "officer":
        return make_user(Role.MINISTRY_OFFICER, ministry=ministries["MT"])
    return make_user(Role.ADMIN)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("author", False),
        ("citizen", False),
        ("other_officer", False),
        ("officer", True),
        ("admin", True),
    ],
)
def test_who_may_extend(
    routed: Submission, ministries: dict[str, Ministry], role: str, allowed: bool
) -> None:
    actor = _actor(role, ministries, routed)
    assert deadlines.can_extend(actor, routed) is allowed
    if allowed:
        deadlines.extend_deadline(
            actor=actor, submission=routed, new_due_on=date(2026, 4, 8), reason=REASON
        )
        assert routed.due_on == date(2026, 4, 8)
    else:
        with pytest.raises(PermissionDenied):
            deadlines.extend_deadline(
                actor=actor, submission=routed, new_due_on=date(2026, 4, 8), reason=REASON
            )
        assert routed.due_on == DUE


def test_anonymous_may_not_extend(routed: Submission) -> None:
    with pytest.raises(PermissionDenied):
        deadlines.extend_deadline(
            actor=None, submission=routed, new_due_on=date(2026, 4, 8), reason=REASON
        )


def test_after_a_forward_only_the_receiving_ministry_extends(
    routed: Submission, ministries: dict[str, Ministry]
) -> None:
    first = make_user(Role.MINISTRY_OFFICER, ministry=ministries["MT"])
    routing.reroute_submission(
        actor=first,
        submission=routed,
        ministry=ministries["MH"],
        reason="Medicines are the Ministry of Health's remit.",
    )
    assert routed.due_on is not None
    later = working_calendar().add_working_days(routed.due_on, 1)
    with pytest.raises(PermissionDenied):
        deadlines.extend_deadline(actor=first, submission=routed, new_due_on=later, reason=REASON)
    receiving = make_user(Role.MINISTRY_OFFICER, ministry=ministries["MH"])
    deadlines.extend_deadline(actor=receiving, submission=routed, new_due_on=later, reason=REASON)
    assert routed.due_on == later

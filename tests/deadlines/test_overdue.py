"""Overdue and due soon: the Python predicates and the SQL conditions agree."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from listening_state.authz import SYSTEM
from listening_state.extensions import db
from listening_state.models import Ministry, Stance, Submission, SubmissionStatus
from listening_state.services import deadlines, intake, routing
from listening_state.services.calendar import working_calendar
from tests.factories import make_consultation, make_user
from tests.real_text import polis_comments

pytestmark = pytest.mark.usefixtures("seeded_calendar")

# Friday 20 March 2026: Nauryz makes 23-25 March days off, so three working days ahead is
# Monday the 30th (26, 27, 30), and a due date on the 25th (a holiday) is "due soon".
TODAY = date(2026, 3, 20)
CASES = {
    # name: (due_on, status, overdue, due soon)
    "overdue_by_a_day": (date(2026, 3, 19), SubmissionStatus.ROUTED, True, False),
    "long_overdue": (date(2026, 2, 2), SubmissionStatus.IN_REVIEW, True, False),
    "due_today": (TODAY, SubmissionStatus.ROUTED, False, True),
    "due_on_a_holiday": (date(2026, 3, 25), SubmissionStatus.FORWARDED, False, True),
    "due_at_the_horizon": (date(2026, 3, 30), SubmissionStatus.IN_REVIEW, False, True),
    "due_after_the_horizon": (date(2026, 3, 31), SubmissionStatus.ROUTED, False, False),
    "answered_late": (date(2026, 3, 2), SubmissionStatus.ANSWERED, False, False),
    "closed_soon": (date(2026, 3, 23), SubmissionStatus.CLOSED, False, False),
    "waiting_in_triage": (None, SubmissionStatus.NEEDS_TRIAGE, False, False),
}


@pytest.fixture
def cases(ministries: dict[str, Ministry]) -> dict[str, Submission]:
    """One submission per case, routed through triage, then put in the case's state."""
    consultation = make_consultation(ministries["MT"])
    texts = polis_comments(min_length=40)
    made: dict[str, Submission] = {}
    for (name, (due_on, status, _, _)), body in zip(CASES.items(), texts, strict=False):
        submission = intake.receive_feedback(
            actor=make_user(), consultation=consultation, body=body, stance=Stance.MIXED
        )
        if due_on is not None:
            routing.assign_from_triage(
                actor=SYSTEM, submissions=[submission], ministry=ministries["MT"]
            )
        submission.due_on = due_on
        submission.status = status
        made[name] = submission
    db.session.commit()
    return made


def _ids_where(condition: object) -> set[int]:
    return set(db.session.scalars(select(Submission.id).where(condition)))  # type: ignore[arg-type]


def test_python_predicates_match_the_cases(cases: dict[str, Submission]) -> None:
    for name, (_, _, overdue, soon) in CASES.items():
        assert deadlines.is_overdue(cases[name], TODAY) is overdue, name
        assert deadlines.is_due_soon(cases[name], TODAY) is soon, name


def test_sql_conditions_agree_with_the_predicates(cases: dict[str, Submission]) -> None:
    calendar = working_calendar()
    overdue = {s.id for s in cases.values() if deadlines.is_overdue(s, TODAY)}
    soon = {s.id for s in cases.values() if deadlines.is_due_soon(s, TODAY, calendar=calendar)}
    assert _ids_where(deadlines.overdue_condition(TODAY)) == overdue
    assert _ids_where(deadlines.due_soon_condition(TODAY, calendar)) == soon
    assert overdue == {cases["overdue_by_a_day"].id, cases["long_overdue"].id}
    assert len(soon) == 3


def test_counts_in_one_query(cases: dict[str, Submission]) -> None:
    calendar = working_calendar()
    row = db.session.execute(
        select(
            func.count(Submission.id).filter(deadlines.overdue_condition(TODAY)),
            func.count(Submission.id).filter(deadlines.due_soon_condition(TODAY, calendar)),
        )
    ).one()
    assert tuple(row) == (2, 3)


def test_a_wider_window_counts_more(cases: dict[str, Submission]) -> None:
    calendar = working_calendar()
    wide = _ids_where(deadlines.due_soon_condition(TODAY, calendar, within=4))
    assert cases["due_after_the_horizon"].id in wide
    assert deadlines.is_due_soon(cases["due_after_the_horizon"], TODAY, within=4)

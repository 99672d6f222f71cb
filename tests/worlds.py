"""One ministry with everything that hangs off it, made through the services, for the tests that
need a whole site to stand on (the accessibility sweep's site, the authorisation matrix's world).

The ministry has its Public Council, an officer and a council member with a seat; a
consultation open for comment on the app's own multi-section demonstration draft, with a
citizen's submission routed to the ministry and answered; a closed consultation with a published
report; and a council meeting with its record and a recommendation. The texts are real: the
factories' ministry answer and the Pol.is comments the caller hands over.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from listening_state.authz import SYSTEM
from listening_state.demo.drafts import DEMO_DRAFTS
from listening_state.models import (
    CalendarDay,
    Consultation,
    CouncilMeeting,
    CouncilMember,
    CouncilRecommendation,
    DayKind,
    Ministry,
    PublicCouncil,
    ReportOutcome,
    Role,
    Submission,
    User,
)
from listening_state.services import answers, calendar, consultations, reports
from tests.factories import (
    MINISTRY_ANSWER,
    make_consultation,
    make_council,
    make_council_member,
    make_meeting,
    make_ministry,
    make_recommendation,
    make_routed_submission,
    make_submission,
    make_user,
)


@dataclass(frozen=True)
class MinistryWorld:
    ministry: Ministry
    council: PublicCouncil
    officer: User  # of this ministry; the one who answered `answered`
    member: User  # of its council, with a seat on it (`seat`)
    consultation: Consultation  # open, post-moderated: comments are public at once
    answered: Submission  # by the given citizen, routed to this ministry and answered
    closed: Consultation  # closed, with a published report
    closed_comments: list[Submission]  # made on `closed` while it was open
    meeting: CouncilMeeting  # with an agenda and minutes
    seat: CouncilMember
    recommendation: CouncilRecommendation  # issued at `meeting`, about `consultation`


def build_ministry_world(
    citizen: User,
    texts: Iterator[str],
    *,
    closed_title: str,
    closed_comments: Sequence[str] = (),
) -> MinistryWorld:
    """A new ministry and all of the above (run inside an app context).

    `texts` are real comments, taken in turn for the answered submission, the report and the
    meeting's record; `closed_comments` are sent to the closed consultation before it closes.
    """
    ministry = make_ministry()
    council = make_council(ministry)  # before its consultations, so that it moderates them
    officer = make_user(Role.MINISTRY_OFFICER, ministry=ministry)
    member = make_user(Role.COUNCIL_MEMBER, council=council)

    draft = next(d for d in DEMO_DRAFTS if d.language == "en")
    consultation = make_consultation(
        ministry, title=draft.title, draft=draft.markdown, summary=draft.summary
    )
    answered = make_routed_submission(consultation, ministry, author=citizen, body=next(texts))
    answers.answer_submissions(actor=officer, submissions=[answered], body=MINISTRY_ANSWER)

    closed = make_consultation(ministry, title=closed_title)
    comments = [make_submission(closed, body=text) for text in closed_comments]
    consultations.close_consultation(actor=SYSTEM, consultation=closed)
    report = reports.prepare_report(actor=SYSTEM, consultation=closed)
    reports.update_report(
        actor=SYSTEM,
        report=report,
        data=reports.ReportInput(
            summary=next(texts), outcome=ReportOutcome.CHANGED, explanation=next(texts)
        ),
    )
    reports.publish_report(actor=SYSTEM, report=report)

    seat = make_council_member(council, user=member)
    meeting = make_meeting(council, agenda=next(texts), minutes=next(texts))
    recommendation = make_recommendation(council, meeting=meeting, consultation=consultation)
    return MinistryWorld(
        ministry=ministry,
        council=council,
        officer=officer,
        member=member,
        consultation=consultation,
        answered=answered,
        closed=closed,
        closed_comments=comments,
        meeting=meeting,
        seat=seat,
        recommendation=recommendation,
    )


def add_holiday(day: date) -> CalendarDay:
    """A day off in the working calendar, named as Nauryz, the spring holiday."""
    return calendar.add_day(
        actor=SYSTEM,
        day=day,
        kind=DayKind.HOLIDAY,
        name_kk="Наурыз мейрамы",
        name_ru="Наурыз мейрамы",
        name_en="Nauryz",
    )

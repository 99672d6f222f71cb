"""Public Council pages and their upkeep by the ministry's officers."""

from datetime import date

from flask.testing import FlaskClient

from listening_state.authz import SYSTEM
from listening_state.extensions import db
from listening_state.models import (
    CouncilMeeting,
    CouncilMember,
    MeetingStatus,
    MemberPosition,
    Role,
)
from listening_state.services import councils
from listening_state.services.councils import MeetingInput, MemberInput
from tests.factories import login, make_consultation, make_council, make_ministry, make_user


def test_councils_index_lists_every_council_alphabetically(client: FlaskClient) -> None:
    for code in ("MB", "MA"):
        make_council(make_ministry(code))
    page = client.get("/councils").get_data(as_text=True)
    assert page.index("Public Council of Ministry MA") < page.index("Public Council of Ministry MB")


def test_council_page_shows_members_meetings_and_consultations(client: FlaskClient) -> None:
    ministry = make_ministry()
    council = make_council(ministry)
    councils.add_member(
        actor=SYSTEM,
        council=council,
        data=MemberInput("Гүлнар Сейітова", MemberPosition.CHAIR, "Kazakh Bar Association"),
    )
    councils.add_member(
        actor=SYSTEM,
        council=council,
        data=MemberInput(
            "Former Member",
            MemberPosition.MEMBER,
            ended_on=date(2025, 1, 1),
            started_on=date(2022, 1, 1),
        ),
    )
    councils.schedule_meeting(
        actor=SYSTEM,
        council=council,
        data=MeetingInput(
            date(2026, 10, 1),
            "Review of the draft concept",
            agenda="1. Draft concept",
            minutes="Recommended changes.",
            status=MeetingStatus.HELD,
        ),
    )
    make_consultation(ministry, title="Draft concept of public administration")
    page = client.get(f"/councils/{council.id}").get_data(as_text=True)
    for text in (
        "Гүлнар Сейітова",
        "Chair",
        "Kazakh Bar Association",
        "Past members",
        "Former Member",
        "Review of the draft concept",
        "1. Draft concept",
        "Recommended changes.",
        "Held",
        "Draft concept of public administration",
    ):
        assert text in page
    assert client.get("/councils/999999").status_code == 404


def test_officer_adds_and_removes_members_and_records_meetings(client: FlaskClient) -> None:
    ministry = make_ministry()
    council = make_council(ministry)
    login(client, make_user(Role.MINISTRY_OFFICER, ministry=ministry))
    assert client.get(f"/manage/councils/{council.id}").status_code == 200
    response = client.post(
        f"/manage/councils/{council.id}/members",
        data={"full_name": "Ерлан Әбілов", "position": "secretary", "affiliation": "NGO"},
    )
    assert response.status_code == 302
    member = db.session.scalar(db.select(CouncilMember))
    assert member is not None
    assert member.position is MemberPosition.SECRETARY
    response = client.post(
        f"/manage/councils/{council.id}/meetings",
        data={
            "held_on": "2026-12-15",
            "title": "Quarterly meeting",
            "status": "planned",
            "agenda": "Budget draft",
            "minutes": "",
        },
    )
    assert response.status_code == 302
    meeting = db.session.scalar(db.select(CouncilMeeting))
    assert meeting is not None
    response = client.post(
        f"/manage/meetings/{meeting.id}/edit",
        data={
            "held_on": "2026-12-15",
            "title": "Quarterly meeting",
            "status": "held",
            "agenda": "Budget draft",
            "minutes": "Approved with two remarks.",
        },
    )
    assert response.status_code == 302
    db.session.refresh(meeting)
    assert (meeting.status, meeting.minutes) == (MeetingStatus.HELD, "Approved with two remarks.")
    assert client.post(f"/manage/members/{member.id}/remove").status_code == 302
    assert db.session.scalar(db.select(db.func.count(CouncilMember.id))) == 0


def test_bad_member_and_meeting_input_gets_errors(client: FlaskClient) -> None:
    ministry = make_ministry()
    council = make_council(ministry)
    login(client, make_user(Role.MINISTRY_OFFICER, ministry=ministry))
    bad_member = client.post(
        f"/manage/councils/{council.id}/members",
        data={
            "full_name": "",
            "position": "member",
            "started_on": "2026-01-02",
            "ended_on": "2025-01-01",
        },
    )
    assert bad_member.status_code == 400
    bad_meeting = client.post(
        f"/manage/councils/{council.id}/meetings",
        data={"held_on": "not a date", "title": "", "status": "planned"},
    )
    assert bad_meeting.status_code == 400
    assert db.session.scalar(db.select(db.func.count(CouncilMember.id))) == 0
    wrong_dates = client.post(
        f"/manage/councils/{council.id}/members",
        data={
            "full_name": "Name Surname",
            "position": "member",
            "started_on": "2026-01-02",
            "ended_on": "2025-01-01",
        },
    )
    assert "cannot precede" in wrong_dates.get_data(as_text=True)


def test_other_ministry_officer_and_citizen_cannot_manage_a_council(client: FlaskClient) -> None:
    council = make_council(make_ministry())
    councils.schedule_meeting(
        actor=SYSTEM, council=council, data=MeetingInput(date(2026, 12, 1), "Meeting")
    )
    meeting = db.session.scalar(db.select(CouncilMeeting))
    assert meeting is not None
    for user in (
        make_user(Role.MINISTRY_OFFICER, ministry=make_ministry()),
        make_user(),
        make_user(Role.COUNCIL_MEMBER, council=council),
    ):
        login(client, user)
        assert client.get(f"/manage/councils/{council.id}").status_code == 403
        assert (
            client.post(
                f"/manage/councils/{council.id}/members",
                data={"full_name": "Intruder", "position": "chair"},
            ).status_code
            == 403
        )
        assert client.get(f"/manage/meetings/{meeting.id}/edit").status_code == 403
        client.post("/logout")
    assert db.session.scalar(db.select(db.func.count(CouncilMember.id))) == 0
    anonymous = client.get(f"/manage/councils/{council.id}")
    assert anonymous.status_code == 302

"""Public Council pages, membership kept by administrators, meetings kept by the council."""

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from listening_state.extensions import db
from listening_state.models import (
    AuditEntry,
    CouncilMeeting,
    CouncilMember,
    MeetingStatus,
    MemberPosition,
    PublicCouncil,
    Role,
)
from listening_state.services import councils
from tests.factories import (
    KAZAKH_SENTENCE,
    login,
    make_consultation,
    make_council,
    make_council_member,
    make_meeting,
    make_ministry,
    make_user,
    make_user_for_council,
)

KEEPERS = ["officer", "council_member", "admin"]
OUTSIDERS = ["citizen", "other_council_member", "other_officer"]
NOT_ADMINS = ["citizen", "council_member", "other_council_member", "officer", "other_officer"]


def _audit() -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def _council() -> PublicCouncil:
    return make_council(make_ministry())


def test_councils_index_lists_every_council_alphabetically(client: FlaskClient) -> None:
    for code in ("MB", "MA"):
        make_council(make_ministry(code))
    page = client.get("/councils").get_data(as_text=True)
    assert page.index("Public Council of Ministry MA") < page.index("Public Council of Ministry MB")


def test_council_page_shows_members_meetings_and_consultations(client: FlaskClient) -> None:
    ministry = make_ministry()
    council = make_council(ministry)
    make_council_member(
        council, full_name="Гүлнар Сейітова", position="chair", affiliation="Kazakh Bar Association"
    )
    make_council_member(
        council,
        full_name="Former Member",
        started_on=date(2022, 1, 1),
        ended_on=date(2025, 1, 1),
    )
    make_meeting(
        council,
        held_on=date(2026, 10, 1),
        title="Review of the draft concept",
        agenda="1. Draft concept",
        minutes=KAZAKH_SENTENCE,
    )
    make_consultation(ministry, title="Draft concept of public administration")
    page = client.get(f"/councils/{council.id}").get_data(as_text=True)
    for text in (
        "Гүлнар Сейітова",
        "Chair",
        "Kazakh Bar Association",
        "Past members",
        "Former Member",
        "January 1, 2022 to January 1, 2025",
        "Review of the draft concept",
        "1. Draft concept",
        KAZAKH_SENTENCE,
        "Held",
        "Draft concept of public administration",
    ):
        assert text in page
    assert client.get("/councils/999999").status_code == 404


def test_current_members_are_grouped_by_position_with_start_dates(client: FlaskClient) -> None:
    council = _council()
    for name, position in (
        ("Ерлан Әбілов", "member"),
        ("Айгүл Нұрланқызы", "secretary"),
        ("Гүлнар Сейітова", "chair"),
        ("Асқар Жұмабаев", "deputy"),
    ):
        make_council_member(council, full_name=name, position=position, started_on=date(2023, 3, 1))
    page = client.get(f"/councils/{council.id}").get_data(as_text=True)
    order = [
        "<h3>Chair</h3>",
        "Гүлнар Сейітова",
        "<h3>Deputy chairs</h3>",
        "Асқар Жұмабаев",
        "<h3>Secretary</h3>",
        "Айгүл Нұрланқызы",
        "<h3>Members of the council</h3>",
        "Ерлан Әбілов",
    ]
    positions = [page.index(text) for text in order]
    assert positions == sorted(positions)
    assert page.count("member since March 1, 2023") == 4
    assert "Past members" not in page


def test_members_are_current_from_their_start_date_and_past_from_their_end_date(
    client: FlaskClient,
) -> None:
    council = _council()
    today = councils.local_today()
    make_council_member(council, full_name="Ended Yesterday", ended_on=today - timedelta(days=1))
    make_council_member(council, full_name="Ends Today", ended_on=today)
    make_council_member(council, full_name="Leaves Next Month", ended_on=today + timedelta(30))
    make_council_member(council, full_name="Started Today", started_on=today)
    make_council_member(council, full_name="Starts Tomorrow", started_on=today + timedelta(1))
    make_council_member(council, full_name="Serving Member")
    page = client.get(f"/councils/{council.id}").get_data(as_text=True)
    current, rest = page.split("Joining later", 1)
    upcoming, past = rest.split("Past members", 1)
    for name in ("Ended Yesterday", "Ends Today"):
        assert name in past
        assert name not in current + upcoming
    for name in ("Leaves Next Month", "Started Today", "Serving Member"):
        assert name in current
        assert name not in upcoming + past
    assert "Starts Tomorrow" in upcoming
    assert "Starts Tomorrow" not in current + past


def test_ending_without_a_date_takes_the_council_role_away_at_once(client: FlaskClient) -> None:
    council = _council()
    person = make_user()
    member = make_council_member(council, full_name=person.display_name, user=person)
    assert council.id in person.council_ids()
    login(client, make_user(Role.ADMIN))
    page = client.post(f"/manage/members/{member.id}/end", data={}, follow_redirects=True)
    assert "The membership was ended." in page.get_data(as_text=True)
    db.session.refresh(person)
    assert council.id not in person.council_ids()
    assert _audit()[-1].action == "role.revoke"
    roster = client.get(f"/councils/{council.id}").get_data(as_text=True)
    assert person.display_name in roster.split("Past members", 1)[1]


def test_admin_adds_a_member_linked_to_an_account_and_it_is_audited(client: FlaskClient) -> None:
    council = _council()
    admin = make_user(Role.ADMIN)
    account = make_user(Role.COUNCIL_MEMBER, council=council)
    login(client, admin)
    response = client.post(
        f"/manage/councils/{council.id}/members",
        data={
            "full_name": "Ерлан Әбілов",
            "position": "secretary",
            "affiliation": "NGO",
            "started_on": "2024-02-01",
            "account_email": account.email.upper(),
        },
    )
    assert response.status_code == 302
    member = db.session.scalar(select(CouncilMember))
    assert member is not None
    assert (member.position, member.user_id) == (MemberPosition.SECRETARY, account.id)
    [entry] = _audit()
    assert (entry.action, entry.actor_id, entry.target_id) == (
        "council.member_added",
        admin.id,
        member.id,
    )
    assert entry.after["position"] == "secretary"
    assert entry.after["started_on"] == "2024-02-01"
    assert entry.after["user_id"] == account.id


def test_an_unknown_account_email_is_a_form_error(client: FlaskClient) -> None:
    council = _council()
    login(client, make_user(Role.ADMIN))
    response = client.post(
        f"/manage/councils/{council.id}/members",
        data={"full_name": "Ерлан Әбілов", "position": "member", "account_email": "no@one.kz"},
    )
    assert response.status_code == 400
    assert "No account uses this e-mail address." in response.get_data(as_text=True)
    assert db.session.scalar(select(CouncilMember)) is None


def test_admin_edits_a_member_and_only_the_changes_are_audited(client: FlaskClient) -> None:
    council = _council()
    member = make_council_member(council, full_name="Асқар Жұмабаев", position="member")
    login(client, make_user(Role.ADMIN))
    edit = f"/manage/members/{member.id}/edit"
    form = client.get(edit).get_data(as_text=True)
    assert "Асқар Жұмабаев" in form
    response = client.post(
        edit, data={"full_name": "Асқар Жұмабаев", "position": "deputy", "started_on": "2024-05-02"}
    )
    assert response.status_code == 302
    db.session.refresh(member)
    assert (member.position, member.started_on) == (MemberPosition.DEPUTY, date(2024, 5, 2))
    entry = _audit()[-1]
    assert entry.action == "council.member_changed"
    assert entry.before == {"position": "member", "started_on": None}
    assert entry.after == {"position": "deputy", "started_on": "2024-05-02"}


def test_ending_a_membership_keeps_the_member_as_past(client: FlaskClient) -> None:
    council = _council()
    member = make_council_member(council, full_name="Айгүл Нұрланқызы", started_on=date(2021, 1, 1))
    login(client, make_user(Role.ADMIN))
    response = client.post(f"/manage/members/{member.id}/end", data={"ended_on": "2024-12-31"})
    assert response.status_code == 302
    db.session.refresh(member)
    assert member.ended_on == date(2024, 12, 31)
    entry = _audit()[-1]
    assert (entry.action, entry.before, entry.after) == (
        "council.member_ended",
        {"ended_on": None},
        {"ended_on": "2024-12-31"},
    )
    page = client.get(f"/councils/{council.id}").get_data(as_text=True)
    assert "Айгүл Нұрланқызы" in page.split("Past members", 1)[1]
    again = client.post(f"/manage/members/{member.id}/end", data={}, follow_redirects=True)
    assert "This membership has already ended." in again.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count(CouncilMember.id))) == 1


def test_ending_without_a_date_ends_today(client: FlaskClient) -> None:
    member = make_council_member(_council())
    login(client, make_user(Role.ADMIN))
    assert client.post(f"/manage/members/{member.id}/end", data={}).status_code == 302
    db.session.refresh(member)
    assert member.ended_on == councils.local_today()


def test_an_end_before_the_start_is_refused(client: FlaskClient) -> None:
    member = make_council_member(_council(), started_on=date(2024, 1, 1))
    login(client, make_user(Role.ADMIN))
    page = client.post(
        f"/manage/members/{member.id}/end", data={"ended_on": "2023-01-01"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "cannot precede" in page
    db.session.refresh(member)
    assert member.ended_on is None


def test_admin_removes_a_member_entered_by_mistake_and_it_is_audited(client: FlaskClient) -> None:
    council = _council()
    member = make_council_member(council, full_name="Ерлан Әбілов", position="chair")
    member_id = member.id
    login(client, make_user(Role.ADMIN))
    assert client.post(f"/manage/members/{member_id}/remove").status_code == 302
    assert db.session.scalar(select(db.func.count(CouncilMember.id))) == 0
    entry = _audit()[-1]
    assert (entry.action, entry.target_id) == ("council.member_removed", member_id)
    assert entry.before["full_name"] == "Ерлан Әбілов"
    assert entry.before["position"] == "chair"


MEMBERSHIP_REQUESTS: list[tuple[str, Callable[[PublicCouncil, CouncilMember], str]]] = [
    ("post", lambda k, m: f"/manage/councils/{k.id}/members"),
    ("get", lambda k, m: f"/manage/members/{m.id}/edit"),
    ("post", lambda k, m: f"/manage/members/{m.id}/edit"),
    ("post", lambda k, m: f"/manage/members/{m.id}/end"),
    ("post", lambda k, m: f"/manage/members/{m.id}/remove"),
]


@pytest.mark.parametrize("role", NOT_ADMINS)
@pytest.mark.parametrize(("method", "url"), MEMBERSHIP_REQUESTS)
def test_membership_is_changed_by_administrators_only(
    client: FlaskClient,
    role: str,
    method: str,
    url: Callable[[PublicCouncil, CouncilMember], str],
) -> None:
    council = _council()
    member = make_council_member(council, full_name="Гүлнар Сейітова", position="chair")
    audit_before = len(_audit())
    login(client, make_user_for_council(role, council))
    data = {"full_name": "Intruder Name", "position": "chair", "ended_on": "2024-01-01"}
    assert getattr(client, method)(url(council, member), data=data).status_code == 403
    db.session.refresh(member)
    assert (member.full_name, member.ended_on) == ("Гүлнар Сейітова", None)
    assert db.session.scalar(select(db.func.count(CouncilMember.id))) == 1
    assert len(_audit()) == audit_before


@pytest.mark.parametrize(
    "url",
    [
        "/manage/councils/{council}",
        "/manage/members/{member}/edit",
        "/manage/meetings/{meeting}/edit",
        "/manage/councils/{council}/recommendations/new",
    ],
)
def test_anonymous_visitors_are_sent_to_sign_in(client: FlaskClient, url: str) -> None:
    council = _council()
    ids = {
        "council": council.id,
        "member": make_council_member(council).id,
        "meeting": make_meeting(council).id,
    }
    response = client.get(url.format(**ids))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("role", KEEPERS)
def test_the_ministry_admins_and_the_councils_members_record_meetings(
    client: FlaskClient, role: str
) -> None:
    council = _council()
    login(client, make_user_for_council(role, council))
    assert client.get(f"/manage/councils/{council.id}").status_code == 200
    response = client.post(
        f"/manage/councils/{council.id}/meetings",
        data={"held_on": "2026-12-15", "title": "Quarterly meeting", "status": "planned"},
    )
    assert response.status_code == 302
    meeting = db.session.scalar(select(CouncilMeeting))
    assert meeting is not None
    response = client.post(
        f"/manage/meetings/{meeting.id}/edit",
        data={
            "held_on": "2026-12-15",
            "title": "Quarterly meeting",
            "status": "held",
            "agenda": "Budget draft",
            "minutes": KAZAKH_SENTENCE,
        },
    )
    assert response.status_code == 302
    db.session.refresh(meeting)
    assert (meeting.status, meeting.minutes) == (MeetingStatus.HELD, KAZAKH_SENTENCE)


@pytest.mark.parametrize("role", OUTSIDERS)
def test_outsiders_cannot_keep_a_councils_records(client: FlaskClient, role: str) -> None:
    council = _council()
    meeting = make_meeting(council, title="Отырыс")
    login(client, make_user_for_council(role, council))
    assert client.get(f"/manage/councils/{council.id}").status_code == 403
    meeting_form = {"held_on": "2026-12-01", "title": "Intruder meeting", "status": "held"}
    assert (
        client.post(f"/manage/councils/{council.id}/meetings", data=meeting_form).status_code == 403
    )
    assert client.get(f"/manage/meetings/{meeting.id}/edit").status_code == 403
    assert client.post(f"/manage/meetings/{meeting.id}/edit", data=meeting_form).status_code == 403
    db.session.refresh(meeting)
    assert meeting.title == "Отырыс"
    assert db.session.scalar(select(db.func.count(CouncilMeeting.id))) == 1


def test_only_administrators_see_the_membership_forms(client: FlaskClient) -> None:
    council = _council()
    make_council_member(council, full_name="Гүлнар Сейітова")
    login(client, make_user(Role.COUNCIL_MEMBER, council=council))
    page = client.get(f"/manage/councils/{council.id}").get_data(as_text=True)
    assert "Гүлнар Сейітова" in page
    assert "Only administrators change the council" in page
    assert f"/manage/councils/{council.id}/members" not in page
    assert "/manage/members/" not in page
    client.post("/logout")
    login(client, make_user(Role.ADMIN))
    page = client.get(f"/manage/councils/{council.id}").get_data(as_text=True)
    assert f"/manage/councils/{council.id}/members" in page
    assert "End membership" in page


@pytest.mark.parametrize(("role", "sees_link"), [("council_member", True), ("citizen", False)])
def test_council_page_links_its_keepers_to_the_manage_page(
    client: FlaskClient, role: str, sees_link: bool
) -> None:
    council = _council()
    login(client, make_user_for_council(role, council))
    page = client.get(f"/councils/{council.id}").get_data(as_text=True)
    assert (f"/manage/councils/{council.id}" in page) is sees_link


def test_bad_member_and_meeting_input_gets_errors(client: FlaskClient) -> None:
    council = _council()
    login(client, make_user(Role.ADMIN))
    members = f"/manage/councils/{council.id}/members"
    dates = {"started_on": "2026-01-02", "ended_on": "2025-01-01"}
    bad_member = client.post(members, data={"full_name": "", "position": "member", **dates})
    assert bad_member.status_code == 400
    bad_meeting = client.post(
        f"/manage/councils/{council.id}/meetings",
        data={"held_on": "not a date", "title": "", "status": "planned"},
    )
    assert bad_meeting.status_code == 400
    wrong_dates = client.post(
        members, data={"full_name": "Name Surname", "position": "member", **dates}
    )
    assert "cannot precede" in wrong_dates.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count(CouncilMember.id))) == 0
    assert _audit() == []


def test_member_forms_need_a_csrf_token(app_with: Callable[..., Flask]) -> None:
    council = _council()
    member = make_council_member(council)
    client = app_with(WTF_CSRF_ENABLED=True).test_client()
    admin = make_user(Role.ADMIN)
    with client.session_transaction() as session:
        session["_user_id"] = admin.get_id()
        session["_fresh"] = True
    for url in (
        f"/manage/councils/{council.id}/members",
        f"/manage/members/{member.id}/edit",
        f"/manage/members/{member.id}/end",
        f"/manage/members/{member.id}/remove",
    ):
        assert client.post(url, data={"full_name": "X Y", "position": "chair"}).status_code == 400
    db.session.refresh(member)
    assert member.ended_on is None

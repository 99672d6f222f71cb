"""The working calendar page: administrators only, localized names, add and remove a day."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from listening_state.extensions import db
from listening_state.models import AuditEntry, CalendarDay, DayKind, Role
from tests.factories import PASSWORD, login, make_council, make_ministry, make_user

pytestmark = pytest.mark.usefixtures("seeded_calendar")

# A transferred day off on Thursday 31 December 2026, the kind of day a yearly decree moves.
DAY_OFF = {
    "day": "2026-12-31",
    "kind": "holiday",
    "name_kk": "Демалыс күні (ауыстырылған)",
    "name_ru": "Перенесённый выходной день",
    "name_en": "Transferred day off",
}


def _csrf_token(page: str) -> str:
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert found is not None, "the page carries a CSRF token"
    return found.group(1)


def _day(d: date) -> CalendarDay | None:
    return db.session.scalar(select(CalendarDay).where(CalendarDay.day == d))


def test_anonymous_visitors_are_sent_to_sign_in(client: FlaskClient) -> None:
    response = client.get("/admin/calendar?year=2026")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert client.post("/admin/calendar", data=DAY_OFF).status_code == 302
    assert _day(date(2026, 12, 31)) is None


@pytest.mark.parametrize("role", ["citizen", "officer", "council_member"])
def test_other_roles_are_refused(client: FlaskClient, role: str) -> None:
    ministry = make_ministry()
    user = {
        "citizen": lambda: make_user(),
        "officer": lambda: make_user(Role.MINISTRY_OFFICER, ministry=ministry),
        "council_member": lambda: make_user(Role.COUNCIL_MEMBER, council=make_council(ministry)),
    }[role]()
    login(client, user)
    assert client.get("/admin/calendar?year=2026").status_code == 403
    assert client.post("/admin/calendar", data=DAY_OFF).status_code == 403
    nauryz = _day(date(2026, 3, 21))
    assert nauryz is not None
    assert client.post(f"/admin/calendar/{nauryz.id}/remove").status_code == 403
    assert _day(date(2026, 12, 31)) is None
    assert _day(date(2026, 3, 21)) is not None


def test_the_page_lists_the_year_in_the_readers_language(client: FlaskClient) -> None:
    login(client, make_user(Role.ADMIN, language="ru"))
    page = client.get("/admin/calendar?year=2026").get_data(as_text=True)
    assert "Праздник Наурыз" in page
    assert "День Конституции Республики Казахстан: перенесённый выходной день" in page
    assert "2026-08-31" in page
    assert "2027-01-04" not in page
    assert "2027-01-04" in client.get("/admin/calendar?year=2027").get_data(as_text=True)


def test_kazakh_readers_see_kazakh_names(client: FlaskClient) -> None:
    login(client, make_user(Role.ADMIN, language="kk"))
    page = client.get("/admin/calendar?year=2026").get_data(as_text=True)
    assert "Тәуелсіздік күні" in page


def test_an_unreasonable_year_is_not_found(client: FlaskClient) -> None:
    login(client, make_user(Role.ADMIN))
    assert client.get("/admin/calendar?year=20260").status_code == 404


def test_an_administrator_adds_a_day(client: FlaskClient) -> None:
    admin = make_user(Role.ADMIN)
    login(client, admin)
    response = client.post("/admin/calendar?year=2026", data=DAY_OFF)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/calendar?year=2026")
    row = _day(date(2026, 12, 31))
    assert row is not None
    assert row.kind is DayKind.HOLIDAY
    assert row.name_kk == DAY_OFF["name_kk"]
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "calendar.add_day")
    ).all()[-1]
    assert entry.actor_id == admin.id
    assert DAY_OFF["name_en"] in client.get("/admin/calendar?year=2026").get_data(as_text=True)


def test_an_administrator_makes_a_saturday_a_working_day(client: FlaskClient) -> None:
    login(client, make_user(Role.ADMIN))
    data = {"day": "2026-12-26", "kind": "working_day", "name_en": "Working Saturday by decree"}
    assert client.post("/admin/calendar", data=data).status_code == 302
    row = _day(date(2026, 12, 26))
    assert row is not None
    assert row.kind is DayKind.WORKING_DAY


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({**DAY_OFF, "day": "2026-03-21"}, "already in the calendar"),
        ({**DAY_OFF, "day": ""}, "Please enter the date."),
        ({**DAY_OFF, "day": "31.12.2026"}, "Not a valid date value."),
        ({**DAY_OFF, "kind": "working_day"}, "Only a Saturday or a Sunday"),
        ({**DAY_OFF, "kind": "half_day"}, "Not a valid choice."),
        ({"day": "2026-12-31", "kind": "holiday"}, "at least one language"),
        ({**DAY_OFF, "name_ru": "я" * 201}, "at most 200 characters"),
    ],
)
def test_bad_input_shows_form_errors(
    client: FlaskClient, data: dict[str, str], message: str
) -> None:
    login(client, make_user(Role.ADMIN))
    before = len(db.session.scalars(select(CalendarDay)).all())
    response = client.post("/admin/calendar?year=2026", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert len(db.session.scalars(select(CalendarDay)).all()) == before


def test_an_administrator_removes_a_day(client: FlaskClient) -> None:
    login(client, make_user(Role.ADMIN))
    row = _day(date(2026, 3, 25))
    assert row is not None
    row_id = row.id
    response = client.post(f"/admin/calendar/{row_id}/remove")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/calendar?year=2026")
    db.session.expire_all()
    assert _day(date(2026, 3, 25)) is None
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "calendar.remove_day")
    ).one()
    assert entry.target_id == row_id
    assert client.post(f"/admin/calendar/{row_id}/remove").status_code == 404


def test_forms_need_a_csrf_token(app_with: Callable[..., Flask]) -> None:
    client = app_with(WTF_CSRF_ENABLED=True).test_client()
    admin = make_user(Role.ADMIN)
    token = _csrf_token(client.get("/login").get_data(as_text=True))
    signed_in = client.post(
        "/login", data={"email": admin.email, "password": PASSWORD, "csrf_token": token}
    )
    assert signed_in.status_code == 302
    page = client.get("/admin/calendar?year=2026").get_data(as_text=True)
    valid = client.post("/admin/calendar", data={**DAY_OFF, "csrf_token": _csrf_token(page)})
    assert valid.status_code == 302, "the same form with its token is accepted"
    db.session.expire_all()
    assert _day(date(2026, 12, 31)) is not None
    other_day = {**DAY_OFF, "day": "2026-12-30"}
    assert client.post("/admin/calendar", data=other_day).status_code == 400
    row = _day(date(2026, 3, 25))
    assert row is not None
    assert client.post(f"/admin/calendar/{row.id}/remove").status_code == 400
    db.session.expire_all()
    assert _day(date(2026, 12, 30)) is None
    assert _day(date(2026, 3, 25)) is not None

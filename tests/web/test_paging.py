"""Numbers in URLs: an id no column can hold is not found, and every page number reads as a page."""

from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from listening_state.extensions import db
from listening_state.models import Role, ThemeBuild
from tests.factories import (
    login,
    make_consultation,
    make_council,
    make_ministry,
    make_submission,
    make_user,
)

# Too large for SQLite's 64-bit integers, let alone PostgreSQL's 32-bit id columns.
HUGE = "9" * 23
# Fits SQLite's integers but not a PostgreSQL id column: the first number no id can be.
PAST_INT32 = str(2**31)


@pytest.fixture
def admin_client(client: FlaskClient) -> FlaskClient:
    login(client, make_user(Role.ADMIN))
    return client


@pytest.mark.parametrize("number", [HUGE, PAST_INT32])
@pytest.mark.parametrize(
    "path",
    [
        "/consultations/{n}",
        "/consultations/{n}/comment",
        "/consultations/{consultation}/themes/{n}",
        "/councils/{n}",
        "/councils/documents/{n}",
        "/manage/councils/{n}",
        "/manage/meetings/{n}/edit",
        "/api/v1/consultations/{n}",
    ],
)
def test_an_id_no_column_can_hold_is_not_found(
    admin_client: FlaskClient, path: str, number: str
) -> None:
    consultation = make_consultation(state="closed")
    # An (empty) build of themes, so that the theme's id reaches its query; written as the
    # rebuild job would write it, like tests/themes_web/conftest.py does.
    db.session.add(ThemeBuild(consultation_id=consultation.id))
    db.session.commit()
    url = path.format(n=number, consultation=consultation.id)
    assert admin_client.get(url).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/consultations?page={n}",
        "/consultations/{consultation}?page={n}",
        "/moderation?page={n}",
        "/moderation?consultation={n}",
        "/triage?page={n}",
        "/admin/audit?page={n}",
        "/admin/outbox?page={n}",
        "/ministries/{ministry}/inbox?page={n}",
        "/my/submissions?page={n}",
    ],
)
def test_a_page_number_too_large_for_the_database_reads_as_a_page(
    admin_client: FlaskClient, path: str
) -> None:
    consultation = make_consultation(make_ministry("MNE"))
    make_submission(consultation)
    url = path.format(n=HUGE, consultation=consultation.id, ministry="MNE")
    response = admin_client.get(url, follow_redirects=True)
    assert response.status_code == 200


def test_a_page_past_the_last_goes_to_the_last_keeping_the_filters(client: FlaskClient) -> None:
    ministry = make_ministry()
    for n in range(25):
        make_consultation(ministry, title=f"Consultation number {n:02d}")
    response = client.get("/consultations?sort=title&page=999")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/consultations"
    assert parse_qs(location.query) == {"sort": ["title"], "page": ["2"]}
    last = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Page 2 of 2" in last
    assert "Consultation number 24" in last


def test_a_page_of_an_empty_list_goes_to_the_first(client: FlaskClient) -> None:
    response = client.get("/consultations?q=nothing+matches&page=3")
    assert response.status_code == 302
    assert parse_qs(urlsplit(response.headers["Location"]).query) == {
        "q": ["nothing matches"],
        "page": ["1"],
    }


def test_comments_past_the_last_page_go_to_the_last_of_the_section(
    app: Flask, client: FlaskClient
) -> None:
    app.config["PAGE_SIZE"] = 2
    consultation = make_consultation()
    oldest = make_submission(consultation, section_index=0)
    for _ in range(2):
        make_submission(consultation, section_index=0)
    make_submission(consultation, section_index=1)  # another section's: not counted
    section = consultation.sections[0].id
    response = client.get(f"/consultations/{consultation.id}?section={section}&page=999")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == f"/consultations/{consultation.id}"
    assert parse_qs(location.query) == {"section": [str(section)], "page": ["2"]}
    last = client.get(response.headers["Location"]).get_data(as_text=True)
    assert oldest.reference in last  # newest first: the oldest is on the last page
    assert "No published comments yet." not in last


def test_the_api_answers_a_page_past_the_last_as_before(client: FlaskClient) -> None:
    make_consultation()
    response = client.get("/api/v1/consultations?page=999")
    assert response.status_code == 200
    assert response.get_json()["page"] == 999
    assert response.get_json()["items"] == []


@pytest.mark.parametrize("number", [HUGE, PAST_INT32])
def test_staff_forms_posting_an_id_no_row_can_have_get_a_clear_answer(
    client: FlaskClient, number: str
) -> None:
    """Row buttons and bulk selections post ids; one past any id is not found, never a 500."""
    ministry = make_ministry()
    council_member = make_user(Role.COUNCIL_MEMBER, council=make_council(ministry))
    officer = make_user(Role.MINISTRY_OFFICER, ministry=ministry)
    posts = [
        (make_user(Role.ADMIN), "/triage", {"assign_one": number, f"ministry_{number}": "1"}),
        (make_user(Role.ADMIN), "/triage", {"submission_ids": number, "ministry": ministry.id}),
        (council_member, "/moderation", {"approve_one": number}),
        (council_member, "/moderation", {"submission_ids": number, "approve_selected": "1"}),
        (officer, f"/ministries/{ministry.code}/inbox", {"review_one": number}),
        (officer, f"/ministries/{ministry.code}/inbox", {"assign_me": number}),
    ]
    for user, url, data in posts:
        login(client, user)
        response = client.post(url, data=data)
        assert response.status_code in (302, 400, 404), (url, data, response.status_code)
        client.post("/logout")

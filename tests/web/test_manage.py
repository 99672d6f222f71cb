"""Ministry officers and administrators run consultations of their own ministry only."""

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from listening_state.extensions import db
from listening_state.models import Consultation, ConsultationStatus, Role, User
from tests.factories import (
    login,
    make_consultation,
    make_council,
    make_ministry,
    make_submission,
    make_user,
)

DRAFT = "## 1. Мақсаты\nЖобаның мақсаты.\n\n## 2. Қолданылу аясы\nБарлық министрліктер."


def _form(ministry_id: int, **extra: str) -> dict[str, str]:
    data = {
        "ministry": str(ministry_id),
        "title": "Мемлекеттік қызмет туралы жоба",
        "summary": "Қысқаша мазмұны.",
        "language": "kk",
        # Far enough ahead to stay in the future: a closing date already past is refused.
        "opens_on": "2030-01-10",
        "closes_on": "2030-02-10",
        "draft": DRAFT,
    }
    data.update(extra)
    return data


def test_officer_creates_a_draft_consultation_with_sections(client: FlaskClient) -> None:
    ministry = make_ministry()
    make_council(ministry)
    login(client, make_user(Role.MINISTRY_OFFICER, ministry=ministry))
    response = client.post("/manage/consultations/new", data=_form(ministry.id))
    assert response.status_code == 302
    consultation = db.session.scalar(db.select(Consultation))
    assert consultation is not None
    assert consultation.status() is ConsultationStatus.DRAFT
    assert [s.heading for s in consultation.sections] == ["1. Мақсаты", "2. Қолданылу аясы"]
    assert consultation.council is not None
    # Opens at the start of 10 January and closes at the end of 10 February, Almaty time (UTC+5).
    assert consultation.opens_at.isoformat() == "2030-01-09T19:00:00+00:00"
    assert consultation.closes_at.isoformat() == "2030-02-10T19:00:00+00:00"


def test_form_errors_are_shown_and_nothing_is_saved(client: FlaskClient) -> None:
    ministry = make_ministry()
    login(client, make_user(Role.MINISTRY_OFFICER, ministry=ministry))
    response = client.post(
        "/manage/consultations/new",
        data=_form(ministry.id, draft="No headings here", closes_on="2026-01-01"),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "closing date must come after" in page
    assert "Start the draft" in page
    assert db.session.scalar(db.select(db.func.count(Consultation.id))) == 0


def test_officer_edits_publishes_and_closes(client: FlaskClient) -> None:
    ministry = make_ministry()
    consultation = make_consultation(ministry, state="draft")
    login(client, make_user(Role.MINISTRY_OFFICER, ministry=ministry))
    edit_url = f"/manage/consultations/{consultation.id}/edit"
    assert "## 1. Purpose" in client.get(edit_url).get_data(as_text=True)
    new_draft = "## 1. Purpose\nUpdated.\n\n## 2. Scope\nSame.\n\n## 3. Entry into force\nIn 2027."
    response = client.post(
        edit_url,
        data=_form(
            ministry.id,
            title="Renamed draft law",
            draft=new_draft,
            opens_on="2026-01-01",
            closes_on="2030-01-01",
        ),
    )
    assert response.status_code == 302
    db.session.refresh(consultation)
    assert consultation.title == "Renamed draft law"
    assert [s.heading for s in consultation.sections] == [
        "1. Purpose",
        "2. Scope",
        "3. Entry into force",
    ]

    assert client.post(f"/manage/consultations/{consultation.id}/publish").status_code == 302
    db.session.refresh(consultation)
    assert consultation.status() is ConsultationStatus.OPEN
    assert client.post(f"/manage/consultations/{consultation.id}/close").status_code == 302
    db.session.refresh(consultation)
    assert consultation.status() is ConsultationStatus.CLOSED


def test_publishing_twice_is_refused_with_a_message(client: FlaskClient) -> None:
    ministry = make_ministry()
    consultation = make_consultation(ministry, state="open")
    login(client, make_user(Role.MINISTRY_OFFICER, ministry=ministry))
    response = client.post(
        f"/manage/consultations/{consultation.id}/publish", follow_redirects=True
    )
    assert "not possible in the consultation" in response.get_data(as_text=True)


def test_sections_with_comments_cannot_be_removed(client: FlaskClient) -> None:
    ministry = make_ministry()
    consultation = make_consultation(ministry)
    make_submission(consultation, section_index=1)
    login(client, make_user(Role.MINISTRY_OFFICER, ministry=ministry))
    response = client.post(
        f"/manage/consultations/{consultation.id}/edit",
        data=_form(
            ministry.id,
            draft="## 1. Purpose\nOnly one section left.",
            opens_on="2026-01-01",
            closes_on="2030-01-01",
        ),
    )
    assert "cannot be removed" in response.get_data(as_text=True)
    db.session.refresh(consultation)
    assert len(consultation.sections) == 2


ACTIONS: list[tuple[str, Callable[[Consultation], str]]] = [
    ("get", lambda c: f"/manage/consultations/{c.id}/edit"),
    ("post", lambda c: f"/manage/consultations/{c.id}/edit"),
    ("post", lambda c: f"/manage/consultations/{c.id}/publish"),
    ("post", lambda c: f"/manage/consultations/{c.id}/close"),
]


@pytest.mark.parametrize(("method", "url"), ACTIONS)
def test_officer_of_another_ministry_gets_403(
    client: FlaskClient, method: str, url: Callable[[Consultation], str]
) -> None:
    consultation = make_consultation(state="draft")
    login(client, make_user(Role.MINISTRY_OFFICER, ministry=make_ministry()))
    response = getattr(client, method)(url(consultation), data=_form(consultation.ministry_id))
    assert response.status_code == 403
    db.session.refresh(consultation)
    assert consultation.status() is ConsultationStatus.DRAFT


@pytest.mark.parametrize(("method", "url"), ACTIONS)
def test_anonymous_visitor_is_redirected_to_sign_in(
    client: FlaskClient, method: str, url: Callable[[Consultation], str]
) -> None:
    consultation = make_consultation(state="draft")
    response = getattr(client, method)(url(consultation))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("role", [Role.CITIZEN, Role.COUNCIL_MEMBER])
@pytest.mark.parametrize("url", ["/manage/consultations", "/manage/consultations/new"])
def test_citizens_and_council_members_cannot_manage_consultations(
    client: FlaskClient, role: Role, url: str
) -> None:
    ministry = make_ministry()
    council = make_council(ministry)
    login(client, make_user(role, council=council))
    assert client.get(url).status_code == 403


def test_administrator_manages_any_ministry(client: FlaskClient) -> None:
    consultation = make_consultation(state="draft")
    login(client, make_user(Role.ADMIN))
    assert client.get("/manage/consultations").status_code == 200
    assert client.post(f"/manage/consultations/{consultation.id}/publish").status_code == 302
    db.session.refresh(consultation)
    assert consultation.status() is ConsultationStatus.OPEN


def test_officer_sees_only_own_ministry_in_the_list(client: FlaskClient) -> None:
    mine = make_consultation(make_ministry(), title="My ministry's draft", state="draft")
    make_consultation(make_ministry(), title="Another ministry's draft", state="draft")
    officer: User = make_user(Role.MINISTRY_OFFICER, ministry=mine.ministry)
    login(client, officer)
    page = client.get("/manage/consultations").get_data(as_text=True)
    assert "My ministry&#39;s draft" in page
    assert "Another ministry" not in page

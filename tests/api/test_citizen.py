"""A signed-in citizen comments with a token through the same service as the comment form,
and follows their own submissions."""

from __future__ import annotations

from flask.testing import FlaskClient
from schemathesis.specs.openapi.schemas import OpenApiSchema
from sqlalchemy import func, select

from listening_state.extensions import db
from listening_state.models import Stance, Submission, SubmissionStatus
from tests.api.conftest import People, conforms
from tests.factories import login, make_consultation, make_submission
from tests.real_text import polis_comments


def _url(people: People) -> str:
    return f"/api/v1/consultations/{people.consultation.id}/submissions"


def test_a_citizen_comments_on_a_section_and_gets_its_url(
    client: FlaskClient, api_doc: OpenApiSchema, people: People
) -> None:
    text = polis_comments()[1]
    section = people.consultation.sections[0]
    response = client.post(
        _url(people),
        json={"body": f"  {text}\r\n", "section_id": section.id, "stance": "oppose"},
        headers=people.citizen_auth,
    )
    conforms(api_doc, response)
    assert response.status_code == 201
    stored = db.session.scalar(select(Submission).where(Submission.author_id == people.citizen.id))
    assert stored is not None
    assert stored.body == text  # cleaned by the same service as the form
    assert stored.section_id == section.id
    assert stored.stance is Stance.OPPOSE
    # Stored first, then routed: with no router it waits in triage, never lost.
    assert stored.status is SubmissionStatus.NEEDS_TRIAGE
    assert response.headers["Location"].endswith(f"/api/v1/submissions/{stored.reference}")
    again = client.get(response.headers["Location"], headers=people.citizen_auth)
    conforms(api_doc, again)
    assert again.json["reference"] == stored.reference


def test_stance_defaults_to_no_position(client: FlaskClient, people: People) -> None:
    response = client.post(
        _url(people), json={"body": polis_comments()[2]}, headers=people.citizen_auth
    )
    assert response.status_code == 201
    assert response.json["stance"] == "no_position"


def test_a_short_comment_is_refused_with_the_field_named(
    client: FlaskClient, api_doc: OpenApiSchema, people: People
) -> None:
    response = client.post(
        _url(people), json={"body": "<p>Yes</p>", "stance": "maybe"}, headers=people.citizen_auth
    )
    conforms(api_doc, response)
    assert response.status_code == 400
    fields = response.json["error"]["fields"]
    assert set(fields) == {"stance"}
    response = client.post(_url(people), json={"body": "<p>Yes</p>"}, headers=people.citizen_auth)
    assert set(response.json["error"]["fields"]) == {"body"}
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 0


def test_a_comment_holding_markup_is_refused_with_what_would_go(
    client: FlaskClient, api_doc: OpenApiSchema, people: People
) -> None:
    body = f"{polis_comments()[1]} See <Article 12>."
    response = client.post(_url(people), json={"body": body}, headers=people.citizen_auth)
    conforms(api_doc, response)
    assert response.status_code == 400
    [message] = response.json["error"]["fields"]["body"]
    assert "<Article 12>" in message
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 0


def test_unknown_fields_and_non_json_bodies_are_refused(
    client: FlaskClient, api_doc: OpenApiSchema, people: People
) -> None:
    text = polis_comments()[3]
    unknown = client.post(
        _url(people), json={"body": text, "author_id": 1}, headers=people.citizen_auth
    )
    conforms(api_doc, unknown)
    assert unknown.json["error"]["fields"] == {"author_id": ["This field is not known."]}
    form = client.post(_url(people), data={"body": text}, headers=people.citizen_auth)
    conforms(api_doc, form)
    assert form.status_code == 415
    surrogate = client.post(
        _url(people),
        data='{"body": "\\ud800 ' + text + '"}',
        content_type="application/json",
        headers=people.citizen_auth,
    )
    assert surrogate.status_code == 400


def test_a_section_of_another_consultation_is_refused(client: FlaskClient, people: People) -> None:
    other = make_consultation(people.ministry)
    response = client.post(
        _url(people),
        json={"body": polis_comments()[4], "section_id": other.sections[0].id},
        headers=people.citizen_auth,
    )
    assert response.status_code == 400
    assert "section_id" in response.json["error"]["fields"]


def test_a_closed_consultation_refuses_comments_with_409(
    client: FlaskClient, api_doc: OpenApiSchema, people: People
) -> None:
    closed = make_consultation(people.ministry, state="closed")
    response = client.post(
        f"/api/v1/consultations/{closed.id}/submissions",
        json={"body": polis_comments()[5]},
        headers=people.citizen_auth,
    )
    conforms(api_doc, response)
    assert response.status_code == 409


def test_a_citizen_lists_only_their_own_submissions_with_the_original_text(
    client: FlaskClient, api_doc: OpenApiSchema, people: People
) -> None:
    body = f"{polis_comments()[6]} Call me on +7 701 234 56 78."
    mine = make_submission(people.consultation, people.citizen, body=body)
    make_submission(people.consultation)
    response = client.get("/api/v1/me/submissions", headers=people.citizen_auth)
    conforms(api_doc, response)
    assert [s["reference"] for s in response.json["items"]] == [mine.reference]
    assert response.json["items"][0]["body"] == body  # the author reads their own original


def test_another_users_submission_is_not_found(
    client: FlaskClient, api_doc: OpenApiSchema, people: People
) -> None:
    theirs = make_submission(people.consultation)
    response = client.get(f"/api/v1/submissions/{theirs.reference}", headers=people.citizen_auth)
    conforms(api_doc, response)
    assert response.status_code == 404


def test_the_session_cookie_does_not_authenticate_the_api(
    client: FlaskClient, api_doc: OpenApiSchema, people: People
) -> None:
    login(client, people.citizen)
    response = client.post(_url(people), json={"body": polis_comments()[7]})
    conforms(api_doc, response)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/api/v1/me/submissions").status_code == 401

"""Officers read their ministry's inbox and answer through the API, under the inbox's rules."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from schemathesis.specs.openapi.schemas import OpenApiSchema
from sqlalchemy import select

from listening_state.extensions import db
from listening_state.models import AuditEntry, Stance, SubmissionStatus
from tests.api.conftest import People, bearer, conforms
from tests.factories import MINISTRY_ANSWER, make_routed_submission, make_user
from tests.real_text import polis_comments


def test_an_officer_lists_their_ministrys_inbox_with_filters(
    client: FlaskClient, api_doc: OpenApiSchema, people: People
) -> None:
    ours = make_routed_submission(people.consultation, people.ministry, stance=Stance.OPPOSE)
    make_routed_submission(people.consultation, people.ministry, body=polis_comments()[0])
    make_routed_submission(people.consultation, people.other_ministry, body=polis_comments()[1])
    response = client.get("/api/v1/inbox", headers=people.officer_auth)
    conforms(api_doc, response)
    assert response.json["ministry"]["code"] == people.ministry.code
    assert response.json["total"] == 2
    filtered = client.get("/api/v1/inbox?stance=oppose&sort=newest", headers=people.officer_auth)
    conforms(api_doc, filtered)
    assert [s["reference"] for s in filtered.json["items"]] == [ours.reference]
    assert filtered.json["items"][0]["due_on"] is not None


def test_a_citizen_and_another_ministrys_officer_are_refused_the_inbox(
    client: FlaskClient, api_doc: OpenApiSchema, people: People
) -> None:
    citizen = client.get("/api/v1/inbox", headers=people.citizen_auth)
    conforms(api_doc, citizen)
    assert citizen.status_code == 403
    other = client.get(
        f"/api/v1/inbox?ministry={people.ministry.code}", headers=people.other_officer_auth
    )
    conforms(api_doc, other)
    assert other.status_code == 403


def test_an_administrator_names_the_ministry(
    client: FlaskClient, api_doc: OpenApiSchema, people: People
) -> None:
    make_routed_submission(people.consultation, people.ministry)
    unnamed = client.get("/api/v1/inbox", headers=people.admin_auth)
    conforms(api_doc, unnamed)
    assert unnamed.status_code == 400
    assert "ministry" in unnamed.json["error"]["fields"]
    named = client.get(f"/api/v1/inbox?ministry={people.ministry.code}", headers=people.admin_auth)
    assert named.json["total"] == 1
    unknown = client.get("/api/v1/inbox?ministry=NOPE", headers=people.admin_auth)
    conforms(api_doc, unknown)
    assert unknown.status_code == 404


def test_an_officer_answers_once_and_the_author_reads_it(
    client: FlaskClient, api_doc: OpenApiSchema, people: People
) -> None:
    submission = make_routed_submission(people.consultation, people.ministry, author=people.citizen)
    url = f"/api/v1/inbox/{submission.reference}/answer"
    response = client.post(url, json={"body": MINISTRY_ANSWER}, headers=people.officer_auth)
    conforms(api_doc, response)
    assert response.status_code == 200
    assert response.json["status"] == "answered"
    db.session.refresh(submission)
    assert submission.status is SubmissionStatus.ANSWERED
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "submission.answer"))
    assert entry is not None
    assert entry.actor_id == people.officer.id
    mine = client.get("/api/v1/me/submissions", headers=people.citizen_auth)
    assert mine.json["items"][0]["answer"]["body"] == MINISTRY_ANSWER

    again = client.post(url, json={"body": MINISTRY_ANSWER}, headers=people.officer_auth)
    conforms(api_doc, again)
    assert again.status_code == 409


def test_only_the_responsible_ministry_answers(
    client: FlaskClient, api_doc: OpenApiSchema, people: People
) -> None:
    submission = make_routed_submission(people.consultation, people.ministry, author=people.citizen)
    url = f"/api/v1/inbox/{submission.reference}/answer"
    author = client.post(url, json={"body": MINISTRY_ANSWER}, headers=people.citizen_auth)
    conforms(api_doc, author)
    assert author.status_code == 403
    stranger = client.post(
        url, json={"body": MINISTRY_ANSWER}, headers=bearer(make_user(), "stranger")
    )
    conforms(api_doc, stranger)
    assert stranger.status_code == 404
    other = client.post(url, json={"body": MINISTRY_ANSWER}, headers=people.other_officer_auth)
    assert other.status_code == 404
    db.session.refresh(submission)
    assert submission.status is SubmissionStatus.ROUTED


def test_a_short_answer_is_refused_with_the_field_named(
    client: FlaskClient, api_doc: OpenApiSchema, people: People
) -> None:
    submission = make_routed_submission(people.consultation, people.ministry)
    response = client.post(
        f"/api/v1/inbox/{submission.reference}/answer",
        json={"body": "Noted."},
        headers=people.officer_auth,
    )
    conforms(api_doc, response)
    assert response.status_code == 400
    assert set(response.json["error"]["fields"]) == {"body"}


def test_an_officer_forwards_to_the_competent_ministry(
    client: FlaskClient, api_doc: OpenApiSchema, people: People
) -> None:
    submission = make_routed_submission(people.consultation, people.ministry, author=people.citizen)
    url = f"/api/v1/inbox/{submission.reference}/forward"
    reason = "The question concerns the other ministry's mandate."
    unknown = client.post(
        url, json={"ministry": "NOPE", "reason": reason}, headers=people.officer_auth
    )
    conforms(api_doc, unknown)
    assert set(unknown.json["error"]["fields"]) == {"ministry"}
    author = client.post(
        url,
        json={"ministry": people.other_ministry.code, "reason": reason},
        headers=people.citizen_auth,
    )
    conforms(api_doc, author)
    assert author.status_code == 403

    response = client.post(
        url,
        json={"ministry": people.other_ministry.code, "reason": reason},
        headers=people.officer_auth,
    )
    conforms(api_doc, response)
    assert response.status_code == 200
    assert response.json["ministry_id"] == people.other_ministry.id
    assert response.json["status"] == "forwarded"
    theirs = client.get("/api/v1/inbox", headers=people.other_officer_auth)
    assert [s["reference"] for s in theirs.json["items"]] == [submission.reference]


@pytest.mark.parametrize("action", ["answer", "forward"])
def test_the_author_is_refused_before_the_answer_is_read(
    client: FlaskClient, api_doc: OpenApiSchema, people: People, action: str
) -> None:
    submission = make_routed_submission(people.consultation, people.ministry, author=people.citizen)
    response = client.post(
        f"/api/v1/inbox/{submission.reference}/{action}", json={}, headers=people.citizen_auth
    )
    conforms(api_doc, response)
    assert response.status_code == 403

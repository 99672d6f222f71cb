"""Errors are JSON in one shape; tokens that do not work get 401; writes are rate-limited more
strictly than reads, with a JSON 429 and Retry-After."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from schemathesis.specs.openapi.schemas import OpenApiSchema

from listening_state.extensions import db
from listening_state.models.base import utcnow
from listening_state.services import api_tokens
from tests.api.conftest import People, bearer, conforms
from tests.factories import make_user
from tests.real_text import polis_comments


def test_the_document_is_served_and_lists_every_api_route(
    app: Flask, client: FlaskClient, api_doc: OpenApiSchema
) -> None:
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.")
    documented = {
        (method.upper(), f"/api/v1{path}")
        for path, item in document["paths"].items()
        for method in item
    }
    served = {
        (method, rule.rule.replace("<", "{").replace(">", "}"))
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api_v1.") and rule.endpoint != "api_v1.openapi"
        for method in rule.methods or ()
        if method not in ("HEAD", "OPTIONS")
    }
    assert served == documented


def test_an_unknown_consultation_is_a_json_404(client: FlaskClient, api_doc: OpenApiSchema) -> None:
    for url in ("/api/v1/consultations/999999", "/api/v1/consultations/abc"):
        response = client.get(url)
        conforms(api_doc, response)
        assert response.status_code == 404
        assert response.json == {"error": {"code": 404, "message": "Not found."}}


def test_an_unknown_api_url_is_a_json_404(client: FlaskClient) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json["error"]["code"] == 404


def test_missing_malformed_revoked_and_deleted_tokens_get_401(
    client: FlaskClient, api_doc: OpenApiSchema, people: People
) -> None:
    assert client.get("/api/v1/me/submissions").status_code == 401
    for header in ("Bearer ls_not-a-token", "Basic dXNlcjpwYXNz", "Bearer"):
        response = client.get("/api/v1/me/submissions", headers={"Authorization": header})
        conforms(api_doc, response)
        assert response.status_code == 401
        assert "invalid_token" in response.headers["WWW-Authenticate"]

    user = make_user()
    made = api_tokens.create_token(actor=user, user=user, name="laptop")
    auth = {"Authorization": f"Bearer {made.secret}"}
    assert client.get("/api/v1/me/submissions", headers=auth).status_code == 200
    api_tokens.revoke_token(actor=user, user=user, token_id=made.token.id)
    assert client.get("/api/v1/me/submissions", headers=auth).status_code == 401

    gone = make_user()
    second = api_tokens.create_token(actor=gone, user=gone, name="phone")
    gone.deleted_at = utcnow()  # what deleting the account sets (is_active becomes False)
    db.session.commit()
    response = client.get(
        "/api/v1/me/submissions", headers={"Authorization": f"Bearer {second.secret}"}
    )
    assert response.status_code == 401


def test_a_dead_token_is_refused_even_on_public_reads(client: FlaskClient) -> None:
    response = client.get("/api/v1/consultations", headers={"Authorization": "Bearer ls_x"})
    assert response.status_code == 401


def test_writes_hit_their_stricter_limit_with_a_json_429(
    app_with: Callable[..., Flask], people: People
) -> None:
    limited = app_with(
        RATELIMIT_ENABLED=True, API_WRITE_RATE_LIMIT="2 per minute", API_READ_RATE_LIMIT="50/minute"
    )
    client = limited.test_client()
    url = f"/api/v1/consultations/{people.consultation.id}/submissions"
    statuses = [
        client.post(url, json={"body": text}, headers=people.citizen_auth).status_code
        for text in polis_comments()[:3]
    ]
    assert statuses == [201, 201, 429]
    refused = client.post(url, json={"body": polis_comments()[3]}, headers=people.citizen_auth)
    assert refused.json["error"]["code"] == 429
    assert int(refused.headers["Retry-After"]) > 0
    # A second token of the same account shares its allowance...
    again = client.post(url, json={"body": polis_comments()[4]}, headers=bearer(people.citizen))
    assert again.status_code == 429
    # ...while another citizen behind the same address (one mobile carrier) has their own.
    neighbour = bearer(make_user())
    assert (
        client.post(url, json={"body": polis_comments()[5]}, headers=neighbour).status_code == 201
    )
    # Reads have their own, larger allowance.
    assert client.get("/api/v1/consultations").status_code == 200


def test_the_api_needs_no_csrf_token_when_csrf_is_on(
    app_with: Callable[..., Flask], people: People
) -> None:
    protected = app_with(WTF_CSRF_ENABLED=True)
    response = protected.test_client().post(
        f"/api/v1/consultations/{people.consultation.id}/submissions",
        json={"body": polis_comments()[0]},
        headers=people.citizen_auth,
    )
    assert response.status_code == 201

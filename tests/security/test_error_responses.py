"""Errors as JSON for API clients, one shape for all; 429 says when to come back."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask, abort
from flask.testing import FlaskClient

from listening_state.services.errors import InvalidTransition, NotFound, PermissionDenied

JSON = {"Accept": "application/json"}


@pytest.mark.parametrize("code", [400, 401, 403, 404, 405, 409, 413, 429, 500, 503])
def test_api_errors_are_json_with_one_shape(app: Flask, code: int) -> None:
    app.add_url_rule(f"/api/test/boom/{code}", f"api_boom{code}", lambda: abort(code))
    response = app.test_client().get(f"/api/test/boom/{code}")
    assert response.status_code == code
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str)
    assert body["error"]["message"]


def test_an_unknown_api_path_is_a_json_404(client: FlaskClient) -> None:
    response = client.get("/api/v0/no-such-thing")
    assert response.status_code == 404
    assert response.get_json() == {
        "error": {"code": 404, "message": "We could not find what you were looking for."}
    }


def test_a_message_given_to_abort_reaches_api_clients(app: Flask) -> None:
    app.add_url_rule("/api/test/bad", "api_bad", lambda: abort(400, "body must not be empty"))
    response = app.test_client().get("/api/test/bad")
    assert response.get_json()["error"] == {"code": 400, "message": "body must not be empty"}


def test_a_json_405_keeps_the_allow_header(app: Flask) -> None:
    app.add_url_rule("/api/test/only-get", "api_only_get", lambda: "ok")
    response = app.test_client().post("/api/test/only-get")
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == 405
    assert "GET" in response.headers["Allow"]


@pytest.mark.parametrize(
    ("error", "code"), [(PermissionDenied, 403), (NotFound, 404), (InvalidTransition, 409)]
)
def test_domain_errors_under_api_are_json(app: Flask, error: type[Exception], code: int) -> None:
    def fail() -> str:
        raise error("no")

    app.add_url_rule(f"/api/test/domain/{code}", f"api_domain{code}", fail)
    response = app.test_client().get(f"/api/test/domain/{code}")
    assert response.status_code == code
    assert response.get_json()["error"]["code"] == code


def test_an_unexpected_api_exception_is_a_json_500(app_with: Callable[..., Flask]) -> None:
    # Not TESTING, so that the exception is handled as in production; the job backend is named,
    # or the first request would start the in-process job thread (JOB_BACKEND "thread").
    app = app_with(TESTING=False, JOB_BACKEND="table")

    def explode() -> str:
        raise RuntimeError("boom")

    app.add_url_rule("/api/test/explode", "api_explode", explode)
    response = app.test_client().get("/api/test/explode")
    assert response.status_code == 500
    assert response.get_json()["error"]["code"] == 500
    assert "boom" not in response.get_data(as_text=True)


def test_a_client_preferring_json_gets_json_anywhere(client: FlaskClient) -> None:
    response = client.get("/no-such-page", headers=JSON)
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == 404


def test_a_browser_gets_a_page(client: FlaskClient) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    for accept in (browser, "*/*"):
        response = client.get("/no-such-page", headers={"Accept": accept})
        assert response.mimetype == "text/html"
        assert "<h1>Page not found</h1>" in response.get_data(as_text=True)

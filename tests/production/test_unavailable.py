"""While the database cannot be reached, requests answer 503 with Retry-After, never 500."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from flask import Flask, jsonify, session
from flask.testing import FlaskClient
from flask_login.utils import _create_identifier
from flask_wtf.csrf import generate_csrf
from sqlalchemy import text
from sqlalchemy.exc import OperationalError, PendingRollbackError

from listening_state import create_app
from listening_state.extensions import db
from listening_state.web.unavailable import RETRY_AFTER_SECONDS
from tests.conftest import FreshContextClient

SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"


def _closed_port() -> int:
    """A local port nothing listens on: connecting to it is refused at once."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def unreachable_app(tmp_path: Path) -> Flask:
    """The app configured for a PostgreSQL server that is not there."""
    app = create_app(
        {
            "TESTING": True,
            "ENV_NAME": "testing",
            "SECRET_KEY": "test-secret-key",
            "SQLALCHEMY_DATABASE_URI": (
                f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/listening_state"
            ),
            "RATELIMIT_ENABLED": False,
            "SHARED_DATA_DIR": str(SHARED_DATA),
            "MODEL_DIR": str(tmp_path / "models"),
        }
    )
    app.test_client_class = FreshContextClient

    # The JSON API answers under /api/; a probe there shows which body it gets.
    @app.route("/api/probe")
    def api_probe() -> object:
        return jsonify(one=db.session.scalar(text("SELECT 1")))

    # A session used again after the database went away, as in an `except` block that logs
    # an attribute of a row: SQLAlchemy then raises PendingRollbackError, not the outage.
    @app.route("/probe/after-outage")
    def after_outage() -> object:
        try:
            db.session.scalar(text("SELECT 1"))
        except OperationalError:
            raise PendingRollbackError("this session's transaction has been rolled back") from None
        return "unreachable"

    @app.route("/probe/after-a-bug")
    def after_a_bug() -> object:
        raise PendingRollbackError("this session's transaction has been rolled back")

    return app


def test_a_page_answers_503_with_the_friendly_page_and_retry_after(unreachable_app: Flask) -> None:
    response = unreachable_app.test_client().get("/consultations")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "Temporarily unavailable" in page
    assert "Error code: 503" in page


def test_an_api_path_answers_503_in_json(unreachable_app: Flask) -> None:
    response = unreachable_app.test_client().get("/api/probe")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response.is_json
    assert response.get_json()["error"]["code"] == 503


def _signed_in_session(client: FlaskClient, app: Flask, user_id: int) -> str:
    """A session cookie as after signing in, made without the database (it is unreachable);
    returns a CSRF token valid for that session."""
    with app.test_request_context(environ_base=client.environ_base):
        token = generate_csrf()
        values = {
            "_user_id": str(user_id),
            "_fresh": True,
            "_id": _create_identifier(),
            "csrf_token": session["csrf_token"],
        }
    with client.session_transaction() as cookie_session:
        cookie_session.update(values)
    return token


def test_a_signed_in_visitor_gets_the_503_page_not_a_500(unreachable_app: Flask) -> None:
    # Loading the signed-in user is the first query; the error page must not try again.
    client = unreachable_app.test_client()
    _signed_in_session(client, unreachable_app, user_id=1)
    response = client.get("/my/submissions")
    assert response.status_code == 503
    assert "Temporarily unavailable" in response.get_data(as_text=True)


def test_a_comment_posted_while_the_database_is_down_answers_503(unreachable_app: Flask) -> None:
    client = unreachable_app.test_client()
    token = _signed_in_session(client, unreachable_app, user_id=1)
    form = {"csrf_token": token, "stance": "support", "body": "x"}
    response = client.post("/consultations/1/comment", data=form)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)


def test_an_api_path_with_a_session_cookie_still_answers_503_in_json(
    unreachable_app: Flask,
) -> None:
    # The JSON message is translated for the visitor: choosing the language must not load the
    # signed-in user from the unreachable database.
    client = unreachable_app.test_client()
    _signed_in_session(client, unreachable_app, user_id=1)
    response = client.get("/api/probe")
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == 503


def test_a_session_reused_after_the_outage_answers_503(unreachable_app: Flask) -> None:
    response = unreachable_app.test_client().get("/probe/after-outage")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)


def test_a_session_reused_after_another_failure_is_still_a_500(unreachable_app: Flask) -> None:
    response = unreachable_app.test_client().get("/probe/after-a-bug")
    assert response.status_code == 500
    assert "Retry-After" not in response.headers

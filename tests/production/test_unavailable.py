"""While the database cannot be reached, requests answer 503 with Retry-After, never 500; other
errors keep their own status, their page rendered as to a visitor."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask, abort, jsonify, session
from flask.testing import FlaskClient
from flask_login import current_user
from flask_login.utils import _create_identifier
from flask_wtf.csrf import generate_csrf
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError, PendingRollbackError

from listening_state import create_app
from listening_state.extensions import db
from listening_state.web.unavailable import RETRY_AFTER_SECONDS
from tests.conftest import FreshContextClient
from tests.factories import login, make_user

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


@pytest.fixture
def signed_in(unreachable_app: Flask) -> FlaskClient:
    """A client with the session cookie of a signed-in user, while the database is down."""
    client = unreachable_app.test_client()
    _signed_in_session(client, unreachable_app, user_id=1)
    return client


def test_a_signed_in_visitor_gets_the_503_page_not_a_500(signed_in: FlaskClient) -> None:
    # Loading the signed-in user is the first query; the error page must not try again.
    client = signed_in
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
    signed_in: FlaskClient,
) -> None:
    # The JSON message is translated for the visitor: choosing the language must not load the
    # signed-in user from the unreachable database.
    client = signed_in
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


# Errors other than the outage keep their own status while the database is down: the page (or
# its JSON message, translated for the visitor) must not fail a second time loading the user.


def test_a_signed_in_visitor_gets_the_404_page_while_the_database_is_down(
    signed_in: FlaskClient,
) -> None:
    client = signed_in
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "<h1>Page not found</h1>" in page
    assert "Sign in" in page  # the menu of a visitor: the user could not be loaded


def test_a_signed_in_visitor_gets_a_404_in_json_on_an_api_path_while_the_database_is_down(
    signed_in: FlaskClient,
) -> None:
    client = signed_in
    response = client.get("/api/no-such-thing")
    assert response.status_code == 404
    assert response.is_json
    assert response.get_json() == {
        "error": {"code": 404, "message": "We could not find what you were looking for."}
    }


def test_a_form_with_a_bad_csrf_token_gets_the_400_page_while_the_database_is_down(
    signed_in: FlaskClient,
) -> None:
    client = signed_in
    form = {"csrf_token": "not-the-token", "stance": "support", "body": "x"}
    response = client.post("/consultations/1/comment", data=form)
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "<h1>Bad request</h1>" in page
    assert "Error code: 400" in page


def test_a_bad_request_on_an_api_path_gets_a_400_in_json_while_the_database_is_down(
    signed_in: FlaskClient,
) -> None:
    client = signed_in
    response = client.get("/api/no-such-thing?q=a%00b")  # NUL bytes are refused before routing
    assert response.status_code == 400
    assert response.is_json
    error = response.get_json()["error"]
    assert error["code"] == 400
    assert error["message"].startswith("Something in the request was not right.")


def test_the_versioned_api_answers_its_own_400_while_the_database_is_down(
    signed_in: FlaskClient,
) -> None:
    # /api/v1/ errors come from the API blueprint's handlers, which translate their message too.
    client = signed_in
    response = client.get("/api/v1/consultations?q=a%00b")
    assert response.status_code == 400
    assert response.get_json()["error"] == {"code": 400, "message": "The request is not valid."}


def test_a_signed_in_visitor_gets_the_405_page_while_the_database_is_down(
    signed_in: FlaskClient,
) -> None:
    client = signed_in
    response = client.get("/language/en")  # the language switcher only posts
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    assert "Error code: 405" in response.get_data(as_text=True)


def _refuse_queries(*args: object) -> None:
    raise OperationalError("SELECT", {}, ConnectionRefusedError("connection refused"))


@pytest.fixture
def outage_midway(app: Flask) -> Iterator[Flask]:
    """The app, with a page during which the database goes away after the signed-in user was
    loaded and a change committed, and which then fails with a 404 or a bug."""

    @app.route("/probe/outage-then/<int:code>")
    def outage_then(code: int) -> object:
        # The account and its roles are loaded while the database is up...
        assert current_user.is_authenticated
        assert not current_user.is_admin
        # ...then expired by a commit, as after any saved change, and the database goes away.
        db.session.commit()
        event.listen(db.engine, "before_cursor_execute", _refuse_queries)
        if code == 500:
            raise RuntimeError("a bug, not the outage")
        abort(code)

    yield app
    if event.contains(db.engine, "before_cursor_execute", _refuse_queries):
        event.remove(db.engine, "before_cursor_execute", _refuse_queries)


def test_a_404_after_the_database_went_away_midway_keeps_its_status(outage_midway: Flask) -> None:
    client = outage_midway.test_client()
    login(client, make_user(language="ru"))
    response = client.get("/probe/outage-then/404", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "<h1>Page not found</h1>" in page
    assert '<html lang="en">' in page  # the account's language could no longer be read


def test_a_bug_after_the_database_went_away_midway_is_a_friendly_500(
    outage_midway: Flask,
) -> None:
    outage_midway.config["PROPAGATE_EXCEPTIONS"] = False  # as in production
    client = outage_midway.test_client()
    login(client, make_user())
    response = client.get("/probe/outage-then/500")
    assert response.status_code == 500
    assert "Retry-After" not in response.headers
    assert "Nothing you saved was lost" in response.get_data(as_text=True)


def test_with_the_database_up_a_signed_in_user_keeps_their_menu_and_language_on_a_404(
    client: FlaskClient,
) -> None:
    login(client, make_user(language="ru"))
    response = client.get("/no-such-page")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert '<html lang="ru">' in page  # the user's own language, read from their account
    assert 'href="/my/submissions"' in page
    assert 'action="/logout"' in page


def test_with_the_database_up_an_api_404_speaks_the_signed_in_users_language(
    client: FlaskClient,
) -> None:
    login(client, make_user(language="ru"))
    response = client.get("/api/no-such-thing", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    message = response.get_json()["error"]["message"]
    assert message != "We could not find what you were looking for."

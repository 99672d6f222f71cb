"""Requests answered as a WSGI server answers them: the body is read once the view has returned.

The `client` fixture keeps an app context (and so the request's database session) open while
it reads the first chunk of a response, and the `app` fixture keeps another open around the
test. A real server has neither: a streamed body runs after the request's session is closed, in
whatever context `stream_with_context` restores. This helper runs the request in an empty
context, so a stream that still needs the closed session fails here as it does in production.
"""

from __future__ import annotations

import contextvars

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from listening_state.models import User
from tests.factories import PASSWORD


def served_get(app: Flask, user: User, path: str) -> TestResponse:
    """GET `path` as `user`, with the body read in full before this returns."""
    email = user.email  # read here: the empty context has no session to load it with

    def run() -> TestResponse:
        # A plain FlaskClient: unlike the fixture's client it opens no app context of its own.
        client = FlaskClient(app, app.response_class, use_cookies=True)
        signed_in = client.post("/login", data={"email": email, "password": PASSWORD})
        assert signed_in.status_code == 302, signed_in.get_data(as_text=True)
        response = client.get(path)
        response.get_data()  # the streamed chunks after the first are read here
        return response

    return contextvars.Context().run(run)

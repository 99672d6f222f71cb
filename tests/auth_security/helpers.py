"""Shared steps of the sign-in security tests: enrolment and the two sign-in steps."""

from __future__ import annotations

import time

import pyotp
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from listening_state import secret_box
from listening_state.models import User
from listening_state.services import two_factor
from listening_state.web.auth.session_keys import ENROLMENT_SECRET
from tests.factories import PASSWORD


def enrol(user: User) -> pyotp.TOTP:
    """Turn the second factor on through the service, confirming with the previous step's code
    (still inside the window), so that the current code is left for the test to use."""
    return enrol_with_codes(user)[0]


def enrol_with_codes(user: User) -> tuple[pyotp.TOTP, list[str]]:
    """`enrol`, and the recovery codes that turning the second factor on made."""
    secret = two_factor.new_secret()
    totp = pyotp.TOTP(secret)
    codes = two_factor.enable(actor=user, user=user, secret=secret, code=totp.at(time.time() - 30))
    return totp, codes


def enrolment_secret(client: FlaskClient) -> str:
    """The secret the enrolment page shows, from the session, where it is kept encrypted."""
    with client.session_transaction() as session, client.application.app_context():
        return secret_box.unseal(session[ENROLMENT_SECRET])


def post_password(client: FlaskClient, user: User, password: str = PASSWORD) -> TestResponse:
    return client.post("/login", data={"email": user.email, "password": password})


def post_code(client: FlaskClient, code: str) -> TestResponse:
    return client.post("/login/code", data={"code": code})


def signed_in(client: FlaskClient) -> bool:
    return client.get("/my/submissions").status_code == 200

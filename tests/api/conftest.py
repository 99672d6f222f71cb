"""People with API tokens around an open consultation, and the served OpenAPI document to
check every real response against."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import schemathesis
from flask import Flask
from schemathesis.specs.openapi.schemas import OpenApiSchema
from werkzeug.test import TestResponse

from listening_state.models import Consultation, Ministry, PublicCouncil, Role, User
from listening_state.services import api_tokens
from tests.factories import make_consultation, make_council, make_ministry, make_user

PREFIX = "/api/v1"


def bearer(user: User, name: str = "tests") -> dict[str, str]:
    """Headers with a new token of this user."""
    made = api_tokens.create_token(actor=user, user=user, name=name)
    return {"Authorization": f"Bearer {made.secret}"}


@dataclass
class People:
    ministry: Ministry
    other_ministry: Ministry
    council: PublicCouncil
    consultation: Consultation  # open, post-moderated, two sections
    citizen: User
    officer: User
    other_officer: User
    admin: User
    citizen_auth: dict[str, str]
    officer_auth: dict[str, str]
    other_officer_auth: dict[str, str]
    admin_auth: dict[str, str]


@pytest.fixture
def people(app: Flask) -> People:
    ministry, other = make_ministry(), make_ministry()
    citizen = make_user()
    officer = make_user(Role.MINISTRY_OFFICER, ministry=ministry)
    other_officer = make_user(Role.MINISTRY_OFFICER, ministry=other)
    admin = make_user(Role.ADMIN)
    return People(
        ministry=ministry,
        other_ministry=other,
        council=make_council(ministry),
        consultation=make_consultation(ministry),
        citizen=citizen,
        officer=officer,
        other_officer=other_officer,
        admin=admin,
        citizen_auth=bearer(citizen),
        officer_auth=bearer(officer),
        other_officer_auth=bearer(other_officer),
        admin_auth=bearer(admin),
    )


@pytest.fixture
def api_doc(app: Flask) -> OpenApiSchema:
    """The document as the app serves it, loaded by schemathesis (which validates it)."""
    return schemathesis.openapi.from_wsgi(f"{PREFIX}/openapi.json", app)


def conforms(doc: OpenApiSchema, response: TestResponse) -> None:
    """The response is JSON, its status is documented for its operation, and its body matches
    the documented schema (schemathesis's own validator, the one the fuzzing test uses)."""
    request = response.request
    path = request.path.removeprefix(PREFIX)
    operation = doc.find_operation_by_path(request.method, path)
    assert operation is not None, f"{request.method} {path} is not documented"
    assert response.mimetype == "application/json"
    documented = doc.raw_schema["paths"][operation.path][operation.method.lower()]["responses"]
    assert str(response.status_code) in documented, (
        f"{request.method} {path} answered an undocumented {response.status_code}"
    )
    operation.validate_response(response)

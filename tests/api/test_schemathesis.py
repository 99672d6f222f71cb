"""Schemathesis fuzzes every operation of the served OpenAPI document, in process: no answer
may be a server error, every status must be documented and every body must match its schema.

Cases come from schemathesis's Hypothesis strategies, valid and invalid ones, half of them
aimed at real consultations and submissions so that the success paths are exercised too.
(`schemathesis.pytest.from_fixture` would be the shorter spelling, but with pytest 9.2 it
fails on the removed `Node._nodeid`; the strategies are the library's public Python API.)

A bounded number of examples per operation keeps this inside the normal suite (CI runs it);
SCHEMATHESIS_EXAMPLES raises the bound for a longer local run.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.specs.openapi.schemas import OpenApiSchema

from listening_state.api.openapi import PATHS
from listening_state.authz import SYSTEM
from listening_state.services import answers
from tests.api.conftest import People
from tests.factories import MINISTRY_ANSWER, make_routed_submission, make_submission

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "20"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
OPERATIONS = [(path, method) for path, item in PATHS.items() for method in item]


def _real_parameters(people: People) -> dict[str, Any]:
    """Path parameters that name real things: an open consultation, routed submissions
    (one waiting, one answered) of the officer's ministry."""
    make_submission(people.consultation, people.citizen, section_index=0)
    waiting = make_routed_submission(people.consultation, people.ministry, author=people.citizen)
    answered = make_routed_submission(people.consultation, people.ministry)
    answers.answer_submissions(actor=SYSTEM, submissions=[answered], body=MINISTRY_ANSWER)
    return {
        "consultation_id": [people.consultation.id],
        "reference": [waiting.reference, answered.reference],
    }


@pytest.mark.parametrize(("path", "method"), OPERATIONS)
def test_the_api_keeps_its_document(
    app: Flask, people: People, api_doc: OpenApiSchema, path: str, method: str
) -> None:
    operation = api_doc[path][method.upper()]
    real = _real_parameters(people)
    security = PATHS[path][method]["security"]
    headers = None
    if security == [{"bearerAuth": []}]:  # the token a caller of this operation would hold
        headers = people.officer_auth if path.startswith("/inbox") else people.citizen_auth
    names = [p["name"] for p in PATHS[path][method]["parameters"] if p["in"] == "path"]
    aimed = [
        operation.as_strategy(mode, path_parameters={name: value})
        for mode in GenerationMode
        for name in names
        for value in real[name]
    ]
    strategy = st.one_of(*(operation.as_strategy(mode) for mode in GenerationMode), *aimed)
    client = app.test_client()

    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,  # the same cases on every run: a failure in CI reproduces locally
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    def call(case: schemathesis.Case) -> None:
        case.call_and_validate(session=client, headers=headers, checks=CHECKS)

    call()

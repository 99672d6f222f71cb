"""The OpenAPI 3.1 description of /api/v1, written by hand from small schema pieces.

Tests validate every endpoint's real responses against it and schemathesis fuzzes the API
from it, so a change to a response that is not made here too fails the suite.
"""

from __future__ import annotations

from typing import Any

from listening_state.api.openapi_schemas import (
    ID,
    PUBLIC_STATUSES,
    REFERENCE,
    SCHEMAS,
    STRING,
    Schema,
    nullable,
    obj,
    ref,
    values,
)
from listening_state.limits import MAX_PAGE
from listening_state.models import ConsultationStatus, Stance
from listening_state.services.answers import MAX_ANSWER, MIN_ANSWER
from listening_state.services.consultations import SORTS
from listening_state.services.inbox import INBOX_STATUSES, Sort
from listening_state.services.submissions import MAX_BODY, MIN_BODY


def _error(description: str) -> Schema:
    return {"description": description, "content": {"application/json": {"schema": ref("Error")}}}


ERRORS = {
    "400": _error("Invalid input; `fields` names each refused field."),
    "401": _error("No valid token: missing, unknown, revoked, or its account was deleted."),
    "403": _error("The token's account may not do this."),
    "404": _error("Not found (or not visible to the caller)."),
    "409": _error("Not possible in the current state (closed consultation, answered item)."),
    "415": _error("The body was not sent as JSON."),
    "429": _error("Rate limit reached; see Retry-After."),
}


def _json(description: str, schema: Schema, **extra: Any) -> Schema:
    return {
        "description": description,
        "content": {"application/json": {"schema": schema}},
        **extra,
    }


def _param(name: str, where: str, schema: Schema, description: str = "") -> Schema:
    param: Schema = {"name": name, "in": where, "schema": schema, "required": where == "path"}
    if description:
        param["description"] = description
    return param


def _choice(enum_values: Any) -> Schema:
    return {"type": "string", "enum": [getattr(v, "value", v) for v in enum_values]}


PAGE_PARAMS = [
    _param("page", "query", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}),
    _param("per_page", "query", {"type": "integer", "minimum": 1, "maximum": 100}),
]
CONSULTATION_ID = _param("consultation_id", "path", ID)
SUBMISSION_REF = _param("reference", "path", REFERENCE, "The submission's code, LS-XXXX-XXXX.")
TOKEN: list[Schema] = [{"bearerAuth": []}]
OPTIONAL_TOKEN: list[Schema] = [{}, {"bearerAuth": []}]


def _operation(
    operation_id: str,
    summary: str,
    ok: Schema,
    errors: tuple[str, ...],
    *,
    params: list[Schema] | None = None,
    security: list[Schema] | None = None,
    body: Schema | None = None,
    ok_status: str = "200",
) -> Schema:
    operation: Schema = {
        "operationId": operation_id,
        "summary": summary,
        "parameters": params or [],
        "responses": {ok_status: ok, **{code: ERRORS[code] for code in errors}},
        "security": security if security is not None else OPTIONAL_TOKEN,
    }
    if body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": body}},
        }
    return operation


def _list_operation(
    operation_id: str,
    summary: str,
    page_of: str,
    page_schema: str,
    errors: tuple[str, ...],
    *,
    params: list[Schema] | None = None,
    security: list[Schema] | None = None,
) -> Schema:
    """A paginated GET: `params` (path and filters) then page and per_page; a 200 answers
    "A page of `page_of`" with the `page_schema` component."""
    return _operation(
        operation_id,
        summary,
        _json(f"A page of {page_of}", ref(page_schema)),
        errors,
        params=[*(params or []), *PAGE_PARAMS],
        security=security,
    )


PUBLIC = ("400", "401", "404", "429")
PATHS: dict[str, Schema] = {
    "/ministries": {
        "get": _operation(
            "listMinistries",
            "Every ministry, by code.",
            _json(
                "Ministries",
                obj({"items": {"type": "array", "items": ref("Ministry")}}),
            ),
            ("400", "401", "429"),
        )
    },
    "/consultations": {
        "get": _list_operation(
            "listConsultations",
            "Published consultations, filtered and paginated.",
            "consultations",
            "ConsultationSummaryPage",
            ("400", "401", "429"),
            params=[
                _param("status", "query", values(ConsultationStatus, PUBLIC_STATUSES)),
                _param("ministry", "query", {"type": "string", "maxLength": 16}, "A code."),
                _param("q", "query", {"type": "string", "maxLength": 200}, "Words to find."),
                _param("sort", "query", _choice(SORTS)),
            ],
        )
    },
    "/consultations/{consultation_id}": {
        "get": _operation(
            "getConsultation",
            "One consultation with its sections.",
            _json("The consultation", ref("Consultation")),
            PUBLIC,
            params=[CONSULTATION_ID],
        )
    },
    "/consultations/{consultation_id}/submissions": {
        "get": _list_operation(
            "listPublishedSubmissions",
            "Published comments, newest first, personal data masked.",
            "comments",
            "PublicSubmissionPage",
            PUBLIC,
            params=[CONSULTATION_ID, _param("section_id", "query", ID)],
        ),
        "post": _operation(
            "createSubmission",
            "Comment on an open consultation (the whole draft or one section).",
            _json(
                "Stored; routed to a ministry or to triage.",
                ref("Submission"),
                headers={"Location": {"schema": STRING, "description": "The submission's URL."}},
            ),
            ("400", "401", "403", "404", "409", "415", "429"),
            params=[CONSULTATION_ID],
            security=TOKEN,
            body=obj(
                {
                    "body": {"type": "string", "minLength": MIN_BODY, "maxLength": MAX_BODY},
                    "section_id": nullable(ID),
                    "stance": values(Stance),
                },
                optional=("section_id", "stance"),
            ),
            ok_status="201",
        ),
    },
    "/consultations/{consultation_id}/themes": {
        "get": _operation(
            "getPublishedThemes",
            "What we heard: the published themes of a closed consultation (empty until then).",
            _json("Themes", ref("Themes")),
            PUBLIC,
            params=[CONSULTATION_ID],
        )
    },
    "/me/submissions": {
        "get": _list_operation(
            "listMySubmissions",
            "The caller's own submissions, newest first.",
            "submissions",
            "SubmissionPage",
            ("400", "401", "429"),
            security=TOKEN,
        )
    },
    "/submissions/{reference}": {
        "get": _operation(
            "getSubmission",
            "One submission, for its author and the ministries handling it.",
            _json("The submission", ref("Submission")),
            ("400", "401", "404", "429"),
            params=[SUBMISSION_REF],
            security=TOKEN,
        )
    },
    "/inbox": {
        "get": _list_operation(
            "listInbox",
            "A ministry's inbox (its officers and administrators).",
            "the inbox",
            "InboxPage",
            ("400", "401", "403", "404", "429"),
            params=[
                _param("ministry", "query", {"type": "string", "maxLength": 16}, "A code."),
                _param("status", "query", _choice(INBOX_STATUSES)),
                _param("stance", "query", values(Stance)),
                _param("consultation_id", "query", ID),
                _param("section_id", "query", ID),
                _param("assigned", "query", _choice(("me", "unassigned"))),
                _param("overdue", "query", {"type": "boolean"}),
                _param("due_soon", "query", {"type": "boolean"}),
                _param("q", "query", {"type": "string", "maxLength": 200}),
                _param("sort", "query", _choice(Sort.CHOICES)),
            ],
            security=TOKEN,
        )
    },
    "/inbox/{reference}/answer": {
        "post": _operation(
            "answerSubmission",
            "Publish the responsible ministry's answer to one submission.",
            _json("The answered submission", ref("InboxItem")),
            ("400", "401", "403", "404", "409", "415", "429"),
            params=[SUBMISSION_REF],
            security=TOKEN,
            body=obj(
                {"body": {"type": "string", "minLength": MIN_ANSWER, "maxLength": MAX_ANSWER}}
            ),
        )
    },
    "/inbox/{reference}/forward": {
        "post": _operation(
            "forwardSubmission",
            "Send a submission on to the competent ministry, with the reason.",
            _json("The forwarded submission, now in the other ministry's inbox", ref("InboxItem")),
            ("400", "401", "403", "404", "409", "415", "429"),
            params=[SUBMISSION_REF],
            security=TOKEN,
            body=obj(
                {
                    "ministry": {"type": "string", "maxLength": 16, "description": "A code."},
                    "reason": {"type": "string", "minLength": 5, "maxLength": 1000},
                }
            ),
        )
    },
}


def document() -> Schema:
    """The whole document, served at /api/v1/openapi.json."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Listening State API",
            "version": "1.0.0",
            "description": (
                "Consultations, published comments and themes for anyone; commenting and "
                "following one's submissions with a personal access token (made on "
                "/account/tokens); a ministry's inbox and answers for its officers. "
                "Timestamps are ISO 8601 in UTC. Errors are "
                '{"error": {"code", "message", "fields"?}}.'
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "paths": PATHS,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A personal access token: `Authorization: Bearer ls_...`.",
                }
            },
        },
    }

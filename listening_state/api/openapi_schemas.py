"""The schemas of the OpenAPI document (components/schemas), one per representation in
`representations.py`: every object is closed (additionalProperties false), so a member added
to a response and not here fails the tests that validate real responses."""

from __future__ import annotations

from typing import Any

from listening_state.limits import MAX_ID
from listening_state.models import (
    ConsultationStatus,
    ModerationMode,
    ModerationReason,
    Stance,
    SubmissionStatus,
    Visibility,
)
from listening_state.services.submissions import REFERENCE_PATTERN

Schema = dict[str, Any]
NULL: Schema = {"type": "null"}


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: Schema) -> Schema:
    return {"oneOf": [schema, NULL]}


def obj(properties: dict[str, Schema], optional: tuple[str, ...] = ()) -> Schema:
    """An object whose members are all required unless named optional, and nothing else."""
    return {
        "type": "object",
        "properties": properties,
        "required": [name for name in properties if name not in optional],
        "additionalProperties": False,
    }


def values(enum_class: Any, only: Any = None) -> Schema:
    return {"type": "string", "enum": [m.value for m in (only or enum_class)]}


STRING: Schema = {"type": "string"}
INTEGER: Schema = {"type": "integer"}
ID: Schema = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
TIMESTAMP: Schema = {"type": "string", "format": "date-time"}
REFERENCE: Schema = {"type": "string", "pattern": f"^{REFERENCE_PATTERN}$"}
PUBLIC_STATUSES = [s for s in ConsultationStatus if s is not ConsultationStatus.DRAFT]

SCHEMAS: dict[str, Schema] = {
    "Error": obj(
        {
            "error": obj(
                {
                    "code": INTEGER,
                    "message": STRING,
                    "fields": {
                        "type": "object",
                        "additionalProperties": {"type": "array", "items": STRING},
                    },
                },
                optional=("fields",),
            )
        }
    ),
    "Ministry": obj(
        {"id": ID, "code": STRING, "name_kk": STRING, "name_ru": STRING, "name_en": STRING}
    ),
    "ConsultationSummary": obj(
        {
            "id": ID,
            "title": STRING,
            "summary": STRING,
            "language": STRING,
            "status": values(ConsultationStatus),
            "ministry": ref("Ministry"),
            "opens_at": {
                **TIMESTAMP,
                "description": "The first instant comments are taken: the start of the "
                "opening day, Kazakhstan time.",
            },
            "closes_at": {
                **TIMESTAMP,
                "description": "The first instant comments are refused: the midnight after "
                "the last day for comments, Kazakhstan time, unless the ministry closed the "
                "consultation earlier.",
            },
            "published_at": nullable(TIMESTAMP),
            "url": {"type": "string", "format": "uri"},
        }
    ),
    "Section": obj(
        {
            "id": ID,
            "position": INTEGER,
            "heading": STRING,
            "body_markdown": STRING,
            "comment_count": {"type": "integer", "minimum": 0},
        }
    ),
    "PublicSubmission": obj(
        {
            "reference": REFERENCE,
            "consultation_id": ID,
            "section_id": nullable(ID),
            "stance": values(Stance),
            "language": STRING,
            "author": nullable(STRING),
            "created_at": TIMESTAMP,
            "body": STRING,
        }
    ),
    "Answer": obj({"body": STRING, "answered_at": nullable(TIMESTAMP)}),
    "Quote": obj(
        {"reference": REFERENCE, "text": STRING, "stance": values(Stance), "language": STRING}
    ),
    "Theme": obj(
        {
            "label": STRING,
            "keywords": {"type": "array", "items": STRING},
            "count": {"type": "integer", "minimum": 0},
            "share": {"type": "number", "minimum": 0, "maximum": 1},
            "stances": {
                "type": "object",
                "propertyNames": values(Stance),
                "additionalProperties": {"type": "integer", "minimum": 0},
            },
            "quotes": {"type": "array", "items": ref("Quote")},
        }
    ),
    "Themes": obj(
        {
            "published_at": nullable(TIMESTAMP),
            "total": {"type": "integer", "minimum": 0},
            "other": {"type": "integer", "minimum": 0},
            "themes": {"type": "array", "items": ref("Theme")},
        }
    ),
}
_OWN: dict[str, Schema] = {
    "reference": REFERENCE,
    "consultation": obj({"id": ID, "title": STRING}),
    "section_id": nullable(ID),
    "stance": values(Stance),
    "language": STRING,
    "status": values(SubmissionStatus),
    "visibility": values(Visibility),
    "moderation_reason": nullable(values(ModerationReason)),
    "created_at": TIMESTAMP,
    "body": STRING,
    "answer": nullable(ref("Answer")),
}
SCHEMAS["Submission"] = obj(_OWN)
SCHEMAS["InboxItem"] = obj(
    {
        **_OWN,
        "ministry_id": nullable(ID),
        "routed_at": nullable(TIMESTAMP),
        "due_on": nullable({"type": "string", "format": "date"}),
        "overdue": {"type": "boolean"},
        "due_soon": {"type": "boolean"},
        "routing_confidence": nullable({"type": "number"}),
        "assigned_to": nullable(obj({"id": ID, "display_name": STRING})),
        "closed_reason": nullable(STRING),
    }
)
SCHEMAS["Consultation"] = obj(
    {
        **SCHEMAS["ConsultationSummary"]["properties"],
        "moderation_mode": values(ModerationMode),
        "sections": {"type": "array", "items": ref("Section")},
    }
)
_PAGE = {
    "page": {"type": "integer", "minimum": 1},
    "per_page": {"type": "integer", "minimum": 1},
    "total": {"type": "integer", "minimum": 0},
    "pages": {"type": "integer", "minimum": 0},
}
for _item in ("ConsultationSummary", "PublicSubmission", "Submission"):
    SCHEMAS[f"{_item}Page"] = obj({"items": {"type": "array", "items": ref(_item)}, **_PAGE})
SCHEMAS["InboxPage"] = obj(
    {"items": {"type": "array", "items": ref("InboxItem")}, **_PAGE, "ministry": ref("Ministry")}
)

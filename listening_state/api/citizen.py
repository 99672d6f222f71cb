"""What a signed-in user does with a token: comment on an open consultation and follow their
own submissions. The same service as the comment form validates, cleans, stores and routes."""

from __future__ import annotations

from flask import Response, jsonify, url_for
from flask_babel import lazy_gettext as _l

from listening_state.api import representations as rep
from listening_state.api.auth import require_user
from listening_state.api.params import (
    body_choice,
    body_id,
    body_text,
    json_body,
    page_args,
    path_id,
)
from listening_state.models import Stance
from listening_state.services import consultations, intake, submissions
from listening_state.services.errors import ValidationFailed

STANCES = tuple(s.value for s in Stance)


def create_submission(consultation_id: str) -> tuple[Response, int, dict[str, str]]:
    """Comment on the whole draft or on one section; 201 with the submission's URL."""
    user = require_user()
    consultation = consultations.get_visible_consultation(
        actor=user, consultation_id=path_id(consultation_id)
    )
    data = json_body(("body", "section_id", "stance"))
    body = body_text(data, "body")
    section_id = body_id(data, "section_id")
    stance = body_choice(data, "stance", STANCES, Stance.NO_POSITION.value)
    section = None
    if section_id is not None:
        section = next((s for s in consultation.sections if s.id == section_id), None)
        if section is None:
            message = _l("This consultation has no such section.")
            raise ValidationFailed({"section_id": [str(message)]})
    # Stored (committed) before routing, hints and themes, exactly as from the web form.
    submission = intake.receive_feedback(
        actor=user, consultation=consultation, section=section, body=body, stance=Stance(stance)
    )
    location = url_for("api_v1.get_submission", reference=submission.reference)
    return jsonify(rep.own_submission(submission)), 201, {"Location": location}


def list_my_submissions() -> Response:
    """The caller's own submissions, newest first."""
    user = require_user()
    page, per_page = page_args()
    found = submissions.submissions_of(author=user, page=page, per_page=per_page)
    return jsonify(rep.page(found, [rep.own_submission(s) for s in found.items]))


def get_submission(reference: str) -> Response:
    """One submission by its code, for its author and the ministries handling it."""
    user = require_user()
    submission = submissions.find_by_reference(actor=user, reference=reference)
    return jsonify(rep.own_submission(submission))

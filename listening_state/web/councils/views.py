"""Public Council pages: members, meetings with their documents, and recommendations."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, send_file
from flask_login import current_user

from listening_state import authz
from listening_state.i18n import current_language
from listening_state.services import council_documents, councils
from listening_state.services.errors import NotFound

bp = Blueprint("councils", __name__, url_prefix="/councils")


@bp.route("")
def index() -> str:
    """Every Public Council, alphabetically in the reader's language."""
    return render_template(
        "councils/index.html", councils=councils.list_councils(current_language())
    )


@bp.route("/<int:council_id>")
def detail(council_id: int) -> str:
    """A council's members, meetings, recommendations to its ministry and its consultations."""
    council = councils.get_council(council_id)
    actor = current_user if current_user.is_authenticated else None
    return render_template(
        "councils/detail.html",
        council=council,
        roster=councils.member_roster(council, councils.local_today()),
        consultations=councils.council_consultations(council),
        can_manage=authz.can_keep_council_records(actor, council),
        answerable={
            r.id for r in council.recommendations if authz.can_answer_recommendation(actor, r)
        },
    )


@bp.route("/<int:council_id>/meetings/<int:meeting_id>")
def meeting(council_id: int, meeting_id: int) -> str:
    """One meeting: its agenda, minutes, documents and the recommendations adopted at it."""
    found = councils.get_meeting(meeting_id)
    if found.council_id != council_id:
        raise NotFound("meeting")
    recommendations = [r for r in found.council.recommendations if r.meeting_id == found.id]
    return render_template(
        "councils/meeting.html",
        council=found.council,
        meeting=found,
        recommendations=recommendations,
    )


@bp.route("/documents/<int:document_id>")
def document(document_id: int) -> Response:
    """Download a meeting's document; always as an attachment, never shown inline."""
    found = council_documents.get_document(document_id)
    return send_file(
        council_documents.document_path(found),
        mimetype=found.content_type,
        as_attachment=True,
        download_name=found.file_name,
        etag=found.sha256,
        conditional=True,
    )

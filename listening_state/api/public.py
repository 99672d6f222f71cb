"""What anyone may read: consultations and their sections, published comments, published
themes and the ministries. A token is optional here (its owner may also see their drafts)."""

from __future__ import annotations

from flask import Response, jsonify
from flask_babel import lazy_gettext as _l

from listening_state.api import representations as rep
from listening_state.api.auth import actor
from listening_state.api.params import page_args, path_id, query_choice, query_int, query_text
from listening_state.i18n import current_language
from listening_state.models import ConsultationStatus
from listening_state.personal_data_markers import personal_data_markers
from listening_state.services import consultations, ministries, submissions, theme_publication
from listening_state.services.consultations import SORTS
from listening_state.services.errors import NotFound, ValidationFailed

PUBLIC_STATUSES = tuple(s.value for s in ConsultationStatus if s is not ConsultationStatus.DRAFT)


def list_ministries() -> Response:
    """Every ministry, by code."""
    found = sorted(ministries.list_ministries(current_language()), key=lambda m: m.code)
    return jsonify(items=[rep.ministry(m) for m in found])


def list_consultations() -> Response:
    """Published consultations, filtered by status, ministry (its code) and text, paginated."""
    status = query_choice("status", PUBLIC_STATUSES)
    code = query_text("ministry", max_length=16)
    ministry_id = None
    if code:
        try:
            ministry_id = ministries.get_by_code(code).id
        except NotFound:
            raise ValidationFailed({"ministry": [str(_l("No ministry has this code."))]}) from None
    page, per_page = page_args()
    found = consultations.search_consultations(
        query=query_text("q", max_length=200),
        ministry_id=ministry_id,
        status=ConsultationStatus(status) if status else None,
        sort=query_choice("sort", SORTS) or "closing",
        page=page,
        per_page=per_page,
    )
    return jsonify(rep.page(found, [rep.consultation_summary(c) for c in found.items]))


def get_consultation(consultation_id: str) -> Response:
    """One consultation with its sections and their published comment counts."""
    consultation = consultations.get_visible_consultation(
        actor=actor(), consultation_id=path_id(consultation_id)
    )
    counts = consultations.section_comment_counts(consultation)
    return jsonify(rep.consultation_detail(consultation, counts))


def list_published_submissions(consultation_id: str) -> Response:
    """The consultation's published comments, newest first, personal data masked."""
    consultation = consultations.get_visible_consultation(
        actor=actor(), consultation_id=path_id(consultation_id)
    )
    section_id = query_int("section_id", default=None)
    if section_id is not None and section_id not in {s.id for s in consultation.sections}:
        raise ValidationFailed({"section_id": [str(_l("This consultation has no such section."))]})
    page, per_page = page_args()
    found = submissions.published_submissions(
        consultation=consultation, section_id=section_id, page=page, per_page=per_page
    )
    return jsonify(rep.page(found, [rep.public_submission(s) for s in found.items]))


def get_published_themes(consultation_id: str) -> Response:
    """The consultation's themes once its ministry published them (empty until then)."""
    consultation = consultations.get_visible_consultation(
        actor=actor(), consultation_id=path_id(consultation_id)
    )
    shown = theme_publication.public_themes(consultation, personal_data_markers())
    return jsonify(rep.themes(shown))

"""Finding consultations, reading drafts and commenting on them."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from listening_state import authz
from listening_state.extensions import limiter
from listening_state.i18n import current_language
from listening_state.models import Consultation, ConsultationSection, ConsultationStatus, Stance
from listening_state.personal_data_markers import personal_data_markers
from listening_state.services import (
    consultations,
    intake,
    ministries,
    moderation,
    reports,
    submissions,
    theme_publication,
)
from listening_state.services.errors import ValidationFailed
from listening_state.web.access import login_required
from listening_state.web.consultations.forms import CommentForm, ConsultationFilterForm
from listening_state.web.forms_util import show_service_errors
from listening_state.web.labels import as_choices
from listening_state.web.moderation.forms import FlagForm
from listening_state.web.paging import requested_page

bp = Blueprint("consultations", __name__, url_prefix="/consultations")


@bp.route("")
def index() -> str:
    """Published consultations, filtered by ministry, status and text."""
    form = ConsultationFilterForm(request.args)
    all_ministries = ministries.list_ministries(current_language())
    form.ministry.choices = as_choices(
        [("", "—")] + [(str(m.id), m.name(current_language())) for m in all_ministries]
    )
    form.validate()
    status = form.status.data if not form.status.errors else ""
    ministry = form.ministry.data if not form.ministry.errors else ""
    pagination = consultations.search_consultations(
        query=(form.q.data or "") if not form.q.errors else "",
        ministry_id=int(ministry) if ministry else None,
        status=ConsultationStatus(status) if status else None,
        sort=form.sort.data or "closing",
        page=requested_page(),
        per_page=current_app.config["PAGE_SIZE"],
    )
    return render_template("consultations/index.html", form=form, pagination=pagination)


def _section_of(consultation: Consultation, raw_id: str | None) -> ConsultationSection | None:
    if not raw_id:
        return None
    for section in consultation.sections:
        if str(section.id) == raw_id:
            return section
    abort(404)


@bp.route("/<int:consultation_id>")
def detail(consultation_id: int) -> str:
    """The draft by section with comment counts, the comment form and published comments."""
    consultation = consultations.get_visible_consultation(
        actor=current_user if current_user.is_authenticated else None,
        consultation_id=consultation_id,
    )
    section = _section_of(consultation, request.args.get("section"))
    comments = submissions.published_submissions(
        consultation=consultation,
        section_id=section.id if section else None,
        page=requested_page(),
        per_page=current_app.config["PAGE_SIZE"],
    )
    return render_template(
        "consultations/detail.html",
        consultation=consultation,
        counts=consultations.section_comment_counts(consultation),
        report=reports.published_report(consultation),
        can_prepare_report=reports.can_prepare_report(
            current_user if current_user.is_authenticated else None, consultation
        ),
        heard_themes=theme_publication.public_themes(consultation, personal_data_markers()),
        can_view_themes=authz.can_view_themes(
            current_user if current_user.is_authenticated else None, consultation
        ),
        comments=comments,
        filter_section=section,
        form=CommentForm(),
        flag_form=FlagForm(),
        reported=moderation.has_flagged(
            actor=current_user if current_user.is_authenticated else None,
            submission_ids=[s.id for s in comments.items],
        ),
    )


@bp.route("/<int:consultation_id>/comment", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: current_app.config["SUBMISSION_RATE_LIMIT"], methods=["POST"])
def comment(consultation_id: int) -> ResponseReturnValue:
    """Comment on the whole draft or on one section."""
    consultation = consultations.get_visible_consultation(
        actor=current_user, consultation_id=consultation_id
    )
    form = CommentForm()
    if request.method == "GET":
        form.section_id.data = request.args.get("section", "")
    section = _section_of(consultation, form.section_id.data)
    if consultation.is_open() and form.validate_on_submit():
        try:
            submission = intake.receive_feedback(
                actor=current_user,
                consultation=consultation,
                section=section,
                body=form.body.data or "",
                stance=Stance(form.stance.data),
            )
        except ValidationFailed as error:
            show_service_errors(form, error)
        else:
            return redirect(url_for("submissions.confirmation", reference=submission.reference))
    # A closed consultation shows why the comment cannot be sent, with a 409 for the POST.
    status = 200 if request.method == "GET" or consultation.is_open() else 409
    page = render_template(
        "consultations/comment.html", consultation=consultation, section=section, form=form
    )
    return page, status

"""Ministry officers and administrators: consultations and council pages."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from listening_state import authz
from listening_state.i18n import current_language
from listening_state.models import Consultation, ModerationMode
from listening_state.services import consultation_period, consultations, ministries
from listening_state.services.consultations import ConsultationInput
from listening_state.services.errors import InvalidTransition, ValidationFailed
from listening_state.web.access import login_required
from listening_state.web.forms_util import ActionForm, show_service_errors
from listening_state.web.labels import as_choices
from listening_state.web.manage import councils as council_pages
from listening_state.web.manage.forms import ConsultationForm

bp = Blueprint("manage", __name__, url_prefix="/manage")
council_pages.register(bp)


# The service names the stored instants; the form asks for the days they come from.
_DATE_FIELDS = {"opens_at": "opens_on", "closes_at": "closes_on"}


def _consultation_input(
    form: ConsultationForm, current: Consultation | None = None
) -> ConsultationInput:
    # DataRequired has already refused a form without both dates.
    assert form.opens_on.data is not None  # noqa: S101
    assert form.closes_on.data is not None  # noqa: S101
    opens_at, closes_at = consultation_period.instants(
        form.opens_on.data, form.closes_on.data, current=current
    )
    return ConsultationInput(
        title=form.title.data or "",
        summary=form.summary.data or "",
        draft_markdown=form.draft.data or "",
        opens_at=opens_at,
        closes_at=closes_at,
        language=form.language.data or "ru",
        moderation_mode=ModerationMode(form.moderation_mode.data or ModerationMode.PRE.value),
    )


def _show_errors(form: ConsultationForm, error: ValidationFailed) -> None:
    """The service's messages, those about dates beside the date fields."""
    renamed = {_DATE_FIELDS.get(name, name): messages for name, messages in error.errors.items()}
    show_service_errors(form, ValidationFailed(renamed))


def _ministry_choices() -> list[SelectChoice]:
    language = current_language()
    return as_choices(
        (m.id, m.name(language))
        for m in ministries.list_ministries(language)
        if authz.can_manage_ministry(current_user, m.id)
    )


@bp.route("/consultations")
@login_required
def consultations_index() -> str:
    """Every consultation of the ministries this officer works for, drafts included."""
    return render_template(
        "manage/consultations.html",
        consultations=consultations.managed_consultations(actor=current_user),
        action_form=ActionForm(),
    )


@bp.route("/consultations/new", methods=["GET", "POST"])
@login_required
def consultation_new() -> ResponseReturnValue:
    """Write a new consultation; it stays a draft until published."""
    consultations.require_consultation_author(actor=current_user)
    form = ConsultationForm()
    form.ministry.choices = _ministry_choices()
    if form.validate_on_submit():
        try:
            consultation = consultations.create_consultation(
                actor=current_user,
                ministry=ministries.get_by_id(form.ministry.data),
                data=_consultation_input(form),
            )
        except ValidationFailed as error:
            _show_errors(form, error)
        else:
            flash(_("The consultation was saved as a draft."), "success")
            return redirect(url_for("manage.consultation_edit", consultation_id=consultation.id))
    return render_template("manage/consultation_form.html", form=form, consultation=None)


@bp.route("/consultations/<int:consultation_id>/edit", methods=["GET", "POST"])
@login_required
def consultation_edit(consultation_id: int) -> ResponseReturnValue:
    """Edit the title, dates and Markdown draft of a consultation."""
    consultation = consultations.get_managed_consultation(
        actor=current_user, consultation_id=consultation_id
    )
    form = ConsultationForm(obj=None)
    form.ministry.choices = as_choices(
        [(consultation.ministry_id, consultation.ministry.name(current_language()))]
    )
    if not form.is_submitted():
        form.ministry.data = consultation.ministry_id
        form.title.data, form.summary.data = consultation.title, consultation.summary
        form.language.data = consultation.language
        form.moderation_mode.data = consultation.moderation_mode.value
        form.opens_on.data = consultation_period.day_of(consultation.opens_at)
        form.closes_on.data = consultation_period.last_day(consultation.closes_at)
        form.draft.data = consultations.draft_markdown(consultation)
    elif form.validate_on_submit():
        try:
            consultations.update_consultation(
                actor=current_user,
                consultation=consultation,
                data=_consultation_input(form, current=consultation),
            )
        except ValidationFailed as error:
            _show_errors(form, error)
        else:
            flash(_("Your changes were saved."), "success")
            return redirect(url_for("manage.consultation_edit", consultation_id=consultation.id))
    return render_template(
        "manage/consultation_form.html",
        form=form,
        consultation=consultation,
        action_form=ActionForm(),
    )


@bp.route("/consultations/<int:consultation_id>/<any(publish, close):action>", methods=["POST"])
@login_required
def consultation_action(consultation_id: int, action: str) -> ResponseReturnValue:
    """Publish a draft, or close an open consultation now."""
    consultation = consultations.get_managed_consultation(
        actor=current_user, consultation_id=consultation_id
    )
    if not ActionForm().validate_on_submit():
        return redirect(url_for("manage.consultation_edit", consultation_id=consultation_id))
    change = (
        consultations.publish_consultation
        if action == "publish"
        else consultations.close_consultation
    )
    try:
        change(actor=current_user, consultation=consultation)
    except InvalidTransition:
        flash(_("That is not possible in the consultation's current state."), "error")
    except ValidationFailed as error:
        # Only the dates can stop a publication: back to the form where they are changed.
        for messages in error.errors.values():
            for message in messages:
                flash(message, "error")
        return redirect(url_for("manage.consultation_edit", consultation_id=consultation_id))
    else:
        flash(
            _("The consultation was published.")
            if action == "publish"
            else _("The consultation was closed."),
            "success",
        )
    return redirect(url_for("manage.consultations_index"))

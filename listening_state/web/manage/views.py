"""Ministry officers and administrators: consultations and council pages."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from listening_state import authz
from listening_state.i18n import current_language
from listening_state.models import MeetingStatus, MemberPosition
from listening_state.services import consultations, councils, ministries
from listening_state.services.consultations import ConsultationInput
from listening_state.services.councils import MeetingInput, MemberInput
from listening_state.services.errors import InvalidTransition, ValidationFailed
from listening_state.web.access import login_required
from listening_state.web.forms_util import ActionForm, show_service_errors
from listening_state.web.labels import as_choices
from listening_state.web.manage.forms import ConsultationForm, MeetingForm, MemberForm

bp = Blueprint("manage", __name__, url_prefix="/manage")


def _local_day_bounds(opens_on: date, closes_on: date) -> tuple[datetime, datetime]:
    """A consultation runs from the start of its first day to the end of its last, Almaty time."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    opens = datetime.combine(opens_on, time.min, zone)
    closes = datetime.combine(closes_on + timedelta(days=1), time.min, zone)
    return opens.astimezone(UTC), closes.astimezone(UTC)


def _consultation_input(form: ConsultationForm) -> ConsultationInput:
    # DataRequired has already refused a form without both dates.
    assert form.opens_on.data is not None  # noqa: S101
    assert form.closes_on.data is not None  # noqa: S101
    opens_at, closes_at = _local_day_bounds(form.opens_on.data, form.closes_on.data)
    return ConsultationInput(
        title=form.title.data or "",
        summary=form.summary.data or "",
        draft_markdown=form.draft.data or "",
        opens_at=opens_at,
        closes_at=closes_at,
        language=form.language.data or "ru",
    )


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
            show_service_errors(form, error)
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
        zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
        form.ministry.data = consultation.ministry_id
        form.title.data, form.summary.data = consultation.title, consultation.summary
        form.language.data = consultation.language
        form.opens_on.data = consultation.opens_at.astimezone(zone).date()
        form.closes_on.data = (
            consultation.closes_at.astimezone(zone) - timedelta(seconds=1)
        ).date()
        form.draft.data = consultations.draft_markdown(consultation)
    elif form.validate_on_submit():
        try:
            consultations.update_consultation(
                actor=current_user, consultation=consultation, data=_consultation_input(form)
            )
        except ValidationFailed as error:
            show_service_errors(form, error)
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
    else:
        flash(
            _("The consultation was published.")
            if action == "publish"
            else _("The consultation was closed."),
            "success",
        )
    return redirect(url_for("manage.consultations_index"))


def _member_input(form: MemberForm) -> MemberInput:
    return MemberInput(
        full_name=form.full_name.data or "",
        position=MemberPosition(form.position.data),
        affiliation=form.affiliation.data or "",
        started_on=form.started_on.data,
        ended_on=form.ended_on.data,
    )


def _meeting_input(form: MeetingForm) -> MeetingInput:
    assert form.held_on.data  # noqa: S101 - DataRequired validated it
    return MeetingInput(
        held_on=form.held_on.data,
        title=form.title.data or "",
        agenda=form.agenda.data or "",
        minutes=form.minutes.data or "",
        status=MeetingStatus(form.status.data),
    )


def _council_page(
    council_id: int, member_form: MemberForm | None = None, meeting_form: MeetingForm | None = None
) -> str:
    council = councils.get_managed_council(actor=current_user, council_id=council_id)
    return render_template(
        "manage/council.html",
        council=council,
        member_form=member_form or MemberForm(formdata=None),
        meeting_form=meeting_form or MeetingForm(formdata=None),
        action_form=ActionForm(),
    )


@bp.route("/councils/<int:council_id>")
@login_required
def council(council_id: int) -> str:
    """Members and meetings of a council, with forms to add both."""
    return _council_page(council_id)


@bp.route("/councils/<int:council_id>/members", methods=["POST"])
@login_required
def member_add(council_id: int) -> ResponseReturnValue:
    """Add a member to the council."""
    council = councils.get_managed_council(actor=current_user, council_id=council_id)
    form = MemberForm()
    if form.validate_on_submit():
        try:
            councils.add_member(actor=current_user, council=council, data=_member_input(form))
        except ValidationFailed as error:
            show_service_errors(form, error)
        else:
            flash(_("The member was added."), "success")
            return redirect(url_for("manage.council", council_id=council_id))
    return _council_page(council_id, member_form=form), 400


@bp.route("/members/<int:member_id>/remove", methods=["POST"])
@login_required
def member_remove(member_id: int) -> ResponseReturnValue:
    """Remove a member entered by mistake (past members are kept with an end date)."""
    member = councils.get_member(member_id)
    council_id = member.council_id
    if ActionForm().validate_on_submit():
        councils.remove_member(actor=current_user, member=member)
        flash(_("The member was removed."), "success")
    return redirect(url_for("manage.council", council_id=council_id))


@bp.route("/councils/<int:council_id>/meetings", methods=["POST"])
@login_required
def meeting_add(council_id: int) -> ResponseReturnValue:
    """Schedule a meeting, or record one already held."""
    council = councils.get_managed_council(actor=current_user, council_id=council_id)
    form = MeetingForm()
    if form.validate_on_submit():
        try:
            councils.schedule_meeting(
                actor=current_user, council=council, data=_meeting_input(form)
            )
        except ValidationFailed as error:
            show_service_errors(form, error)
        else:
            flash(_("The meeting was saved."), "success")
            return redirect(url_for("manage.council", council_id=council_id))
    return _council_page(council_id, meeting_form=form), 400


@bp.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
@login_required
def meeting_edit(meeting_id: int) -> ResponseReturnValue:
    """Edit a meeting: its agenda before, its minutes after."""
    meeting = councils.get_managed_meeting(actor=current_user, meeting_id=meeting_id)
    form = MeetingForm(obj=meeting)
    if not form.is_submitted():
        form.status.data = meeting.status.value
    if form.validate_on_submit():
        try:
            councils.update_meeting(actor=current_user, meeting=meeting, data=_meeting_input(form))
        except ValidationFailed as error:
            show_service_errors(form, error)
        else:
            flash(_("The meeting was saved."), "success")
            return redirect(url_for("manage.council", council_id=meeting.council_id))
    return render_template("manage/meeting_form.html", form=form, meeting=meeting)

"""The working calendar for administrators: holidays, transferred days off, worked weekends."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from listening_state.models import DayKind
from listening_state.services import calendar
from listening_state.services.deadlines import today
from listening_state.services.errors import PermissionDenied, ValidationFailed
from listening_state.web.access import login_required
from listening_state.web.calendar.forms import DAY_KINDS, AddDayForm
from listening_state.web.forms_util import ActionForm, show_service_errors

bp = Blueprint("calendar", __name__)


def _year() -> int:
    year = request.args.get("year", type=int)
    if year is None:
        return today().year
    if not calendar.FIRST_YEAR <= year <= calendar.LAST_YEAR:
        abort(404)
    return year


def _page(year: int, form: AddDayForm, status: int = 200) -> ResponseReturnValue:
    return render_template(
        "calendar/index.html",
        year=year,
        days=calendar.days_of(year),
        form=form,
        kinds=DAY_KINDS,
        action_form=ActionForm(),
    ), status


@bp.route("/admin/calendar", methods=["GET", "POST"])
@login_required
def index() -> ResponseReturnValue:
    """The year's days off and worked weekend days, and a form to add one."""
    if not calendar.can_manage_calendar(current_user):
        raise PermissionDenied("only administrators keep the working calendar")
    year = _year()
    form = AddDayForm()
    if not form.validate_on_submit():
        return _page(year, form, 400 if form.is_submitted() else 200)
    try:
        row = calendar.add_day(
            actor=current_user,
            day=form.day.data,
            kind=DayKind(form.kind.data),
            name_kk=form.name_kk.data or "",
            name_ru=form.name_ru.data or "",
            name_en=form.name_en.data or "",
        )
    except ValidationFailed as error:
        show_service_errors(form, error)
        return _page(year, form, 400)
    flash(_("%(date)s was added to the calendar.", date=row.day.isoformat()), "success")
    return redirect(url_for("calendar.index", year=row.day.year))


@bp.route("/admin/calendar/<int:day_id>/remove", methods=["POST"])
@login_required
def remove(day_id: int) -> ResponseReturnValue:
    """Take a day out of the calendar; deadlines counted later use the calendar without it."""
    if not calendar.can_manage_calendar(current_user):
        raise PermissionDenied("only administrators keep the working calendar")
    if not ActionForm().validate_on_submit():
        abort(400)
    row = calendar.get_day(day_id)
    year, day = row.day.year, row.day.isoformat()
    calendar.remove_day(actor=current_user, calendar_day=row)
    flash(_("%(date)s was removed from the calendar.", date=day), "success")
    return redirect(url_for("calendar.index", year=year))

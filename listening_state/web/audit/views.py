"""The audit log for administrators: filter it on a page, export it as CSV."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination

from listening_state.models.base import utcnow
from listening_state.services import audit
from listening_state.services.audit import AuditFilter
from listening_state.web.access import login_required
from listening_state.web.audit.forms import AuditFilterForm
from listening_state.web.downloads import streamed_csv
from listening_state.web.labels import as_choices
from listening_state.web.paging import requested_page

bp = Blueprint("audit", __name__)


def _filters() -> tuple[AuditFilterForm, AuditFilter | None]:
    """The form over the query string, and its filters: None when it refuses them, so that a
    mistyped filter never stands for "no filter" (the whole log)."""
    form = AuditFilterForm(request.args)
    actions = audit.known_actions()
    form.action.choices = as_choices([("", _("Any")), *((a, a) for a in actions)])
    form.target_type.choices = as_choices(
        [("", _("Any")), *((t, t) for t in audit.known_target_types())]
    )
    if not form.validate():
        return form, None
    return form, AuditFilter(
        action=form.action.data or "",
        target_type=form.target_type.data or "",
        target_id=form.target_id.data,
        actor=form.actor.data or "",
        since=form.since.data,
        until=form.until.data,
    )


@bp.route("/admin/audit")
@login_required
def index() -> tuple[str, int]:
    """Every recorded decision, newest first, with filters."""
    audit.require_reader(actor=current_user)
    form, filters = _filters()
    page = requested_page()
    if filters is None:
        return _page(form, entries=None)
    return _page(form, entries=audit.search(actor=current_user, filters=filters, page=page))


def _page(form: AuditFilterForm, *, entries: Pagination | None) -> tuple[str, int]:
    """The page; refused filters show their errors and no entries, with a 400."""
    export_args = {k: v for k, v in request.args.items() if k != "page"}
    status = 400 if form.errors else 200
    return render_template(
        "audit/index.html", form=form, entries=entries, export_args=export_args
    ), status


@bp.route("/admin/audit.csv")
@login_required
def export() -> Response | tuple[str, int]:
    """The filtered log as a CSV file, streamed."""
    audit.require_reader(actor=current_user)
    form, filters = _filters()
    if filters is None:
        # Reached by the page's link: back to the page and its errors, never the whole log.
        return _page(form, entries=None)
    chunks = audit.export_csv(actor=current_user, filters=filters)
    name = f"audit-{utcnow():%Y%m%d-%H%M%S}.csv"
    return streamed_csv(chunks, name)

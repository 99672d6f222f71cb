"""The audit log for administrators: filter it on a page, export it as CSV."""

from __future__ import annotations

from collections.abc import Iterator

from flask import Blueprint, Response, render_template, request, stream_with_context
from flask_babel import gettext as _
from flask_login import current_user

from listening_state.models.base import utcnow
from listening_state.services import audit
from listening_state.services.audit import AuditFilter
from listening_state.web.access import login_required
from listening_state.web.audit.forms import AuditFilterForm
from listening_state.web.labels import as_choices

bp = Blueprint("audit", __name__)


def _filters() -> tuple[AuditFilterForm, AuditFilter]:
    form = AuditFilterForm(request.args)
    actions = audit.known_actions()
    form.action.choices = as_choices([("", _("Any")), *((a, a) for a in actions)])
    form.target_type.choices = as_choices(
        [("", _("Any")), *((t, t) for t in audit.known_target_types())]
    )
    if not form.validate():
        return form, AuditFilter()
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
    form, filters = _filters()
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    entries = audit.search(actor=current_user, filters=filters, page=page)
    export_args = {k: v for k, v in request.args.items() if k != "page"}
    status = 400 if form.errors else 200
    return render_template(
        "audit/index.html", form=form, entries=entries, export_args=export_args
    ), status


@bp.route("/admin/audit.csv")
@login_required
def export() -> Response:
    """The filtered log as a CSV file, streamed."""
    _, filters = _filters()
    rows = audit.export_csv(actor=current_user, filters=filters)
    first = next(rows)  # checks permission before the response starts
    name = f"audit-{utcnow():%Y%m%d-%H%M%S}.csv"

    def stream() -> Iterator[str]:
        yield first
        yield from rows

    return Response(
        stream_with_context(stream()),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )

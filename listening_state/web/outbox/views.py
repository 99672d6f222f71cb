"""The e-mail outbox for administrators: what was sent, what waits, what failed and why."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from listening_state.extensions import limiter
from listening_state.models import OutboxStatus
from listening_state.services import outbox
from listening_state.web.access import login_required
from listening_state.web.forms_util import ActionForm
from listening_state.web.outbox.forms import STATUS_LABELS, OutboxFilterForm
from listening_state.web.paging import requested_page
from listening_state.web.urls import safe_next

bp = Blueprint("outbox", __name__)


@bp.route("/admin/outbox")
@login_required
def index() -> tuple[str, int]:
    """Messages newest first, by status; in development their text, since nothing is sent."""
    form = OutboxFilterForm(request.args)
    valid = form.validate()
    status = OutboxStatus(form.status.data) if valid and form.status.data else None
    page = requested_page()
    messages = outbox.list_messages(
        actor=current_user, status=status, page=page, per_page=current_app.config["PAGE_SIZE"]
    )
    return render_template(
        "outbox/index.html",
        form=form,
        messages=messages,
        counts=outbox.status_counts(actor=current_user),
        status_labels=STATUS_LABELS,
        shows_bodies=current_app.config["MAIL_TRANSPORT"] == "outbox-page",
        retry_form=ActionForm(),
    ), (200 if valid else 400)


@bp.route("/admin/outbox/<int:message_id>/retry", methods=["POST"])
@login_required
@limiter.limit(lambda: current_app.config["OUTBOX_ACTION_RATE_LIMIT"])
def retry(message_id: int) -> Response:
    """Give a failed message a fresh set of attempts."""
    message = outbox.get_message(actor=current_user, message_id=message_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    outbox.requeue(actor=current_user, message=message)
    flash(_("The message is queued again; the next run of the sending job sends it."), "success")
    return redirect(safe_next(url_for("outbox.index")))

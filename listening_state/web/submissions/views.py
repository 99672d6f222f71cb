"""A citizen's own submissions and the page of each one."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from listening_state import authz
from listening_state.models import SubmissionStatus
from listening_state.services import submissions
from listening_state.web.access import login_required
from listening_state.web.paging import requested_page
from listening_state.web.routing import forms as routing_forms
from listening_state.web.submissions.forms import LookupForm

bp = Blueprint("submissions", __name__)


@bp.route("/my/submissions")
@login_required
def mine() -> ResponseReturnValue:
    """The signed-in citizen's submissions, newest first, with a lookup by reference."""
    lookup = LookupForm(request.args)
    if "reference" in request.args and lookup.validate():
        return redirect(url_for("submissions.detail", reference=lookup.reference.data))
    page = requested_page()
    pagination = submissions.submissions_of(
        author=current_user, page=page, per_page=current_app.config["PAGE_SIZE"]
    )
    status = 400 if lookup.errors else 200
    return render_template("submissions/mine.html", pagination=pagination, lookup=lookup), status


@bp.route("/submissions/<reference>")
@login_required
def detail(reference: str) -> str:
    """One submission: where it is and what happened to it (its author and its ministry)."""
    submission = submissions.find_by_reference(actor=current_user, reference=reference)
    reroute = None
    finished = submission.status in (SubmissionStatus.ANSWERED, SubmissionStatus.CLOSED)
    if (
        submission.ministry_id
        and not finished
        and authz.can_manage_ministry(current_user, submission.ministry_id)
    ):
        reroute = routing_forms.reroute_form(submission, formdata=None)
    return render_template("submissions/detail.html", submission=submission, reroute_form=reroute)


@bp.route("/submissions/<reference>/confirmation")
@login_required
def confirmation(reference: str) -> str:
    """Shown right after sending: the reference code to keep."""
    submission = submissions.find_by_reference(actor=current_user, reference=reference)
    if submission.author_id != current_user.id:
        abort(404)
    return render_template("submissions/confirmation.html", submission=submission)

"""The triage queue, re-routing by officers, and the router's page for administrators."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from listening_state.i18n import current_language
from listening_state.services import ministries, router_versions, routing, submissions
from listening_state.services.errors import InvalidTransition
from listening_state.web.access import login_required
from listening_state.web.forms_util import ActionForm, ministry_choices, saved
from listening_state.web.labels import as_choices
from listening_state.web.paging import requested_page
from listening_state.web.routing.forms import TriageForm, reroute_form

bp = Blueprint("routing", __name__)


@bp.route("/triage", methods=["GET", "POST"])
@login_required
def triage() -> ResponseReturnValue:
    """Submissions the router was unsure about, oldest first, with its suggestions."""
    page = requested_page()
    queue = routing.triage_queue(actor=current_user, page=page)
    form = TriageForm()
    choices = ministry_choices()  # one query serves the bulk select, each row's select and names
    form.ministry.choices = as_choices([(0, "—"), *choices])
    if form.validate_on_submit():
        one = request.form.get("assign_one", type=int)
        if one is not None:  # a row's own button: that row, to the ministry chosen on that row
            ids, ministry_id = [one], request.form.get(f"ministry_{one}", type=int)
        else:
            ids, ministry_id = list(form.submission_ids.data or []), form.ministry.data
        if not ids or not ministry_id:
            flash(_("Select at least one submission and a ministry."), "error")
        else:
            try:
                count = routing.assign_from_triage(
                    actor=current_user,
                    submissions=submissions.get_many(ids),
                    ministry=ministries.get_by_id(ministry_id),
                    reason=form.reason.data or "",
                )
            except InvalidTransition:
                flash(
                    _("Some of those submissions were already assigned; please check again."),
                    "error",
                )
            else:
                flash(
                    ngettext(
                        "%(num)d submission assigned.", "%(num)d submissions assigned.", count
                    ),
                    "success",
                )
            return redirect(url_for("routing.triage", page=page))
    return render_template(
        "routing/triage.html",
        queue=queue,
        form=form,
        suggestions={s.id: routing.latest_suggestions(s) for s in queue.items},
        ministry_names=dict(choices),
        ministry_choices=choices,
    )


@bp.route("/submissions/<reference>/reroute", methods=["POST"])
@login_required
def reroute(reference: str) -> ResponseReturnValue:
    """An officer sends a submission on to the competent ministry, with a reason."""
    submission = submissions.find_by_reference(actor=current_user, reference=reference)
    routing.require_rerouter(actor=current_user, submission=submission)
    form = reroute_form(submission)
    if saved(
        form,
        lambda: routing.reroute_submission(
            actor=current_user,
            submission=submission,
            ministry=ministries.get_by_id(form.ministry.data),
            reason=form.reason.data or "",
        ),
        _("The submission was sent to the competent ministry."),
    ):
        return redirect(url_for("submissions.detail", reference=submission.reference))
    return render_template("submissions/detail.html", submission=submission, reroute_form=form), 400


@bp.route("/admin/router")
@login_required
def router() -> str:
    """The active router version, its evaluation and how routing went in the last 30 days."""
    figures = router_versions.routing_figures(actor=current_user, days=30)
    versions = router_versions.list_versions()
    active = next((v for v in versions if v.is_active), None)
    names = {
        m.code: m.name(current_language()) for m in ministries.list_ministries(current_language())
    }
    return render_template(
        "routing/router.html",
        figures=figures,
        versions=versions,
        active=active,
        per_ministry=router_versions.per_ministry_counts(active) if active else [],
        names=names,
        action_form=ActionForm(),
    )


@bp.route("/admin/router/<version>/activate", methods=["POST"])
@login_required
def activate(version: str) -> ResponseReturnValue:
    """Switch every process to this version (rolling back is the same action)."""
    if not ActionForm().validate_on_submit():
        abort(400)
    router_versions.activate_version(actor=current_user, version=version)
    flash(_("Router version %(version)s is now active.", version=version), "success")
    return redirect(url_for("routing.router"))

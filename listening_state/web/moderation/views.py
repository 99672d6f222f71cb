"""The Public Council's moderation queue, the published rules, reports and second chances."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from listening_state.extensions import limiter
from listening_state.models import ModerationHintKind, ModerationReason
from listening_state.services import moderation, submissions
from listening_state.services.errors import InvalidTransition, ValidationFailed
from listening_state.services.moderation import QueueFilter, QueueState
from listening_state.web.access import login_required
from listening_state.web.forms_util import show_service_errors
from listening_state.web.labels import RULES, as_choices
from listening_state.web.moderation.forms import (
    DecisionForm,
    FlagForm,
    QueueFilterForm,
    ResubmitForm,
)
from listening_state.web.paging import requested_page

bp = Blueprint("moderation", __name__)


@bp.route("/moderation-rules")
def rules() -> str:
    """The published moderation rules: every reason a comment can be rejected for."""
    return render_template(
        "moderation/rules.html",
        rules=RULES,
        flag_threshold=current_app.config["FLAG_HIDE_THRESHOLD"],
    )


def _queue_filter(form: QueueFilterForm) -> QueueFilter:
    state = form.state.data if form.state.data in QueueState.CHOICES else QueueState.PENDING
    hint = form.hint.data
    # A value not among the choices (not a consultation this person moderates, or a number
    # too large for any id) filters nothing, as the select then shows "All consultations".
    consultation = None if form.consultation.errors else form.consultation.data
    return QueueFilter(
        consultation_id=consultation or None,
        state=state,
        hint=ModerationHintKind(hint) if hint in {k.value for k in ModerationHintKind} else None,
    )


def _decide(form: DecisionForm) -> None:
    """Apply the button that was pressed: one item's approve/reject, or the bulk ones."""
    one = request.form.get("approve_one", type=int) or request.form.get("reject_one", type=int)
    rejecting = "reject_one" in request.form or "reject_selected" in request.form
    if one is not None:
        ids, reason_value = [one], request.form.get(f"reason_{one}", "")
    else:
        ids, reason_value = list(form.submission_ids.data or []), form.reason.data or ""
    if not ids:
        flash(_("Select at least one comment."), "error")
        return
    reason = None
    if rejecting:
        if reason_value not in {r.value for r in ModerationReason}:
            flash(_("Choose the rule the comment breaks."), "error")
            return
        reason = ModerationReason(reason_value)
    note = request.form.get(f"note_{one}", "") if one is not None else form.note.data or ""
    try:
        count = moderation.decide_many(
            actor=current_user,
            submissions=submissions.get_many(ids),
            reason=reason,
            note=note,
        )
    except ValidationFailed as error:
        for messages in error.errors.values():
            for message in messages:
                flash(message, "error")
        return
    if reason is None:
        flash(ngettext("%(num)d comment approved.", "%(num)d comments approved.", count), "success")
    else:
        flash(ngettext("%(num)d comment rejected.", "%(num)d comments rejected.", count), "success")


@bp.route("/moderation", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: current_app.config["MODERATION_RATE_LIMIT"], methods=["POST"])
def queue() -> ResponseReturnValue:
    """Comments waiting for the council's decision, oldest first, with hints."""
    filters = QueueFilterForm(request.args)
    consultations = moderation.queue_consultations(actor=current_user)
    filters.consultation.choices = as_choices(
        [(0, _("All consultations")), *((c.id, c.title) for c in consultations)]
    )
    filters.validate()
    chosen = _queue_filter(filters)
    form = DecisionForm()
    if form.validate_on_submit():
        _decide(form)
        return redirect(request.full_path.rstrip("?"))
    page = requested_page()
    items = moderation.moderation_queue(
        actor=current_user,
        filters=chosen,
        page=page,
        per_page=current_app.config["QUEUE_PAGE_SIZE"],
    )
    return render_template(
        "moderation/queue.html",
        queue=items,
        filters=filters,
        form=form,
        flags=moderation.open_flags(items.items),
        originals=moderation.duplicate_originals(items.items),
        reasons=list(ModerationReason),
        duplicate_min=current_app.config["DUPLICATE_HINT_MIN_SCORE"],
        risk_min=current_app.config["RISK_HINT_MIN_SCORE"],
    )


@bp.route("/submissions/<reference>/flag", methods=["POST"])
@login_required
@limiter.limit(lambda: current_app.config["FLAG_RATE_LIMIT"], methods=["POST"])
def flag(reference: str) -> ResponseReturnValue:
    """A reader reports a published comment to the council."""
    submission = submissions.find_published(reference=reference)
    form = FlagForm()
    if not form.validate_on_submit():
        flash(_("Choose what is wrong with the comment."), "error")
    else:
        try:
            moderation.flag_submission(
                actor=current_user,
                submission=submission,
                reason=ModerationReason(form.reason.data),
                note=form.note.data or "",
            )
        except InvalidTransition:
            flash(_("You have already reported this comment."), "info")
        except ValidationFailed as error:
            flash(" ".join(m for ms in error.errors.values() for m in ms), "error")
        else:
            flash(_("Thank you. The council's moderators will look at this comment."), "success")
    # Back where the reader was: the same page of comments, in the same section.
    return redirect(
        url_for(
            "consultations.detail",
            consultation_id=submission.consultation_id,
            page=request.args.get("page", type=int),
            section=request.args.get("section", type=int),
            _anchor=f"comment-{submission.reference}",
        )
    )


@bp.route("/submissions/<reference>/edit", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: current_app.config["SUBMISSION_RATE_LIMIT"], methods=["POST"])
def resubmit(reference: str) -> ResponseReturnValue:
    """The author corrects a rejected comment once and sends it back to the moderators."""
    submission = submissions.find_by_reference(actor=current_user, reference=reference)
    if not moderation.can_resubmit(current_user, submission):
        flash(_("This comment cannot be edited."), "error")
        return redirect(url_for("submissions.detail", reference=submission.reference))
    form = ResubmitForm()
    if not form.is_submitted():
        form.body.data = submission.body
    elif form.validate_on_submit():
        try:
            moderation.resubmit(actor=current_user, submission=submission, body=form.body.data)
        except ValidationFailed as error:
            show_service_errors(form, error)
        except InvalidTransition:
            flash(_("This comment cannot be edited."), "error")
        else:
            flash(_("Your corrected comment was sent to the moderators."), "success")
            return redirect(url_for("submissions.detail", reference=submission.reference))
    status = 400 if form.errors else 200
    return render_template("moderation/resubmit.html", form=form, submission=submission), status

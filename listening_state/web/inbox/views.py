"""A ministry's inbox: the list with filters and bulk actions, each item, exports, templates."""

from __future__ import annotations

from collections.abc import Callable

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm

from listening_state import authz
from listening_state.models import Ministry, Stance, Submission, SubmissionStatus
from listening_state.models.base import utcnow
from listening_state.services import (
    answers,
    deadlines,
    inbox,
    inbox_export,
    ministries,
    submissions,
    theme_views,
)
from listening_state.services.errors import InvalidTransition, PermissionDenied, ValidationFailed
from listening_state.services.inbox import InboxFilter
from listening_state.web.access import login_required
from listening_state.web.downloads import streamed_csv
from listening_state.web.forms_util import ActionForm, saved, show_service_errors
from listening_state.web.inbox.forms import (
    AnswerForm,
    AssignForm,
    BulkForm,
    CloseForm,
    ExtendForm,
    InboxFilterForm,
    TemplateForm,
    TemplatePickForm,
)
from listening_state.web.labels import as_choices
from listening_state.web.paging import requested_page

bp = Blueprint("inbox", __name__)


def _ministry(code: str) -> Ministry:
    """The ministry of the URL, refused before anything of its inbox is read."""
    ministry = ministries.get_by_code(code)
    if not authz.can_work_inbox(current_user, ministry.id):
        raise PermissionDenied("not this ministry's inbox")
    return ministry


def _filters(ministry: Ministry) -> tuple[InboxFilterForm, InboxFilter]:
    form = InboxFilterForm(request.args)
    consultations = inbox.inbox_consultations(actor=current_user, ministry=ministry)
    form.consultation.choices = as_choices(
        [(0, _("All consultations")), *((c.id, c.title) for c in consultations)]
    )
    sections = [
        (s.id, f"{c.title}: {s.heading}")
        for c in consultations
        if not form.consultation.data or c.id == form.consultation.data
        for s in c.sections
    ]
    form.section.choices = as_choices([(0, _("All sections")), *sections])
    chosen_consultation = next((c for c in consultations if c.id == form.consultation.data), None)
    themes = theme_views.inbox_theme_choices(
        actor=current_user, ministry=ministry, consultation=chosen_consultation
    )
    form.theme.choices = as_choices([(0, _("All themes")), *themes])
    if not form.validate():
        return form, InboxFilter()
    low, high = form.min_confidence.data, form.max_confidence.data
    return form, InboxFilter(
        consultation_id=form.consultation.data or None,
        section_id=form.section.data or None,
        status=SubmissionStatus(form.status.data) if form.status.data else None,
        stance=Stance(form.stance.data) if form.stance.data else None,
        overdue=bool(form.overdue.data),
        due_soon=bool(form.due_soon.data),
        min_confidence=low / 100 if low is not None else None,
        max_confidence=high / 100 if high is not None else None,
        assigned=form.assigned.data or "",
        query=form.q.data or "",
        sort=form.sort.data or inbox.Sort.OLDEST,
        theme_id=form.theme.data or None,
    )


def _officer_choices(ministry: Ministry, blank: str) -> list[object]:
    return as_choices([(0, blank), *((u.id, u.display_name) for u in inbox.officers_of(ministry))])


def _template_choices(ministry: Ministry) -> list[object]:
    templates = answers.list_templates(actor=current_user, ministry=ministry)
    return as_choices([(0, "—"), *((t.id, t.title) for t in templates)])


@bp.route("/inbox")
@login_required
def choose() -> ResponseReturnValue:
    """Officers of one ministry go straight to its inbox; others choose which."""
    choices = inbox.inbox_ministries(actor=current_user)
    if not choices:
        abort(403)
    if len(choices) == 1:
        return redirect(url_for("inbox.queue", code=choices[0].code))
    return render_template("inbox/choose.html", ministries=choices)


def _bulk(ministry: Ministry, form: BulkForm) -> None:
    """Apply the button that was pressed: a row's own, or one for all checked rows."""
    review_one = request.form.get("review_one", type=int)
    assign_me = request.form.get("assign_me", type=int)
    ids = list(form.submission_ids.data or [])
    if review_one is not None:
        inbox.start_review(actor=current_user, submission=submissions.get_many([review_one])[0])
        flash(_("The submission is now in review."), "success")
        return
    if assign_me is not None:
        inbox.assign(
            actor=current_user, submissions=submissions.get_many([assign_me]), officer=current_user
        )
        flash(_("The submission is assigned to you."), "success")
        return
    if not ids:
        flash(_("Select at least one submission."), "error")
        return
    chosen = submissions.get_many(ids)
    if "assign_selected" in request.form:
        officer = inbox.get_officer(form.officer.data) if form.officer.data else None
        count = inbox.assign(actor=current_user, submissions=chosen, officer=officer)
        flash(ngettext("%(num)d submission assigned.", "%(num)d submissions assigned.", count))
        return
    template = None
    if form.template.data:
        template = answers.get_template(
            actor=current_user, ministry=ministry, template_id=form.template.data
        )
    body = form.body.data or (template.body if template else "")
    answers.answer_submissions(actor=current_user, submissions=chosen, body=body, template=template)
    flash(
        ngettext("%(num)d submission answered.", "%(num)d submissions answered.", len(chosen)),
        "success",
    )


@bp.route("/ministries/<code>/inbox", methods=["GET", "POST"])
@login_required
def queue(code: str) -> ResponseReturnValue:
    """Everything routed to the ministry, with filters, deadlines and bulk actions."""
    ministry = _ministry(code)
    filters, chosen = _filters(ministry)
    form = BulkForm()
    form.officer.choices = _officer_choices(ministry, _("No one (unassign)"))
    form.template.choices = _template_choices(ministry)
    if form.validate_on_submit():
        try:
            _bulk(ministry, form)
        except ValidationFailed as error:
            for messages in error.errors.values():
                for message in messages:
                    flash(message, "error")
        except InvalidTransition:
            flash(_("Some selected submissions are already answered or closed."), "error")
        return redirect(request.full_path.rstrip("?"))
    today = deadlines.today()
    page = requested_page()
    items = inbox.inbox(
        actor=current_user,
        ministry=ministry,
        filters=chosen,
        on=today,
        page=page,
        per_page=current_app.config["QUEUE_PAGE_SIZE"],
    )
    export_args = {k: v for k, v in request.args.items() if k != "page"}
    status = 400 if filters.errors else 200
    return render_template(
        "inbox/queue.html",
        ministry=ministry,
        queue=items,
        filters=filters,
        form=form,
        counts=inbox.counts(ministry, today),
        overdue={s.id for s in items.items if deadlines.is_overdue(s, today)},
        due_soon={s.id for s in items.items if deadlines.is_due_soon(s, today)},
        open_statuses=inbox.OPEN_STATUSES,
        reviewable=inbox.REVIEWABLE,
        export_args=export_args,
    ), status


def _item_page(
    ministry: Ministry,
    submission: Submission,
    *,
    answer_form: AnswerForm | None = None,
    close_form: CloseForm | None = None,
    assign_form: AssignForm | None = None,
    extend_form: ExtendForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    pick = TemplatePickForm(request.args)
    pick.template.choices = _template_choices(ministry)
    if answer_form is None:
        answer_form = AnswerForm(formdata=None)
        if pick.template.data:
            template = answers.get_template(
                actor=current_user, ministry=ministry, template_id=pick.template.data
            )
            answer_form.body.data, answer_form.template.data = template.body, template.id
    if assign_form is None:
        assign_form = AssignForm(formdata=None, officer=submission.assigned_to_id or 0)
    assign_form.officer.choices = _officer_choices(ministry, _("No one"))
    today = deadlines.today()
    return render_template(
        "inbox/item.html",
        ministry=ministry,
        submission=submission,
        pick=pick,
        answer_form=answer_form,
        close_form=close_form or CloseForm(formdata=None),
        extend_form=extend_form or ExtendForm(formdata=None),
        can_extend=submission.extended_at is None and submission.due_on is not None,
        latest_extension=deadlines.latest_extension_date(submission),
        assign_form=assign_form,
        action_form=ActionForm(),
        is_open=submission.status in inbox.OPEN_STATUSES,
        reviewable=submission.status in inbox.REVIEWABLE,
        overdue=deadlines.is_overdue(submission, today),
        due_soon=deadlines.is_due_soon(submission, today),
    ), status


def _item(code: str, reference: str) -> tuple[Ministry, Submission]:
    ministry = _ministry(code)
    return ministry, inbox.find_in_inbox(actor=current_user, ministry=ministry, reference=reference)


def _back(ministry: Ministry, submission: Submission) -> ResponseReturnValue:
    return redirect(url_for("inbox.item", code=ministry.code, reference=submission.reference))


def _submit(
    ministry: Ministry,
    submission: Submission,
    form: FlaskForm,
    change: Callable[[], object],
    *,
    done: str,
    form_name: str,
) -> ResponseReturnValue:
    """Run one item action from its form: back to the item when it worked, the item page
    with the form's errors (400) when the input was refused."""
    if form.validate_on_submit():
        try:
            change()
        except ValidationFailed as error:
            show_service_errors(form, error)
        except InvalidTransition:
            flash(_("That is not possible in the submission's current state."), "error")
            return _back(ministry, submission)
        else:
            flash(done, "success")
            return _back(ministry, submission)
    return _item_page(ministry, submission, status=400, **{form_name: form})


@bp.route("/ministries/<code>/inbox/<reference>")
@login_required
def item(code: str, reference: str) -> ResponseReturnValue:
    """One submission as the ministry reads it, with what can be done with it."""
    ministry, submission = _item(code, reference)
    return _item_page(ministry, submission)


@bp.route("/ministries/<code>/inbox/<reference>/review", methods=["POST"])
@login_required
def review(code: str, reference: str) -> ResponseReturnValue:
    """Take the submission into review."""
    ministry, submission = _item(code, reference)
    if not ActionForm().validate_on_submit():
        abort(400)
    inbox.start_review(actor=current_user, submission=submission)
    flash(_("The submission is now in review."), "success")
    return _back(ministry, submission)


@bp.route("/ministries/<code>/inbox/<reference>/answer", methods=["POST"])
@login_required
def answer(code: str, reference: str) -> ResponseReturnValue:
    """Publish the ministry's answer to this submission."""
    ministry, submission = _item(code, reference)
    form = AnswerForm()
    if form.validate_on_submit():
        template = None
        if form.template.data:
            template = answers.get_template(
                actor=current_user, ministry=ministry, template_id=form.template.data
            )
        try:
            answers.answer_submissions(
                actor=current_user, submissions=[submission], body=form.body.data, template=template
            )
        except ValidationFailed as error:
            show_service_errors(form, error)
        else:
            flash(_("The answer is published; the author can read it now."), "success")
            return _back(ministry, submission)
    return _item_page(ministry, submission, answer_form=form, status=400)


@bp.route("/ministries/<code>/inbox/<reference>/close", methods=["POST"])
@login_required
def close(code: str, reference: str) -> ResponseReturnValue:
    """Close the submission without an answer, with a reason."""
    ministry, submission = _item(code, reference)
    form = CloseForm()
    return _submit(
        ministry,
        submission,
        form,
        lambda: inbox.close_without_answer(
            actor=current_user, submission=submission, reason=form.reason.data
        ),
        done=_("The submission is closed."),
        form_name="close_form",
    )


@bp.route("/ministries/<code>/inbox/<reference>/extend", methods=["POST"])
@login_required
def extend(code: str, reference: str) -> ResponseReturnValue:
    """Extend the answer deadline once, with a reason, within the statutory maximum."""
    ministry, submission = _item(code, reference)
    form = ExtendForm()
    return _submit(
        ministry,
        submission,
        form,
        lambda: deadlines.extend_deadline(
            actor=current_user,
            submission=submission,
            new_due_on=form.new_due_on.data,
            reason=form.reason.data or "",
        ),
        done=_("The deadline was extended."),
        form_name="extend_form",
    )


@bp.route("/ministries/<code>/inbox/<reference>/assign", methods=["POST"])
@login_required
def assign(code: str, reference: str) -> ResponseReturnValue:
    """Give the submission to an officer of the ministry, or to no one."""
    ministry, submission = _item(code, reference)
    form = AssignForm()
    form.officer.choices = _officer_choices(ministry, "")
    form.officer.validate_choice = False  # the service says which users may be assigned
    if form.validate_on_submit():
        officer = inbox.get_officer(form.officer.data) if form.officer.data else None
        try:
            inbox.assign(actor=current_user, submissions=[submission], officer=officer)
        except ValidationFailed as error:
            show_service_errors(form, error)
        else:
            flash(_("The assignment is saved."), "success")
            return _back(ministry, submission)
    return _item_page(ministry, submission, assign_form=form, status=400)


@bp.route("/ministries/<code>/inbox.csv")
@login_required
def export_csv(code: str) -> Response:
    """The filtered inbox as CSV, streamed."""
    ministry = _ministry(code)
    _, chosen = _filters(ministry)
    chunks = inbox_export.export_csv(
        actor=current_user, ministry=ministry, filters=chosen, on=deadlines.today()
    )
    name = f"inbox-{ministry.code}-{utcnow():%Y%m%d-%H%M%S}.csv"
    return streamed_csv(chunks, name)


@bp.route("/ministries/<code>/inbox.xlsx")
@login_required
def export_xlsx(code: str) -> Response:
    """The filtered inbox as an Excel workbook."""
    ministry = _ministry(code)
    _, chosen = _filters(ministry)
    data = inbox_export.export_xlsx(
        actor=current_user, ministry=ministry, filters=chosen, on=deadlines.today()
    )
    name = f"inbox-{ministry.code}-{utcnow():%Y%m%d-%H%M%S}.xlsx"
    return Response(
        data,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _template_fields(form: TemplateForm) -> dict[str, str]:
    return {"title": form.title.data, "body": form.body.data, "language": form.language.data}


@bp.route("/ministries/<code>/answer-templates", methods=["GET", "POST"])
@login_required
def templates(code: str) -> ResponseReturnValue:
    """The ministry's reusable answers, and a form to add one."""
    ministry = _ministry(code)
    form = TemplateForm()
    if saved(
        form,
        lambda: answers.create_template(
            actor=current_user, ministry=ministry, **_template_fields(form)
        ),
        _("The template is saved."),
    ):
        return redirect(url_for("inbox.templates", code=ministry.code))
    return render_template(
        "inbox/templates.html",
        ministry=ministry,
        templates=answers.list_templates(actor=current_user, ministry=ministry),
        form=form,
        action_form=ActionForm(),
    ), 400 if form.errors else 200


@bp.route("/ministries/<code>/answer-templates/<int:template_id>", methods=["GET", "POST"])
@login_required
def edit_template(code: str, template_id: int) -> ResponseReturnValue:
    """Change a template; answers already sent keep their text."""
    ministry = _ministry(code)
    template = answers.get_template(actor=current_user, ministry=ministry, template_id=template_id)
    form = TemplateForm(obj=template)
    if saved(
        form,
        lambda: answers.update_template(
            actor=current_user, template=template, **_template_fields(form)
        ),
        _("The template is saved."),
    ):
        return redirect(url_for("inbox.templates", code=ministry.code))
    return render_template(
        "inbox/template_form.html", ministry=ministry, template=template, form=form
    ), 400 if form.errors else 200


@bp.route("/ministries/<code>/answer-templates/<int:template_id>/delete", methods=["POST"])
@login_required
def delete_template(code: str, template_id: int) -> ResponseReturnValue:
    """Remove a template."""
    ministry = _ministry(code)
    template = answers.get_template(actor=current_user, ministry=ministry, template_id=template_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    answers.delete_template(actor=current_user, template=template)
    flash(_("The template is deleted."), "success")
    return redirect(url_for("inbox.templates", code=ministry.code))

"""Consultation reports, "you said, we did": the ministry writes, the public reads and prints."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from listening_state.authz import Actor
from listening_state.extensions import limiter
from listening_state.models import Consultation, ConsultationReport, ReportOutcome
from listening_state.personal_data_markers import personal_data_markers
from listening_state.services import consultations, reports, theme_publication
from listening_state.services.errors import ValidationFailed
from listening_state.services.reports import ReportInput, SectionInput
from listening_state.web.access import login_required
from listening_state.web.forms_util import saved, show_service_errors
from listening_state.web.reports.forms import ReportForm, WithdrawForm

bp = Blueprint("reports", __name__, url_prefix="/consultations")


def _reader() -> Actor:
    return current_user if current_user.is_authenticated else None


def _readable(consultation_id: int) -> tuple[Consultation, ConsultationReport]:
    consultation = consultations.get_visible_consultation(
        actor=_reader(), consultation_id=consultation_id
    )
    return consultation, reports.readable_report(actor=_reader(), consultation=consultation)


def _report_context(consultation: Consultation, report: ConsultationReport) -> dict[str, Any]:
    return {
        "consultation": consultation,
        "report": report,
        "entries": reports.ordered_sections(report),
        "figures": reports.heard_figures(consultation),
        # The same published themes as the consultation page.
        "heard_themes": theme_publication.public_themes(consultation, personal_data_markers()),
        "can_edit": reports.can_prepare_report(_reader(), consultation),
    }


@bp.route("/<int:consultation_id>/report")
def show(consultation_id: int) -> str:
    """The report: the figures, what was done and why, for the draft and each section."""
    consultation, report = _readable(consultation_id)
    return render_template("reports/show.html", **_report_context(consultation, report))


@bp.route("/<int:consultation_id>/report/print")
def printable(consultation_id: int) -> str:
    """The report on its own, laid out for paper."""
    consultation, report = _readable(consultation_id)
    return render_template("reports/print.html", **_report_context(consultation, report))


def _initial(report: ConsultationReport) -> dict[str, Any]:
    def outcome(value: ReportOutcome | None) -> str:
        return value.value if value else ""

    return {
        "summary": report.summary,
        "outcome": outcome(report.outcome),
        "explanation": report.explanation,
        "sections": [
            {
                "section_id": entry.section_id,
                "heard": entry.heard,
                "outcome": outcome(entry.outcome),
                "explanation": entry.explanation,
            }
            for entry in reports.ordered_sections(report)
        ],
    }


def _outcome(value: str | None) -> ReportOutcome | None:
    return ReportOutcome(value) if value else None


def _input(form: ReportForm) -> ReportInput:
    return ReportInput(
        summary=form.summary.data or "",
        outcome=_outcome(form.outcome.data),
        explanation=form.explanation.data or "",
        sections=tuple(
            SectionInput(
                section_id=entry.form.section_id.data,
                heard=entry.form.heard.data or "",
                outcome=_outcome(entry.form.outcome.data),
                explanation=entry.form.explanation.data or "",
            )
            for entry in form.sections
        ),
    )


def _show_report_errors(form: ReportForm, error: ValidationFailed) -> None:
    """Service errors on the field they name; `sections.<id>.<field>` is a section's field."""
    others: dict[str, list[str]] = {}
    entries = {entry.form.section_id.data: entry.form for entry in form.sections}
    for key, messages in error.errors.items():
        _, section_id, name = key.split(".") if key.startswith("sections.") else ("", "", "")
        target = entries.get(int(section_id)) if section_id.isdigit() else None
        if target is not None and name in target:
            target[name].errors = [*target[name].errors, *messages]
        else:
            others[key] = messages
    show_service_errors(form, ValidationFailed(others))


def _edit_page(
    consultation: Consultation,
    report: ConsultationReport,
    form: ReportForm,
    withdraw_form: WithdrawForm,
    status: int = 200,
) -> ResponseReturnValue:
    figures = reports.heard_figures(consultation)
    headings = {s.id: s.heading for s in consultation.sections}
    unknown = any(entry.form.section_id.data not in headings for entry in form.sections)
    if unknown and str(reports.SECTIONS_CHANGED) not in form.form_errors:
        form.form_errors.append(str(reports.SECTIONS_CHANGED))
    # Each fieldset with its section's heading and figures; the form keeps what was typed.
    rows = [
        (
            entry.form,
            headings[entry.form.section_id.data],
            figures.for_section(entry.form.section_id.data),
        )
        for entry in form.sections
        if entry.form.section_id.data in headings
    ]
    return render_template(
        "reports/edit.html",
        consultation=consultation,
        report=report,
        form=form,
        withdraw_form=withdraw_form,
        figures=figures,
        rows=rows,
    ), status


@bp.route("/<int:consultation_id>/report/edit", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: current_app.config["REPORT_RATE_LIMIT"], methods=["POST"])
def edit(consultation_id: int) -> ResponseReturnValue:
    """Write the report (created on the first visit), save it, publish it or correct it."""
    consultation = consultations.get_managed_consultation(
        actor=current_user, consultation_id=consultation_id
    )
    report = reports.prepare_report(actor=current_user, consultation=consultation)
    if request.method == "GET":
        return _edit_page(consultation, report, ReportForm(data=_initial(report)), WithdrawForm())
    form = ReportForm()
    publish = "publish" in request.form and report.published_at is None
    if form.validate_on_submit():
        saved = False
        try:
            reports.update_report(actor=current_user, report=report, data=_input(form))
            saved = True
            if publish:
                reports.publish_report(actor=current_user, report=report)
        except ValidationFailed as error:
            _show_report_errors(form, error)
            if saved:
                flash(_("Your changes are saved, but the report is not published yet."), "info")
        else:
            if publish:
                flash(_("The report is published."), "success")
                return redirect(url_for("reports.show", consultation_id=consultation.id))
            flash(_("The report is saved."), "success")
            return redirect(url_for("reports.edit", consultation_id=consultation.id))
    return _edit_page(consultation, report, form, WithdrawForm(formdata=None), status=400)


@bp.route("/<int:consultation_id>/report/withdraw", methods=["POST"])
@login_required
@limiter.limit(lambda: current_app.config["REPORT_RATE_LIMIT"], methods=["POST"])
def withdraw(consultation_id: int) -> ResponseReturnValue:
    """Take a published report back to a draft, with a reason kept in the audit log."""
    consultation = consultations.get_managed_consultation(
        actor=current_user, consultation_id=consultation_id
    )
    report = reports.readable_report(actor=current_user, consultation=consultation)
    form = WithdrawForm()
    if saved(
        form,
        lambda: reports.withdraw_report(actor=current_user, report=report, reason=form.reason.data),
        _("The report is withdrawn; the public no longer sees it."),
    ):
        return redirect(url_for("reports.edit", consultation_id=consultation.id))
    page_form = ReportForm(formdata=None, data=_initial(report))
    return _edit_page(consultation, report, page_form, form, status=400)

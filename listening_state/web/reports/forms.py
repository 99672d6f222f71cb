"""Forms of the consultation report: the ministry's text and the withdrawal of a report."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import FieldList, Form, FormField, IntegerField, SelectField
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import HiddenInput

from listening_state.models import ReportOutcome
from listening_state.services.reports import MAX_REPORT_TEXT, MAX_WITHDRAW_REASON
from listening_state.web.form_base import SiteForm
from listening_state.web.forms_util import TextArea
from listening_state.web.labels import LABELS, as_choices

OUTCOME_CHOICES = as_choices(
    [("", _l("Not decided yet")), *((o.value, LABELS[o]) for o in ReportOutcome)]
)


def _report_text(label: object) -> TextArea:
    return TextArea(label, validators=[Optional(), Length(max=MAX_REPORT_TEXT)])


def _outcome(label: object) -> SelectField:
    return SelectField(label, choices=OUTCOME_CHOICES, default="", validators=[Optional()])


class SectionReportForm(Form):
    """One section's entry; part of ReportForm, whose CSRF token covers it."""

    section_id = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    heard = _report_text(_l("What we heard about this section"))
    outcome = _outcome(_l("What we did with this section"))
    explanation = _report_text(_l("How it changed, or why it did not"))


class ReportForm(SiteForm):
    summary = _report_text(_l("What we heard: summary"))
    outcome = _outcome(_l("What we did with the draft as a whole"))
    explanation = _report_text(_l("How the draft changed, or why it did not"))
    sections = FieldList(FormField(SectionReportForm))


class WithdrawForm(SiteForm):
    reason = TextArea(
        _l("Why the report is withdrawn (kept in the audit log)"),
        validators=[
            DataRequired(message=_l("Please give the reason.")),
            Length(max=MAX_WITHDRAW_REASON),
        ],
    )

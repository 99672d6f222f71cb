"""Forms of the ministry inbox: filters, bulk actions, answers, closing, templates."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from listening_state.i18n import current_language
from listening_state.limits import MAX_ID
from listening_state.models import Stance
from listening_state.services.answers import MAX_ANSWER, MAX_TITLE, TEMPLATE_LANGUAGES
from listening_state.services.inbox import (
    INBOX_STATUSES,
    MAX_CLOSE_REASON,
    Assigned,
    Sort,
)
from listening_state.web.form_base import SiteForm
from listening_state.web.forms_util import TextArea, id_number
from listening_state.web.labels import LABELS, as_choices

SORT_LABELS = {
    Sort.OLDEST: _l("Oldest first"),
    Sort.NEWEST: _l("Newest first"),
    Sort.DUE: _l("Due date"),
}
ASSIGNED_LABELS = {
    Assigned.ANYONE: _l("Anyone or no one"),
    Assigned.ME: _l("Assigned to me"),
    Assigned.UNASSIGNED: _l("Unassigned"),
}
LANGUAGE_LABELS = {"kk": _l("Kazakh"), "ru": _l("Russian"), "en": _l("English")}
ANY = _l("Any")


class InboxFilterForm(SiteForm):
    """The GET filters of the inbox; they change nothing, so they need no CSRF token."""

    class Meta:
        csrf = False

    q = StringField(_l("Search the text"), validators=[Optional(), Length(max=200)])
    consultation = SelectField(_l("Consultation"), coerce=int, validators=[Optional()])
    section = SelectField(_l("Section"), coerce=int, validators=[Optional()])
    theme = SelectField(_l("Theme"), coerce=int, validators=[Optional()])
    status = SelectField(
        _l("Status"),
        choices=as_choices([("", ANY), *((s.value, LABELS[s]) for s in INBOX_STATUSES)]),
        validators=[Optional()],
    )
    stance = SelectField(
        _l("Stance"),
        choices=as_choices([("", ANY), *((s.value, LABELS[s]) for s in Stance)]),
        validators=[Optional()],
    )
    assigned = SelectField(
        _l("Assigned"), choices=as_choices(ASSIGNED_LABELS.items()), validators=[Optional()]
    )
    min_confidence = IntegerField(
        _l("Router confidence from (%)"), validators=[Optional(), NumberRange(0, 100)]
    )
    max_confidence = IntegerField(
        _l("Router confidence to (%)"), validators=[Optional(), NumberRange(0, 100)]
    )
    overdue = BooleanField(_l("Overdue only"))
    due_soon = BooleanField(_l("Due within 3 days"))
    sort = SelectField(
        _l("Sort"),
        choices=as_choices(SORT_LABELS.items()),
        default=Sort.OLDEST,
        validators=[Optional()],
    )


def _template_id(value: Any) -> int:
    """A template's id as a select sends it: 0 (none) to MAX_ID.

    A larger number names no template and would overflow the id column's query (a 500); it is
    refused as a value that is not a number is, so the field holds None. That matters because
    the item page reads its template picker without validating it.
    """
    number = int(value)
    if not 0 <= number <= MAX_ID:
        raise ValueError(value)
    return number


def _answer_body(label: object) -> TextArea:
    return TextArea(label, validators=[Optional(), Length(max=MAX_ANSWER)])


class BulkForm(SiteForm):
    """What to do with the checked submissions; rows also have their own buttons."""

    submission_ids = SelectMultipleField(coerce=int, validate_choice=False)
    template = SelectField(_l("Answer template"), coerce=int, validators=[Optional()])
    body = _answer_body(_l("One answer to all selected submissions"))
    officer = SelectField(_l("Assign the selected to"), coerce=int, validators=[Optional()])


class AnswerForm(SiteForm):
    # Hidden, filled from the picker; a number past any id is refused before it reaches a query.
    template = IntegerField(
        validators=[
            Optional(),
            id_number(),
        ]
    )
    body = TextArea(
        _l("Public answer"),
        validators=[DataRequired(message=_l("Please write the answer.")), Length(max=MAX_ANSWER)],
    )


class TemplatePickForm(SiteForm):
    """Choosing a template reloads the page with its text in the answer (no script needed)."""

    class Meta:
        csrf = False

    template = SelectField(
        _l("Start from a template"), coerce=_template_id, validators=[Optional()]
    )


class CloseForm(SiteForm):
    reason = TextArea(
        _l("Why it is closed without an answer"),
        validators=[
            DataRequired(message=_l("Please give the reason.")),
            Length(max=MAX_CLOSE_REASON),
        ],
        id="close-reason",  # the extension form on the same page has a "reason" too
    )


class AssignForm(SiteForm):
    officer = SelectField(_l("Assigned officer"), coerce=int, validators=[Optional()])


class TemplateForm(SiteForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=MAX_TITLE)])
    language = SelectField(
        _l("Language"),
        choices=as_choices((code, LANGUAGE_LABELS[code]) for code in TEMPLATE_LANGUAGES),
        default=current_language,  # the officer's own language, not always Russian
    )
    body = TextArea(
        _l("Text"),
        validators=[DataRequired(message=_l("Please write the text.")), Length(max=MAX_ANSWER)],
    )


class ExtendForm(SiteForm):
    new_due_on = DateField(_l("New due date"), validators=[DataRequired()])
    reason = TextArea(
        _l("Why the ministry needs more time (the citizen is told)"),
        validators=[DataRequired(message=_l("Please give the reason.")), Length(max=1000)],
        id="extend-reason",
    )

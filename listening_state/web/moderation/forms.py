"""Forms for the moderation queue, readers' reports and an author's corrected comment."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional

from listening_state.models import ModerationHintKind, ModerationReason
from listening_state.services.moderation import MAX_NOTE, QueueState
from listening_state.web.form_base import SiteForm
from listening_state.web.forms_util import comment_body
from listening_state.web.labels import LABELS, as_choices, choices

STATE_LABELS = {
    QueueState.PENDING: _l("Waiting for a decision"),
    QueueState.PUBLISHED: _l("Published"),
    QueueState.HIDDEN: _l("Rejected"),
    QueueState.ALL: _l("All"),
}


class QueueFilterForm(SiteForm):
    """The GET filters of the queue; they change nothing, so they need no CSRF token."""

    class Meta:
        csrf = False

    consultation = SelectField(_l("Consultation"), coerce=int, validators=[Optional()])
    state = SelectField(
        _l("State"), choices=as_choices(STATE_LABELS.items()), default=QueueState.PENDING
    )
    hint = SelectField(
        _l("Hint"),
        choices=as_choices([("", _l("Any")), *((k.value, LABELS[k]) for k in ModerationHintKind)]),
        validators=[Optional()],
    )


def _reason_choices(blank: str) -> list[object]:
    return as_choices([("", blank), *((r.value, LABELS[r]) for r in ModerationReason)])


class DecisionForm(SiteForm):
    """Bulk approve or reject of the checked items; each item also has its own buttons."""

    submission_ids = SelectMultipleField(coerce=int, validate_choice=False)
    reason = SelectField(
        _l("Reason (for rejecting)"), choices=_reason_choices("—"), validators=[Optional()]
    )
    note = StringField(_l("Note (optional)"), validators=[Optional(), Length(max=MAX_NOTE)])


class FlagForm(SiteForm):
    reason = SelectField(
        _l("What is wrong with this comment?"),
        choices=choices(ModerationReason),
        validators=[DataRequired()],
    )
    note = StringField(_l("Details (optional)"), validators=[Optional(), Length(max=MAX_NOTE)])


class ResubmitForm(SiteForm):
    body = comment_body(_l("Your corrected comment"))

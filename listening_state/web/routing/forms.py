"""Forms for triage, re-routing and router versions."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional

from listening_state.models import Submission
from listening_state.web.form_base import SiteForm
from listening_state.web.forms_util import ministry_choices
from listening_state.web.labels import as_choices


class TriageForm(SiteForm):
    """Bulk assignment of the checked submissions; each row also has its own assign button."""

    submission_ids = SelectMultipleField(coerce=int, validate_choice=False)
    ministry = SelectField(
        _l("Send the selected submissions to"), coerce=int, validators=[Optional()]
    )
    reason = StringField(
        _l("Note for the citizens (optional; they see it with the routing)"),
        validators=[Optional(), Length(max=500)],
    )


class RerouteForm(SiteForm):
    ministry = SelectField(
        _l("Competent ministry"),
        coerce=int,
        validators=[DataRequired(message=_l("Choose another ministry."))],
    )
    reason = StringField(
        _l("Why this is not your ministry's competence"),
        validators=[DataRequired(), Length(max=1000)],
    )


def reroute_form(submission: Submission, **form_args: Any) -> RerouteForm:
    """The form to send a submission on: every other ministry, and none chosen until the
    officer picks one (a preselected first ministry was sent to by mistake)."""
    form = RerouteForm(**form_args)
    others = ministry_choices(exclude=submission.ministry_id)
    form.ministry.choices = as_choices([(0, "—"), *others])
    return form

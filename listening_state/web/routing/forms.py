"""Forms for triage, re-routing and router versions."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional

from listening_state.web.form_base import SiteForm


class TriageForm(SiteForm):
    """Bulk assignment of the checked submissions; each row also has its own assign button."""

    submission_ids = SelectMultipleField(coerce=int, validate_choice=False)
    ministry = SelectField(
        _l("Send the selected submissions to"), coerce=int, validators=[Optional()]
    )
    reason = StringField(_l("Note (optional)"), validators=[Optional(), Length(max=500)])


class RerouteForm(SiteForm):
    ministry = SelectField(_l("Competent ministry"), coerce=int, validators=[DataRequired()])
    reason = StringField(
        _l("Why this is not your ministry's competence"),
        validators=[DataRequired(), Length(max=1000)],
    )

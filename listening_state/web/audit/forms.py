"""The audit log's filters."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import Length, NumberRange, Optional

from listening_state.web.form_base import SiteForm


class AuditFilterForm(SiteForm):
    """GET filters: reading the log changes nothing, so no CSRF token is needed."""

    class Meta:
        csrf = False

    action = SelectField(_l("Action"), validators=[Optional()])
    target_type = SelectField(_l("Target"), validators=[Optional()])
    target_id = IntegerField(_l("Target id"), validators=[Optional(), NumberRange(min=1)])
    actor = StringField(_l("Actor e-mail contains"), validators=[Optional(), Length(max=254)])
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("Until"), validators=[Optional()])

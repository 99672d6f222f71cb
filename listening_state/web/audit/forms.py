"""The audit log's filters."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from listening_state.web.form_base import SiteForm
from listening_state.web.forms_util import id_number


class AuditFilterForm(SiteForm):
    """GET filters: reading the log changes nothing, so no CSRF token is needed."""

    class Meta:
        csrf = False

    action = SelectField(_l("Action"), validators=[Optional()])
    target_type = SelectField(_l("Target"), validators=[Optional()])
    target_id = IntegerField(
        _l("Target id"),
        validators=[
            Optional(),
            id_number(),
        ],
    )
    actor = StringField(_l("Actor e-mail contains"), validators=[Optional(), Length(max=254)])
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("Until"), validators=[Optional()])

    def validate_until(self, field: DateField) -> None:
        # Otherwise the filter silently finds nothing, which reads as "no such entries".
        if self.since.data and field.data and field.data < self.since.data:
            raise ValidationError(_l("The end date cannot precede the start date."))

"""Forms for making and revoking API tokens."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from listening_state.services.api_tokens import MAX_NAME
from listening_state.web.form_base import SiteForm


class NewTokenForm(SiteForm):
    name = StringField(
        _l("Name (what the token is for)"),
        validators=[DataRequired(message=_l("Please name the token.")), Length(max=MAX_NAME)],
    )

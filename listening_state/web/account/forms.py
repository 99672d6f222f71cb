"""The account settings form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField

from listening_state.i18n import LANGUAGE_NAMES
from listening_state.web.labels import as_choices


class SettingsForm(FlaskForm):
    notify_by_email = BooleanField(_l("E-mail me when something happens to my submissions"))
    language = SelectField(
        _l("Language of pages and e-mails"), choices=as_choices(LANGUAGE_NAMES.items())
    )

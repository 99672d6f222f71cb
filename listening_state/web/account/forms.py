"""The account settings form, and the confirmation that deletes the account."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, SelectField
from wtforms.validators import DataRequired, Length

from listening_state.i18n import LANGUAGE_NAMES
from listening_state.web.form_base import SiteForm
from listening_state.web.labels import as_choices


class SettingsForm(SiteForm):
    notify_by_email = BooleanField(_l("E-mail me when something happens to my submissions"))
    language = SelectField(
        _l("Language of pages and e-mails"), choices=as_choices(LANGUAGE_NAMES.items())
    )


class DeleteAccountForm(SiteForm):
    """The password, not the e-mail: it proves the account holder is at the keyboard, not
    someone who found a signed-in browser, and it cannot be read off the page."""

    password = PasswordField(
        _l("Your password"),
        validators=[DataRequired(), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )

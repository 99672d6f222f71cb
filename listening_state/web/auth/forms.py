"""Forms for registering and signing in."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from listening_state.i18n import LANGUAGE_NAMES
from listening_state.web.form_base import SiteForm
from listening_state.web.labels import as_choices


class RegisterForm(SiteForm):
    display_name = StringField(
        _l("Your name"),
        validators=[DataRequired(), Length(max=120)],
        render_kw={"autocomplete": "name"},
    )
    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(min=8, max=200)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))],
        render_kw={"autocomplete": "new-password"},
    )
    language = SelectField(_l("Preferred language"), choices=as_choices(LANGUAGE_NAMES.items()))


class LoginForm(SiteForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Keep me signed in"))


class LogoutForm(SiteForm):
    """An empty form: signing out is a POST with a CSRF token."""


class CodeForm(SiteForm):
    """The 6-digit code from the authenticator app, confirming that it holds a new secret."""

    code = StringField(
        _l("Code from your authenticator app"),
        validators=[DataRequired(), Length(max=12)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class LoginCodeForm(SiteForm):
    """The second sign-in step: a code from the app, or a recovery code (letters and a dash)."""

    code = StringField(
        _l("Code from your authenticator app, or a recovery code"),
        validators=[DataRequired(), Length(max=24)],
        render_kw={"autocomplete": "one-time-code", "autocapitalize": "none"},
    )


class CurrentPasswordForm(SiteForm):
    """A change to the account's security, confirmed with the password."""

    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )


class RecoveryCodesForm(CurrentPasswordForm):
    """New recovery codes in place of the old ones."""


class ChangePasswordForm(SiteForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(max=200)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[
            DataRequired(),
            EqualTo("new_password", message=_l("The passwords do not match.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class DisableTwoFactorForm(CurrentPasswordForm):
    code = StringField(
        _l("Code from your authenticator app"),
        validators=[DataRequired(), Length(max=12)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class AccountLookupForm(SiteForm):
    """Administrators: find an account by e-mail (a GET form, so no CSRF token)."""

    class Meta:
        csrf = False

    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])

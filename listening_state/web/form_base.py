"""The base of every form on the site."""

from __future__ import annotations

from flask_wtf import FlaskForm

from listening_state.i18n import current_language


class SiteForm(FlaskForm):
    """Flask-WTF's form (CSRF, request data) with WTForms' own messages ("Not a valid
    choice") in the reader's language.

    Flask-WTF's translations would read WTForms' catalogue from disk on every request
    (WTF_I18N_ENABLED is off for that reason); WTForms keeps one per language instead.
    """

    class Meta:
        @property
        def locales(self) -> list[str]:
            return [current_language()]

"""The GET filters of the "What we heard" pages, and the form that publishes a build."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField
from wtforms.validators import DataRequired, Optional
from wtforms.widgets import HiddenInput

from listening_state.models import Stance
from listening_state.web.form_base import SiteForm
from listening_state.web.labels import LABELS, as_choices

ANY = _l("Any")
LANGUAGE_LABELS = {
    "kk": _l("Kazakh"),
    "ru": _l("Russian"),
    "en": _l("English"),
    "other": _l("Other or unknown"),
}


class ThemeFilterForm(SiteForm):
    """Filters change nothing, so they need no CSRF token; `from` and `to` are the query
    names of the dates (Python cannot name attributes so)."""

    class Meta:
        csrf = False

    section = SelectField(_l("Section"), coerce=int, validators=[Optional()])
    stance = SelectField(
        _l("Stance"),
        choices=as_choices([("", ANY), *((s.value, LABELS[s]) for s in Stance)]),
        validators=[Optional()],
    )
    language = SelectField(
        _l("Language"),
        choices=as_choices([("", ANY), *LANGUAGE_LABELS.items()]),
        validators=[Optional()],
    )
    date_from = DateField(_l("Received from"), name="from", validators=[Optional()])
    date_to = DateField(_l("Received until"), name="to", validators=[Optional()])

    def validate(self, extra_validators: Any = None) -> bool:
        if not super().validate(extra_validators):
            return False
        if self.date_from.data and self.date_to.data and self.date_to.data < self.date_from.data:
            self.date_to.errors = [*self.date_to.errors, str(_l("Choose a date after the first."))]
            return False
        return True


class PublishForm(SiteForm):
    """Publishing names the build the officer saw, so a newer one is never published unseen."""

    build = IntegerField(widget=HiddenInput(), validators=[DataRequired()])

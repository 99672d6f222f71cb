"""The reference-code lookup form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, Regexp

from listening_state.services.submissions import REFERENCE_PATTERN
from listening_state.web.form_base import SiteForm


class LookupForm(SiteForm):
    class Meta:
        csrf = False  # a GET lookup that changes nothing

    reference = StringField(
        _l("Reference code"),
        filters=[lambda value: (value or "").strip().upper()],
        validators=[
            DataRequired(),
            Regexp(
                f"^{REFERENCE_PATTERN}$", message=_l("A reference code looks like LS-7KQ2-M9XD.")
            ),
        ],
    )

"""Forms for finding consultations and commenting on them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SearchField, SelectField
from wtforms.validators import DataRequired, Length, Optional

from listening_state.models import ConsultationStatus, Stance
from listening_state.web.form_base import SiteForm
from listening_state.web.forms_util import comment_body
from listening_state.web.labels import LABELS, as_choices, choices


class ConsultationFilterForm(SiteForm):
    """The GET filter form of the index; it changes nothing, so it needs no CSRF token."""

    class Meta:
        csrf = False

    q = SearchField(_l("Search"), validators=[Optional(), Length(max=200)])
    ministry = SelectField(_l("Ministry"), choices=[], validators=[Optional()])
    status = SelectField(_l("Status"), validators=[Optional()])
    sort = SelectField(
        _l("Sort by"),
        choices=as_choices(
            [("closing", _l("Closing soonest")), ("newest", _l("Newest")), ("title", _l("Title"))]
        ),
        validators=[Optional()],
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        public = [s for s in ConsultationStatus if s is not ConsultationStatus.DRAFT]
        self.status.choices = as_choices(
            [("", _l("Any status"))] + [(s.value, LABELS[s]) for s in public]
        )


class CommentForm(SiteForm):
    section_id = HiddenField()
    stance = RadioField(
        _l("Your position"),
        choices=choices(Stance),
        default=Stance.NO_POSITION.value,
        validators=[DataRequired(message=_l("Please choose your position."))],
    )
    body = comment_body(_l("Your comment"))

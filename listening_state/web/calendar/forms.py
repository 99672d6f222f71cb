"""Adding a day to the working calendar."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional

from listening_state.models import DayKind
from listening_state.services.calendar import NAME_MAX
from listening_state.web.form_base import SiteForm
from listening_state.web.labels import as_choices

DAY_KINDS = {
    DayKind.HOLIDAY: _l("Day off (holiday or transferred day off)"),
    DayKind.WORKING_DAY: _l("Working day (a Saturday or Sunday worked)"),
}


NAME_LENGTH = Length(
    max=NAME_MAX, message=_l("The name may have at most %(max)d characters.", max=NAME_MAX)
)


class AddDayForm(SiteForm):
    day = DateField(_l("Date"), validators=[InputRequired(message=_l("Please enter the date."))])
    kind = SelectField(
        _l("Kind of day"),
        choices=as_choices((kind.value, label) for kind, label in DAY_KINDS.items()),
        default=DayKind.HOLIDAY.value,
    )
    name_kk = StringField(_l("Name in Kazakh"), validators=[Optional(), NAME_LENGTH])
    name_ru = StringField(_l("Name in Russian"), validators=[Optional(), NAME_LENGTH])
    name_en = StringField(_l("Name in English"), validators=[Optional(), NAME_LENGTH])

"""Forms ministries use to write consultations and keep their council's page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from listening_state.i18n import LANGUAGE_NAMES
from listening_state.models import MeetingStatus, MemberPosition, ModerationMode
from listening_state.web.form_base import SiteForm
from listening_state.web.forms_util import TextArea
from listening_state.web.labels import as_choices, choices


class ConsultationForm(SiteForm):
    ministry = SelectField(_l("Ministry"), coerce=int, validators=[DataRequired()])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(min=5, max=300)])
    summary = TextArea(_l("Summary"), validators=[Optional(), Length(max=5000)])
    language = SelectField(_l("Language of the draft"), choices=as_choices(LANGUAGE_NAMES.items()))
    opens_on = DateField(_l("Opens on"), validators=[DataRequired()])
    closes_on = DateField(_l("Closes on (last day for comments)"), validators=[DataRequired()])
    moderation_mode = RadioField(
        _l("Moderation"), choices=choices(ModerationMode), default=ModerationMode.PRE.value
    )
    draft = TextArea(
        _l("Draft (Markdown; start each section with a line '## Heading')"),
        validators=[DataRequired(), Length(max=200_000)],
    )


class MemberForm(SiteForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    position = SelectField(_l("Position"), choices=choices(MemberPosition))
    affiliation = StringField(_l("Organisation"), validators=[Optional(), Length(max=255)])
    started_on = DateField(_l("Member since"), validators=[Optional()])
    ended_on = DateField(_l("Member until"), validators=[Optional()])
    account_email = StringField(
        _l("Linked account (e-mail address, optional)"),
        validators=[Optional(), Email(), Length(max=254)],
    )


class EndMembershipForm(SiteForm):
    ended_on = DateField(_l("Member until"), validators=[Optional()])


class MeetingForm(SiteForm):
    held_on = DateField(_l("Date"), validators=[DataRequired()])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=255)])
    status = SelectField(_l("Status"), choices=choices(MeetingStatus))
    agenda = TextArea(_l("Agenda"), validators=[Optional(), Length(max=20_000)])
    minutes = TextArea(_l("Minutes"), validators=[Optional(), Length(max=100_000)])


class DocumentForm(SiteForm):
    title = StringField(_l("Title (optional)"), validators=[Optional(), Length(max=255)])
    file = FileField(
        _l("File"),
        validators=[FileRequired(_l("Choose a file to upload."))],
    )


class RecommendationForm(SiteForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    issued_on = DateField(_l("Issued on"), validators=[DataRequired()])
    meeting = SelectField(_l("Adopted at the meeting"), coerce=int)
    consultation = SelectField(_l("About the consultation"), coerce=int)
    text = TextArea(_l("Recommendation"), validators=[DataRequired(), Length(max=20_000)])


class AnswerForm(SiteForm):
    status = RadioField(_l("The ministry's decision"), validators=[DataRequired()])
    answer = TextArea(
        _l("The ministry's answer and its reasons"),
        validators=[DataRequired(), Length(max=20_000)],
    )

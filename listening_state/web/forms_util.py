"""Helpers shared by the feature forms."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from flask import flash
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange

from listening_state.i18n import current_language
from listening_state.limits import MAX_ID
from listening_state.services import ministries
from listening_state.services.errors import ValidationFailed
from listening_state.services.submissions import MAX_BODY, MIN_BODY
from listening_state.web.form_base import SiteForm


def ministry_choices(exclude: int | None = None) -> list[tuple[int, str]]:
    """(id, name) of every ministry in the reader's language and alphabet, but `exclude`."""
    language = current_language()
    return [
        (m.id, m.name(language)) for m in ministries.list_ministries(language) if m.id != exclude
    ]


class ActionForm(SiteForm):
    """An empty form for one-button actions (publish, close, remove, activate): CSRF only."""


def show_service_errors(form: FlaskForm, error: ValidationFailed) -> None:
    """Attach a service's validation messages to the matching form fields."""
    for field_name, messages in error.errors.items():
        field = getattr(form, field_name, None)
        if field is None:
            form.form_errors.extend(messages)
        else:
            field.errors = [*field.errors, *messages]


def saved(form: FlaskForm, action: Callable[[], object], success: str) -> bool:
    """Validate a posted form and run its service call: True when it saved (the success
    message is flashed), False with the service's messages put on the form otherwise."""
    if not form.validate_on_submit():
        return False
    try:
        action()
    except ValidationFailed as error:
        show_service_errors(form, error)
        return False
    flash(success, "success")
    return True


class TextArea(TextAreaField):
    """A text area whose line breaks count as one character each, as the page's counter does.

    Browsers send CRLF, so without this a 5,000-character comment with line breaks would be
    refused as too long although the counter showed it within the limit.
    """

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        text = cast("str | None", getattr(self, "data", None))
        if text:
            self.data = text.replace("\r\n", "\n").replace("\r", "\n")


def comment_body(label: LazyString) -> TextArea:
    """The text area of a citizen's comment, with the limits the service enforces."""
    return TextArea(
        label,
        validators=[
            DataRequired(message=_l("Please write your comment.")),
            Length(
                min=MIN_BODY,
                max=MAX_BODY,
                message=_l(
                    "Your comment must be %(min)d to %(max)d characters long.",
                    min=MIN_BODY,
                    max=MAX_BODY,
                ),
            ),
        ],
    )


def id_number() -> NumberRange:
    """An id as a form sends it: 1 to MAX_ID. A larger number names nothing and would overflow
    the id column's query; the message is ours, as WTForms' Russian one says "greater than"
    for its "at least"."""
    return NumberRange(
        min=1,
        max=MAX_ID,
        message=_l("Give a whole number from %(low)d to %(high)d.", low=1, high=MAX_ID),
    )

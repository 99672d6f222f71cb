"""Helpers shared by the feature forms."""

from __future__ import annotations

from flask_wtf import FlaskForm

from listening_state.services.errors import ValidationFailed


def show_service_errors(form: FlaskForm, error: ValidationFailed) -> None:
    """Attach a service's validation messages to the matching form fields."""
    for field_name, messages in error.errors.items():
        field = getattr(form, field_name, None)
        if field is None:
            form.form_errors.extend(messages)
        else:
            field.errors = [*field.errors, *messages]

"""Jinja filters and globals: safe text rendering, dates, labels, localized names."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Flask, request, url_for
from flask_babel import format_date, format_time
from flask_login import current_user
from markupsafe import Markup

from listening_state import sanitize
from listening_state.i18n import current_language
from listening_state.models import Submission
from listening_state.personal_data_markers import personal_data_markers
from listening_state.services.moderation import can_resubmit, text_for
from listening_state.web.labels import PERSONAL_DATA_KINDS, label


def localized_name(obj: Any) -> str:
    """A ministry's or council's name in the interface language."""
    return str(obj.name(current_language()))


def page_url(page: int) -> str:
    """The current URL with another page number, keeping every filter."""
    view_args = request.view_args or {}
    # Query arguments may not override the route's own arguments or url_for's `_anchor` & co.
    kept = {k: v for k, v in request.args.items() if k not in view_args and not k.startswith("_")}
    return url_for(str(request.endpoint), **{**view_args, **kept, "page": page})


def _date(value: date | datetime | None, style: str = "medium") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        # Date and hours:minutes in the reader's locale and Almaty time; seconds are noise here.
        return f"{format_date(value, style)}, {format_time(value, 'short')}"
    return str(format_date(value, style))


def shown_text(submission: Submission) -> str:
    """A comment's text for this reader: personal data masked unless they may read it."""
    return text_for(current_user, submission, personal_data_markers())


def register(app: Flask) -> None:
    app.jinja_env.filters.update(
        plain_text=sanitize.render_plain_text,
        markdown=sanitize.render_markdown,
        label=label,
        name=localized_name,
        date=_date,
        day=lambda value: format_date(value, "long") if value else "",
        personal_data_kind=lambda kind: str(PERSONAL_DATA_KINDS.get(kind, kind)),
    )
    app.jinja_env.globals.update(
        page_url=page_url,
        shown_text=shown_text,
        moderation_can_resubmit=lambda s: can_resubmit(current_user, s),
    )
    app.jinja_env.policies["ext.i18n.trimmed"] = True

    @app.template_test("markup")
    def is_markup(value: object) -> bool:
        return isinstance(value, Markup)

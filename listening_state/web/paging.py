"""Page numbers of the HTML lists: reading `?page=`, and never showing a page past the last."""

from __future__ import annotations

from typing import Any

from flask import Flask, abort, before_render_template, has_request_context, redirect, request
from flask_sqlalchemy.pagination import Pagination

from listening_state.limits import MAX_PAGE
from listening_state.web.filters import page_url


def requested_page() -> int:
    """The `page` query argument, 1 to MAX_PAGE: a number out of range reads as the nearest
    bound, anything that is not a number as 1."""
    page = request.args.get("page", 1, type=int) or 1
    return min(max(page, 1), MAX_PAGE)


def _last_page(pagination: Pagination) -> int | None:
    """The page to send the reader to when they asked for one past the end, else None."""
    if pagination.total is None:  # not counted: where the end is, is unknown
        return None
    last = max(pagination.pages, 1)
    return last if pagination.page > last else None


def _redirect_past_last_page(app: Flask, template: Any, context: dict[str, Any]) -> None:
    """A page past the end would say "25 found" above "none found"; go to the last one instead.

    Checked here, as a page is about to be rendered, so that every list gets it with no code
    in its view (services, which run the queries, know nothing of requests). Only for GET:
    a form sent from such a page keeps its errors on screen rather than being redirected.
    """
    for value in context.values():
        if not isinstance(value, Pagination) or (last := _last_page(value)) is None:
            continue
        if has_request_context() and request.method in ("GET", "HEAD"):
            abort(redirect(page_url(last)))


def register(app: Flask) -> None:
    """Check each page this app renders for a list shown past its last page."""
    before_render_template.connect(_redirect_past_last_page, app)

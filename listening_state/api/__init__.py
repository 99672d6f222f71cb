"""The versioned JSON API, /api/v1, over the same services as the HTML pages.

Callers authenticate with a personal access token (`Authorization: Bearer ls_...`), never the
session cookie; reads and writes have their own rate limits (API_READ_RATE_LIMIT and the
stricter API_WRITE_RATE_LIMIT), per account for token callers and per client address otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, current_app, jsonify
from flask_limiter.util import get_remote_address

from listening_state.api import auth, citizen, errors, officer, openapi, public
from listening_state.extensions import limiter
from listening_state.models import User


def _openapi() -> Response:
    """The OpenAPI 3.1 document of this API."""
    return jsonify(openapi.document())


# (URL, method, view): the whole API at a glance.
ROUTES: tuple[tuple[str, str, Callable[..., Any]], ...] = (
    ("/openapi.json", "GET", _openapi),
    ("/ministries", "GET", public.list_ministries),
    ("/consultations", "GET", public.list_consultations),
    ("/consultations/<consultation_id>", "GET", public.get_consultation),
    ("/consultations/<consultation_id>/submissions", "GET", public.list_published_submissions),
    ("/consultations/<consultation_id>/submissions", "POST", citizen.create_submission),
    ("/consultations/<consultation_id>/themes", "GET", public.get_published_themes),
    ("/me/submissions", "GET", citizen.list_my_submissions),
    ("/submissions/<reference>", "GET", citizen.get_submission),
    ("/inbox", "GET", officer.list_inbox),
    ("/inbox/<reference>/answer", "POST", officer.answer_submission),
    ("/inbox/<reference>/forward", "POST", officer.forward_submission),
)


def _caller() -> str:
    """Whose allowance a request spends: the token's account, else the client address.

    Per account, not per address: many citizens share one mobile carrier's address, and one
    account's several tokens share one allowance. The limit is checked when the view is
    called, after the blueprint's authentication has found the token's user.
    """
    user = auth.actor()
    return f"account:{user.id}" if isinstance(user, User) else get_remote_address()


def _limited(view: Callable[..., Any], method: str) -> Callable[..., Any]:
    setting = "API_WRITE_RATE_LIMIT" if method == "POST" else "API_READ_RATE_LIMIT"
    limit: Callable[..., Any] = limiter.limit(
        lambda: current_app.config[setting], key_func=_caller
    )(view)
    return limit


# Decorated once, at import: Flask-Limiter keeps its limits per view for the process.
_LIMITED = tuple((url, method, view, _limited(view, method)) for url, method, view in ROUTES)


def create_blueprint() -> Blueprint:
    """The API blueprint; the caller exempts it from CSRF (no cookie is ever read)."""
    bp = Blueprint("api_v1", __name__, url_prefix="/api/v1")
    auth.register(bp)
    errors.register(bp)
    for url, method, view, limited in _LIMITED:
        name = "openapi" if view is _openapi else view.__name__
        bp.add_url_rule(url, endpoint=name, view_func=limited, methods=[method])
    return bp

"""The home page and the language switcher."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from listening_state.i18n import SESSION_KEY, current_language
from listening_state.services import accounts, consultations, councils
from listening_state.web.auth.forms import LogoutForm
from listening_state.web.urls import safe_next

bp = Blueprint("main", __name__)


@bp.route("/")
def home() -> str:
    """Open consultations (closing soonest first), recently closed ones and the councils."""
    return render_template(
        "main/home.html",
        open_consultations=consultations.open_consultations(limit=6),
        recently_closed=consultations.recently_closed(limit=4),
        councils=councils.list_councils(current_language()),
    )


@bp.route("/language/<code>", methods=["POST"])
def set_language(code: str) -> Response:
    """Switch the interface language; kept in the session and on the account."""
    if code not in current_app.config["LANGUAGES"]:
        abort(400)
    if not LogoutForm().validate_on_submit():  # any empty form checks the CSRF token
        abort(400)
    session[SESSION_KEY] = code
    if current_user.is_authenticated:
        accounts.set_preferred_language(user=current_user, language=code)
    return redirect(safe_next(url_for("main.home")))

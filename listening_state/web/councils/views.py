"""Public Council pages."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from listening_state import authz
from listening_state.i18n import current_language
from listening_state.services import councils

bp = Blueprint("councils", __name__, url_prefix="/councils")


@bp.route("")
def index() -> str:
    """Every Public Council, alphabetically in the reader's language."""
    return render_template(
        "councils/index.html", councils=councils.list_councils(current_language())
    )


@bp.route("/<int:council_id>")
def detail(council_id: int) -> str:
    """A council's members, meetings with agenda and minutes, and its consultations."""
    council = councils.get_council(council_id)
    actor = current_user if current_user.is_authenticated else None
    return render_template(
        "councils/detail.html",
        council=council,
        consultations=councils.council_consultations(council),
        can_manage=authz.can_manage_council(actor, council),
    )

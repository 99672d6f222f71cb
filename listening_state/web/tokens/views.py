"""Personal access tokens for the JSON API: made, listed and revoked by their owner."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from listening_state.extensions import limiter
from listening_state.services import api_tokens
from listening_state.services.errors import ValidationFailed
from listening_state.web.access import login_required
from listening_state.web.forms_util import ActionForm, show_service_errors
from listening_state.web.tokens.forms import NewTokenForm

bp = Blueprint("tokens", __name__, url_prefix="/account/tokens")


def _page(form: NewTokenForm, *, secret: str = "", status: int = 200) -> ResponseReturnValue:
    tokens = api_tokens.list_tokens(actor=current_user, user=current_user)
    page = render_template(
        "tokens/index.html", form=form, tokens=tokens, secret=secret, action_form=ActionForm()
    )
    # The page may show a token in full: it must not be kept by the browser or a proxy.
    return page, status, {"Cache-Control": "no-store"}


@bp.route("", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: current_app.config["ACCOUNT_SETTINGS_RATE_LIMIT"], methods=["POST"])
def index() -> ResponseReturnValue:
    """The user's tokens, and a form to make one (shown in full once, on this response)."""
    form = NewTokenForm()
    if form.validate_on_submit():
        try:
            made = api_tokens.create_token(
                actor=current_user, user=current_user, name=form.name.data or ""
            )
        except ValidationFailed as error:
            show_service_errors(form, error)
        else:
            return _page(NewTokenForm(formdata=None), secret=made.secret)
    return _page(form, status=400 if form.errors else 200)


@bp.route("/<int:token_id>/revoke", methods=["POST"])
@login_required
@limiter.limit(lambda: current_app.config["ACCOUNT_SETTINGS_RATE_LIMIT"])
def revoke(token_id: int) -> ResponseReturnValue:
    """Stop a token working at once."""
    if ActionForm().validate_on_submit():
        api_tokens.revoke_token(actor=current_user, user=current_user, token_id=token_id)
        flash(_("The token is revoked."), "success")
    return redirect(url_for("tokens.index"))

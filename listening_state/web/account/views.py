"""The signed-in user's own settings."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from listening_state.extensions import limiter
from listening_state.i18n import SESSION_KEY
from listening_state.services import accounts
from listening_state.services.errors import ValidationFailed
from listening_state.web.access import login_required
from listening_state.web.account.forms import SettingsForm
from listening_state.web.forms_util import show_service_errors

bp = Blueprint("account", __name__)


@bp.route("/account/settings", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: current_app.config["ACCOUNT_SETTINGS_RATE_LIMIT"], methods=["POST"])
def settings() -> Response | tuple[str, int]:
    """E-mail notifications and the preferred language."""
    form = SettingsForm(
        notify_by_email=current_user.notify_by_email, language=current_user.preferred_language
    )
    if form.validate_on_submit():
        try:
            accounts.update_settings(
                actor=current_user,
                user=current_user,
                notify_by_email=bool(form.notify_by_email.data),
                language=form.language.data or "",
            )
        except ValidationFailed as error:
            show_service_errors(form, error)
        else:
            session[SESSION_KEY] = current_user.preferred_language  # the switcher agrees
            flash(_("Your settings are saved."), "success")
            return redirect(url_for("account.settings"))
    status = 400 if form.errors else 200
    return render_template(
        "account/settings.html", form=form, is_officer=bool(current_user.ministry_ids())
    ), status

"""The signed-in user's own settings, their data, and deleting their account."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import refresh
from flask_login import current_user, logout_user
from werkzeug.wrappers import Response

from listening_state.extensions import limiter
from listening_state.i18n import SESSION_KEY
from listening_state.models import Submission
from listening_state.services import account_data, account_deletion, accounts
from listening_state.services.errors import ValidationFailed
from listening_state.web.access import login_required
from listening_state.web.account.forms import DeleteAccountForm, SettingsForm
from listening_state.web.forms_util import show_service_errors

bp = Blueprint("account", __name__)


def _per_account() -> str:
    # Per account, not per address: many citizens share one mobile carrier's address.
    return f"account:{current_user.id}"


@bp.app_template_filter("author_name")
def author_name(submission: Submission) -> str:
    """The name shown beside a comment ("Deleted account" once its author left)."""
    return account_data.public_author_name(submission)


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
            refresh()  # the message below is in the language just chosen, as the next page is
            flash(_("Your settings are saved."), "success")
            return redirect(url_for("account.settings"))
    status = 400 if form.errors else 200
    return render_template(
        "account/settings.html", form=form, is_officer=bool(current_user.ministry_ids())
    ), status


@bp.route("/account/export")
@login_required
@limiter.limit(lambda: current_app.config["ACCOUNT_EXPORT_RATE_LIMIT"], key_func=_per_account)
def export() -> Response:
    """Download everything the platform holds about the account, as JSON."""
    document = account_data.export_account(actor=current_user, user=current_user)
    response = make_response(account_data.export_json(document))
    response.mimetype = "application/json"
    filename = account_data.export_filename(current_user)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Personal data: no browser or proxy cache may keep a copy.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
@limiter.limit(
    lambda: current_app.config["ACCOUNT_DELETE_RATE_LIMIT"], key_func=_per_account, methods=["POST"]
)
def delete() -> Response | tuple[str, int]:
    """Confirm with the password, then erase the account's personal data and sign out."""
    form = DeleteAccountForm()
    # Staff see why they cannot; a crafted POST is refused by the service (409).
    if form.validate_on_submit():
        try:
            account_deletion.delete_account(
                actor=current_user, user=current_user, password=form.password.data or ""
            )
        except ValidationFailed as error:
            show_service_errors(form, error)
        else:
            logout_user()
            flash(
                _("Your account is deleted. Your comments stay public, without your name."),
                "success",
            )
            return redirect(url_for("main.home"))
    status = 400 if form.errors else 200
    return render_template("account/delete.html", form=form, staff=current_user.is_staff), status

"""Register, sign in (password, then a code when the second factor is on) and sign out."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from listening_state.extensions import limiter
from listening_state.i18n import current_language
from listening_state.models import User
from listening_state.models.base import utcnow
from listening_state.secret_box import SecretUnreadable
from listening_state.services import accounts, sign_in
from listening_state.services.errors import ValidationFailed

# Imported for its routes, which it adds to the same blueprint.
from listening_state.web.auth import security_views  # noqa: F401
from listening_state.web.auth.blueprint import bp
from listening_state.web.auth.forms import LoginCodeForm, LoginForm, LogoutForm, RegisterForm
from listening_state.web.auth.session_keys import MUST_CHANGE_PASSWORD, PENDING_SIGN_IN
from listening_state.web.forms_util import show_service_errors
from listening_state.web.urls import safe_next

__all__ = ["bp"]


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["REGISTER_RATE_LIMIT"], methods=["POST"])
def register() -> str | Response:
    """Create a citizen account and sign in."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = RegisterForm()
    if request.method == "GET":
        form.language.data = current_language()
    if form.validate_on_submit():
        try:
            user = accounts.register_citizen(
                email=form.email.data or "",
                display_name=form.display_name.data or "",
                password=form.password.data or "",
                language=form.language.data or "kk",
            )
        except ValidationFailed as error:
            show_service_errors(form, error)
        else:
            login_user(user)
            flash(_("Welcome! Your account is ready."), "success")
            return redirect(safe_next(url_for("main.home")))
    return render_template("auth/register.html", form=form)


def _failed_message() -> str:
    # One message whatever was wrong (unknown e-mail, wrong password, locked account), so the
    # form does not reveal which e-mails exist or which accounts are locked.
    return str(_("The e-mail address or password is not correct."))


def _complete_sign_in(user: User, *, remember: bool, must_change: bool, target: str) -> Response:
    session.pop(PENDING_SIGN_IN, None)
    login_user(user, remember=remember)
    if must_change:
        # Kept in the session: every page but the password page sends the user back there.
        session[MUST_CHANGE_PASSWORD] = True
        flash(_("Staff accounts now need a stronger password: please choose a new one."), "info")
        return redirect(url_for("auth.change_password"))
    return redirect(target)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login() -> str | Response:
    """Sign in with e-mail and password."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        accepted = sign_in.check_password(
            email=form.email.data or "", password=form.password.data or ""
        )
        target = safe_next(url_for("main.home"))
        remember = bool(form.remember.data)
        if accepted is not None and accepted.needs_code:
            # Not signed in yet: only the code page may finish this, and only for a while.
            session[PENDING_SIGN_IN] = {
                "user_id": accepted.user.id,
                "until": utcnow().timestamp() + current_app.config["TOTP_PENDING_SECONDS"],
                "remember": remember,
                "must_change": accepted.must_change_password,
                "next": target,
            }
            return redirect(url_for("auth.login_code"))
        if accepted is not None:
            return _complete_sign_in(
                accepted.user,
                remember=remember,
                must_change=accepted.must_change_password,
                target=target,
            )
        form.form_errors.append(_failed_message())
    return render_template("auth/login.html", form=form)


def _pending() -> dict[str, object] | None:
    pending = session.get(PENDING_SIGN_IN)
    if not isinstance(pending, dict) or float(pending.get("until", 0)) < utcnow().timestamp():
        session.pop(PENDING_SIGN_IN, None)
        return None
    return pending


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login_code() -> str | Response:
    """The second sign-in step: a code from the authenticator app, or a recovery code."""
    pending = _pending()
    if pending is None:
        flash(_("Please sign in again."), "info")
        return redirect(url_for("auth.login"))
    form = LoginCodeForm()
    if form.validate_on_submit():
        try:
            user = sign_in.check_code(
                user_id=int(str(pending["user_id"])), code=form.code.data or ""
            )
        except SecretUnreadable:  # logged by the service: a key to restore, or a reset
            user = None
            problem = _(
                "Codes from your authenticator app cannot be checked at the moment. Sign in "
                "with one of your recovery codes, or ask an administrator to remove your "
                "second factor."
            )
        else:
            problem = _("That code is not right or was already used.")
        if user is not None:
            return _complete_sign_in(
                user,
                remember=bool(pending["remember"]),
                must_change=bool(pending["must_change"]),
                target=str(pending["next"]),
            )
        form.code.errors = [*form.code.errors, problem]
    return render_template("auth/login_code.html", form=form)


@bp.route("/logout", methods=["GET", "POST"])
def logout() -> str | Response:
    """Sign out (POST); the GET page only asks for confirmation."""
    form = LogoutForm()
    if form.validate_on_submit():
        logout_user()
        for key in (PENDING_SIGN_IN, MUST_CHANGE_PASSWORD):
            session.pop(key, None)
        flash(_("You have signed out."), "info")
        return redirect(url_for("main.home"))
    return render_template("auth/logout.html", form=form)

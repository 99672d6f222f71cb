"""Register, sign in and sign out."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from listening_state.extensions import limiter
from listening_state.i18n import current_language
from listening_state.services import accounts
from listening_state.services.errors import ValidationFailed
from listening_state.web.auth.forms import LoginForm, LogoutForm, RegisterForm
from listening_state.web.forms_util import show_service_errors
from listening_state.web.urls import safe_next

bp = Blueprint("auth", __name__)


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


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login() -> str | Response:
    """Sign in with e-mail and password."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(email=form.email.data or "", password=form.password.data or "")
        if user is not None:
            login_user(user, remember=bool(form.remember.data))
            return redirect(safe_next(url_for("main.home")))
        # One message whatever was wrong, so the form does not reveal which e-mails exist.
        form.form_errors.append(_("The e-mail address or password is not correct."))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["GET", "POST"])
def logout() -> str | Response:
    """Sign out (POST); the GET page only asks for confirmation."""
    form = LogoutForm()
    if form.validate_on_submit():
        logout_user()
        flash(_("You have signed out."), "info")
        return redirect(url_for("main.home"))
    return render_template("auth/logout.html", form=form)

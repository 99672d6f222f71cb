"""Account security: changing the password, the second factor, and administrators' resets."""

from __future__ import annotations

from contextlib import suppress
from typing import cast

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user
from flask_login.config import COOKIE_NAME
from werkzeug.wrappers import Response

from listening_state import secret_box
from listening_state.extensions import limiter
from listening_state.models import User
from listening_state.secret_box import SecretUnreadable
from listening_state.services import accounts, recovery_codes, sign_in, two_factor
from listening_state.services.errors import InvalidTransition, ValidationFailed
from listening_state.web.access import login_required
from listening_state.web.auth.blueprint import bp
from listening_state.web.auth.forms import (
    AccountLookupForm,
    ChangePasswordForm,
    CodeForm,
    DisableTwoFactorForm,
    RecoveryCodesForm,
)
from listening_state.web.auth.session_keys import ENROLMENT_SECRET, MUST_CHANGE_PASSWORD
from listening_state.web.forms_util import ActionForm, show_service_errors

# Pages that show a secret: browsers must not keep them on disk.
NOT_STORED = {"Cache-Control": "no-store"}


def _me() -> User:
    """The signed-in user itself, not Flask-Login's proxy: services record it in the audit log."""
    return cast(User, current_user._get_current_object())


# Pages a signed-in user can always reach, even while owing a new password or a second factor.
_ALWAYS_OPEN = frozenset({"static", "auth.logout", "auth.change_password", "main.set_language"})


@bp.before_app_request
def require_account_security() -> Response | None:
    """Send a user who owes a new password, or (staff, when required) a second factor, to the
    page that settles it before any other page works."""
    endpoint = request.endpoint
    # No endpoint: a 404 or 405, which shows nothing of the site anyway.
    if endpoint is None or endpoint in _ALWAYS_OPEN or not current_user.is_authenticated:
        return None
    # API clients use tokens made by a signed-in user, who passed these checks to make them.
    if (request.blueprint or "").startswith(("api", "health")):
        return None
    if session.get(MUST_CHANGE_PASSWORD):
        return redirect(url_for("auth.change_password"))
    if endpoint != "auth.two_factor" and (
        two_factor.is_required(current_user) and not two_factor.is_enabled(current_user)
    ):
        flash(_("Staff accounts need a second factor: please set it up to continue."), "info")
        return redirect(url_for("auth.two_factor"))
    return None


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def change_password() -> Response | tuple[str, int]:
    """Change one's password: the current one, then the new one twice."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(
                actor=current_user,
                user=_me(),
                current_password=form.current_password.data or "",
                new_password=form.new_password.data or "",
            )
        except ValidationFailed as error:
            show_service_errors(form, error)
        else:
            session.pop(MUST_CHANGE_PASSWORD, None)
            # The session carries the old password's fingerprint: renew it here, and every
            # other session and remember-me cookie of the account stops working.
            cookie = current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME)
            login_user(_me(), remember=cookie in request.cookies)
            flash(_("Your password is changed; you are signed out on other devices."), "success")
            return redirect(url_for("main.home"))
    status = 400 if form.errors else 200
    return render_template(
        "auth/change_password.html",
        form=form,
        min_length=current_app.config[
            "STAFF_PASSWORD_MIN_LENGTH" if current_user.is_staff else "PASSWORD_MIN_LENGTH"
        ],
        must_change=bool(session.get(MUST_CHANGE_PASSWORD)),
    ), status


@bp.route("/account/two-factor", methods=["GET", "POST"], endpoint="two_factor")
@login_required
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def two_factor_page() -> Response | tuple[str, int] | tuple[str, int, dict[str, str]]:
    """See the second factor's state; set it up with a secret and a first code."""
    if two_factor.is_enabled(current_user):
        return _enabled_page()
    secret = _enrolment_secret()
    form = CodeForm()
    if form.validate_on_submit():
        try:
            codes = two_factor.enable(
                actor=current_user, user=_me(), secret=secret, code=form.code.data or ""
            )
        except ValidationFailed as error:
            show_service_errors(form, error)
        else:
            session.pop(ENROLMENT_SECRET, None)
            flash(_("The second factor is on: sign-in now asks for a code."), "success")
            return _show_codes(codes)
    return (
        render_template(
            "auth/two_factor.html",
            enabled=False,
            form=form,
            secret=secret,
            uri=two_factor.provisioning_uri(user=_me(), secret=secret),
            required=two_factor.is_required(current_user),
        ),
        400 if form.errors else 200,
        NOT_STORED,
    )  # the page shows the secret


def _enrolment_secret() -> str:
    """The secret the enrolment page shows until a first code confirms it, kept in the session
    encrypted: the session cookie is signed, not encrypted, so anyone holding it could read it."""
    sealed = session.get(ENROLMENT_SECRET)
    if isinstance(sealed, str):
        with suppress(SecretUnreadable):  # a key removed since: show a new secret
            return secret_box.unseal(sealed)
    secret = two_factor.new_secret()
    session[ENROLMENT_SECRET] = secret_box.seal(secret)
    return secret


@bp.route("/account/two-factor/disable", methods=["POST"])
@login_required
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"])
def two_factor_disable() -> Response | tuple[str, int]:
    """Turn the second factor off, with the password and a current code."""
    form = DisableTwoFactorForm()
    if form.validate_on_submit():
        try:
            two_factor.disable(
                actor=current_user,
                user=_me(),
                password=form.password.data or "",
                code=form.code.data or "",
            )
        except ValidationFailed as error:
            show_service_errors(form, error)
        except InvalidTransition:
            return redirect(url_for("auth.two_factor"))
        else:
            flash(_("The second factor is off."), "info")
            return redirect(url_for("auth.two_factor"))
    return _enabled_page(disable_form=form, status=400)


@bp.route("/account/two-factor/recovery-codes", methods=["POST"])
@login_required
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"])
def recovery_codes_new() -> Response | tuple[str, int] | tuple[str, int, dict[str, str]]:
    """New recovery codes, with the password: the old ones stop working."""
    form = _codes_form()
    if form.validate_on_submit():
        try:
            codes = two_factor.issue_codes(
                actor=current_user, user=_me(), password=form.password.data or ""
            )
        except ValidationFailed as error:
            show_service_errors(form, error)
        except InvalidTransition:
            return redirect(url_for("auth.two_factor"))
        else:
            return _show_codes(codes)
    return _enabled_page(codes_form=form, status=400)


def _enabled_page(
    *,
    disable_form: DisableTwoFactorForm | None = None,
    codes_form: RecoveryCodesForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """The page of a second factor that is on: its recovery codes left, and its two forms."""
    return render_template(
        "auth/two_factor.html",
        enabled=True,
        form=disable_form or DisableTwoFactorForm(),
        codes_form=codes_form or _codes_form(),
        codes_left=recovery_codes.remaining(_me()),
    ), status


def _codes_form() -> RecoveryCodesForm:
    # Prefixed: its fields share the page with the turn-off form's, and ids must not repeat.
    return RecoveryCodesForm(prefix="codes")


def _show_codes(codes: list[str]) -> tuple[str, int, dict[str, str]]:
    """New recovery codes, shown this once (only their hashes are kept), and never cached."""
    page = render_template("auth/recovery_codes.html", codes=codes)
    return page, 200, NOT_STORED


@bp.route("/admin/sign-in-security")
@login_required
def admin_security() -> str:
    """Administrators: an account's lockout and second factor, found by e-mail."""
    form = AccountLookupForm(request.args)
    email = (form.email.data or "") if request.args else ""
    user = sign_in.find_for_admin(actor=current_user, email=email)
    return render_template(
        "auth/admin_security.html",
        form=form,
        searched=bool(email),
        user=user,
        locked=bool(user and sign_in.is_locked(user)),
        two_factor_on=bool(user and two_factor.is_enabled(user)),
        action_form=ActionForm(),
    )


@bp.route("/admin/sign-in-security/<int:user_id>/reset-two-factor", methods=["POST"])
@login_required
def admin_reset_two_factor(user_id: int) -> Response:
    """Administrators: remove an account's second factor (a lost phone)."""
    user = sign_in.account_for_admin(actor=current_user, user_id=user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if two_factor.reset(actor=current_user, user=user):
        flash(_("The second factor of %(email)s is removed.", email=user.email), "success")
    return redirect(url_for("auth.admin_security", email=user.email))


@bp.route("/admin/sign-in-security/<int:user_id>/unlock", methods=["POST"])
@login_required
def admin_unlock(user_id: int) -> Response:
    """Administrators: lift a lockout before it runs out."""
    user = sign_in.account_for_admin(actor=current_user, user_id=user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if sign_in.unlock(actor=current_user, user=user):
        flash(_("%(email)s can sign in again.", email=user.email), "success")
    return redirect(url_for("auth.admin_security", email=user.email))

"""The second factor: time-based one-time passwords (RFC 6238) from an authenticator app.

A code is accepted one 30-second step either side of the server's clock (phones drift), and
each step is accepted once per account: `totp_last_step` only moves forward, by a conditional
UPDATE, so two requests racing with the same code cannot both pass. Turning it on also makes
ten one-time recovery codes (services/recovery_codes), for when the phone is lost.

The secret is stored encrypted (models/sealed, secret_box). One stored in plain text before
encryption still works, and is sealed at its next accepted code, as is one sealed under a key
that is no longer the first (after a rotation); `seal_stored_secrets` does it for every account.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import cast

import pyotp
from flask import current_app
from flask_babel import lazy_gettext as _l
from pyotp.utils import strings_equal
from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from listening_state.authz import Actor, is_admin
from listening_state.extensions import db
from listening_state.models import User
from listening_state.models.base import utcnow
from listening_state.models.sealed import OpenedSecret, SealedSecret
from listening_state.secret_box import SecretUnreadable
from listening_state.services import audit, recovery_codes, security_notices
from listening_state.services.accounts import password_matches
from listening_state.services.errors import InvalidTransition, PermissionDenied, ValidationFailed
from listening_state.services.security_notices import Event

log = logging.getLogger(__name__)

VALID_WINDOW = 1  # steps either side of now
CODE_DIGITS = 6


def is_enabled(user: User) -> bool:
    return user.totp_enabled_at is not None and bool(user.totp_secret)


def is_required(user: User) -> bool:
    """Staff must have a second factor when TOTP_REQUIRED_FOR_STAFF is on (production)."""
    return user.is_staff and bool(current_app.config["TOTP_REQUIRED_FOR_STAFF"])


def new_secret() -> str:
    """A fresh 160-bit base32 secret, the length RFC 4226 recommends."""
    return pyotp.random_base32(32)


def provisioning_uri(*, user: User, secret: str) -> str:
    """The otpauth:// address an authenticator app reads (from a QR code or typed in)."""
    return pyotp.TOTP(secret).provisioning_uri(
        name=user.email, issuer_name=current_app.config["TOTP_ISSUER"]
    )


def _normalise(code: str) -> str:
    # Apps show "123 456"; people paste it with the space.
    return "".join(code.split())


def matching_step(secret: str, code: str, now: datetime | None = None) -> int | None:
    """The time step this code belongs to, within the window around now; None if none."""
    code = _normalise(code)
    if len(code) != CODE_DIGITS or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now or utcnow())
    matched = None
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        # Every step is compared, in constant time, so the answer's timing says nothing.
        if strings_equal(code, totp.generate_otp(step)):
            matched = step
    return matched


def _open(user: User, sealed: SealedSecret) -> OpenedSecret:
    try:
        return sealed.open_noting_key()
    except SecretUnreadable:
        log.error(
            "The second-factor secret of user %s opens with no key of TOTP_ENCRYPTION_KEYS: "
            "restore the key that sealed it, or reset the account's second factor.",
            user.id,
        )
        raise


def consume_code(user: User, code: str, now: datetime | None = None) -> bool:
    """True once for a right code: its step is recorded (uncommitted) so it cannot be reused.
    Raises SecretUnreadable (logged) when no configured key opens the stored secret."""
    if not is_enabled(user):
        return False
    sealed = cast(SealedSecret, user.totp_secret)
    opened = _open(user, sealed)
    step = matching_step(opened.secret, code, now)
    if step is None:
        return False
    result = db.session.execute(
        update(User)
        .where(
            User.id == user.id,
            or_(User.totp_last_step.is_(None), User.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult[object], result).rowcount != 1:
        return False  # replayed: this step (or a later one) was already used
    user.totp_last_step = step
    if opened.needs_sealing_again:
        _seal_again(user, sealed, opened.secret)
    return True


def _seal_again(user: User, sealed: SealedSecret, secret: str) -> bool:
    """Store the secret under the first key (uncommitted), unless it changed meanwhile (turned
    off, reset): a conditional UPDATE, so an old secret is never written back."""
    fresh = SealedSecret.of(secret)
    result = db.session.execute(
        update(User)
        .where(User.id == user.id, User.totp_secret == sealed)
        .values(totp_secret=fresh)
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult[object], result).rowcount != 1:
        return False
    set_committed_value(user, "totp_secret", fresh)
    return True


def _require_holder(actor: Actor, user: User) -> None:
    if not (isinstance(actor, User) and actor.id == user.id):
        raise PermissionDenied("only the account holder changes its second factor")


def _wrong_code() -> list[str]:
    return [str(_l("That code is not right. Enter the 6 digits your app shows now."))]


def enable(
    *, actor: Actor, user: User, secret: str, code: str, now: datetime | None = None
) -> list[str]:
    """Turn the second factor on once the holder proves their app has the secret; the new
    recovery codes, to be shown once."""
    _require_holder(actor, user)
    if is_enabled(user):
        raise InvalidTransition("the second factor is already on")
    step = matching_step(secret, code, now)
    if step is None:
        raise ValidationFailed({"code": _wrong_code()})
    user.totp_secret = SealedSecret.of(secret)
    user.totp_enabled_at = now or utcnow()
    user.totp_last_step = step  # the confirming code cannot then sign anyone in
    codes = _new_codes(actor, user, action="account.two_factor_enable")
    security_notices.notify(user, Event.TWO_FACTOR_ENABLED, at=user.totp_enabled_at)
    db.session.commit()
    return codes


def issue_codes(*, actor: Actor, user: User, password: str) -> list[str]:
    """New recovery codes in place of the earlier ones, which stop working; the holder
    proves it with the password. The codes, to be shown once."""
    _require_holder(actor, user)
    if not is_enabled(user):
        raise InvalidTransition("recovery codes need the second factor on")
    if not password_matches(user, password):
        raise ValidationFailed({"password": [_wrong_password()]})
    codes = _new_codes(actor, user, action="account.recovery_codes_issue")
    db.session.commit()
    return codes


def _new_codes(actor: Actor, user: User, *, action: str) -> list[str]:
    """Recovery codes in place of any earlier ones, audited under `action` (uncommitted)."""
    codes = recovery_codes.replace(user)
    audit.record(
        actor=actor,
        action=action,
        target=user,
        target_label=audit.account_label(user),
        after={"recovery_codes": len(codes)},
    )
    return codes


def _unreadable_secret() -> str:
    return str(
        _l(
            "Codes from your authenticator app cannot be checked at the moment. "
            "Ask an administrator to remove your second factor."
        )
    )


def _wrong_password() -> str:
    return str(_l("Your password is not correct."))


def _clear(user: User) -> None:
    recovery_codes.delete_all(user)
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None


def disable(
    *, actor: Actor, user: User, password: str, code: str, now: datetime | None = None
) -> None:
    """The holder turns the second factor off, proving both factors once more."""
    _require_holder(actor, user)
    if not is_enabled(user):
        raise InvalidTransition("the second factor is not on")
    errors: dict[str, list[str]] = {}
    if not password_matches(user, password):
        errors["password"] = [_wrong_password()]
    else:
        try:
            if not consume_code(user, code, now):
                errors["code"] = _wrong_code()
        except SecretUnreadable:
            errors["code"] = [_unreadable_secret()]
    if errors:  # nothing was written: a wrong code is checked before anything changes
        raise ValidationFailed(errors)
    _clear(user)
    audit.record(
        actor=actor,
        action="account.two_factor_disable",
        target=user,
        target_label=audit.account_label(user),
    )
    security_notices.notify(user, Event.TWO_FACTOR_DISABLED, at=now or utcnow())
    db.session.commit()


def reset(*, actor: Actor, user: User, reason: str = "") -> bool:
    """An administrator removes someone's second factor (a lost phone); False if it was off.
    The holder enrols again at their next sign-in when it is required."""
    if not is_admin(actor):
        raise PermissionDenied("only administrators reset a second factor")
    if not is_enabled(user) and user.totp_secret is None:
        return False
    _clear(user)
    audit.record(
        actor=actor,
        action="account.two_factor_reset",
        target=user,
        target_label=audit.account_label(user),
        reason=reason,
    )
    security_notices.notify(user, Event.TWO_FACTOR_RESET, at=utcnow())
    db.session.commit()
    return True


@dataclass(frozen=True)
class SealingReport:
    sealed_again: int
    unreadable: list[str]  # e-mails of the accounts whose secret no configured key opens


def seal_stored_secrets(*, actor: Actor) -> SealingReport:
    """Encrypt under the first key every stored secret that is not (kept in plain text from
    before encryption, or under an older key), so that an old key can then be removed."""
    if not is_admin(actor):
        raise PermissionDenied("only administrators re-encrypt second-factor secrets")
    sealed_again, unreadable = 0, []
    users = db.session.scalars(select(User).where(User.totp_secret.is_not(None))).all()
    for user in users:
        sealed = cast(SealedSecret, user.totp_secret)
        try:
            opened = _open(user, sealed)
        except SecretUnreadable:
            unreadable.append(user.email)
            continue
        if opened.needs_sealing_again and _seal_again(user, sealed, opened.secret):
            sealed_again += 1
    db.session.commit()
    return SealingReport(sealed_again=sealed_again, unreadable=unreadable)

"""Signing in: the password step, the second-factor step, and lockout after repeated failures.

After SIGN_IN_MAX_FAILURES wrong passwords or codes in a row, a staff account is locked for
SIGN_IN_LOCKOUT_MINUTES: guessing a staff password (or, with the password, a code) is then too
slow to matter, whichever addresses it comes from. Citizens are not locked by default
(SIGN_IN_LOCKOUT_CITIZENS): anyone who knows a citizen's e-mail could keep them out, for little
gain, as a citizen account cannot publish or read others' data; the per-address rate limit
slows guessing there. The counter is reset only when sign-in completes, so knowing the password
does not give fresh tries at the code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import update

from listening_state.authz import Actor, is_admin
from listening_state.extensions import db
from listening_state.models import User
from listening_state.models.base import utcnow
from listening_state.services import audit, recovery_codes, security_notices, two_factor
from listening_state.services.accounts import (
    dummy_password_check,
    find_user_by_email,
    get_user,
    password_matches,
)
from listening_state.services.errors import NotFound, PermissionDenied
from listening_state.services.passwords import password_problems
from listening_state.services.security_notices import Event


@dataclass(frozen=True)
class PasswordAccepted:
    """The password was right. With `needs_code` the user is not signed in until
    `check_code` accepts a code; `must_change_password` when a staff password breaks the rule."""

    user: User
    needs_code: bool
    must_change_password: bool


def lockout_applies(user: User) -> bool:
    return user.is_staff or bool(current_app.config["SIGN_IN_LOCKOUT_CITIZENS"])


def is_locked(user: User, now: datetime | None = None) -> bool:
    return user.locked_until is not None and user.locked_until > (now or utcnow())


def check_password(
    *, email: str, password: str, now: datetime | None = None
) -> PasswordAccepted | None:
    """The first step. None for an unknown e-mail, a wrong password or a locked account alike,
    so the answer never tells which e-mails exist."""
    now = now or utcnow()
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        dummy_password_check(password)
        return None
    # Checked even for a locked account, so that answering takes the same time.
    correct = password_matches(user, password)
    if is_locked(user, now):
        return None
    if not correct:
        _record_failure(user, now)
        return None
    needs_code = two_factor.is_enabled(user)
    if not needs_code:
        _record_success(user)
    weak = user.is_staff and bool(
        password_problems(password, email=user.email, display_name=user.display_name, staff=True)
    )
    return PasswordAccepted(user=user, needs_code=needs_code, must_change_password=weak)


def check_code(*, user_id: int, code: str, now: datetime | None = None) -> User | None:
    """The second step, for a user whose password was accepted: the user when the code is
    right and unused; None otherwise (a wrong code counts as a failed sign-in). The code is
    from the authenticator app, or one of the account's recovery codes (told apart by shape);
    a recovery code used is told to the holder by e-mail."""
    now = now or utcnow()
    user = get_user(user_id)
    if user is None or not user.is_active or is_locked(user, now):
        return None
    if not recovery_codes.looks_like_code(code):
        if two_factor.consume_code(user, code, now):
            _record_success(user)
            return user
    elif two_factor.is_enabled(user) and recovery_codes.use_code(user, code, now):
        left = recovery_codes.remaining(user)
        security_notices.notify(user, Event.RECOVERY_CODE_USED, at=now, remaining=left)
        _record_success(user)
        return user
    _record_failure(user, now)
    return None


def _record_failure(user: User, now: datetime) -> None:
    if not lockout_applies(user):
        return
    # Counted in the database, so attempts racing from several processes all count.
    failures = db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(failed_sign_ins=User.failed_sign_ins + 1)
        .returning(User.failed_sign_ins)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    user.failed_sign_ins = failures
    if failures >= int(current_app.config["SIGN_IN_MAX_FAILURES"]):
        user.locked_until = now + timedelta(
            minutes=int(current_app.config["SIGN_IN_LOCKOUT_MINUTES"])
        )
        # The next lock needs as many failures again once this one has run out.
        user.failed_sign_ins = 0
        audit.record(
            actor=None,
            action="account.lock",
            target=user,
            target_label=audit.account_label(user),
            after={"locked_until": user.locked_until, "failures": failures},
        )
        security_notices.notify(user, Event.LOCKED, at=now, until=user.locked_until)
    db.session.commit()


def _record_success(user: User) -> None:
    # Written only when there is something to clear: most sign-ins change nothing.
    if user.failed_sign_ins or user.locked_until is not None:
        user.failed_sign_ins = 0
        user.locked_until = None
    db.session.commit()


def unlock(*, actor: Actor, user: User) -> bool:
    """An administrator lifts a lockout early; False when the account was not locked."""
    if not is_admin(actor):
        raise PermissionDenied("only administrators unlock accounts")
    if not is_locked(user) and not user.failed_sign_ins:
        return False
    before = {"locked_until": user.locked_until, "failures": user.failed_sign_ins}
    user.locked_until = None
    user.failed_sign_ins = 0
    audit.record(
        actor=actor,
        action="account.unlock",
        target=user,
        target_label=audit.account_label(user),
        before=before,
    )
    db.session.commit()
    return True


def find_for_admin(*, actor: Actor, email: str) -> User | None:
    """An account looked up by e-mail on the administrators' sign-in security page."""
    if not is_admin(actor):
        raise PermissionDenied("only administrators look accounts up")
    return find_user_by_email(email)


def account_for_admin(*, actor: Actor, user_id: int) -> User:
    """The account an administrator acts on from that page."""
    if not is_admin(actor):
        raise PermissionDenied("only administrators act on others' sign-in")
    user = get_user(user_id)
    if user is None:
        raise NotFound("no such account")
    return user

"""E-mails that tell account holders about their account's security: a lockout, a new
password, a second factor turned on or off, or removed by an administrator, and a recovery code
used to sign in.

A notice goes to the holder whatever their notification setting (that setting is about their
submissions), in their language, queued in the outbox inside the commit of the change it
reports, like every other e-mail. It says when, and from which address, so that someone who
did not do it knows to act.
"""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import force_locale
from flask_babel import gettext as _

from listening_state.models import OutboxMessage, User
from listening_state.services import outbox
from listening_state.services.audit import client_ip
from listening_state.services.notifications import Links, language_of, render

KIND = "security"


class Event(enum.Enum):
    LOCKED = "locked"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 - an event name, not a password
    TWO_FACTOR_ENABLED = "two_factor_enabled"
    TWO_FACTOR_DISABLED = "two_factor_disabled"
    TWO_FACTOR_RESET = "two_factor_reset"  # by an administrator
    RECOVERY_CODE_USED = "recovery_code_used"


def _subject(event: Event) -> str:
    subjects = {
        Event.LOCKED: _("Your account was locked after failed sign-ins"),
        Event.PASSWORD_CHANGED: _("Your password was changed"),
        Event.TWO_FACTOR_ENABLED: _("Two-step sign-in was turned on for your account"),
        Event.TWO_FACTOR_DISABLED: _("Two-step sign-in was turned off for your account"),
        Event.TWO_FACTOR_RESET: _("An administrator removed your two-step sign-in"),
        Event.RECOVERY_CODE_USED: _("A recovery code was used to sign in to your account"),
    }
    return str(subjects[event])


def notify(
    user: User,
    event: Event,
    *,
    at: datetime,
    until: datetime | None = None,
    remaining: int | None = None,
) -> OutboxMessage | None:
    """Queue the notice (the caller commits); None for an account without an address."""
    if not user.email or user.deleted_at is not None:
        return None
    language = language_of(user)
    links = Links()
    with force_locale(language):  # translations, and dates in the holder's language
        body = render(
            KIND,
            recipient=user,
            event=event.value,
            at=at,
            until=until,
            remaining=remaining,
            address=client_ip.get(),
            password_url=links("auth.change_password"),
            two_factor_url=links("auth.two_factor"),
        )
        return outbox.queue(
            kind=KIND, recipient=user, subject=_subject(event), body_text=body, language=language
        )

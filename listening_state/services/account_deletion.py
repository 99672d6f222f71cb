"""A citizen deletes their account: their personal data goes, their submissions stay public.

Everything happens in one commit (the table of decisions per referring table is in
``services/account_data.py``):

- the e-mail becomes ``deleted-<id>@invalid``: unique because the id is, never deliverable
  (``.invalid`` is reserved by RFC 2606) and never registrable (the sign-up form refuses a
  domain without a dot), so the person may register again with their real address;
- the name becomes a neutral label, shown publicly as "Deleted account" in the reader's language;
- the password hash becomes a value no password matches, the second factor is cleared, e-mail
  notifications are off, API tokens, role grants and every e-mail addressed to them are deleted;
- ``deleted_at`` is set, so ``User.is_active`` is False and the account can never sign in.

The audit log is never rewritten, so it never held a citizen's e-mail, name or client address
to begin with: a citizen's entries name them as "account #<id>" (`audit.account_label`) and
keep no address (`audit._client_address`). Staff entries keep the e-mail and address of the
official who acted; a former officer's acts stay attributed to them.

Submissions keep their text as sent. Readers already see it through the personal-data masker
(IIN, BIN, phones, e-mail addresses, card numbers); submissions have no other personal field:
``author_label`` names only the source of imported demonstration comments.

Only citizens delete their own accounts. Staff (council members, ministry officers,
administrators) must first have an administrator revoke their roles: their account is the
accountable author of official acts, revoking hands their work over with an audit entry, and
no administrator can delete the last administrator's account by mistake.
"""

from __future__ import annotations

from typing import Any, cast

from flask_babel import lazy_gettext as _l
from sqlalchemy import CursorResult, Delete, delete, update
from werkzeug.security import check_password_hash

from listening_state.authz import Actor
from listening_state.extensions import db
from listening_state.models import ApiToken, CouncilMember, OutboxMessage, Submission, User
from listening_state.models.base import utcnow
from listening_state.services import audit, recovery_codes
from listening_state.services.account_data import DELETED_DISPLAY_NAME, messages_to
from listening_state.services.errors import InvalidTransition, PermissionDenied, ValidationFailed

# Not a hash of any password: werkzeug's check_password_hash needs "method$salt$hash".
UNUSABLE_PASSWORD = "!deleted"  # noqa: S105 - a marker that no password can match


class StaffMustHandOver(InvalidTransition):
    """A staff account asked to delete itself while it still holds a staff role."""


def deleted_email(user_id: int) -> str:
    return f"deleted-{user_id}@invalid"


def _check(actor: Actor, user: User, password: str) -> User:
    """The account, read again under a lock so two confirmations at once erase it once (and
    as the mapped object itself, even when the caller passed a proxy such as current_user)."""
    if not (isinstance(actor, User) and actor.id == user.id):
        raise PermissionDenied("only the account holder deletes the account")
    locked = db.session.get(User, user.id, with_for_update=True, populate_existing=True)
    if locked is None:
        raise PermissionDenied("the account no longer exists")
    user = locked
    if user.deleted_at is not None:
        raise InvalidTransition("the account is already deleted")
    if user.is_staff:
        raise StaffMustHandOver("an administrator must revoke the staff roles first")
    if not check_password_hash(user.password_hash, password):
        raise ValidationFailed({"password": [str(_l("This is not your password."))]})
    return user


def _delete(statement: Delete) -> int:
    """Run a bulk DELETE; how many rows it removed."""
    return int(cast(CursorResult[Any], db.session.execute(statement)).rowcount)


def delete_account(*, actor: Actor, user: User, password: str) -> None:
    """Erase the account's personal data; the caller signs the person out."""
    user = _check(actor, user, password)
    removed_messages = _delete(delete(OutboxMessage).where(messages_to(user)))
    removed_tokens = _delete(delete(ApiToken).where(ApiToken.user_id == user.id))
    recovery_codes.delete_all(user)
    db.session.execute(
        update(Submission).where(Submission.assigned_to_id == user.id).values(assigned_to_id=None)
    )
    # A membership left linked could grant the council role to the erased account again.
    db.session.execute(
        update(CouncilMember).where(CouncilMember.user_id == user.id).values(user_id=None)
    )
    user.roles.clear()
    user.email = deleted_email(user.id)
    user.display_name = DELETED_DISPLAY_NAME
    user.password_hash = UNUSABLE_PASSWORD
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    user.failed_sign_ins = 0
    user.locked_until = None
    user.notify_by_email = False
    user.deleted_at = utcnow()
    _record(user, messages=removed_messages, tokens=removed_tokens)
    db.session.commit()


def _record(user: User, *, messages: int, tokens: int) -> None:
    """The audit entry: like every citizen's entry, it names the account by number
    (`audit.account_label`) and keeps no client address, so it holds no personal data."""
    audit.record(
        actor=user,
        action="account.delete",
        target=user,
        target_label=audit.account_label(user),
        after={"messages_deleted": messages, "api_tokens_deleted": tokens},
    )

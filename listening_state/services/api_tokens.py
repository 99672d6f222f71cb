"""Personal access tokens for the JSON API: made, listed and revoked by their owner, and
checked on every API request.

Only a token's SHA-256 is stored. A token is 32 random bytes, so a hash lookup is as safe as
a constant-time comparison: knowing how long a lookup took reveals nothing usable about any
stored token, and a stolen table of hashes does not give the tokens back.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from listening_state.authz import Actor
from listening_state.extensions import db
from listening_state.models import ApiToken, User
from listening_state.models.base import utcnow
from listening_state.sanitize import clean_line
from listening_state.services import audit
from listening_state.services.errors import (
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)

TOKEN_PREFIX = "ls_"  # noqa: S105 - tells a token apart (and in leak scanners), not a secret
MAX_NAME = 80
MAX_LIVE_TOKENS = 20  # per user: enough for scripts and devices, not a way to fill the table
# last_used_at is a hint for the owner, not an access log: writing it at most once a minute
# keeps a busy client from turning every read into a write.
LAST_USED_PRECISION = timedelta(minutes=1)


@dataclass(frozen=True)
class NewToken:
    """A token just made: `secret` is shown to its owner this once and never stored."""

    token: ApiToken
    secret: str


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _require_owner(actor: Actor, user: User) -> None:
    if not isinstance(actor, User) or actor.id != user.id or not actor.is_active:
        raise PermissionDenied("only the owner manages their API tokens")


def create_token(*, actor: Actor, user: User, name: str) -> NewToken:
    """A new token for the user, named so they can tell it apart later."""
    _require_owner(actor, user)
    name = clean_line(name)
    if not 1 <= len(name) <= MAX_NAME:
        message = _l("Give the token a name of at most %(n)d characters.", n=MAX_NAME)
        raise ValidationFailed({"name": [str(message)]})
    if len(list_tokens(actor=actor, user=user)) >= MAX_LIVE_TOKENS:
        message = _l("You have %(n)d tokens: revoke one first.", n=MAX_LIVE_TOKENS)
        raise ValidationFailed({"name": [str(message)]})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name,
        token_sha256=_digest(secret),
        prefix=secret[: len(TOKEN_PREFIX) + 6],
    )
    db.session.add(token)
    db.session.flush()
    audit.record(
        actor=actor,
        action="api_token.create",
        target=token,
        target_label=name,
        after={"name": name, "prefix": token.prefix},
    )
    db.session.commit()
    return NewToken(token=token, secret=secret)


def list_tokens(*, actor: Actor, user: User) -> list[ApiToken]:
    """The user's tokens that still work, newest first."""
    _require_owner(actor, user)
    stmt = (
        select(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    )
    return list(db.session.scalars(stmt))


def revoke_token(*, actor: Actor, user: User, token_id: int) -> ApiToken:
    """Stop a token working at once; another user's token is not found."""
    _require_owner(actor, user)
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound("api token")
    if token.revoked_at is not None:
        raise InvalidTransition("already revoked")
    token.revoked_at = utcnow()
    audit.record(
        actor=actor,
        action="api_token.revoke",
        target=token,
        target_label=token.name,
        before={"revoked_at": None},
        after={"revoked_at": token.revoked_at},
    )
    db.session.commit()
    return token


def authenticate(secret: str) -> User | None:
    """The user a presented token belongs to; None for an unknown, revoked or malformed token,
    or one whose account was deleted."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100 or not secret.isascii():
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_sha256 == _digest(secret)))
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        token.last_used_at = now
        db.session.commit()
    return token.user

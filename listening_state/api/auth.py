"""Who is calling: a personal access token in `Authorization: Bearer <token>`, nothing else.

The session cookie is never read here, so a page on another site cannot make a signed-in
browser act through the API, and CSRF tokens have nothing to protect.
"""

from __future__ import annotations

from flask import Blueprint, g, request
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Unauthorized

from listening_state.authz import Actor
from listening_state.models import User
from listening_state.services import api_tokens


def _invalid_token() -> Unauthorized:
    """A token was sent but is unknown, revoked, malformed or its account was deleted."""
    return Unauthorized(www_authenticate=WWWAuthenticate("bearer", {"error": "invalid_token"}))


def _authenticate() -> None:
    # Set on every request: `g` may outlive one request when an app context is reused.
    g.api_user = None
    header = request.headers.get("Authorization")
    if header is None:
        return
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer":
        raise _invalid_token()
    user = api_tokens.authenticate(secret.strip())
    if user is None:
        # A dead token is refused even where none is needed, so its owner learns it is dead.
        raise _invalid_token()
    g.api_user = user


def actor() -> Actor:
    """The token's user, or None for an anonymous caller."""
    user: User | None = g.get("api_user")
    return user


def require_user() -> User:
    """The token's user; anonymous callers get 401."""
    user: User | None = g.get("api_user")
    if user is None:
        raise Unauthorized()
    return user


def register(bp: Blueprint) -> None:
    bp.before_request(_authenticate)

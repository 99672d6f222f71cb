"""The one place short secrets (the second factor's TOTP secret) are encrypted and decrypted.

Fernet (AES-128-CBC with HMAC-SHA256) under TOTP_ENCRYPTION_KEYS: the first key encrypts, every
key decrypts, so a new key can go first while the old one still opens what it sealed
(README "Second-factor secrets").
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app


class SecretUnreadable(Exception):
    """No configured key opens this token: a key was removed or mistyped, or it was altered."""


@lru_cache(maxsize=8)
def _fernets(keys: tuple[str, ...]) -> tuple[Fernet, ...]:
    return tuple(Fernet(key) for key in keys)


def _keys() -> tuple[Fernet, ...]:
    # Validated and split into a tuple by config.load_config; built once per set of keys
    # (keyed on the keys themselves, so an app with other keys gets its own).
    return _fernets(tuple(current_app.config["TOTP_ENCRYPTION_KEYS"]))


def seal(secret: str) -> str:
    """The secret as a token under the first key (random IV: never the same token twice)."""
    return _keys()[0].encrypt(secret.encode()).decode("ascii")


def unseal(token: str) -> str:
    """The secret a token holds, whichever configured key sealed it."""
    return unseal_noting_key(token)[0]


def unseal_noting_key(token: str) -> tuple[str, bool]:
    """The secret a token holds, and whether the first key sealed it (False: an older key did,
    and it is to be sealed again under the first). Each key is tried once, first key first."""
    failure: InvalidToken | None = None
    for position, key in enumerate(_keys()):
        try:
            secret = key.decrypt(token.encode()).decode()
        except InvalidToken as error:
            failure = error
            continue
        return secret, position == 0
    raise SecretUnreadable from failure

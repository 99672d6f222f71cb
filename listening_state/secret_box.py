"""The one place short secrets (the second factor's TOTP secret) are encrypted and decrypted.

Fernet (AES-128-CBC with HMAC-SHA256) under TOTP_ENCRYPTION_KEYS: the first key encrypts, every
key decrypts, so a new key can go first while the old one still opens what it sealed
(README "Second-factor secrets").
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app


class SecretUnreadable(Exception):
    """No configured key opens this token: a key was removed or mistyped, or it was altered."""


def _keys() -> list[Fernet]:
    # Validated and split into a tuple by config.load_config.
    return [Fernet(key) for key in current_app.config["TOTP_ENCRYPTION_KEYS"]]


def seal(secret: str) -> str:
    """The secret as a token under the first key (random IV: never the same token twice)."""
    return _keys()[0].encrypt(secret.encode()).decode("ascii")


def unseal(token: str) -> str:
    """The secret a token holds, whichever configured key sealed it."""
    try:
        return MultiFernet(_keys()).decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise SecretUnreadable from error


def sealed_with_first_key(token: str) -> bool:
    """False for a token under an older key, to be sealed again under the first one."""
    try:
        _keys()[0].decrypt(token.encode())
    except InvalidToken:
        return False
    return True

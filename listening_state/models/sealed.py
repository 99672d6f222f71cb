"""A column that only ever holds secrets encrypted by secret_box.

Reading gives a `SealedSecret`, opened only where the secret is used, so loading an account
(every request) never decrypts it, and a key problem shows where it can be handled rather than
in every page. Writing takes only a `SealedSecret`: plain text cannot reach the column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Dialect, String, TypeDecorator

from listening_state import secret_box

# Secrets stored before encryption: pyotp's base32. A Fernet token begins "gAAAA", lower case.
_PLAIN_BASE32 = re.compile(r"[A-Z2-7]+=*")


@dataclass(frozen=True)
class SealedSecret:
    """A secret as its column holds it: a Fernet token, or plain base32 from before encryption."""

    stored: str = field(repr=False)

    @classmethod
    def of(cls, secret: str) -> SealedSecret:
        return cls(secret_box.seal(secret))

    @property
    def is_plain_text(self) -> bool:
        return _PLAIN_BASE32.fullmatch(self.stored) is not None

    def open(self) -> str:
        """The secret; raises secret_box.SecretUnreadable when no configured key opens it."""
        return self.open_noting_key().secret

    def open_noting_key(self) -> OpenedSecret:
        """The secret, and whether it is to be sealed again, from one decryption; raises
        secret_box.SecretUnreadable when no configured key opens it."""
        if self.is_plain_text:
            return OpenedSecret(self.stored, needs_sealing_again=True)
        secret, under_first_key = secret_box.unseal_noting_key(self.stored)
        return OpenedSecret(secret, needs_sealing_again=not under_first_key)


@dataclass(frozen=True)
class OpenedSecret:
    """A secret as `SealedSecret.open_noting_key` opened it."""

    secret: str = field(repr=False)
    # Stored in plain text, or under a key that is no longer the first one.
    needs_sealing_again: bool


class SealedSecretType(TypeDecorator[SealedSecret]):
    """VARCHAR(255): a Fernet token of a 32-character secret is 140 characters."""

    impl = String(255)
    cache_ok = True

    def process_bind_param(self, value: SealedSecret | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if not isinstance(value, SealedSecret):
            raise TypeError("seal a secret (SealedSecret.of) before storing it")
        return value.stored

    def process_result_value(self, value: Any, dialect: Dialect) -> SealedSecret | None:
        return None if value is None else SealedSecret(str(value))

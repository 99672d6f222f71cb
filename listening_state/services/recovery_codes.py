"""Recovery codes: one-time codes that stand in for the authenticator app when it is lost.

Ten codes are made when the second factor is turned on (and again when the holder asks), shown
once, and stored only as the SHA-256 of their normalised form. A code signs in once: it is
marked used by a conditional UPDATE, so two sign-ins racing with the same code cannot both
pass. The codes go when the second factor is turned off, removed or the account deleted.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import cast

from sqlalchemy import CursorResult, delete, func, select, update

from listening_state.extensions import db
from listening_state.models import RecoveryCode, User
from listening_state.models.base import utcnow

COUNT = 10
LENGTH = 10
# Base32-like, without the characters people confuse when reading or typing: 0/o, 1/i/l.
ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"


def normalise(code: str) -> str:
    """As the holder may type it: any case, with or without the dash and spaces."""
    return "".join(code.split()).replace("-", "").lower()


def looks_like_code(code: str) -> bool:
    """A recovery code, not a 6-digit code from the app: told apart by its length or dash."""
    return "-" in code or len(normalise(code)) == LENGTH


def code_hash(code: str) -> str:
    return hashlib.sha256(normalise(code).encode("ascii", "replace")).hexdigest()


def _new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return f"{raw[: LENGTH // 2]}-{raw[LENGTH // 2 :]}"


def delete_all(user: User) -> int:
    """Remove every code of the account (uncommitted); how many there were."""
    result = db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    return int(cast(CursorResult[object], result).rowcount)


def replace(user: User) -> list[str]:
    """New codes in place of any earlier ones (uncommitted); the codes, to be shown once."""
    delete_all(user)
    codes: list[str] = []
    while len(codes) < COUNT:  # distinct, even in the (vanishing) case of a repeat
        code = _new_code()
        if code not in codes:
            codes.append(code)
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=code_hash(c)) for c in codes)
    return codes


def use_code(user: User, code: str, now: datetime | None = None) -> bool:
    """True once for an unused code of this account: it is marked used (uncommitted)."""
    if not looks_like_code(code):
        return False
    result = db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == code_hash(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    return cast(CursorResult[object], result).rowcount == 1


def _count(user: User, *, used: bool) -> int:
    used_at = RecoveryCode.used_at
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(RecoveryCode)
            .where(
                RecoveryCode.user_id == user.id,
                used_at.is_not(None) if used else used_at.is_(None),
            )
        )
        or 0
    )


def remaining(user: User) -> int:
    """How many unused codes the account has."""
    return _count(user, used=False)


def used(user: User) -> int:
    """How many codes of the current set were already used."""
    return _count(user, used=True)

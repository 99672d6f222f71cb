"""People who use the platform and the roles they hold."""

from __future__ import annotations

import enum
import hashlib
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from listening_state.models.base import Model, UTCDateTime, enum_column, utcnow
from listening_state.models.sealed import SealedSecret, SealedSecretType

if TYPE_CHECKING:
    from listening_state.models.council import PublicCouncil
    from listening_state.models.ministry import Ministry


class Role(enum.Enum):
    CITIZEN = "citizen"
    COUNCIL_MEMBER = "council_member"
    MINISTRY_OFFICER = "ministry_officer"
    ADMIN = "admin"


def password_fingerprint(password_hash: str) -> str:
    """64 bits of SHA-256 of the stored (salted) hash: tells hashes apart, reveals nothing
    that could test a password guess without the salt, which never leaves the database."""
    return hashlib.sha256(password_hash.encode("utf-8")).hexdigest()[:16]


class User(UserMixin, Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored case-folded by the accounts service, so uniqueness is case-insensitive everywhere.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    preferred_language: Mapped[str] = mapped_column(String(8), default="kk")
    # E-mail about the user's own submissions (routed, answered, ...); they can turn it off.
    notify_by_email: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Sign-in protection (staff): failed attempts in a row, and the lockout they caused.
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Time-based one-time passwords (RFC 6238): the base32 secret, encrypted (secret_box), set
    # when the user confirmed a first code; the last time step accepted, so a code cannot be
    # replayed within its window.
    totp_secret: Mapped[SealedSecret | None] = mapped_column(SealedSecretType)
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    # A deleted account keeps its row so its submissions stay public records, anonymous:
    # its personal data (e-mail, name, password, second factor) is erased at deletion.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    roles: Mapped[list[RoleGrant]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    def has_role(self, role: Role) -> bool:
        return any(grant.role is role for grant in self.roles)

    def ministry_ids(self) -> set[int]:
        return {
            g.ministry_id for g in self.roles if g.role is Role.MINISTRY_OFFICER and g.ministry_id
        }

    def council_ids(self) -> set[int]:
        return {g.council_id for g in self.roles if g.role is Role.COUNCIL_MEMBER and g.council_id}

    def get_id(self) -> str:
        # What the session and the remember-me cookie carry: the id and a fingerprint of the
        # password hash, so a new password signs the account out everywhere else
        # (security.load_user refuses a fingerprint that no longer matches).
        return f"{self.id}:{password_fingerprint(self.password_hash)}"

    @property
    def is_active(self) -> bool:
        # Flask-Login refuses inactive users: a deleted account can never sign in again.
        return self.deleted_at is None

    @property
    def is_admin(self) -> bool:
        return self.has_role(Role.ADMIN)

    @property
    def is_staff(self) -> bool:
        return any(grant.role is not Role.CITIZEN for grant in self.roles)

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class RoleGrant(Model):
    """One role held by a user; officer and council roles are scoped to their body."""

    __tablename__ = "role_grant"
    __table_args__ = (UniqueConstraint("user_id", "role", "ministry_id", "council_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[Role] = mapped_column(enum_column(Role))
    ministry_id: Mapped[int | None] = mapped_column(ForeignKey("ministry.id"), index=True)
    council_id: Mapped[int | None] = mapped_column(ForeignKey("public_council.id"), index=True)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="roles")
    ministry: Mapped[Ministry | None] = relationship()
    council: Mapped[PublicCouncil | None] = relationship()


class ApiToken(Model):
    """A personal access token for the JSON API. Only its SHA-256 is stored: the token itself
    is shown once, when it is made; `prefix` lets its owner tell tokens apart in lists."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(80))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None


class RecoveryCode(Model):
    """A one-time code that stands in for the second factor when the phone is lost. Only the
    SHA-256 of the normalised code is stored; `used_at` is set, once, when it signs someone in."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

"""Accounts: registration, authentication, roles and language preference."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from listening_state.authz import Actor, is_admin
from listening_state.extensions import db
from listening_state.models import Ministry, PublicCouncil, Role, RoleGrant, User
from listening_state.models.base import utcnow
from listening_state.sanitize import clean_line
from listening_state.services import audit, security_notices
from listening_state.services.errors import PermissionDenied, ValidationFailed
from listening_state.services.passwords import password_problems
from listening_state.services.security_notices import Event

LANGUAGES = ("kk", "ru", "en")
# Checked when no account matches, so a failed login takes as long whether or not it exists.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def _hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def normalize_email(email: str) -> str:
    return email.strip().casefold()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def _validate_new_account(
    email: str, display_name: str, password: str, language: str, *, staff: bool
) -> None:
    errors: dict[str, list[str]] = {}
    if find_user_by_email(email) is not None:
        errors["email"] = [str(_l("An account with this e-mail address already exists."))]
    if not display_name:
        errors["display_name"] = [str(_l("Please enter your name."))]
    problems = password_problems(password, email=email, display_name=display_name, staff=staff)
    if problems:
        errors["password"] = problems
    if language not in LANGUAGES:
        errors["language"] = [str(_l("Choose Kazakh, Russian or English."))]
    if errors:
        raise ValidationFailed(errors)


def register_citizen(*, email: str, display_name: str, password: str, language: str) -> User:
    """Create a citizen account (anyone may register)."""
    return create_user(
        email=email,
        display_name=display_name,
        password=password,
        language=language,
        roles=[(Role.CITIZEN, None, None)],
    )


def create_user(
    *,
    email: str,
    display_name: str,
    password: str,
    language: str = "kk",
    roles: list[tuple[Role, Ministry | None, PublicCouncil | None]],
) -> User:
    """Create an account holding the given roles (staff roles come from trusted callers)."""
    display_name = clean_line(display_name)
    # A staff account (any role but citizen) must meet the staff password rule from the start.
    staff = any(role is not Role.CITIZEN for role, _, _ in roles)
    _validate_new_account(email, display_name, password, language, staff=staff)
    user = User(
        email=normalize_email(email),
        display_name=display_name,
        password_hash=_hash_password(password),
        preferred_language=language,
    )
    for role, ministry, council in roles:
        user.roles.append(_make_grant(role, ministry, council))
    db.session.add(user)
    db.session.commit()
    return user


def _make_grant(role: Role, ministry: Ministry | None, council: PublicCouncil | None) -> RoleGrant:
    if role is Role.MINISTRY_OFFICER and ministry is None:
        raise ValidationFailed({"ministry": [str(_l("A ministry officer needs a ministry."))]})
    if role is Role.COUNCIL_MEMBER and council is None:
        raise ValidationFailed({"council": [str(_l("A council member needs a council."))]})
    return RoleGrant(
        role=role,
        ministry_id=ministry.id if ministry and role is Role.MINISTRY_OFFICER else None,
        council_id=council.id if council and role is Role.COUNCIL_MEMBER else None,
    )


def _held_grant(
    user: User, role: Role, ministry_id: int | None, council_id: int | None
) -> RoleGrant | None:
    return next(
        (
            grant
            for grant in user.roles
            if (grant.role, grant.ministry_id, grant.council_id) == (role, ministry_id, council_id)
        ),
        None,
    )


def stage_role_grant(
    *,
    actor: Actor,
    user: User,
    role: Role,
    ministry: Ministry | None = None,
    council: PublicCouncil | None = None,
) -> RoleGrant:
    """`grant_role` without its commit, for a service whose own change grants the role, so
    that both are one commit."""
    if not is_admin(actor):
        raise PermissionDenied("only administrators grant roles")
    grant = _make_grant(role, ministry, council)
    existing = _held_grant(user, grant.role, grant.ministry_id, grant.council_id)
    if existing is not None:
        return existing
    user.roles.append(grant)
    db.session.flush()
    audit.record(
        actor=actor,
        action="role.grant",
        target=user,
        target_label=audit.account_label(user),
        after={
            "role": grant.role,
            "ministry_id": grant.ministry_id,
            "council_id": grant.council_id,
        },
    )
    return grant


def grant_role(
    *,
    actor: Actor,
    user: User,
    role: Role,
    ministry: Ministry | None = None,
    council: PublicCouncil | None = None,
) -> RoleGrant:
    """Give a user one more role; only administrators may."""
    grant = stage_role_grant(actor=actor, user=user, role=role, ministry=ministry, council=council)
    db.session.commit()
    return grant


def stage_role_revocation(
    *,
    actor: Actor,
    user: User,
    role: Role,
    ministry: Ministry | None = None,
    council: PublicCouncil | None = None,
) -> bool:
    """`revoke_role` without its commit (see `stage_role_grant`)."""
    if not is_admin(actor):
        raise PermissionDenied("only administrators revoke roles")
    ministry_id = ministry.id if ministry and role is Role.MINISTRY_OFFICER else None
    council_id = council.id if council and role is Role.COUNCIL_MEMBER else None
    grant = _held_grant(user, role, ministry_id, council_id)
    if grant is None:
        return False
    user.roles.remove(grant)
    audit.record(
        actor=actor,
        action="role.revoke",
        target=user,
        target_label=audit.account_label(user),
        before={"role": role, "ministry_id": ministry_id, "council_id": council_id},
    )
    return True


def revoke_role(
    *,
    actor: Actor,
    user: User,
    role: Role,
    ministry: Ministry | None = None,
    council: PublicCouncil | None = None,
) -> bool:
    """Take a role away (administrators only); False when the user did not hold it."""
    revoked = stage_role_revocation(
        actor=actor, user=user, role=role, ministry=ministry, council=council
    )
    if revoked:
        db.session.commit()
    return revoked


def authenticate(*, email: str, password: str) -> User | None:
    """The account for these credentials, or None; the caller must not say which part was wrong.

    A bare check, without lockout or second factor: sign-in pages use `services.sign_in`."""
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def password_matches(user: User, password: str) -> bool:
    return check_password_hash(user.password_hash, password)


def dummy_password_check(password: str) -> None:
    """Spend the time of a real check, so a missing account answers as slowly as a real one."""
    check_password_hash(_DUMMY_HASH, password)


def change_password(*, actor: Actor, user: User, current_password: str, new_password: str) -> None:
    """The account holder sets a new password that meets the rule for their roles."""
    if not (isinstance(actor, User) and actor.id == user.id):
        raise PermissionDenied("only the account holder changes its password")
    errors: dict[str, list[str]] = {}
    if not password_matches(user, current_password):
        errors["current_password"] = [str(_l("Your current password is not correct."))]
    problems = password_problems(
        new_password, email=user.email, display_name=user.display_name, staff=user.is_staff
    )
    if new_password == current_password:
        problems.append(str(_l("Choose a password different from the current one.")))
    if problems:
        errors["new_password"] = problems
    if errors:
        raise ValidationFailed(errors)
    user.password_hash = _hash_password(new_password)
    audit.record(
        actor=actor,
        action="account.password_change",
        target=user,
        target_label=audit.account_label(user),
    )
    security_notices.notify(user, Event.PASSWORD_CHANGED, at=utcnow())
    db.session.commit()


def set_preferred_language(*, user: User, language: str) -> None:
    if language not in LANGUAGES:
        raise ValidationFailed({"language": [str(_l("Choose Kazakh, Russian or English."))]})
    if user.preferred_language != language:
        user.preferred_language = language
        db.session.commit()


def update_settings(*, actor: Actor, user: User, notify_by_email: bool, language: str) -> User:
    """The account holder's preferences: e-mail notifications, and the language of pages and
    e-mails. Administrators may change them for someone who asks."""
    if not is_admin(actor) and not (isinstance(actor, User) and actor.id == user.id):
        raise PermissionDenied("only the account holder changes its settings")
    if language not in LANGUAGES:
        raise ValidationFailed({"language": [str(_l("Choose Kazakh, Russian or English."))]})
    user.notify_by_email = notify_by_email
    user.preferred_language = language
    db.session.commit()
    return user


def get_user(user_id: int) -> User | None:
    # Every signed-in request loads its user with the roles that decide what it may do: one
    # query with a join instead of two.
    return db.session.get(User, user_id, options=[joinedload(User.roles)])

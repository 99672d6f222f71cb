"""A pre-moderated consultation with its council, and people in every role around it."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask

from listening_state.models import (
    Consultation,
    Ministry,
    ModerationMode,
    PublicCouncil,
    Role,
    User,
)
from tests.factories import make_consultation, make_council, make_ministry, make_user


@dataclass
class Cast:
    ministry: Ministry
    council: PublicCouncil
    consultation: Consultation
    member: User
    other_member: User  # member of another ministry's council
    officer: User
    admin: User
    citizen: User
    reader: User


@pytest.fixture
def cast(app: Flask) -> Cast:
    ministry, other = make_ministry(), make_ministry()
    council, other_council = make_council(ministry), make_council(other)
    return Cast(
        ministry=ministry,
        council=council,
        consultation=make_consultation(ministry, moderation_mode=ModerationMode.PRE),
        member=make_user(Role.COUNCIL_MEMBER, council=council),
        other_member=make_user(Role.COUNCIL_MEMBER, council=other_council),
        officer=make_user(Role.MINISTRY_OFFICER, ministry=ministry),
        admin=make_user(Role.ADMIN),
        citizen=make_user(),
        reader=make_user(),
    )

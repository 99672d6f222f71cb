"""A ministry with a consultation, and people in every role around its inbox."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import pytest
from flask import Flask

from listening_state.models import Consultation, Ministry, PublicCouncil, Role, User
from tests.factories import make_consultation, make_council, make_ministry, make_user
from tests.real_text import _petitions


@dataclass
class Cast:
    ministry: Ministry
    other_ministry: Ministry
    council: PublicCouncil
    consultation: Consultation
    officer: User
    colleague: User  # a second officer of the same ministry
    other_officer: User
    member: User
    admin: User
    citizen: User


@pytest.fixture
def cast(app: Flask) -> Cast:
    ministry, other = make_ministry(), make_ministry()
    council = make_council(ministry)
    return Cast(
        ministry=ministry,
        other_ministry=other,
        council=council,
        consultation=make_consultation(ministry),
        officer=make_user(Role.MINISTRY_OFFICER, ministry=ministry),
        colleague=make_user(Role.MINISTRY_OFFICER, ministry=ministry),
        other_officer=make_user(Role.MINISTRY_OFFICER, ministry=other),
        member=make_user(Role.COUNCIL_MEMBER, council=council),
        admin=make_user(Role.ADMIN),
        citizen=make_user(),
    )


@cache
def government_answers() -> tuple[str, ...]:
    """Real answers of UK government departments to petitions (Open Government Licence v3.0)."""
    return tuple(
        row["government_response_summary"].strip()
        for row in _petitions()
        if len(row["government_response_summary"].strip()) >= 40
    )

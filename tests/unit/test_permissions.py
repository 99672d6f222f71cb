"""Every permission rule, checked in the services for every role (not only in templates)."""

from collections.abc import Callable
from datetime import date

import pytest
from flask import Flask

from listening_state.authz import SYSTEM, Actor
from listening_state.models import Consultation, PublicCouncil, Role, Stance
from listening_state.services import accounts, consultations, councils, submissions
from listening_state.services.councils import MeetingInput, MemberInput
from listening_state.services.errors import NotFound, PermissionDenied
from tests.factories import (
    make_consultation,
    make_council,
    make_ministry,
    make_submission,
    make_user,
)

ROLES = ["anonymous", "citizen", "council_member", "other_officer", "officer", "admin"]
MANAGERS = {"officer", "admin"}


def _actor(role: str, consultation: Consultation, council: PublicCouncil) -> Actor:
    return {
        "anonymous": lambda: None,
        "citizen": lambda: make_user(),
        "council_member": lambda: make_user(Role.COUNCIL_MEMBER, council=council),
        "other_officer": lambda: make_user(Role.MINISTRY_OFFICER, ministry=make_ministry()),
        "officer": lambda: make_user(Role.MINISTRY_OFFICER, ministry=consultation.ministry),
        "admin": lambda: make_user(Role.ADMIN),
    }[role]()


Action = Callable[[Actor, Consultation, PublicCouncil], object]

MANAGE_ACTIONS: dict[str, Action] = {
    "publish": lambda a, c, k: consultations.publish_consultation(actor=a, consultation=c),
    "get_managed": lambda a, c, k: consultations.get_managed_consultation(
        actor=a, consultation_id=c.id
    ),
    "add_member": lambda a, c, k: councils.add_member(
        actor=a,
        council=k,
        data=MemberInput(full_name="Асқар Жұмабаев", position=councils.MemberPosition.MEMBER),
    ),
    "schedule_meeting": lambda a, c, k: councils.schedule_meeting(
        actor=a, council=k, data=MeetingInput(held_on=date(2026, 12, 1), title="Отырыс")
    ),
}


@pytest.fixture
def setting(app: Flask) -> tuple[Consultation, PublicCouncil]:
    ministry = make_ministry()
    council = make_council(ministry)
    return make_consultation(ministry, state="draft"), council


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted(MANAGE_ACTIONS))
def test_only_the_ministrys_officers_and_admins_manage(
    setting: tuple[Consultation, PublicCouncil], role: str, action: str
) -> None:
    consultation, council = setting
    actor = _actor(role, consultation, council)
    if role in MANAGERS:
        MANAGE_ACTIONS[action](actor, consultation, council)
    else:
        with pytest.raises(PermissionDenied):
            MANAGE_ACTIONS[action](actor, consultation, council)


@pytest.mark.parametrize("role", ROLES)
def test_draft_is_visible_only_to_its_managers(
    setting: tuple[Consultation, PublicCouncil], role: str
) -> None:
    consultation, council = setting
    actor = _actor(role, consultation, council)
    if role in MANAGERS:
        assert (
            consultations.get_visible_consultation(actor=actor, consultation_id=consultation.id)
            is consultation
        )
    else:
        with pytest.raises(NotFound):
            consultations.get_visible_consultation(actor=actor, consultation_id=consultation.id)


@pytest.mark.parametrize("role", ROLES)
def test_any_signed_in_user_may_comment_but_not_anonymous(
    setting: tuple[Consultation, PublicCouncil], role: str
) -> None:
    consultation, council = setting
    consultations.publish_consultation(actor=SYSTEM, consultation=consultation)
    actor = _actor(role, consultation, council)
    submit = lambda: submissions.submit_feedback(  # noqa: E731
        actor=actor,
        consultation=consultation,
        body="Real enough comment text.",
        stance=Stance.MIXED,
    )
    if role == "anonymous":
        with pytest.raises(PermissionDenied):
            submit()
    else:
        assert submit().reference.startswith("LS-")


@pytest.mark.parametrize("role", ROLES)
def test_submission_record_is_for_its_author_and_ministry(
    setting: tuple[Consultation, PublicCouncil], role: str
) -> None:
    consultation, council = setting
    consultations.publish_consultation(actor=SYSTEM, consultation=consultation)
    submission = make_submission(consultation)
    actor = _actor(role, consultation, council)
    if role in MANAGERS:
        assert (
            submissions.find_by_reference(actor=actor, reference=submission.reference) is submission
        )
    else:
        with pytest.raises(NotFound):
            submissions.find_by_reference(actor=actor, reference=submission.reference)
    assert (
        submissions.find_by_reference(actor=submission.author, reference=submission.reference)
        is submission
    )


@pytest.mark.parametrize("role", ["citizen", "officer"])
def test_only_admins_grant_roles(setting: tuple[Consultation, PublicCouncil], role: str) -> None:
    consultation, council = setting
    actor = _actor(role, consultation, council)
    target = make_user()
    with pytest.raises(PermissionDenied):
        accounts.grant_role(actor=actor, user=target, role=Role.ADMIN)
    admin = make_user(Role.ADMIN)
    grant = accounts.grant_role(
        actor=admin, user=target, role=Role.MINISTRY_OFFICER, ministry=consultation.ministry
    )
    assert target.ministry_ids() == {consultation.ministry_id}
    assert (
        accounts.grant_role(
            actor=admin, user=target, role=Role.MINISTRY_OFFICER, ministry=consultation.ministry
        )
        is grant
    )

"""A linked account moderates for its council exactly while its membership runs."""

from __future__ import annotations

from datetime import timedelta

import pytest

from listening_state.extensions import db
from listening_state.models import AuditEntry, MemberPosition, ModerationReason
from listening_state.services import councils, moderation
from listening_state.services.councils import MemberInput
from listening_state.services.errors import PermissionDenied
from tests.factories import make_submission, make_user
from tests.moderation.conftest import Cast
from tests.real_text import POLIS_SPAM


def test_linking_grants_and_ending_revokes_the_moderation_role(cast: Cast) -> None:
    person = make_user()
    submission = make_submission(cast.consultation, cast.citizen, body=POLIS_SPAM)
    with pytest.raises(PermissionDenied):
        moderation.reject(actor=person, submission=submission, reason=ModerationReason.SPAM)

    member = councils.add_member(
        actor=cast.admin,
        council=cast.council,
        data=MemberInput(
            full_name=person.display_name, position=MemberPosition.MEMBER, user=person
        ),
    )
    assert cast.council.id in person.council_ids()
    moderation.reject(actor=person, submission=submission, reason=ModerationReason.SPAM)

    councils.end_membership(
        actor=cast.admin, member=member, ended_on=councils.local_today() - timedelta(days=1)
    )
    db.session.refresh(person)
    assert cast.council.id not in person.council_ids()
    with pytest.raises(PermissionDenied):
        moderation.approve(actor=person, submission=submission)
    actions = list(db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions[-1] == "role.revoke"
    assert "role.grant" in actions


def test_unlinking_or_removing_a_member_revokes_too(cast: Cast) -> None:
    person, other = make_user(), make_user()
    member = councils.add_member(
        actor=cast.admin,
        council=cast.council,
        data=MemberInput(full_name=person.display_name, position=MemberPosition.CHAIR, user=person),
    )
    councils.update_member(
        actor=cast.admin,
        member=member,
        data=MemberInput(full_name=other.display_name, position=MemberPosition.CHAIR, user=other),
    )
    db.session.refresh(person)
    assert cast.council.id not in person.council_ids()
    assert cast.council.id in other.council_ids()
    councils.remove_member(actor=cast.admin, member=member)
    db.session.refresh(other)
    assert cast.council.id not in other.council_ids()

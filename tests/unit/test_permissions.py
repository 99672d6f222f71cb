"""Every permission rule, checked in the services for every role (not only in templates)."""

import io
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from flask import Flask

from listening_state.authz import SYSTEM, Actor
from listening_state.models import (
    Consultation,
    MemberPosition,
    PublicCouncil,
    RecommendationStatus,
    Role,
    Stance,
)
from listening_state.services import (
    accounts,
    consultations,
    council_documents,
    council_recommendations,
    councils,
    submissions,
)
from listening_state.services.council_recommendations import RecommendationInput
from listening_state.services.councils import MeetingInput, MemberInput
from listening_state.services.errors import NotFound, PermissionDenied
from tests.factories import (
    KAZAKH_SENTENCE,
    MINISTRY_ANSWER,
    RECOMMENDATION_TEXT,
    RECOMMENDATION_TITLE,
    make_consultation,
    make_council,
    make_council_member,
    make_meeting,
    make_ministry,
    make_recommendation,
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


# ---------- Public Councils: membership, records, the ministry's answers ----------

COUNCIL_ROLES = [*ROLES, "other_council_member"]
ADMINS = frozenset({"admin"})
KEEPERS = frozenset({"admin", "officer", "council_member"})
ANSWERERS = frozenset({"admin", "officer"})


def _council_actor(role: str, consultation: Consultation, council: PublicCouncil) -> Actor:
    if role == "other_council_member":
        return make_user(Role.COUNCIL_MEMBER, council=make_council(make_ministry()))
    return _actor(role, consultation, council)


CouncilAction = Callable[[Actor, PublicCouncil], object]


def _pdf() -> io.BytesIO:
    return io.BytesIO(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")


COUNCIL_ACTIONS: dict[str, tuple[frozenset[str], CouncilAction]] = {
    "add_member": (
        ADMINS,
        lambda a, k: councils.add_member(
            actor=a,
            council=k,
            data=MemberInput(full_name="Асқар Жұмабаев", position=MemberPosition.MEMBER),
        ),
    ),
    "update_member": (
        ADMINS,
        lambda a, k: councils.update_member(
            actor=a,
            member=make_council_member(k),
            data=MemberInput(full_name="Гүлнар Сейітова", position=MemberPosition.CHAIR),
        ),
    ),
    "end_membership": (
        ADMINS,
        lambda a, k: councils.end_membership(
            actor=a, member=make_council_member(k), ended_on=date(2026, 1, 1)
        ),
    ),
    "remove_member": (
        ADMINS,
        lambda a, k: councils.remove_member(actor=a, member=make_council_member(k)),
    ),
    "get_managed_member": (
        ADMINS,
        lambda a, k: councils.get_managed_member(actor=a, member_id=make_council_member(k).id),
    ),
    "get_managed_council": (
        KEEPERS,
        lambda a, k: councils.get_managed_council(actor=a, council_id=k.id),
    ),
    "schedule_meeting": (
        KEEPERS,
        lambda a, k: councils.schedule_meeting(
            actor=a, council=k, data=MeetingInput(held_on=date(2026, 12, 1), title="Отырыс")
        ),
    ),
    "update_meeting": (
        KEEPERS,
        lambda a, k: councils.update_meeting(
            actor=a,
            meeting=make_meeting(k),
            data=MeetingInput(held_on=date(2026, 12, 1), title="Отырыс", minutes=KAZAKH_SENTENCE),
        ),
    ),
    "upload_document": (
        KEEPERS,
        lambda a, k: council_documents.upload_document(
            actor=a, meeting=make_meeting(k), file_name="хаттама.pdf", stream=_pdf()
        ),
    ),
    "delete_document": (
        KEEPERS,
        lambda a, k: council_documents.delete_document(
            actor=a,
            document=council_documents.upload_document(
                actor=SYSTEM, meeting=make_meeting(k), file_name="хаттама.pdf", stream=_pdf()
            ),
        ),
    ),
    "issue_recommendation": (
        KEEPERS,
        lambda a, k: council_recommendations.issue_recommendation(
            actor=a,
            council=k,
            data=RecommendationInput(
                title=RECOMMENDATION_TITLE, text=RECOMMENDATION_TEXT, issued_on=date(2026, 1, 5)
            ),
        ),
    ),
    "update_recommendation": (
        KEEPERS,
        lambda a, k: council_recommendations.update_recommendation(
            actor=a,
            recommendation=make_recommendation(k),
            data=RecommendationInput(
                title=RECOMMENDATION_TITLE, text=KAZAKH_SENTENCE, issued_on=date(2026, 1, 5)
            ),
        ),
    ),
    "answer_recommendation": (
        ANSWERERS,
        lambda a, k: council_recommendations.answer_recommendation(
            actor=a,
            recommendation=make_recommendation(k),
            status=RecommendationStatus.REJECTED,
            answer=MINISTRY_ANSWER,
        ),
    ),
    "get_answerable_recommendation": (
        ANSWERERS,
        lambda a, k: council_recommendations.get_answerable_recommendation(
            actor=a, recommendation_id=make_recommendation(k).id
        ),
    ),
}


@pytest.mark.parametrize("role", COUNCIL_ROLES)
@pytest.mark.parametrize("action", sorted(COUNCIL_ACTIONS))
def test_council_rules_for_every_role(
    setting: tuple[Consultation, PublicCouncil],
    app: Flask,
    tmp_path: Path,
    role: str,
    action: str,
) -> None:
    """Membership: admins. Records: admins, the ministry, this council. Answers: the ministry."""
    app.config["COUNCIL_DOCUMENT_DIR"] = str(tmp_path / "documents")
    consultation, council = setting
    allowed, act = COUNCIL_ACTIONS[action]
    actor = _council_actor(role, consultation, council)
    if role in allowed:
        act(actor, council)
    else:
        with pytest.raises(PermissionDenied):
            act(actor, council)

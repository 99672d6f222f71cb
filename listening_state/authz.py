"""Who may do what: one function per rule, used by services (and, for display only, templates)."""

from __future__ import annotations

from typing import Final

from listening_state.models import (
    Consultation,
    ConsultationStatus,
    CouncilRecommendation,
    PublicCouncil,
    Role,
    Submission,
    User,
    Visibility,
)


class SystemActor:
    """Trusted code paths (the CLI, demo loading) that act without a signed-in user."""

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM: Final = SystemActor()
Actor = User | SystemActor | None  # None is an anonymous visitor


def is_admin(actor: Actor) -> bool:
    return actor is SYSTEM or (isinstance(actor, User) and actor.has_role(Role.ADMIN))


def can_manage_ministry(actor: Actor, ministry_id: int) -> bool:
    """Officers of the ministry and administrators run its consultations."""
    if is_admin(actor):
        return True
    return isinstance(actor, User) and ministry_id in actor.ministry_ids()


def can_manage_any_ministry(actor: Actor) -> bool:
    return is_admin(actor) or (isinstance(actor, User) and bool(actor.ministry_ids()))


def can_manage_consultation(actor: Actor, consultation: Consultation) -> bool:
    return can_manage_ministry(actor, consultation.ministry_id)


def can_view_consultation(actor: Actor, consultation: Consultation) -> bool:
    """The public sees published consultations; drafts only their ministry."""
    if consultation.status() is not ConsultationStatus.DRAFT:
        return True
    return can_manage_consultation(actor, consultation)


def can_manage_council(actor: Actor, council: PublicCouncil) -> bool:
    """Members and meetings are kept by the ministry's officers and administrators."""
    if is_admin(actor):
        return True
    return council.ministry_id is not None and can_manage_ministry(actor, council.ministry_id)


def can_triage(actor: Actor) -> bool:
    """The triage queue and the router's page are for administrators."""
    return is_admin(actor)


def can_submit(actor: Actor) -> bool:
    return isinstance(actor, User)


def can_view_submission(actor: Actor, submission: Submission) -> bool:
    """The author, the consultation's ministry, the ministry it is routed to and administrators."""
    if not isinstance(actor, User) and actor is not SYSTEM:
        return False
    if isinstance(actor, User) and submission.author_id == actor.id:
        return True
    ministries = {submission.consultation.ministry_id, submission.ministry_id} - {None}
    return any(can_manage_ministry(actor, ministry_id) for ministry_id in ministries if ministry_id)


def can_moderate(actor: Actor, consultation: Consultation) -> bool:
    """Members of the consultation's Public Council, and administrators, moderate its comments."""
    if is_admin(actor):
        return True
    return (
        isinstance(actor, User)
        and consultation.council_id is not None
        and consultation.council_id in actor.council_ids()
    )


def can_moderate_anything(actor: Actor) -> bool:
    return is_admin(actor) or (isinstance(actor, User) and bool(actor.council_ids()))


def can_flag(actor: Actor, submission: Submission) -> bool:
    """Any signed-in user may report a published comment, except its own author."""
    return (
        isinstance(actor, User)
        and submission.author_id != actor.id
        and submission.visibility is Visibility.PUBLISHED
    )


def can_read_personal_data(actor: Actor, submission: Submission) -> bool:
    """The original text, personal data included: its author, the ministry and the moderators."""
    if is_admin(actor):
        return True
    if not isinstance(actor, User):
        return False
    if submission.author_id == actor.id:
        return True
    ministries = {submission.consultation.ministry_id, submission.ministry_id} - {None}
    return any(can_manage_ministry(actor, m) for m in ministries if m) or can_moderate(
        actor, submission.consultation
    )


def can_manage_council_membership(actor: Actor, council: PublicCouncil) -> bool:
    """Who sits on a council, in which position and for how long: administrators only."""
    return is_admin(actor)


def can_keep_council_records(actor: Actor, council: PublicCouncil) -> bool:
    """Meetings, minutes, documents and recommendations: the ministry, admins and the members."""
    if can_manage_council(actor, council):
        return True
    return isinstance(actor, User) and council.id in actor.council_ids()


def can_answer_recommendation(actor: Actor, recommendation: CouncilRecommendation) -> bool:
    """The ministry answers its council; members cannot answer for the ministry."""
    return can_manage_council(actor, recommendation.council)


def can_work_inbox(actor: Actor, ministry_id: int) -> bool:
    """A ministry's inbox: its officers and administrators (who may open any ministry's)."""
    return can_manage_ministry(actor, ministry_id)


def can_handle_submission(actor: Actor, submission: Submission) -> bool:
    """Review, assign, answer or close: the ministry the submission is routed to now."""
    return submission.ministry_id is not None and can_work_inbox(actor, submission.ministry_id)


def can_be_assigned(user: User, ministry_id: int) -> bool:
    """Only the ministry's own officers take its submissions on."""
    return ministry_id in user.ministry_ids()


def can_view_themes(actor: Actor, consultation: Consultation) -> bool:
    """What we heard of a consultation: its ministry, its council's members and administrators."""
    return can_manage_consultation(actor, consultation) or can_moderate(actor, consultation)


def can_view_ministry_themes(actor: Actor, ministry_id: int, council_id: int | None) -> bool:
    """What a ministry heard overall: its officers, members of the council attached to it
    (`council_id`, None when it has none) and administrators."""
    if can_manage_ministry(actor, ministry_id):
        return True
    return isinstance(actor, User) and council_id is not None and council_id in actor.council_ids()


def can_rebuild_themes(actor: Actor, ministry_id: int) -> bool:
    """Theme rebuilds of a ministry or of one of its consultations: its officers and admins
    (council members read the themes but do not start the work)."""
    return can_manage_ministry(actor, ministry_id)


def can_publish_themes(actor: Actor, consultation: Consultation) -> bool:
    """The public sees a consultation's themes once its ministry (or an administrator) says so."""
    return can_manage_consultation(actor, consultation)

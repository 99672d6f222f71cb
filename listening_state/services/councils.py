"""Public Councils: their pages, members and meetings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from listening_state import authz
from listening_state.authz import Actor
from listening_state.extensions import db
from listening_state.models import (
    Consultation,
    CouncilKind,
    CouncilMeeting,
    CouncilMember,
    MeetingStatus,
    MemberPosition,
    Ministry,
    PublicCouncil,
    User,
)
from listening_state.sanitize import clean_line, clean_plain_text
from listening_state.services.errors import NotFound, PermissionDenied, ValidationFailed
from listening_state.text import sort_key


def list_councils(language: str) -> list[PublicCouncil]:
    councils = db.session.scalars(select(PublicCouncil)).all()
    return sorted(councils, key=lambda council: sort_key(council.name(language)))


def get_council(council_id: int) -> PublicCouncil:
    council = db.session.get(PublicCouncil, council_id)
    if council is None:
        raise NotFound("council")
    return council


def council_consultations(council: PublicCouncil) -> list[Consultation]:
    stmt = (
        select(Consultation)
        .where(Consultation.council_id == council.id, Consultation.published_at.is_not(None))
        .order_by(Consultation.closes_at.desc())
    )
    return list(db.session.scalars(stmt))


@dataclass(frozen=True)
class CouncilInput:
    name_kk: str
    name_ru: str
    name_en: str
    description: str = ""
    region: str = ""


def upsert_ministry_council(
    *, actor: Actor, ministry: Ministry, data: CouncilInput
) -> PublicCouncil:
    """Create or update the Public Council attached to a ministry (administrators only)."""
    if not authz.is_admin(actor):
        raise PermissionDenied("only administrators create councils")
    council = db.session.scalar(
        select(PublicCouncil).where(PublicCouncil.ministry_id == ministry.id)
    )
    if council is None:
        council = PublicCouncil(kind=CouncilKind.MINISTRY, ministry=ministry)
        db.session.add(council)
    council.name_kk, council.name_ru, council.name_en = (
        clean_line(data.name_kk),
        clean_line(data.name_ru),
        clean_line(data.name_en),
    )
    council.description, council.region = clean_plain_text(data.description), data.region
    db.session.commit()
    return council


def _require_keeper(actor: Actor, council: PublicCouncil) -> None:
    if not authz.can_manage_council(actor, council):
        raise PermissionDenied("not allowed to manage this council")


@dataclass(frozen=True)
class MemberInput:
    full_name: str
    position: MemberPosition
    affiliation: str = ""
    started_on: date | None = None
    ended_on: date | None = None
    user: User | None = None


def add_member(*, actor: Actor, council: PublicCouncil, data: MemberInput) -> CouncilMember:
    _require_keeper(actor, council)
    full_name = clean_line(data.full_name)
    if not 2 <= len(full_name) <= 200:
        raise ValidationFailed({"full_name": [str(_l("Please enter the member's full name."))]})
    if data.started_on and data.ended_on and data.ended_on < data.started_on:
        raise ValidationFailed(
            {"ended_on": [str(_l("The end date cannot precede the start date."))]}
        )
    member = CouncilMember(
        council=council,
        full_name=full_name,
        position=data.position,
        affiliation=clean_line(data.affiliation),
        started_on=data.started_on,
        ended_on=data.ended_on,
        user=data.user,
    )
    db.session.add(member)
    db.session.commit()
    return member


def remove_member(*, actor: Actor, member: CouncilMember) -> None:
    _require_keeper(actor, member.council)
    db.session.delete(member)
    db.session.commit()


@dataclass(frozen=True)
class MeetingInput:
    held_on: date
    title: str
    agenda: str = ""
    minutes: str = ""
    status: MeetingStatus = MeetingStatus.PLANNED


def _validated_meeting(data: MeetingInput) -> tuple[str, str, str]:
    title = clean_line(data.title)
    if not 3 <= len(title) <= 255:
        raise ValidationFailed({"title": [str(_l("The title must be 3 to 255 characters long."))]})
    return title, clean_plain_text(data.agenda), clean_plain_text(data.minutes)


def schedule_meeting(*, actor: Actor, council: PublicCouncil, data: MeetingInput) -> CouncilMeeting:
    _require_keeper(actor, council)
    title, agenda, minutes = _validated_meeting(data)
    meeting = CouncilMeeting(
        council=council,
        held_on=data.held_on,
        title=title,
        agenda=agenda,
        minutes=minutes,
        status=data.status,
    )
    db.session.add(meeting)
    db.session.commit()
    return meeting


def update_meeting(*, actor: Actor, meeting: CouncilMeeting, data: MeetingInput) -> None:
    _require_keeper(actor, meeting.council)
    meeting.title, meeting.agenda, meeting.minutes = _validated_meeting(data)
    meeting.held_on, meeting.status = data.held_on, data.status
    db.session.commit()


def get_managed_council(*, actor: Actor, council_id: int) -> PublicCouncil:
    council = get_council(council_id)
    _require_keeper(actor, council)
    return council


def get_managed_meeting(*, actor: Actor, meeting_id: int) -> CouncilMeeting:
    meeting = get_meeting(meeting_id)
    _require_keeper(actor, meeting.council)
    return meeting


def get_member(member_id: int) -> CouncilMember:
    member = db.session.get(CouncilMember, member_id)
    if member is None:
        raise NotFound("member")
    return member


def get_meeting(meeting_id: int) -> CouncilMeeting:
    meeting = db.session.get(CouncilMeeting, meeting_id)
    if meeting is None:
        raise NotFound("meeting")
    return meeting

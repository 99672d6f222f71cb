"""Public Councils: their pages, members and meetings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, exists, or_, select

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
    Role,
    RoleGrant,
    User,
)
from listening_state.sanitize import clean_line, clean_plain_text
from listening_state.services import accounts, audit
from listening_state.services.errors import (
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from listening_state.text import sort_key

POSITION_ORDER = (
    MemberPosition.CHAIR,
    MemberPosition.DEPUTY,
    MemberPosition.SECRETARY,
    MemberPosition.MEMBER,
)


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


def local_today() -> date:
    """Today in the country's time zone: membership ends and starts by the local calendar."""
    return datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


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


def require_keeper(actor: Actor, council: PublicCouncil) -> None:
    if not authz.can_keep_council_records(actor, council):
        raise PermissionDenied("not allowed to keep this council's records")


def _require_membership_manager(actor: Actor, council: PublicCouncil) -> None:
    if not authz.can_manage_council_membership(actor, council):
        raise PermissionDenied("only administrators change a council's membership")


# ---------- Membership ----------


@dataclass(frozen=True)
class MemberInput:
    full_name: str
    position: MemberPosition
    affiliation: str = ""
    started_on: date | None = None
    ended_on: date | None = None
    user: User | None = None


@dataclass(frozen=True)
class Roster:
    """Current members grouped by position (chair first), members whose term has not started
    yet (soonest first), and past members, latest first."""

    current: list[tuple[MemberPosition, list[CouncilMember]]]
    past: list[CouncilMember]
    upcoming: list[CouncilMember]


def is_current_member(member: CouncilMember, day: date) -> bool:
    """Whether a membership runs on a day: from its start date (if any) up to its end date,
    which is the day it ended, not a day served. The roster and the council role both ask this.
    """
    started = member.started_on is None or member.started_on <= day
    return started and (member.ended_on is None or day < member.ended_on)


def is_past_member(member: CouncilMember, day: date) -> bool:
    return member.ended_on is not None and member.ended_on <= day


def member_roster(council: PublicCouncil, today: date) -> Roster:
    current = [m for m in council.members if is_current_member(m, today)]
    past = [m for m in council.members if is_past_member(m, today)]
    upcoming = [m for m in council.members if m not in current and m not in past]
    groups = [
        (position, sorted((m for m in current if m.position is position), key=_name_key))
        for position in POSITION_ORDER
    ]
    past.sort(key=lambda m: (m.ended_on or today, _name_key(m)), reverse=True)
    upcoming.sort(key=lambda m: (m.started_on or today, _name_key(m)))
    return Roster(current=[(p, ms) for p, ms in groups if ms], past=past, upcoming=upcoming)


def _name_key(member: CouncilMember) -> str:
    return sort_key(member.full_name)


def _validated_member(data: MemberInput) -> tuple[str, str]:
    errors: dict[str, list[str]] = {}
    full_name, affiliation = clean_line(data.full_name), clean_line(data.affiliation)
    if not 2 <= len(full_name) <= 200:
        errors["full_name"] = [str(_l("Please enter the member's full name."))]
    if len(affiliation) > 255:
        errors["affiliation"] = [str(_l("The organisation may be at most 255 characters long."))]
    if data.started_on and data.ended_on and data.ended_on < data.started_on:
        errors["ended_on"] = [str(_l("The end date cannot precede the start date."))]
    if errors:
        raise ValidationFailed(errors)
    return full_name, affiliation


def _member_snapshot(member: CouncilMember) -> dict[str, Any]:
    return {
        "full_name": member.full_name,
        "position": member.position,
        "affiliation": member.affiliation,
        "started_on": member.started_on,
        "ended_on": member.ended_on,
        "user_id": member.user.id if member.user else member.user_id,
    }


def _align_council_role(actor: Actor, council: PublicCouncil, user: User, day: date) -> bool:
    """Grant or revoke (audited, not committed) the council role so that the account holds it
    exactly while one of its memberships of the council runs; True when something changed."""
    serving = any(m.user_id == user.id and is_current_member(m, day) for m in council.members)
    if serving and council.id not in user.council_ids():
        accounts.stage_role_grant(actor=actor, user=user, role=Role.COUNCIL_MEMBER, council=council)
        return True
    if not serving and council.id in user.council_ids():
        return accounts.stage_role_revocation(
            actor=actor, user=user, role=Role.COUNCIL_MEMBER, council=council
        )
    return False


def _sync_council_role(actor: Actor, council: PublicCouncil, user: User | None) -> None:
    """Called before a membership change is committed, so that the change and the role grant
    or revocation are one commit."""
    if user is None:
        return
    db.session.flush()
    db.session.expire(council, ["members"])  # see added and deleted memberships
    _align_council_role(actor, council, user, local_today())


def sync_member_roles(*, actor: Actor, day: date | None = None) -> int:
    """Align every linked account's council role with its memberships on a day (today by
    default): the daily job, so that a term ends or starts on its date with no one editing it.
    Commits once; returns the number of grants and revocations (none on a second run)."""
    day = day or local_today()
    linked = db.session.scalars(select(CouncilMember).where(CouncilMember.user_id.is_not(None)))
    pairs = {(m.council, m.user) for m in linked if m.user is not None}
    changed = sum(
        _align_council_role(actor, council, user, day)
        for council, user in sorted(pairs, key=lambda pair: (pair[0].id, pair[1].id))
    )
    db.session.commit()
    return changed


def _runs_on(day: date) -> ColumnElement[bool]:
    """`is_current_member` in SQL, for the sweep's cheap check."""
    return and_(
        or_(CouncilMember.started_on.is_(None), CouncilMember.started_on <= day),
        or_(CouncilMember.ended_on.is_(None), CouncilMember.ended_on > day),
    )


def roles_out_of_line(day: date) -> bool:
    """Whether `sync_member_roles` has work on this day: a running membership whose account
    lacks the council role, or a linked account holding it with no running membership."""
    pair = (CouncilMember.user_id == RoleGrant.user_id) & (
        CouncilMember.council_id == RoleGrant.council_id
    )
    council_role = RoleGrant.role == Role.COUNCIL_MEMBER
    missing = exists().where(
        CouncilMember.user_id.is_not(None), _runs_on(day), ~exists().where(council_role, pair)
    )
    stale = exists().where(council_role, exists().where(pair), ~exists().where(pair, _runs_on(day)))
    return bool(db.session.scalar(select(missing | stale)))


def add_member(*, actor: Actor, council: PublicCouncil, data: MemberInput) -> CouncilMember:
    _require_membership_manager(actor, council)
    full_name, affiliation = _validated_member(data)
    member = CouncilMember(
        council=council,
        full_name=full_name,
        position=data.position,
        affiliation=affiliation,
        started_on=data.started_on,
        ended_on=data.ended_on,
        user=data.user,
    )
    db.session.add(member)
    db.session.flush()  # the audit entry names the new row's id
    audit.record(
        actor=actor,
        action="council.member_added",
        target=member,
        target_label=full_name,
        after=_member_snapshot(member),
    )
    _sync_council_role(actor, council, member.user)
    db.session.commit()
    return member


def update_member(*, actor: Actor, member: CouncilMember, data: MemberInput) -> None:
    """Change a member's position, dates, organisation or linked account."""
    _require_membership_manager(actor, member.council)
    full_name, affiliation = _validated_member(data)
    before = _member_snapshot(member)
    previous_user = member.user
    member.full_name, member.position, member.affiliation = full_name, data.position, affiliation
    member.started_on, member.ended_on, member.user = data.started_on, data.ended_on, data.user
    after = _member_snapshot(member)
    if after != before:
        changed = [key for key in after if after[key] != before[key]]
        audit.record(
            actor=actor,
            action="council.member_changed",
            target=member,
            target_label=full_name,
            before={key: before[key] for key in changed},
            after={key: after[key] for key in changed},
        )
    for user in {previous_user, member.user} - {None}:
        _sync_council_role(actor, member.council, user)
    db.session.commit()


def end_membership(*, actor: Actor, member: CouncilMember, ended_on: date) -> None:
    """Close a membership on a date, the first day the person is no longer a member (today:
    the council role goes at once); the member stays listed as past, never deleted."""
    _require_membership_manager(actor, member.council)
    if is_past_member(member, local_today()):
        raise InvalidTransition("this membership has already ended")
    if member.started_on and ended_on < member.started_on:
        raise ValidationFailed(
            {"ended_on": [str(_l("The end date cannot precede the start date."))]}
        )
    before = member.ended_on
    member.ended_on = ended_on
    audit.record(
        actor=actor,
        action="council.member_ended",
        target=member,
        target_label=member.full_name,
        before={"ended_on": before},
        after={"ended_on": ended_on},
    )
    _sync_council_role(actor, member.council, member.user)
    db.session.commit()


def remove_member(*, actor: Actor, member: CouncilMember) -> None:
    """Delete a member entered by mistake; people who served are ended, not removed."""
    _require_membership_manager(actor, member.council)
    audit.record(
        actor=actor,
        action="council.member_removed",
        target=member,
        target_label=member.full_name,
        before=_member_snapshot(member),
    )
    council, user = member.council, member.user
    db.session.delete(member)
    _sync_council_role(actor, council, user)
    db.session.commit()


def get_member(member_id: int) -> CouncilMember:
    member = db.session.get(CouncilMember, member_id)
    if member is None:
        raise NotFound("member")
    return member


def get_managed_member(*, actor: Actor, member_id: int) -> CouncilMember:
    member = get_member(member_id)
    _require_membership_manager(actor, member.council)
    return member


# ---------- Meetings ----------


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
    require_keeper(actor, council)
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
    require_keeper(actor, meeting.council)
    meeting.title, meeting.agenda, meeting.minutes = _validated_meeting(data)
    meeting.held_on, meeting.status = data.held_on, data.status
    db.session.commit()


def get_managed_council(*, actor: Actor, council_id: int) -> PublicCouncil:
    council = get_council(council_id)
    require_keeper(actor, council)
    return council


def get_managed_meeting(*, actor: Actor, meeting_id: int) -> CouncilMeeting:
    meeting = get_meeting(meeting_id)
    require_keeper(actor, meeting.council)
    return meeting


def get_meeting(meeting_id: int) -> CouncilMeeting:
    meeting = db.session.get(CouncilMeeting, meeting_id)
    if meeting is None:
        raise NotFound("meeting")
    return meeting

"""The daily digest for ministry officers: what was routed to their ministry since their last
digest, and what is overdue or due soon. One message per officer per day (Almaty date)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Row, and_, func, select, text
from sqlalchemy.orm import InstrumentedAttribute, lazyload

from listening_state import authz
from listening_state.authz import Actor
from listening_state.extensions import db
from listening_state.models import Ministry, OutboxMessage, Role, RoleGrant, Submission, User
from listening_state.models.base import utcnow
from listening_state.services import deadlines, outbox
from listening_state.services.calendar import working_calendar
from listening_state.services.errors import PermissionDenied
from listening_state.services.inbox import OPEN_STATUSES
from listening_state.services.notifications import Kind, Links, language_of, render
from listening_state.services.submissions import not_spam

ITEMS_PER_LIST = 20  # the rest is counted, with a link to the inbox filtered the same way
FIRST_DIGEST_LOOKBACK = timedelta(hours=24)
# Serialises digest runs on PostgreSQL, so two at once cannot both send today's digest.
_ADVISORY_LOCK_KEY = 0x4C53_4447


@dataclass
class ItemList:
    """Some submissions of one list (new, overdue, due soon): the first few and how many."""

    total: int = 0
    items: list[Row[str, date | None]] = field(default_factory=list)

    @property
    def more(self) -> int:
        return self.total - len(self.items)


@dataclass
class MinistrySection:
    ministry: Ministry
    new: ItemList
    overdue: ItemList
    due_soon: ItemList

    @property
    def empty(self) -> bool:
        return not (self.new.total or self.overdue.total or self.due_soon.total)


def _local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC instants where this Almaty calendar day starts and the next one starts."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    start = datetime.combine(day, time.min, tzinfo=zone)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)


def _serialise_runs() -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK_KEY})


def _items(
    ministry_id: int, condition: ColumnElement[bool], order: Sequence[InstrumentedAttribute[Any]]
) -> ItemList:
    where = (Submission.ministry_id == ministry_id, not_spam(), condition)
    total = db.session.scalar(select(func.count(Submission.id)).where(*where)) or 0
    if not total:
        return ItemList()
    rows = db.session.execute(
        select(Submission.reference, Submission.due_on)
        .where(*where)
        .order_by(*order)
        .limit(ITEMS_PER_LIST)
    ).all()
    return ItemList(total=int(total), items=list(rows))


def _officers() -> dict[int, tuple[User, list[int]]]:
    """Officers who accept e-mail, each with the ministries they serve."""
    rows = db.session.execute(
        select(User, RoleGrant.ministry_id)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .where(
            RoleGrant.role == Role.MINISTRY_OFFICER,
            RoleGrant.ministry_id.is_not(None),
            User.notify_by_email.is_(True),
            User.email != "",
            User.deleted_at.is_(None),  # erased accounts have no address to write to
        )
        .options(lazyload(User.roles))
        .order_by(User.id, RoleGrant.ministry_id)
    )
    officers: dict[int, tuple[User, list[int]]] = {}
    for user, ministry_id in rows:
        if ministry_id is not None:
            officers.setdefault(user.id, (user, []))[1].append(ministry_id)
    return officers


def _last_digests() -> dict[int, datetime]:
    rows = db.session.execute(
        select(OutboxMessage.recipient_id, func.max(OutboxMessage.created_at))
        .where(OutboxMessage.kind == Kind.DIGEST, OutboxMessage.recipient_id.is_not(None))
        .group_by(OutboxMessage.recipient_id)
    )
    return {int(recipient): at for recipient, at in rows if recipient is not None and at}


def _new_since(ministry_id: int, since: datetime, until: datetime) -> ItemList:
    return _items(
        ministry_id,
        and_(
            Submission.routed_at > since,
            Submission.routed_at <= until,
            Submission.status.in_(OPEN_STATUSES),
        ),
        (Submission.routed_at, Submission.id),
    )


def queue_digests(*, actor: Actor, now: datetime | None = None) -> int:
    """Queue today's digest for every officer with something to report; returns how many.

    Running it again the same day queues nothing for officers who already have today's.
    """
    if not authz.is_admin(actor):
        raise PermissionDenied("only the system and administrators send digests")
    now = now or utcnow()
    today = deadlines.local_date(now)
    _serialise_runs()
    day_start, day_end = _local_day_bounds(today)
    done_today = set(
        db.session.scalars(
            select(OutboxMessage.recipient_id).where(
                OutboxMessage.kind == Kind.DIGEST,
                OutboxMessage.created_at >= day_start,
                OutboxMessage.created_at < day_end,
            )
        )
    )
    officers = {k: v for k, v in _officers().items() if k not in done_today}
    last = _last_digests()
    ministry_ids = {m for _user, ids in officers.values() for m in ids}
    ministries = {
        m.id: m for m in db.session.scalars(select(Ministry).where(Ministry.id.in_(ministry_ids)))
    }
    calendar = working_calendar()
    due_order = (Submission.due_on, Submission.id)
    # Overdue and due-soon lists are the same for every officer of a ministry: read them once.
    standing = {
        m: (
            _items(m, deadlines.overdue_condition(today), due_order),
            _items(m, deadlines.due_soon_condition(today, calendar), due_order),
        )
        for m in ministries
    }
    links = Links()
    queued = 0
    for user, ids in officers.values():
        since = last.get(user.id, now - FIRST_DIGEST_LOOKBACK)
        sections = [
            MinistrySection(ministries[m], _new_since(m, since, now), *standing[m])
            for m in ids
            if m in ministries
        ]
        sections = [s for s in sections if not s.empty]
        if not sections:
            continue
        language = language_of(user)
        with force_locale(language):
            body = render(
                Kind.DIGEST,
                recipient=user,
                sections=sections,
                today=today,
                links=links,
                settings_url=links("account.settings"),
            )
            subject = _("Your inbox today, %(date)s", date=format_date(today, "long"))
        message = outbox.queue(
            kind=Kind.DIGEST, recipient=user, subject=subject, body_text=body, language=language
        )
        message.created_at = now  # what the next digest counts "new" from
        queued += 1
    db.session.commit()
    return queued

"""Consultations: publishing drafts and finding them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import ColumnElement, ColumnExpressionArgument, and_, case, func, or_, select
from sqlalchemy.orm import selectinload

from listening_state import authz
from listening_state.authz import SYSTEM, Actor
from listening_state.extensions import db
from listening_state.models import (
    Consultation,
    ConsultationSection,
    ConsultationStatus,
    DemoSource,
    Ministry,
    ModerationMode,
    PublicCouncil,
    Submission,
    User,
    Visibility,
)
from listening_state.models.base import utcnow
from listening_state.sanitize import clean_line, clean_plain_text
from listening_state.services import audit
from listening_state.services.consultation_period import closing_errors
from listening_state.services.drafts import DraftSection, join_draft, split_draft
from listening_state.services.errors import (
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from listening_state.text import fold, sort_key

SORTS = ("closing", "newest", "title")


@dataclass(frozen=True)
class ConsultationInput:
    """What a ministry writes: validated here whichever screen or command it came from."""

    title: str
    summary: str
    draft_markdown: str
    opens_at: datetime
    closes_at: datetime
    language: str = "ru"
    moderation_mode: ModerationMode = ModerationMode.PRE


def _audit_state(consultation: Consultation) -> dict[str, object]:
    return {
        "status": consultation.status(),
        "opens_at": consultation.opens_at,
        "closes_at": consultation.closes_at,
        "moderation_mode": consultation.moderation_mode,
    }


def _validated(
    data: ConsultationInput, *, check_closing: bool
) -> tuple[str, str, list[DraftSection]]:
    """Cleaned title and summary and the draft's sections; `check_closing` refuses a period
    that has already ended."""
    errors: dict[str, list[str]] = {}
    title, summary = clean_line(data.title), clean_plain_text(data.summary)
    if not 5 <= len(title) <= 300:
        errors["title"] = [str(_l("The title must be 5 to 300 characters long."))]
    closes_at_errors = closing_errors(data.closes_at, utcnow()) if check_closing else []
    if data.closes_at <= data.opens_at:
        closes_at_errors.append(str(_l("The closing date must come after the opening date.")))
    if closes_at_errors:
        errors["closes_at"] = closes_at_errors
    sections: list[DraftSection] = []
    try:
        sections = split_draft(data.draft_markdown)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    return title, summary, sections


def _require_system_for_history(actor: Actor, historical: bool) -> None:
    # Only trusted imports (demo data, tests) may record a period that has already ended;
    # no form or API request can ask for it.
    if historical and actor is not SYSTEM:
        raise PermissionDenied("only the system records past consultations")


def _refresh_derived(consultation: Consultation) -> None:
    parts = [consultation.title, consultation.summary]
    parts += [f"{s.heading} {s.body_markdown}" for s in consultation.sections]
    consultation.search_text = fold(" ".join(parts))
    consultation.title_sort_key = sort_key(consultation.title)


def create_consultation(
    *,
    actor: Actor,
    ministry: Ministry,
    data: ConsultationInput,
    demo_source: DemoSource = DemoSource.NONE,
    source_url: str = "",
    source_key: str | None = None,
    historical: bool = False,
) -> Consultation:
    """A new unpublished consultation of the actor's ministry, attached to its council.

    Its closing date must be today or later, unless `historical` (the system recording a
    consultation that already took place, as the demo data does).
    """
    if not authz.can_manage_ministry(actor, ministry.id):
        raise PermissionDenied("not an officer of this ministry")
    _require_system_for_history(actor, historical)
    title, summary, sections = _validated(data, check_closing=not historical)
    council = db.session.scalar(
        select(PublicCouncil).where(PublicCouncil.ministry_id == ministry.id)
    )
    consultation = Consultation(
        ministry=ministry,
        council=council,
        title=title,
        summary=summary,
        language=data.language,
        opens_at=data.opens_at,
        closes_at=data.closes_at,
        moderation_mode=data.moderation_mode,
        created_by_id=actor.id if isinstance(actor, User) else None,
        demo_source=demo_source,
        source_url=source_url,
        source_key=source_key,
    )
    consultation.sections = [
        ConsultationSection(position=i, heading=s.heading, body_markdown=s.body)
        for i, s in enumerate(sections, start=1)
    ]
    _refresh_derived(consultation)
    db.session.add(consultation)
    db.session.flush()
    audit.record(
        actor=actor,
        action="consultation.create",
        target=consultation,
        target_label=consultation.title,
        after=_audit_state(consultation),
    )
    db.session.commit()
    return consultation


def update_consultation(
    *, actor: Actor, consultation: Consultation, data: ConsultationInput
) -> None:
    """Edit a consultation; sections that already have comments cannot be removed.

    A draft's closing date, and a published consultation's new closing date, must be today or
    later; the text of one that has closed can still be corrected while its dates stay.
    """
    _require_manager(actor, consultation)
    changes_closing = data.closes_at != consultation.closes_at
    check_closing = consultation.published_at is None or changes_closing
    title, summary, sections = _validated(data, check_closing=check_closing)
    before = _audit_state(consultation)
    existing = list(consultation.sections)
    removed = existing[len(sections) :]
    if removed and _count_submissions(s.id for s in removed):
        raise ValidationFailed(
            {"draft": [str(_l("Sections that already have comments cannot be removed."))]}
        )
    for stored, new in zip(existing, sections, strict=False):
        stored.heading, stored.body_markdown = new.heading, new.body
    for stale in removed:
        consultation.sections.remove(stale)
    db.session.flush()  # free the positions of removed sections before adding new ones
    for position, new in enumerate(sections[len(existing) :], start=len(existing) + 1):
        consultation.sections.append(
            ConsultationSection(position=position, heading=new.heading, body_markdown=new.body)
        )
    consultation.title, consultation.summary, consultation.language = title, summary, data.language
    consultation.opens_at, consultation.closes_at = data.opens_at, data.closes_at
    consultation.moderation_mode = data.moderation_mode
    _refresh_derived(consultation)
    after = _audit_state(consultation)
    if after != before:
        audit.record(
            actor=actor,
            action="consultation.update",
            target=consultation,
            target_label=consultation.title,
            before=before,
            after=after,
        )
    db.session.commit()


def draft_markdown(consultation: Consultation) -> str:
    return join_draft([DraftSection(s.heading, s.body_markdown) for s in consultation.sections])


def publish_consultation(
    *, actor: Actor, consultation: Consultation, historical: bool = False
) -> None:
    """Make a draft public; it opens and closes by its dates, and must close today or later
    unless `historical` (see create_consultation)."""
    _require_manager(actor, consultation)
    _require_system_for_history(actor, historical)
    if consultation.published_at is not None:
        raise InvalidTransition("already published")
    errors = [] if historical else closing_errors(consultation.closes_at, utcnow())
    if errors:
        raise ValidationFailed({"closes_at": errors})
    before = _audit_state(consultation)
    consultation.published_at = utcnow()
    _record_change(actor, consultation, "consultation.publish", before)
    db.session.commit()


def close_consultation(*, actor: Actor, consultation: Consultation) -> None:
    """End the comment period now (an upcoming one is closed before it opens)."""
    _require_manager(actor, consultation)
    if consultation.status() not in (ConsultationStatus.OPEN, ConsultationStatus.UPCOMING):
        raise InvalidTransition("only an open or upcoming consultation can be closed")
    before = _audit_state(consultation)
    now = utcnow()
    consultation.opens_at = min(consultation.opens_at, now - timedelta(seconds=1))
    consultation.closes_at = now
    _record_change(actor, consultation, "consultation.close", before)
    db.session.commit()


def _record_change(
    actor: Actor, consultation: Consultation, action: str, before: dict[str, object]
) -> None:
    audit.record(
        actor=actor,
        action=action,
        target=consultation,
        target_label=consultation.title,
        before=before,
        after=_audit_state(consultation),
    )


def _require_manager(actor: Actor, consultation: Consultation) -> None:
    if not authz.can_manage_consultation(actor, consultation):
        raise PermissionDenied("not an officer of this consultation's ministry")


def _count_submissions(section_ids: Iterable[int]) -> int:
    ids = list(section_ids)
    return db.session.scalar(select(func.count()).where(Submission.section_id.in_(ids))) or 0


def get_visible_consultation(*, actor: Actor, consultation_id: int) -> Consultation:
    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None or not authz.can_view_consultation(actor, consultation):
        raise NotFound("consultation")
    return consultation


def get_managed_consultation(*, actor: Actor, consultation_id: int) -> Consultation:
    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None:
        raise NotFound("consultation")
    _require_manager(actor, consultation)
    return consultation


def status_condition(status: ConsultationStatus, now: datetime) -> ColumnElement[bool]:
    """SQL for a derived status, mirroring Consultation.status()."""
    published = and_(
        Consultation.published_at.is_not(None), Consultation.report_published_at.is_(None)
    )
    conditions: dict[ConsultationStatus, ColumnElement[bool]] = {
        ConsultationStatus.DRAFT: Consultation.published_at.is_(None),
        ConsultationStatus.REPORT_PUBLISHED: and_(
            Consultation.published_at.is_not(None), Consultation.report_published_at.is_not(None)
        ),
        ConsultationStatus.UPCOMING: and_(published, Consultation.opens_at > now),
        ConsultationStatus.OPEN: and_(
            published, Consultation.opens_at <= now, Consultation.closes_at > now
        ),
        ConsultationStatus.CLOSED: and_(published, Consultation.closes_at <= now),
    }
    return conditions[status]


def search_consultations(
    *,
    query: str = "",
    ministry_id: int | None = None,
    status: ConsultationStatus | None = None,
    sort: str = "closing",
    page: int = 1,
    per_page: int = 20,
) -> Pagination:
    """Published consultations matching the filters, one page of them."""
    now = utcnow()
    stmt = select(Consultation).where(Consultation.published_at.is_not(None))
    if status is not None and status is not ConsultationStatus.DRAFT:
        stmt = stmt.where(status_condition(status, now))
    if ministry_id:
        stmt = stmt.where(Consultation.ministry_id == ministry_id)
    for word in fold(query).split()[:8]:
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(Consultation.search_text.like(f"%{escaped}%", escape="\\"))
    order = {
        "newest": (Consultation.opens_at.desc(), Consultation.id.desc()),
        "title": (Consultation.title_sort_key, Consultation.id),
        "closing": _closing_soonest_order(now),
    }[sort if sort in SORTS else "closing"]
    stmt = stmt.order_by(*order).options(selectinload(Consultation.ministry))
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def _closing_soonest_order(now: datetime) -> tuple[ColumnExpressionArgument[Any], ...]:
    """Open ones first by how soon they close, then upcoming, then the most recently closed."""
    bucket = case(
        (Consultation.report_published_at.is_not(None), 2),
        (Consultation.closes_at <= now, 2),
        (Consultation.opens_at > now, 1),
        else_=0,
    )
    soonest_first = case((bucket == 2, None), else_=Consultation.closes_at)
    return bucket, soonest_first, Consultation.closes_at.desc(), Consultation.id


def open_consultations(limit: int = 6) -> list[Consultation]:
    now = utcnow()
    stmt = (
        select(Consultation)
        .where(status_condition(ConsultationStatus.OPEN, now))
        .order_by(Consultation.closes_at, Consultation.id)
        .limit(limit)
        .options(selectinload(Consultation.ministry))  # each card names its ministry
    )
    return list(db.session.scalars(stmt))


def recently_closed(limit: int = 4) -> list[Consultation]:
    now = utcnow()
    stmt = (
        select(Consultation)
        .where(
            or_(
                status_condition(ConsultationStatus.CLOSED, now),
                status_condition(ConsultationStatus.REPORT_PUBLISHED, now),
            )
        )
        .order_by(Consultation.closes_at.desc(), Consultation.id.desc())
        .limit(limit)
        .options(selectinload(Consultation.ministry))  # each card names its ministry
    )
    return list(db.session.scalars(stmt))


def require_consultation_author(*, actor: Actor) -> None:
    """Only ministry officers and administrators write consultations."""
    if not authz.can_manage_any_ministry(actor):
        raise PermissionDenied("not a ministry officer")


def managed_consultations(*, actor: Actor) -> list[Consultation]:
    """Every consultation, drafts included, of the ministries the actor runs."""
    require_consultation_author(actor=actor)
    stmt = select(Consultation).order_by(Consultation.created_at.desc())
    if not authz.is_admin(actor):
        ministry_ids = actor.ministry_ids() if isinstance(actor, User) else set()
        stmt = stmt.where(Consultation.ministry_id.in_(ministry_ids))
    return list(db.session.scalars(stmt))


def section_comment_counts(consultation: Consultation) -> dict[int, int]:
    """Published comments per section of one consultation."""
    stmt = (
        select(Submission.section_id, func.count())
        .where(
            Submission.consultation_id == consultation.id,
            Submission.visibility == Visibility.PUBLISHED,
            Submission.section_id.is_not(None),
        )
        .group_by(Submission.section_id)
    )
    return {section_id: count for section_id, count in db.session.execute(stmt) if section_id}

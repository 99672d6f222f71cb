"""Consultations on draft policies and the ordered sections of each draft."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from listening_state.models.base import Model, UTCDateTime, enum_column, utcnow
from listening_state.models.moderation import ModerationMode

if TYPE_CHECKING:
    from listening_state.models.council import PublicCouncil
    from listening_state.models.ministry import Ministry


class ConsultationStatus(enum.Enum):
    DRAFT = "draft"  # not yet published by its ministry
    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"
    REPORT_PUBLISHED = "report_published"


class DemoSource(enum.Enum):
    """Where demonstration content came from, so pages can label it honestly."""

    NONE = "none"
    DEMO_DRAFT = "demo_draft"
    POLIS = "polis"


class Consultation(Model):
    __tablename__ = "consultation"

    id: Mapped[int] = mapped_column(primary_key=True)
    ministry_id: Mapped[int] = mapped_column(ForeignKey("ministry.id"), index=True)
    council_id: Mapped[int | None] = mapped_column(ForeignKey("public_council.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(8), default="ru")
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    report_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Case-folded title, summary and draft text: LIKE on it finds Cyrillic and Kazakh letters
    # the same way on SQLite and PostgreSQL (neither lowercases non-ASCII in LIKE by default).
    search_text: Mapped[str] = mapped_column(Text, default="")
    title_sort_key: Mapped[str] = mapped_column(String(256), default="", index=True)
    demo_source: Mapped[DemoSource] = mapped_column(
        enum_column(DemoSource), default=DemoSource.NONE
    )
    moderation_mode: Mapped[ModerationMode] = mapped_column(
        enum_column(ModerationMode), default=ModerationMode.PRE
    )
    source_url: Mapped[str] = mapped_column(String(500), default="")
    source_key: Mapped[str | None] = mapped_column(String(120), unique=True)

    ministry: Mapped[Ministry] = relationship()
    council: Mapped[PublicCouncil | None] = relationship()
    sections: Mapped[list[ConsultationSection]] = relationship(
        back_populates="consultation",
        cascade="all, delete-orphan",
        order_by="ConsultationSection.position",
    )

    def status(self, now: datetime | None = None) -> ConsultationStatus:
        """Derived from the dates, except the explicit draft and report-published states."""
        now = now or utcnow()
        if self.published_at is None:
            return ConsultationStatus.DRAFT
        if self.report_published_at is not None:
            return ConsultationStatus.REPORT_PUBLISHED
        if now < self.opens_at:
            return ConsultationStatus.UPCOMING
        if now < self.closes_at:
            return ConsultationStatus.OPEN
        return ConsultationStatus.CLOSED

    def is_open(self, now: datetime | None = None) -> bool:
        return self.status(now) is ConsultationStatus.OPEN

    def open_until(self) -> datetime:
        """The last instant comments are taken, for pages to show.

        `closes_at` is the first instant they are refused (the midnight after the closing day),
        which readers would take for one more day.
        """
        return self.closes_at - timedelta(microseconds=1)

    def __repr__(self) -> str:
        return f"<Consultation {self.id}>"


class ConsultationSection(Model):
    __tablename__ = "consultation_section"
    __table_args__ = (UniqueConstraint("consultation_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    heading: Mapped[str] = mapped_column(String(300))
    body_markdown: Mapped[str] = mapped_column(Text, default="")

    consultation: Mapped[Consultation] = relationship(back_populates="sections")

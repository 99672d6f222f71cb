"""How ministries handle what they receive: answers, templates, the working calendar, the
outbox of notifications, and the "you said, we did" report of a consultation."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from listening_state.models.base import Model, UTCDateTime, enum_column, utcnow

if TYPE_CHECKING:
    from listening_state.models.consultation import Consultation, ConsultationSection
    from listening_state.models.ministry import Ministry
    from listening_state.models.user import User


class Answer(Model):
    """A ministry's public answer; one answer may serve many submissions (a bulk answer)."""

    __tablename__ = "answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    ministry_id: Mapped[int] = mapped_column(ForeignKey("ministry.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    template_id: Mapped[int | None] = mapped_column(
        ForeignKey("answer_template.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    ministry: Mapped[Ministry] = relationship()
    author: Mapped[User | None] = relationship()


class AnswerTemplate(Model):
    """Reusable answer text of one ministry."""

    __tablename__ = "answer_template"
    __table_args__ = (UniqueConstraint("ministry_id", "title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ministry_id: Mapped[int] = mapped_column(ForeignKey("ministry.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8), default="ru")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    ministry: Mapped[Ministry] = relationship()


class DayKind(enum.Enum):
    """An exception to the Monday-to-Friday week: a day off, or a Saturday made a working day."""

    HOLIDAY = "holiday"
    WORKING_DAY = "working_day"


class CalendarDay(Model):
    """Kazakhstan's working calendar, kept by administrators: public holidays, days off moved
    by government decree, and weekend days that became working days."""

    __tablename__ = "calendar_day"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    kind: Mapped[DayKind] = mapped_column(enum_column(DayKind), default=DayKind.HOLIDAY)
    name_kk: Mapped[str] = mapped_column(String(200), default="")
    name_ru: Mapped[str] = mapped_column(String(200), default="")
    name_en: Mapped[str] = mapped_column(String(200), default="")

    def name(self, language: str) -> str:
        return str(getattr(self, f"name_{language}", None) or self.name_en)


class OutboxStatus(enum.Enum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # gave up after the last retry; administrators see it


class OutboxMessage(Model):
    """An e-mail waiting to be sent: written in the same commit as the change it reports, sent
    later by a job with retries, so sending never blocks or breaks a request."""

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_due", "status", "send_after"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    recipient_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    to_address: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(8), default="kk")
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    submission_id: Mapped[int | None] = mapped_column(
        ForeignKey("submission.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[OutboxStatus] = mapped_column(
        enum_column(OutboxStatus), default=OutboxStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    send_after: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ReportOutcome(enum.Enum):
    """What the ministry did with what it heard, for the draft or one of its sections."""

    CHANGED = "changed"
    PARTLY_CHANGED = "partly_changed"
    NOT_CHANGED = "not_changed"


class ConsultationReport(Model):
    """ "You said, we did": the ministry's report once a consultation has closed."""

    __tablename__ = "consultation_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), unique=True
    )
    summary: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[ReportOutcome | None] = mapped_column(enum_column(ReportOutcome))
    explanation: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    consultation: Mapped[Consultation] = relationship()
    sections: Mapped[list[ReportSection]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="ReportSection.id"
    )


class ReportSection(Model):
    """The report's entry for one section of the draft: what was heard and what was done."""

    __tablename__ = "report_section"
    __table_args__ = (UniqueConstraint("report_id", "section_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_report.id", ondelete="CASCADE"), index=True
    )
    section_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_section.id", ondelete="CASCADE")
    )
    heard: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[ReportOutcome | None] = mapped_column(enum_column(ReportOutcome))
    explanation: Mapped[str] = mapped_column(Text, default="")

    report: Mapped[ConsultationReport] = relationship(back_populates="sections")
    section: Mapped[ConsultationSection] = relationship()

"""Public Councils: consultative bodies attached to ministries and akimats."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from listening_state.models.base import Model, UTCDateTime, enum_column, utcnow

if TYPE_CHECKING:
    from listening_state.models.consultation import Consultation
    from listening_state.models.ministry import Ministry
    from listening_state.models.user import User


class CouncilKind(enum.Enum):
    MINISTRY = "ministry"
    AKIMAT = "akimat"


class MemberPosition(enum.Enum):
    CHAIR = "chair"
    DEPUTY = "deputy"
    SECRETARY = "secretary"
    MEMBER = "member"


class MeetingStatus(enum.Enum):
    PLANNED = "planned"
    HELD = "held"
    CANCELLED = "cancelled"


class RecommendationStatus(enum.Enum):
    """Where a council's recommendation stands with its ministry."""

    ISSUED = "issued"
    ACCEPTED = "accepted"
    PARTLY_ACCEPTED = "partly_accepted"
    REJECTED = "rejected"


class PublicCouncil(Model):
    __tablename__ = "public_council"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[CouncilKind] = mapped_column(
        enum_column(CouncilKind), default=CouncilKind.MINISTRY
    )
    # One council per ministry; akimat councils have no ministry and name their region instead.
    ministry_id: Mapped[int | None] = mapped_column(ForeignKey("ministry.id"), unique=True)
    region: Mapped[str] = mapped_column(String(120), default="")
    name_kk: Mapped[str] = mapped_column(String(255))
    name_ru: Mapped[str] = mapped_column(String(255))
    name_en: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    ministry: Mapped[Ministry | None] = relationship()
    members: Mapped[list[CouncilMember]] = relationship(
        back_populates="council", cascade="all, delete-orphan", order_by="CouncilMember.id"
    )
    meetings: Mapped[list[CouncilMeeting]] = relationship(
        back_populates="council",
        cascade="all, delete-orphan",
        order_by="CouncilMeeting.held_on.desc()",
    )
    recommendations: Mapped[list[CouncilRecommendation]] = relationship(
        back_populates="council",
        cascade="all, delete-orphan",
        order_by="CouncilRecommendation.issued_on.desc(), CouncilRecommendation.id.desc()",
    )

    def name(self, language: str) -> str:
        return str(getattr(self, f"name_{language}", None) or self.name_en)


class CouncilMember(Model):
    __tablename__ = "council_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(
        ForeignKey("public_council.id", ondelete="CASCADE"), index=True
    )
    full_name: Mapped[str] = mapped_column(String(200))
    position: Mapped[MemberPosition] = mapped_column(
        enum_column(MemberPosition), default=MemberPosition.MEMBER
    )
    affiliation: Mapped[str] = mapped_column(String(255), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    started_on: Mapped[date | None] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)

    council: Mapped[PublicCouncil] = relationship(back_populates="members")
    user: Mapped[User | None] = relationship()


class CouncilMeeting(Model):
    __tablename__ = "council_meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(
        ForeignKey("public_council.id", ondelete="CASCADE"), index=True
    )
    held_on: Mapped[date] = mapped_column(Date, index=True)
    title: Mapped[str] = mapped_column(String(255))
    agenda: Mapped[str] = mapped_column(Text, default="")
    minutes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[MeetingStatus] = mapped_column(
        enum_column(MeetingStatus), default=MeetingStatus.PLANNED
    )

    council: Mapped[PublicCouncil] = relationship(back_populates="meetings")
    documents: Mapped[list[MeetingDocument]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="MeetingDocument.id"
    )


class MeetingDocument(Model):
    """A file published with a meeting (agenda papers, minutes as signed, presentations).

    The bytes live in the instance folder under their SHA-256; the row keeps what people see.
    """

    __tablename__ = "meeting_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("council_meeting.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(255))
    file_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    meeting: Mapped[CouncilMeeting] = relationship(back_populates="documents")


class CouncilRecommendation(Model):
    """A recommendation the council issues to its ministry, and the ministry's answer."""

    __tablename__ = "council_recommendation"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(
        ForeignKey("public_council.id", ondelete="CASCADE"), index=True
    )
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("council_meeting.id", ondelete="SET NULL"), index=True
    )
    consultation_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultation.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    issued_on: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[RecommendationStatus] = mapped_column(
        enum_column(RecommendationStatus), default=RecommendationStatus.ISSUED, index=True
    )
    ministry_answer: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    council: Mapped[PublicCouncil] = relationship(back_populates="recommendations")
    meeting: Mapped[CouncilMeeting | None] = relationship()
    consultation: Mapped[Consultation | None] = relationship()

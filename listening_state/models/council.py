"""Public Councils: consultative bodies attached to ministries and akimats."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from listening_state.models.base import Model, UTCDateTime, enum_column, utcnow

if TYPE_CHECKING:
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

"""Moderation: the published rules, how each consultation is moderated, and citizens' reports."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from listening_state.models.base import Model, UTCDateTime, enum_column, utcnow

if TYPE_CHECKING:
    from listening_state.models.submission import Submission
    from listening_state.models.user import User


class ModerationMode(enum.Enum):
    """Pre-moderation shows nothing until approved; post-moderation shows at once."""

    PRE = "pre"
    POST = "post"


class ModerationReason(enum.Enum):
    """The reason codes of the published moderation rules, in the order the rules list them."""

    OFF_TOPIC = "off_topic"
    ABUSIVE = "abusive"
    PERSONAL_DATA = "personal_data"
    DUPLICATE = "duplicate"
    SPAM = "spam"
    NOT_ABOUT_DRAFT = "not_about_draft"
    UNLAWFUL = "unlawful"


class Flag(Model):
    """One signed-in user's report of a published submission; each user reports an item once."""

    __tablename__ = "submission_flag"
    __table_args__ = (UniqueConstraint("submission_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[ModerationReason] = mapped_column(enum_column(ModerationReason))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when a moderator decides on the item; resolved reports no longer count towards hiding.
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    submission: Mapped[Submission] = relationship(back_populates="flags")
    user: Mapped[User] = relationship()


class ModerationHintKind(enum.Enum):
    """What the queue's hint filter can ask for."""

    FLAGGED = "flagged"
    PERSONAL_DATA = "personal_data"
    DUPLICATE = "duplicate"
    RISK = "risk"

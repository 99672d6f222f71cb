"""What citizens send: a comment on a whole draft or on one of its sections."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from listening_state.models.base import Model, UTCDateTime, enum_column, utcnow
from listening_state.models.moderation import ModerationReason

if TYPE_CHECKING:
    from listening_state.models.consultation import Consultation, ConsultationSection
    from listening_state.models.handling import Answer
    from listening_state.models.ministry import Ministry
    from listening_state.models.moderation import Flag
    from listening_state.models.routing import RoutingDecision
    from listening_state.models.user import User


class Stance(enum.Enum):
    SUPPORT = "support"
    OPPOSE = "oppose"
    MIXED = "mixed"
    NO_POSITION = "no_position"


class SubmissionStatus(enum.Enum):
    """Where the submission is in its handling; later features add their steps."""

    RECEIVED = "received"
    NEEDS_TRIAGE = "needs_triage"
    ROUTED = "routed"
    IN_REVIEW = "in_review"
    FORWARDED = "forwarded"
    ANSWERED = "answered"
    CLOSED = "closed"


class Visibility(enum.Enum):
    """Whether the public sees the text; moderation decides, the ministry hears it regardless.

    PENDING waits for a moderator: new under pre-moderation, sent back after an edit, or
    reported by enough people. HIDDEN was rejected, with a reason the author sees.
    """

    PUBLISHED = "published"
    PENDING = "pending"
    HIDDEN = "hidden"


# A comment stored and not yet routed, not imported (see Submission's partial index).
_UNROUTED = "status = 'received' AND ministry_id IS NULL AND source_key IS NULL"


class Submission(Model):
    __tablename__ = "submission"
    __table_args__ = (
        Index(
            "ix_submission_consultation_visibility_created",
            "consultation_id",
            "visibility",
            "created_at",
        ),
        # A recount of the monitoring rollup (models/monitoring.py) reads these indexes alone,
        # never the table rows (which carry the text): handling per ministry and status
        # (deadlines, days to answer, spam excluded), and answers per week. Each also serves
        # what the single-column index on its first column served, which it replaces.
        Index(
            "ix_submission_handling",
            "ministry_id",
            "status",
            "due_on",
            "visibility",
            "moderation_reason",
            "routed_at",
            "answered_at",
        ),
        # What the job sweep looks for on every pass (services/intake.py: deferred or stranded
        # comments): only rows waiting to be routed, so the pass costs what waits, not the
        # imported comments that stay unrouted on purpose.
        Index(
            "ix_submission_unrouted",
            "id",
            postgresql_where=text(_UNROUTED),
            sqlite_where=text(_UNROUTED),
        ),
        Index(
            "ix_submission_answered_ministry",
            "answered_at",
            "ministry_id",
            "visibility",
            "moderation_reason",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(12), unique=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    section_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultation_section.id", ondelete="SET NULL"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    # Imported demonstration comments have no account; this names where they came from.
    author_label: Mapped[str] = mapped_column(String(120), default="")
    body: Mapped[str] = mapped_column(Text)
    stance: Mapped[Stance] = mapped_column(enum_column(Stance), index=True)
    language: Mapped[str] = mapped_column(String(8), default="")
    status: Mapped[SubmissionStatus] = mapped_column(
        enum_column(SubmissionStatus), default=SubmissionStatus.RECEIVED, index=True
    )
    visibility: Mapped[Visibility] = mapped_column(
        enum_column(Visibility), default=Visibility.PUBLISHED, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    source_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    # The ministry responsible now (None until routed); the router's confidence when it chose.
    ministry_id: Mapped[int | None] = mapped_column(ForeignKey("ministry.id"))
    routing_confidence: Mapped[float | None] = mapped_column(Float)

    # Which kinds of personal data the body holds. The public reads the body with them replaced
    # by markers in the reader's language; the ministry and moderators read it as sent.
    personal_data_kinds: Mapped[str] = mapped_column(String(64), default="")

    # The last moderation decision, shown to the author with its reason.
    moderation_reason: Mapped[ModerationReason | None] = mapped_column(
        enum_column(ModerationReason), index=True
    )
    moderation_note: Mapped[str] = mapped_column(Text, default="")
    moderated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    moderated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # A rejected submission may be edited and sent back once.
    resubmitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    open_flag_count: Mapped[int] = mapped_column(Integer, default=0)

    # Hints for moderators, computed after the submission is stored (never block saving it).
    duplicate_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("submission.id", ondelete="SET NULL")
    )
    duplicate_score: Mapped[float | None] = mapped_column(Float)
    # The few most similar earlier comments: [{"id", "reference", "score"}], best first.
    duplicate_candidates: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    risk_score: Mapped[float | None] = mapped_column(Float, index=True)
    risk_reason: Mapped[ModerationReason | None] = mapped_column(
        enum_column(ModerationReason, name="risk_reason")
    )

    # Handling by the responsible ministry (statutory deadlines on the working calendar).
    routed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    due_on: Mapped[date | None] = mapped_column(Date, index=True)
    extended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    extension_reason: Mapped[str] = mapped_column(Text, default="")
    assigned_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    answer_id: Mapped[int | None] = mapped_column(
        ForeignKey("answer.id", ondelete="SET NULL"), index=True
    )
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_reason: Mapped[str] = mapped_column(Text, default="")

    consultation: Mapped[Consultation] = relationship()
    ministry: Mapped[Ministry | None] = relationship()
    routing_history: Mapped[list[RoutingDecision]] = relationship(
        back_populates="submission", order_by="RoutingDecision.id", cascade="all, delete-orphan"
    )
    section: Mapped[ConsultationSection | None] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    moderated_by: Mapped[User | None] = relationship(foreign_keys=[moderated_by_id])
    assigned_to: Mapped[User | None] = relationship(foreign_keys=[assigned_to_id])
    answer: Mapped[Answer | None] = relationship()
    duplicate_of: Mapped[Submission | None] = relationship(remote_side=[id])
    flags: Mapped[list[Flag]] = relationship(
        back_populates="submission", cascade="all, delete-orphan", order_by="Flag.id"
    )

    @property
    def is_spam(self) -> bool:
        """Spam is the one rejection that also drops a submission from the ministry's view."""
        return self.visibility is Visibility.HIDDEN and (
            self.moderation_reason is ModerationReason.SPAM
        )

    def personal_data_found(self) -> list[str]:
        return [kind for kind in self.personal_data_kinds.split(",") if kind]

    def __repr__(self) -> str:
        return f"<Submission {self.reference}>"

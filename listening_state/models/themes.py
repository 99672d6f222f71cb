"""What we heard: the themes and campaigns found in the submissions of a consultation or of a
ministry. A build is written in one commit when its job succeeds, so a failed rebuild leaves
the previous themes in place; the current themes of a scope are those of its latest build."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from listening_state.models.base import Model, UTCDateTime, utcnow

if TYPE_CHECKING:
    from listening_state.models.consultation import Consultation
    from listening_state.models.ministry import Ministry


class ThemeBuild(Model):
    """One finished run of the theme engine over a consultation's or a ministry's submissions."""

    __tablename__ = "theme_build"
    __table_args__ = (
        Index("ix_theme_build_consultation", "consultation_id", "created_at"),
        Index("ix_theme_build_ministry", "ministry_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Exactly one of the two is set: the scope the themes summarise.
    consultation_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE")
    )
    ministry_id: Mapped[int | None] = mapped_column(ForeignKey("ministry.id", ondelete="CASCADE"))
    job_id: Mapped[int | None] = mapped_column(ForeignKey("background_job.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    inputs: Mapped[int] = mapped_column(Integer, default=0)
    other_count: Mapped[int] = mapped_column(Integer, default=0)
    chosen_k: Mapped[int] = mapped_column(Integer, default=0)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The fitted model that assigns new submissions between rebuilds: a file in MODEL_DIR,
    # loaded only when its SHA-256 matches.
    model_file: Mapped[str] = mapped_column(String(200), default="")
    model_sha256: Mapped[str] = mapped_column(String(64), default="")
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    # The public sees a consultation's themes once the ministry publishes them.
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    consultation: Mapped[Consultation | None] = relationship()
    ministry: Mapped[Ministry | None] = relationship()
    themes: Mapped[list[Theme]] = relationship(
        back_populates="build", cascade="all, delete-orphan", order_by="Theme.position"
    )


class Theme(Model):
    """A theme as the engine described it when the build ran (label, keywords, quotes)."""

    __tablename__ = "theme"

    id: Mapped[int] = mapped_column(primary_key=True)
    build_id: Mapped[int] = mapped_column(
        ForeignKey("theme_build.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)  # the engine's theme id, largest first
    label: Mapped[str] = mapped_column(String(300))
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    size: Mapped[int] = mapped_column(Integer, default=0)  # senders, at build time
    share: Mapped[float] = mapped_column(Float, default=0.0)
    stances: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    languages: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    trend: Mapped[list[list[Any]]] = mapped_column(JSON, default=list)  # [[week start, n]]
    quote_ids: Mapped[list[int]] = mapped_column(JSON, default=list)  # submission ids

    build: Mapped[ThemeBuild] = relationship(back_populates="themes")


class Campaign(Model):
    """Identical or near-identical texts sent by many people: counted once in the themes."""

    __tablename__ = "campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    build_id: Mapped[int] = mapped_column(
        ForeignKey("theme_build.id", ondelete="CASCADE"), index=True
    )
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("theme.id", ondelete="SET NULL"))
    size: Mapped[int] = mapped_column(Integer)
    representative_id: Mapped[int | None] = mapped_column(
        ForeignKey("submission.id", ondelete="SET NULL")
    )
    mean_similarity: Mapped[float] = mapped_column(Float, default=0.0)


class ThemeMember(Model):
    """Which theme (None: "other") and campaign a submission belongs to in one build; new
    submissions join the latest build at once, assigned to the nearest theme."""

    __tablename__ = "theme_member"
    __table_args__ = (
        Index("ix_theme_member_theme", "theme_id", "submission_id"),
        Index("ix_theme_member_submission", "submission_id"),
    )

    build_id: Mapped[int] = mapped_column(
        ForeignKey("theme_build.id", ondelete="CASCADE"), primary_key=True
    )
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), primary_key=True
    )
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("theme.id", ondelete="CASCADE"))
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaign.id", ondelete="SET NULL"), index=True
    )
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

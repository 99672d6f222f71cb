"""Routing: which ministry is responsible for a submission, and every decision that said so."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from listening_state.models.base import Model, UTCDateTime, enum_column, utcnow

if TYPE_CHECKING:
    from listening_state.models.ministry import Ministry
    from listening_state.models.submission import Submission
    from listening_state.models.user import User


class RoutingSource(enum.Enum):
    MODEL = "model"  # the router decided (or, below its threshold, only suggested)
    TRIAGE = "triage"  # an administrator assigned it from the triage queue
    REROUTE = "reroute"  # a ministry officer sent it on: "not our competence"


class RoutingDecision(Model):
    """One routing event; human ones (triage, re-route) are the router's labelled data."""

    __tablename__ = "routing_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), index=True
    )
    from_ministry_id: Mapped[int | None] = mapped_column(ForeignKey("ministry.id"))
    # None when the model was not confident enough and the submission went to triage.
    to_ministry_id: Mapped[int | None] = mapped_column(ForeignKey("ministry.id"), index=True)
    source: Mapped[RoutingSource] = mapped_column(enum_column(RoutingSource), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text, default="")
    model_version: Mapped[str | None] = mapped_column(String(64))
    confidence: Mapped[float | None] = mapped_column(Float)
    # The model's top three with probabilities and the terms that weighed most.
    suggestions: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    submission: Mapped[Submission] = relationship(back_populates="routing_history")
    from_ministry: Mapped[Ministry | None] = relationship(foreign_keys=[from_ministry_id])
    to_ministry: Mapped[Ministry | None] = relationship(foreign_keys=[to_ministry_id])
    actor: Mapped[User | None] = relationship()


class RouterVersion(Model):
    """A trained router: its file is checked against `sha256` before it is ever loaded."""

    __tablename__ = "router_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(64), unique=True)
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    is_active: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    threshold: Mapped[float] = mapped_column(Float)
    coverage: Mapped[float] = mapped_column(Float)
    cv_accuracy: Mapped[float] = mapped_column(Float)
    cv_macro_f1: Mapped[float] = mapped_column(Float)
    n_examples: Mapped[int] = mapped_column(Integer)
    n_human_examples: Mapped[int] = mapped_column(Integer, default=0)
    # The whole training report: examples per ministry, per-class figures, confusion matrix,
    # chosen design and library versions.
    report: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

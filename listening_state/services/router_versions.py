"""Router versions: training from human decisions and seed data, activation, and the figures."""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from listening_state import authz
from listening_state.authz import Actor
from listening_state.extensions import db
from listening_state.ml.routing import (
    RouterModel,
    RouterSettings,
    TrainingReport,
    dumps,
    sha256_hex,
    train_router,
)
from listening_state.models import (
    Ministry,
    RouterVersion,
    RoutingDecision,
    RoutingSource,
    Submission,
)
from listening_state.models.base import utcnow
from listening_state.router_seed import load_seed_examples
from listening_state.services.errors import NotFound, PermissionDenied
from listening_state.services.router_registry import model_dir
from listening_state.services.routing import routing_text

HUMAN_SOURCES = (RoutingSource.TRIAGE, RoutingSource.REROUTE)


def human_examples() -> tuple[list[str], list[str]]:
    """Each submission a person routed, labelled with the ministry of the latest human decision."""
    stmt = (
        select(RoutingDecision)
        .where(
            RoutingDecision.source.in_(HUMAN_SOURCES), RoutingDecision.to_ministry_id.is_not(None)
        )
        .order_by(RoutingDecision.id)
        .options(
            selectinload(RoutingDecision.to_ministry),
            selectinload(RoutingDecision.submission).selectinload(Submission.consultation),
            selectinload(RoutingDecision.submission).selectinload(Submission.section),
        )
    )
    latest: dict[int, RoutingDecision] = {}
    for decision in db.session.scalars(stmt):
        latest[decision.submission_id] = decision
    texts, labels = [], []
    for decision in latest.values():
        if decision.to_ministry is not None:
            texts.append(routing_text(decision.submission))
            labels.append(decision.to_ministry.code)
    return texts, labels


def train_version(
    *, actor: Actor, shared_data_dir: Path, settings: RouterSettings | None = None
) -> RouterVersion:
    """Train a new version from every human decision plus the seed data; it is not yet active."""
    if not authz.is_admin(actor):
        raise PermissionDenied("only administrators train the router")
    # The names in all three languages give the English-only seed a first Kazakh and Russian
    # foothold until people's decisions on real submissions arrive.
    mandates = {
        m.code: f"{m.name_kk}. {m.name_ru}. {m.name_en}. {m.mandate}"
        for m in db.session.scalars(select(Ministry))
    }
    seed_texts, seed_labels = load_seed_examples(shared_data_dir, mandates)
    human_texts, human_labels = human_examples()
    settings = settings or RouterSettings(
        target_precision=current_app.config["ROUTER_TARGET_PRECISION"]
    )
    model, report = train_router(seed_texts + human_texts, seed_labels + human_labels, settings)
    return save_version(model=model, report=report, n_human_examples=len(human_texts))


def save_version(
    *, model: RouterModel, report: TrainingReport, n_human_examples: int
) -> RouterVersion:
    """Write the model file and record it with its SHA-256 and training report (inactive)."""
    data = dumps(model)
    version = utcnow().strftime("%Y%m%d-%H%M%S-%f")
    file_name = f"router-{version}.joblib"
    (model_dir() / file_name).write_bytes(data)
    row = RouterVersion(
        version=version,
        file_name=file_name,
        sha256=sha256_hex(data),
        size_bytes=len(data),
        threshold=report.threshold,
        coverage=report.coverage,
        cv_accuracy=report.cv_accuracy,
        cv_macro_f1=report.cv_macro_f1,
        n_examples=report.n_examples,
        n_human_examples=n_human_examples,
        report=dataclasses.asdict(report),
    )
    db.session.add(row)
    db.session.commit()
    return row


def activate_version(*, actor: Actor, version: str) -> RouterVersion:
    """Make this version the one every process uses; rolling back is activating an older one."""
    if not authz.is_admin(actor):
        raise PermissionDenied("only administrators activate router versions")
    row = db.session.scalar(select(RouterVersion).where(RouterVersion.version == version))
    if row is None:
        raise NotFound(f"router version {version}")
    for other in db.session.scalars(select(RouterVersion).where(RouterVersion.is_active.is_(True))):
        other.is_active = False
    db.session.flush()
    row.is_active, row.activated_at = True, utcnow()
    db.session.commit()
    return row


def list_versions() -> list[RouterVersion]:
    return list(db.session.scalars(select(RouterVersion).order_by(RouterVersion.created_at.desc())))


@dataclasses.dataclass(frozen=True)
class RoutingFigures:
    """How routing went over a recent period."""

    days: int
    model_decisions: int
    auto_routed: int
    triaged: int
    corrected: int  # auto-routed, then moved by a person (triage or re-route)

    @property
    def auto_share(self) -> float:
        return self.auto_routed / self.model_decisions if self.model_decisions else 0.0

    @property
    def correction_rate(self) -> float:
        return self.corrected / self.auto_routed if self.auto_routed else 0.0


def routing_figures(*, actor: Actor, days: int = 30) -> RoutingFigures:
    """Auto-routed versus triaged in the last `days`, and how often people corrected the model."""
    if not authz.can_triage(actor):
        raise PermissionDenied("only administrators see router figures")
    since = utcnow() - timedelta(days=days)
    recent_model = (
        RoutingDecision.source == RoutingSource.MODEL,
        RoutingDecision.created_at >= since,
    )
    seen, auto = db.session.execute(
        select(func.count(), func.count(RoutingDecision.to_ministry_id)).where(*recent_model)
    ).one()
    auto_routed = select(RoutingDecision.submission_id).where(
        *recent_model, RoutingDecision.to_ministry_id.is_not(None)
    )
    corrected = db.session.scalar(
        select(func.count(func.distinct(RoutingDecision.submission_id))).where(
            RoutingDecision.source.in_(HUMAN_SOURCES),
            RoutingDecision.submission_id.in_(auto_routed),
        )
    )
    return RoutingFigures(
        days=days,
        model_decisions=seen,
        auto_routed=auto,
        triaged=seen - auto,
        corrected=corrected or 0,
    )


def per_ministry_counts(version: RouterVersion) -> list[tuple[str, int, dict[str, Any]]]:
    """(ministry code, training examples, cross-validated precision/recall/F1) for the page."""
    report = version.report
    examples = Counter(report.get("examples_per_label", {}))
    per_class = report.get("per_class", {})
    return [(code, examples[code], per_class.get(code, {})) for code in sorted(examples)]

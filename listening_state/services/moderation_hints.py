"""Hints for moderators, computed after a submission is stored: possible duplicates and risk.

Hints never decide anything and never block a submission: every step here logs and gives up
on failure, leaving the submission saved and in the queue without that hint.

The risk model is trained by `flask moderation train` from real moderation decisions and
stored as ``moderation-<sha256>.npz`` in the model directory. The file holds numbers and
strings only (no pickle) and is refused unless its bytes hash to the name it carries.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select

from listening_state.extensions import db
from listening_state.ml.duplicate_window import DuplicateWindow
from listening_state.ml.duplicates import DuplicateSettings, Match, earlier_matches
from listening_state.ml.features import Analyzer
from listening_state.ml.moderation import (
    ModerationExample,
    ModerationModel,
    RiskHint,
    load_real_decisions,
    loads,
    train_moderation_model,
)
from listening_state.ml.storage import sha256_hex
from listening_state.models import ModerationReason, Submission, Visibility
from listening_state.services.router_registry import model_dir

log = logging.getLogger(__name__)

MODEL_FILE = re.compile(r"moderation-([0-9a-f]{64})\.npz")
DUPLICATE_CANDIDATES = 3
# Scores below this are not worth listing at all; the queue's hint uses the configured minimum
# (bench/README.md: at 0.15 nine in ten real, reworded duplicates still get a candidate list).
DUPLICATE_LISTED_FROM = 0.15

_lock = threading.Lock()
_cache: dict[tuple[str, float], ModerationModel] = {}
# Consultation id -> its analysed window, least recently used first; one word cache for all.
_windows: OrderedDict[int, DuplicateWindow] = OrderedDict()
_analyzer = Analyzer(DuplicateSettings().spec)


class RiskModelUnavailable(Exception):
    """No usable moderation model: none trained, or its file was refused."""


def compute_hints(submission: Submission) -> None:
    """Store the duplicate and risk hints of a stored submission; never raises."""
    for name, step in (("duplicate", _duplicate_hint), ("risk", _risk_hint)):
        try:
            step(submission)
            db.session.commit()
        except RiskModelUnavailable as error:
            log.info("no risk hint for %s: %s", submission.reference, error)
            db.session.rollback()
        except Exception:
            log.exception("%s hint failed for submission %s", name, submission.reference)
            db.session.rollback()


def _duplicate_hint(submission: Submission) -> None:
    window = int(current_app.config["DUPLICATE_HINT_WINDOW"])
    earlier = db.session.execute(
        select(*_HINT_COLUMNS)
        .where(
            Submission.consultation_id == submission.consultation_id,
            Submission.id < submission.id,
        )
        .order_by(Submission.id.desc())
        .limit(window)
    ).all()
    if not earlier:
        return
    references = {row.id: row.reference for row in earlier}
    matches = _window(submission.consultation_id).similar(
        [(row.id, row.body) for row in reversed(earlier)],
        submission.body,
        limit=DUPLICATE_CANDIDATES,
        min_score=DUPLICATE_LISTED_FROM,
        resolved=_known_duplicates(earlier),
        key=submission.id,  # the next comment's window holds this one
    )
    _apply_duplicates(submission, matches, references)


# What the duplicate hint reads of each earlier comment.
_HINT_COLUMNS = (
    Submission.id,
    Submission.reference,
    Submission.body,
    Submission.moderation_reason,
    Submission.duplicate_of_id,
)


def _window(consultation_id: int) -> DuplicateWindow:
    """This process's analysed window of the consultation (the most recently used are kept).

    A window recognises its texts by id and content, so one kept from another database or
    from before a moderator's edit gives the same hint, only more slowly.
    """
    kept = int(current_app.config["DUPLICATE_HINT_WINDOWS_KEPT"])
    budget = float(current_app.config["DUPLICATE_HINT_WINDOWS_MB"]) * 1e6
    with _lock:
        window = _windows.pop(consultation_id, None) or DuplicateWindow(analyzer=_analyzer)
        _windows[consultation_id] = window
        while len(_windows) > kept:
            _windows.popitem(last=False)
        # Over the memory budget, the least recently used go first; the current one stays.
        total = sum(w.nbytes for w in _windows.values())
        while len(_windows) > 1 and total > budget:
            _, dropped = _windows.popitem(last=False)
            total -= dropped.nbytes
    return window


def _known_duplicates(rows: Sequence[Any]) -> dict[int, int]:
    """Moderators' decisions: a comment rejected as a duplicate points at its original (the
    hint's top candidate that the moderator confirmed), so later copies of it find the original."""
    return {
        row.id: row.duplicate_of_id
        for row in rows
        if row.moderation_reason is ModerationReason.DUPLICATE and row.duplicate_of_id is not None
    }


def _apply_duplicates(
    submission: Submission, matches: Sequence[Match], references: Mapping[int, str]
) -> None:
    submission.duplicate_candidates = [
        {"id": m.key, "reference": references[m.key], "score": round(m.score, 4)} for m in matches
    ]
    submission.duplicate_of_id = matches[0].key if matches else None
    submission.duplicate_score = round(matches[0].score, 4) if matches else None


def _risk_hint(submission: Submission) -> None:
    _apply_risk(submission, active_risk_model().assess_one(submission.body))


def _apply_risk(submission: Submission, hint: RiskHint) -> None:
    submission.risk_score = round(hint.score, 4)
    codes = {reason.value for reason in ModerationReason}
    submission.risk_reason = ModerationReason(hint.reason) if hint.reason in codes else None


# -- training --------------------------------------------------------------------------------


def human_decisions() -> list[ModerationExample]:
    """Every decision a moderator made on this platform: labelled data for the next model."""
    rows = db.session.execute(
        select(Submission.body, Submission.visibility, Submission.moderation_reason).where(
            Submission.moderated_by_id.is_not(None),
            Submission.visibility != Visibility.PENDING,
        )
    )
    return [
        ModerationExample(
            text=row.body,
            rejected=row.visibility is Visibility.HIDDEN,
            reason=row.moderation_reason.value if row.moderation_reason else None,
            source="platform",
        )
        for row in rows
    ]


def train_risk_model(shared_data_dir: Path) -> tuple[Path, ModerationModel]:
    """Train from the real decisions in shared data plus this platform's own, and store it."""
    examples = [*load_real_decisions(shared_data_dir), *human_decisions()]
    model = train_moderation_model(examples)
    return save_risk_model(model), model


def backfill_hints() -> int:
    """Hints for stored submissions that have none yet: imported ones, or older than the model.

    Duplicates are found consultation by consultation, each comment against those before it.
    """
    missing = list(
        db.session.scalars(
            select(Submission).where(Submission.risk_score.is_(None)).order_by(Submission.id)
        )
    )
    model = active_risk_model()
    for consultation_id in sorted({s.consultation_id for s in missing}):
        _backfill_duplicates(consultation_id, {s.id: s for s in missing})
    for start in range(0, len(missing), 1000):
        batch = missing[start : start + 1000]
        for submission, hint in zip(batch, model.assess([s.body for s in batch]), strict=True):
            _apply_risk(submission, hint)
        db.session.commit()
    return len(missing)


def _backfill_duplicates(consultation_id: int, missing: dict[int, Submission]) -> None:
    rows = db.session.execute(
        select(*_HINT_COLUMNS)
        .where(Submission.consultation_id == consultation_id)
        .order_by(Submission.id)
    ).all()
    references = {row.id: row.reference for row in rows}
    found = earlier_matches(
        [(row.id, row.body) for row in rows],
        limit=DUPLICATE_CANDIDATES,
        min_score=DUPLICATE_LISTED_FROM,
        resolved=_known_duplicates(rows),
    )
    for submission_id, matches in found.items():
        if submission_id in missing:
            _apply_duplicates(missing[submission_id], matches, references)


# -- the model file ----------------------------------------------------------------------------


def save_risk_model(model: ModerationModel) -> Path:
    data = model.dumps()
    path = model_dir() / f"moderation-{sha256_hex(data)}.npz"
    path.write_bytes(data)
    forget_risk_model()
    return path


def _newest_model_file() -> Path | None:
    files = [p for p in model_dir().glob("moderation-*.npz") if MODEL_FILE.fullmatch(p.name)]
    return max(files, key=lambda p: (p.stat().st_mtime, p.name)) if files else None


def active_risk_model() -> ModerationModel:
    """The newest trained moderation model, loaded once per process per file."""
    path = _newest_model_file()
    if path is None:
        raise RiskModelUnavailable("no moderation model has been trained")
    key = (str(path), path.stat().st_mtime)
    with _lock:
        if key in _cache:
            return _cache[key]
    match = MODEL_FILE.fullmatch(path.name)
    assert match is not None  # noqa: S101 - _newest_model_file only returns matching names
    try:
        model = loads(path.read_bytes(), expected_sha256=match.group(1))
    except Exception as error:
        raise RiskModelUnavailable(f"model file {path} was refused: {error!r}") from error
    with _lock:
        _cache.clear()
        _cache[key] = model
    return model


def forget_risk_model() -> None:
    with _lock:
        _cache.clear()

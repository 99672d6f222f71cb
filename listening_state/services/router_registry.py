"""The active router, loaded once per process per version and checked before it is trusted."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from listening_state.extensions import db
from listening_state.ml.routing import ModelIntegrityError, RouterModel, loads
from listening_state.models import RouterVersion


class RouterUnavailable(Exception):
    """No usable router: none active, its file missing, tampered with or unreadable."""


@dataclass(frozen=True)
class LoadedRouter:
    version: str
    model: RouterModel


_lock = threading.Lock()
_cache: dict[tuple[str, str], LoadedRouter] = {}


def model_dir() -> Path:
    """Where model files live: a shared directory when several hosts serve the site."""
    configured = current_app.config.get("MODEL_DIR")
    path = Path(configured) if configured else Path(current_app.instance_path) / "models"
    path.mkdir(parents=True, exist_ok=True)
    return path


def active_version() -> RouterVersion | None:
    return db.session.scalar(select(RouterVersion).where(RouterVersion.is_active.is_(True)))


def active_router() -> LoadedRouter:
    """The active version's model. A version activated by another process is picked up here,
    because the active row is read on every call and a new (file, hash) pair is loaded anew."""
    row = active_version()
    if row is None:
        raise RouterUnavailable("no router version is active")
    path = model_dir() / row.file_name
    key = (str(path), row.sha256)
    with _lock:
        if key in _cache:
            return _cache[key]
    try:
        data = path.read_bytes()
    except OSError as error:
        raise RouterUnavailable(f"model file {path} cannot be read: {error}") from error
    try:
        model = loads(data, expected_sha256=row.sha256)
    except ModelIntegrityError as error:
        raise RouterUnavailable(f"model file {path} was refused: {error}") from error
    except Exception as error:  # a corrupt file must degrade to triage, whatever it raises
        raise RouterUnavailable(f"model file {path} could not be loaded: {error!r}") from error
    loaded = LoadedRouter(version=row.version, model=model)
    with _lock:
        _cache.clear()  # keep one model in memory: the active one
        _cache[key] = loaded
    return loaded


def forget_loaded_models() -> None:
    """Drop the in-memory model (tests, and after deleting a version's file)."""
    with _lock:
        _cache.clear()

"""The files of a theme build: its theme model and its campaign index, stored in MODEL_DIR under
their SHA-256 (like the router's files), checked against the hash recorded in the build before
they are trusted, and kept in memory per hash (a few builds at once) for new submissions."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from listening_state.extensions import db
from listening_state.ml import campaigns as campaign_engine
from listening_state.ml import themes as theme_engine
from listening_state.ml.campaigns import CampaignIndex
from listening_state.ml.themes import ThemeModel
from listening_state.models import ThemeBuild
from listening_state.services.router_registry import model_dir

CACHED_BUILDS = 4  # loaded builds kept in memory: a consultation's and its ministry's, and more
THEMES_PREFIX, CAMPAIGNS_PREFIX = "themes-", "campaigns-"
# Where a build's campaign index is recorded: ThemeBuild has one model column, so the index's
# file and hash sit in its settings.
INDEX_FILE, INDEX_SHA256 = "campaign_index_file", "campaign_index_sha256"


class ThemeModelUnavailable(Exception):
    """A build's files are missing, tampered with or unreadable: new submissions wait for the
    next rebuild."""


@dataclass(frozen=True)
class StoredFile:
    name: str
    sha256: str


@dataclass(frozen=True)
class LoadedBuild:
    themes: ThemeModel
    campaigns: CampaignIndex


_lock = threading.Lock()
_cache: OrderedDict[tuple[str, str], LoadedBuild] = OrderedDict()


def _write(prefix: str, data: bytes) -> StoredFile:
    """Write once under the content's hash; a file of the same name already holds these bytes."""
    sha256 = theme_engine.sha256_hex(data)
    stored = StoredFile(name=f"{prefix}{sha256}.npz", sha256=sha256)
    path = model_dir() / stored.name
    if not path.exists():
        partial = path.with_name(f".{stored.name}.{os.getpid()}.partial")
        partial.write_bytes(data)
        partial.replace(path)  # readers never see a half-written file
    return stored


def save_files(themes: ThemeModel, campaigns: CampaignIndex) -> tuple[StoredFile, StoredFile]:
    return (
        _write(THEMES_PREFIX, theme_engine.dumps(themes)),
        _write(CAMPAIGNS_PREFIX, campaign_engine.dumps(campaigns)),
    )


def files_of(build: ThemeBuild) -> set[str]:
    names = {build.model_file, str(build.settings.get(INDEX_FILE, ""))}
    return {name for name in names if name}


def remove_unused(names: set[str]) -> None:
    """Delete these files unless a build still refers to them (after that build's commit)."""
    if not names:
        return
    used: set[str] = set()
    for build in db.session.scalars(select(ThemeBuild)):
        used |= files_of(build)
    for name in names - used:
        (model_dir() / Path(name).name).unlink(missing_ok=True)


def _read(name: str) -> bytes:
    path = model_dir() / Path(name).name
    try:
        return path.read_bytes()
    except OSError as error:
        raise ThemeModelUnavailable(f"model file {path} cannot be read: {error}") from error


def load(build: ThemeBuild) -> LoadedBuild:
    """The build's theme model and campaign index, verified by SHA-256 on first load."""
    index_name = str(build.settings.get(INDEX_FILE, ""))
    index_sha256 = str(build.settings.get(INDEX_SHA256, ""))
    if not build.model_file or not index_name:
        raise ThemeModelUnavailable(f"theme build {build.id} has no model files")
    key = (build.model_sha256, index_sha256)
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    try:
        loaded = LoadedBuild(
            themes=theme_engine.loads(_read(build.model_file), expected_sha256=build.model_sha256),
            campaigns=campaign_engine.loads(_read(index_name), expected_sha256=index_sha256),
        )
    except theme_engine.ModelIntegrityError as error:
        raise ThemeModelUnavailable(f"theme build {build.id} refused: {error}") from error
    with _lock:
        _cache[key] = loaded
        while len(_cache) > CACHED_BUILDS:
            _cache.popitem(last=False)
    return loaded


def forget_loaded_models() -> None:
    """Drop the models held in memory (tests, and after files were replaced)."""
    with _lock:
        _cache.clear()

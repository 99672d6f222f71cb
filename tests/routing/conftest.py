"""A small real router, trained once per session on UK petitions of three departments."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest
from flask import Flask

from listening_state.ml.routing import RouterModel, RouterSettings, TrainingReport, train_router
from listening_state.models import Ministry, RouterVersion
from listening_state.services import router_versions
from tests.factories import make_ministry

PETITIONS = (
    Path(__file__).resolve().parents[3] / "shared" / "data" / "uk-petitions" / "petitions.csv"
)
# Three UK departments and the Kazakh ministries with the same remit (see router_seed).
DEPARTMENTS = {"DfT": "MT", "HMT": "MF", "DHSC": "MH"}
PER_DEPARTMENT = 30


def _petitions_by_ministry() -> dict[str, list[str]]:
    if not PETITIONS.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"shared data missing: {PETITIONS}")
        pytest.skip(f"shared data missing: {PETITIONS}")
    found: dict[str, list[str]] = {code: [] for code in DEPARTMENTS.values()}
    with PETITIONS.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["primary_department"] in DEPARTMENTS:
                text = " ".join(row[c] for c in ("action", "background", "additional_details"))
                found[DEPARTMENTS[row["primary_department"]]].append(text.strip())
    return found


def petition_examples() -> tuple[list[str], list[str]]:
    """The first PER_DEPARTMENT petitions of each department: the small router's training set."""
    texts: list[str] = []
    labels: list[str] = []
    for code, petitions in _petitions_by_ministry().items():
        texts += petitions[:PER_DEPARTMENT]
        labels += [code] * PER_DEPARTMENT
    return texts, labels


def held_out_petition(code: str, index: int = 0) -> str:
    """A real petition of that ministry's remit that the small router never saw."""
    return _petitions_by_ministry()[code][PER_DEPARTMENT + index]


@pytest.fixture(scope="session")
def small_router() -> tuple[RouterModel, TrainingReport]:
    texts, labels = petition_examples()
    return train_router(texts, labels, RouterSettings(cv_folds=3))


@pytest.fixture
def ministries(app: Flask) -> dict[str, Ministry]:
    return {code: make_ministry(code) for code in DEPARTMENTS.values()}


@pytest.fixture
def active_router(
    app: Flask, ministries: dict[str, Ministry], small_router: tuple[RouterModel, TrainingReport]
) -> RouterVersion:
    """The small router stored and activated exactly as `router train --activate` would."""
    model, report = small_router
    row = router_versions.save_version(model=model, report=report, n_human_examples=0)
    from listening_state.authz import SYSTEM

    return router_versions.activate_version(actor=SYSTEM, version=row.version)

"""The cold-start data: UK departments mapped to Kazakh ministries, plus mandates."""

from __future__ import annotations

import csv
import os
from collections import Counter
from pathlib import Path

import pytest

from listening_state import router_seed
from listening_state.demo.ministries import GOVERNMENT_BODIES
from listening_state.router_seed import (
    DEPARTMENT_MAPPINGS,
    MINISTRY_FOR_DEPARTMENT,
    PETITIONS_FILE,
    load_seed_examples,
)

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
MANDATES = {body.code: body.mandate for body in GOVERNMENT_BODIES}


@pytest.fixture(scope="module")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{SHARED_DATA} is missing on CI")
        pytest.skip(f"{SHARED_DATA} is missing")
    return SHARED_DATA


@pytest.fixture(scope="module")
def department_counts(shared_data: Path) -> Counter[str]:
    with (shared_data / PETITIONS_FILE).open(encoding="utf-8", newline="") as handle:
        return Counter(row["primary_department"] for row in csv.DictReader(handle))


def test_every_mapped_ministry_is_a_real_government_body() -> None:
    codes = {body.code for body in GOVERNMENT_BODIES}
    assert set(MINISTRY_FOR_DEPARTMENT.values()) <= codes


def test_the_table_has_one_reasoned_row_per_department_in_the_data(
    department_counts: Counter[str],
) -> None:
    departments = [mapping.department for mapping in DEPARTMENT_MAPPINGS]
    assert len(departments) == len(set(departments))
    assert set(departments) == set(department_counts) - {""}
    assert all(mapping.reason for mapping in DEPARTMENT_MAPPINGS)


def test_seed_holds_mapped_petitions_and_one_mandate_per_ministry(
    shared_data: Path, department_counts: Counter[str]
) -> None:
    texts, labels = load_seed_examples(shared_data, MANDATES)
    per_label = Counter(labels)
    mandates = [text for text in texts if text in MANDATES.values()]
    assert len(texts) == len(labels)
    assert set(labels) == set(MANDATES)
    assert sorted(mandates) == sorted(MANDATES.values())
    assert per_label["MENR"] == department_counts["DEFRA"] + 1
    assert per_label["MJ"] == department_counts["MoJ"] + department_counts["AGO"] + 1
    assert per_label["MA"] == 1  # no UK department maps to agriculture: the mandate alone
    assert len(texts) == sum(
        count
        for department, count in department_counts.items()
        if department in MINISTRY_FOR_DEPARTMENT
    ) + len(MANDATES)


def test_petition_text_joins_action_background_and_details(shared_data: Path) -> None:
    with (shared_data / PETITIONS_FILE).open(encoding="utf-8", newline="") as handle:
        first = next(row for row in csv.DictReader(handle) if row["primary_department"] == "DfT")
    texts, labels = load_seed_examples(shared_data, {"MT": "Transport."})
    assert texts[0].startswith(first["action"].strip())
    assert first["background"].strip() in texts[0]
    assert labels[0] == "MT"


def test_departments_of_unknown_ministries_are_left_out(shared_data: Path) -> None:
    texts, labels = load_seed_examples(shared_data, {"MT": "Transport.", "MD": "Defence."})
    assert set(labels) == {"MT", "MD"}
    assert texts[-2:] == ["Defence.", "Transport."]


def test_the_docstring_documents_every_row_of_the_table() -> None:
    """The module docstring is the README's copy of the table: it must not drift from the code."""
    documented = " ".join((router_seed.__doc__ or "").split())
    for mapping in DEPARTMENT_MAPPINGS:
        target = mapping.ministry or "none"
        assert f"{mapping.department} (" in documented
        assert f") -> {target}: {mapping.reason}" in documented

"""Real citizen text cut from ../shared/data, for tests that need comments to work with."""

from __future__ import annotations

import csv
import os
from functools import cache
from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def _require(path: Path) -> Path:
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"shared data missing: {path}")
        pytest.skip(f"shared data missing: {path}")
    return path


@cache
def _polis(conversation: str) -> tuple[tuple[str, str], ...]:
    path = _require(SHARED_DATA / "polis" / conversation / "comments.csv")
    with path.open(encoding="utf-8") as handle:
        return tuple((row["moderated"], row["comment-body"]) for row in csv.DictReader(handle))


def polis_comments(
    conversation: str = "15-per-hour-seattle", *, moderated: str = "1", min_length: int = 10
) -> list[str]:
    """Comments of one real Pol.is conversation with the facilitators' decision (1 or -1)."""
    return [
        body.strip()
        for decision, body in _polis(conversation)
        if decision == moderated and len(body.strip()) >= min_length
    ]


POLIS_SPAM = "First piece of spam on polis!  Buy products now!"  # rejected in 15-per-hour-seattle


@cache
def _petitions() -> tuple[dict[str, str], ...]:
    path = _require(SHARED_DATA / "uk-petitions" / "petitions.csv")
    with path.open(encoding="utf-8") as handle:
        return tuple(csv.DictReader(handle))


def petition_text(row: dict[str, str]) -> str:
    return "\n\n".join(
        row[c].strip() for c in ("action", "background", "additional_details") if row[c]
    )


def duplicate_petition_pairs() -> list[tuple[str, str]]:
    """(original, later duplicate) texts: petitions the committee rejected as duplicates of one
    it names in its reason, where the named original was published."""
    published = {row["id"]: row for row in _petitions() if row["state"] in ("open", "closed")}
    pairs = []
    for row in _petitions():
        if row["rejection_code"] != "duplicate":
            continue
        named = row["rejection_details"].rstrip("/").rsplit("/", 1)[-1]
        if named in published:
            pairs.append((petition_text(published[named]), petition_text(row)))
    return pairs


def original_with_duplicates(n: int = 2) -> list[tuple[str, list[str]]]:
    """Published petitions that at least n later petitions duplicated, with those duplicates."""
    grouped: dict[str, list[str]] = {}
    for original, duplicate in duplicate_petition_pairs():
        grouped.setdefault(original, []).append(duplicate)
    return [(original, copies) for original, copies in grouped.items() if len(copies) >= n]


def department_petitions() -> list[dict[str, str]]:
    """Petitions with the government department that answered them (`primary_department`)."""
    return [row for row in _petitions() if row["primary_department"]]


@cache
def sib200_sentences(language: str, split: str = "dev") -> tuple[str, ...]:
    """Real FLORES-200 sentences (../shared/data/sib200, CC BY-SA 4.0) of one language
    folder (kaz_Cyrl, rus_Cyrl, eng_Latn)."""
    path = _require(SHARED_DATA / "sib200" / language / f"{split}.tsv")
    with path.open(encoding="utf-8", newline="") as handle:
        return tuple(row["text"] for row in csv.DictReader(handle, delimiter="\t"))

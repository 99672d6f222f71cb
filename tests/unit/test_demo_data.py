"""The demo data set is well formed: bodies, drafts and the Pol.is mapping (no app needed)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from listening_state.demo.drafts import DEMO_DRAFTS, DemoDraft
from listening_state.demo.loader import SHARED_DATA_ENV, resolve_shared_data_dir
from listening_state.demo.ministries import GOVERNMENT_BODIES
from listening_state.demo.polis import (
    OPEN_NOW,
    POLIS_MINISTRIES,
    closing_time,
    consultation_input,
    detect_language,
    last_comment_time,
    opening_time,
    read_conversation,
)
from listening_state.services.drafts import split_draft
from listening_state.text import KAZAKH_ALPHABET

KAZAKH_SPECIFIC = set("әғқңөұүһі")
CODES = {body.code for body in GOVERNMENT_BODIES}
POLIS_DIR = resolve_shared_data_dir() / "polis"
NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def _letters(text: str) -> set[str]:
    return {char for char in text.casefold() if char.isalpha()}


def _polis_folders() -> set[str]:
    return {path.parent.name for path in POLIS_DIR.glob("*/comments.csv")}


needs_polis = pytest.mark.skipif(not POLIS_DIR.is_dir(), reason=f"no Pol.is data at {POLIS_DIR}")


def test_body_codes_are_unique_short_and_uppercase() -> None:
    codes = [body.code for body in GOVERNMENT_BODIES]
    assert len(codes) == len(set(codes)) == 23
    assert all(code.isupper() and len(code) <= 16 for code in codes)


def test_kazakh_names_are_kazakh_cyrillic() -> None:
    for body in GOVERNMENT_BODIES:
        for name in (body.name_kk, body.council_name_kk):
            assert _letters(name) <= set(KAZAKH_ALPHABET), name
            assert _letters(name) & KAZAKH_SPECIFIC, name


def test_russian_names_are_russian_cyrillic() -> None:
    for body in GOVERNMENT_BODIES:
        for name in (body.name_ru, body.council_name_ru):
            assert _letters(name) <= set(KAZAKH_ALPHABET) - KAZAKH_SPECIFIC, name


def test_council_names_follow_the_official_pattern() -> None:
    mne = next(body for body in GOVERNMENT_BODIES if body.code == "MNE")
    assert mne.council_name_en == "Public Council of the Ministry of National Economy"
    assert mne.council_name_ru == (
        "Общественный совет при Министерстве национальной экономики Республики Казахстан"
    )
    assert mne.council_name_kk == (
        "Қазақстан Республикасы Ұлттық экономика министрлігі жанындағы Қоғамдық кеңес"
    )
    assert all(body.short_name_en in body.council_description for body in GOVERNMENT_BODIES)


def test_mandates_have_three_to_five_sentences() -> None:
    for body in GOVERNMENT_BODIES:
        sentences = re.findall(r"[.!?](?:\s|$)", body.mandate)
        assert 3 <= len(sentences) <= 5, body.code


@pytest.mark.parametrize("draft", DEMO_DRAFTS, ids=lambda draft: draft.slug)
def test_each_draft_has_four_to_six_sections_of_80_to_200_words(draft: DemoDraft) -> None:
    sections = split_draft(draft.markdown)
    assert 4 <= len(sections) <= 6
    for section in sections:
        assert 80 <= len(re.findall(r"\w+", section.body)) <= 200, section.heading


def test_drafts_say_they_are_demonstrations_and_belong_to_known_bodies() -> None:
    labels = {
        "en": "[Demonstration draft]",
        "ru": "[Демонстрационный проект]",
        "kk": "[Демонстрациялық жоба]",
    }
    for draft in DEMO_DRAFTS:
        assert draft.title.startswith(labels[draft.language])
        assert draft.summary.startswith(labels[draft.language])
        assert draft.ministry_code in CODES
        assert 20 <= draft.closes_in_days <= 45
    assert sorted(draft.language for draft in DEMO_DRAFTS) == ["en", "en", "kk", "ru"]
    assert len({draft.slug for draft in DEMO_DRAFTS}) == len(DEMO_DRAFTS)


def test_polis_mapping_points_to_known_bodies_once_per_conversation() -> None:
    conversations = [mapping.conversation for mapping in POLIS_MINISTRIES]
    assert len(conversations) == len(set(conversations))
    assert {mapping.ministry_code for mapping in POLIS_MINISTRIES} <= CODES
    assert all(mapping.reason for mapping in POLIS_MINISTRIES)
    assert OPEN_NOW.issubset(conversations)
    assert len(OPEN_NOW) == len(conversations) // 2


@needs_polis
def test_polis_mapping_covers_every_conversation_folder() -> None:
    assert _polis_folders() <= {mapping.conversation for mapping in POLIS_MINISTRIES}


@needs_polis
@pytest.mark.parametrize(
    ("folder", "language"),
    [
        ("austria-climate.2vkxcncppn.2022-07-07", "de"),
        ("vtaiwan.uberx", "zh"),
        ("15-per-hour-seattle", "en"),
        ("brexit-consensus", "en"),
    ],
)
def test_conversation_language_is_detected_from_its_text(folder: str, language: str) -> None:
    conversation = read_conversation(POLIS_DIR / folder)
    texts = [conversation.topic, conversation.description]
    assert detect_language(texts + [c.body for c in conversation.comments]) == language


def test_open_conversations_close_in_5_to_40_days_and_closed_ones_1_to_60_days_ago() -> None:
    for mapping in POLIS_MINISTRIES:
        key = mapping.conversation
        if key in OPEN_NOW:
            assert timedelta(days=5) <= closing_time(key, open_now=True, now=NOW) - NOW
            assert closing_time(key, open_now=True, now=NOW) - NOW <= timedelta(days=40)
        else:
            assert timedelta(days=1) <= NOW - closing_time(key, open_now=False, now=NOW)
            assert NOW - closing_time(key, open_now=False, now=NOW) <= timedelta(days=60)


@needs_polis
def test_shifted_comments_fall_inside_the_period_and_before_now() -> None:
    for key in sorted(_polis_folders()):
        conversation = read_conversation(POLIS_DIR / key)
        closes_at = closing_time(key, open_now=key in OPEN_NOW, now=NOW)
        opens_at = opening_time(conversation, closes_at=closes_at, now=NOW)
        last = last_comment_time(key, closes_at=closes_at, now=NOW)
        first = conversation.first_written_at + (last - conversation.last_written_at)
        assert opens_at <= first <= last < min(closes_at, NOW), key


@needs_polis
def test_polis_consultation_carries_attribution_and_one_section() -> None:
    conversation = read_conversation(POLIS_DIR / "scoop-hivemind.affordable-housing")
    data = consultation_input(conversation, opens_at=NOW, closes_at=NOW, language="en")
    assert "CC BY 4.0, compdemocracy/openData" in data.summary
    assert conversation.url in data.summary
    assert "__" not in data.summary  # Markdown emphasis is unwrapped in the plain summary
    assert [s.heading for s in split_draft(data.draft_markdown)] == [conversation.topic]


def test_shared_data_dir_is_argument_then_environment_then_beside_the_project(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    project = Path(__file__).resolve().parents[2]
    monkeypatch.delenv(SHARED_DATA_ENV, raising=False)
    assert resolve_shared_data_dir() == project.parent / "shared" / "data"
    monkeypatch.setenv(SHARED_DATA_ENV, "/srv/shared-data")
    assert resolve_shared_data_dir() == Path("/srv/shared-data")
    assert resolve_shared_data_dir(Path("/x")) == Path("/x")

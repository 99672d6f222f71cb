"""A Markdown draft splits into sections at `## ` headings and rebuilds identically."""

import pytest

from listening_state.services.drafts import DraftSection, join_draft, split_draft
from listening_state.services.errors import ValidationFailed


def test_split_keeps_order_headings_and_bodies() -> None:
    sections = split_draft("## 1. Жалпы ережелер\nМәтін.\n\n### Sub\nMore.\n## 2. Scope\nText.")
    assert sections == [
        DraftSection("1. Жалпы ережелер", "Мәтін.\n\n### Sub\nMore."),
        DraftSection("2. Scope", "Text."),
    ]


def test_join_then_split_round_trips() -> None:
    sections = [DraftSection("One", "Body **one**."), DraftSection("Two", "")]
    assert split_draft(join_draft(sections)) == sections


@pytest.mark.parametrize("source", ["", "Text before any heading\n## One\nBody", "# Title only"])
def test_a_draft_without_leading_section_heading_is_refused(app: object, source: str) -> None:
    with pytest.raises(ValidationFailed) as error:
        split_draft(source)
    assert "draft" in error.value.errors

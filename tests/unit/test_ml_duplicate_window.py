"""The duplicate hint's analysed window: the same index as from the texts, analysing less."""

from __future__ import annotations

import numpy as np
import pytest

from listening_state.ml.duplicate_window import DuplicateWindow
from listening_state.ml.duplicates import DuplicateIndex, DuplicateSettings
from listening_state.ml.features import Analyzer, FeatureSpec
from tests.real_text import duplicate_petition_pairs, polis_comments


def comments() -> list[str]:
    """Real comments, then real petitions that include duplicates of each other."""
    petitions = [text for pair in duplicate_petition_pairs()[:15] for text in pair]
    return [*polis_comments()[:60], *petitions]


def assert_same_index(window_index: DuplicateIndex, items: list[tuple[int, str]]) -> None:
    expected = DuplicateIndex(items)
    assert window_index.keys.tolist() == expected.keys.tolist()
    queries = [text for _, text in items[-3:]] + [comments()[-1]]
    assert np.array_equal(window_index.scores(queries), expected.scores(queries))
    for query in queries:
        assert window_index.similar(query, limit=3) == expected.similar(query, limit=3)


def test_a_sliding_window_gives_the_index_of_its_texts_bit_for_bit() -> None:
    texts = comments()
    window = DuplicateWindow()
    for end in range(40, len(texts), 7):  # each step: new comments arrive, the oldest leave
        items = [(key, texts[key]) for key in range(max(0, end - 50), end)]
        assert_same_index(window.index(items), items)


def test_an_edited_text_is_analysed_again() -> None:
    texts = comments()
    window = DuplicateWindow()
    items = [(key, texts[key]) for key in range(30)]
    window.index(items)
    assert window.analysed == 30
    # A moderator redacts comment 4; comment 30 arrives.
    items[4] = (4, texts[4].replace(texts[4].split()[0], "[redacted]", 1))
    items.append((30, texts[30]))
    assert_same_index(window.index(items), items)
    assert window.analysed == 32  # the edited one and the new one, nothing else


def test_only_texts_the_window_has_not_seen_are_analysed() -> None:
    texts = comments()
    window = DuplicateWindow()
    window.index([(key, texts[key]) for key in range(40)])
    window.index([(key, texts[key]) for key in range(1, 41)])
    assert window.analysed == 41
    # Keys it held, given in another order and with one left out, cost nothing new.
    shuffled = [(key, texts[key]) for key in (40, 3, 17, 1, 39)]
    assert_same_index(window.index(shuffled), shuffled)
    assert window.analysed == 41


def test_an_empty_window_and_back() -> None:
    texts = comments()
    window = DuplicateWindow()
    window.index([(1, texts[1])])
    empty = window.index([])
    assert len(empty) == 0
    assert empty.similar(texts[1]) == []
    items = [(key, texts[key]) for key in range(5)]
    assert_same_index(window.index(items), items)


def test_keys_must_stay_unique() -> None:
    with pytest.raises(ValueError, match="unique"):
        DuplicateWindow().index([(1, comments()[0]), (1, comments()[1])])


def test_a_shared_analyzer_must_count_what_the_settings_say() -> None:
    other = Analyzer(FeatureSpec(word_max_n=1))
    with pytest.raises(ValueError, match="spec"):
        DuplicateWindow(DuplicateSettings(), analyzer=other)
    shared = Analyzer(DuplicateSettings().spec)
    first, second = DuplicateWindow(analyzer=shared), DuplicateWindow(analyzer=shared)
    items = [(key, text) for key, text in enumerate(comments()[:20])]
    assert_same_index(first.index(items), items)
    assert_same_index(second.index(items[5:]), items[5:])

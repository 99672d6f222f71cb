"""The duplicate hint's kept window: the same matches as the index built from the texts.

`DuplicateWindow.index` gives that index bit for bit; `DuplicateWindow.similar` scores without
building it, so its scores are checked within 1e-9 and its matches key for key, in order.
"""

from __future__ import annotations

import threading
import tracemalloc
from collections.abc import Mapping

import numpy as np
import pytest

from listening_state.ml.duplicate_window import DuplicateWindow
from listening_state.ml.duplicates import DuplicateIndex, DuplicateSettings, text_counts
from listening_state.ml.features import Analyzer, FeatureSpec
from listening_state.ml.growing_counts import TextCounts
from tests.real_text import duplicate_petition_pairs, polis_comments, sib200_sentences


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


# -- DuplicateWindow.similar: the index's matches without building the index ------------------


def sentences(language: str) -> list[str]:
    return list(sib200_sentences(language))


def assert_same_matches(
    window: DuplicateWindow,
    items: list[tuple[int, str]],
    queries: list[str],
    resolved: Mapping[int, int] | None = None,
    key: int | None = None,
) -> None:
    """The window's answer is the fresh index's: keys in order, scores within 1e-9."""
    index = DuplicateIndex(items)
    for query in queries:
        for limit, min_score in ((10, 0.0), (3, 0.15)):
            expected = index.similar(query, limit=limit, min_score=min_score, resolved=resolved)
            got = window.similar(
                items, query, limit=limit, min_score=min_score, resolved=resolved, key=key
            )
            assert [match.key for match in got] == [match.key for match in expected]
            scores = [match.score for match in got]
            assert scores == pytest.approx([match.score for match in expected], abs=1e-9)


def test_similar_matches_the_index_as_comments_arrive_and_leave() -> None:
    texts = comments()
    window = DuplicateWindow()
    for end in range(20, len(texts), 3):  # the oldest leave: removed rows are compacted away
        items = [(key, texts[key]) for key in range(max(0, end - 30), end)]
        assert_same_matches(window, items, [texts[end], texts[end - 5]])


def test_a_comment_compared_with_its_key_is_not_analysed_again_when_it_arrives() -> None:
    texts = comments()
    window = DuplicateWindow()
    window.index([(key, texts[key]) for key in range(20)])
    for key in range(20, 45):  # each comment, compared with the ones before it, then stored
        items = [(earlier, texts[earlier]) for earlier in range(max(0, key - 30), key)]
        assert_same_matches(window, items, [texts[key]], key=key)
    assert window.analysed == 20  # the first 20; each later one only as a query
    items = [(key, texts[key]) for key in range(15, 45)]
    assert_same_index(window.index(items), items)  # every row as if analysed afresh


def test_a_kept_query_is_analysed_again_if_it_was_edited_before_arriving() -> None:
    texts = comments()
    window = DuplicateWindow()
    items = [(key, texts[key]) for key in range(10)]
    window.similar(items, texts[10], key=10)
    edited = texts[10].replace(texts[10].split()[0], "[redacted]", 1)
    assert_same_matches(window, [*items, (10, edited)], [texts[11]], key=11)
    assert window.analysed == 11


def test_similar_matches_the_index_after_an_edit() -> None:
    texts = comments()
    window = DuplicateWindow()
    items = [(key, texts[key]) for key in range(40)]
    assert_same_matches(window, items, [texts[40]])
    # Moderators redact two comments (same key, other text); one comes back as it was.
    items[4] = (4, texts[4].replace(texts[4].split()[0], "[redacted]", 1))
    items[9] = (9, texts[41])
    assert_same_matches(window, items, [texts[4], texts[41]])
    items[4] = (4, texts[4])
    assert_same_matches(window, items, [texts[4], texts[42]])
    assert window.analysed == 43


def test_similar_folds_known_duplicates_as_the_index_does() -> None:
    pairs = duplicate_petition_pairs()[:12]
    originals = list(dict.fromkeys(original for original, _ in pairs))
    texts = [*polis_comments()[:30], *originals, *(copy for _, copy in pairs)]
    items = list(enumerate(texts))
    key_of = {text: key for key, text in reversed(items)}
    # The first copies were rejected as duplicates; the last ones are the new comments.
    resolved = {key_of[copy]: key_of[original] for original, copy in pairs[:8]}
    window = DuplicateWindow()
    queries = [copy for _, copy in pairs[8:]] + [original for original, _ in pairs[:3]]
    assert_same_matches(window, items, queries, resolved)
    # A chain: one known duplicate of a known duplicate, folding into the original.
    first, second = pairs[0][1], pairs[1][1]
    chained = {**resolved, key_of[second]: key_of[first]}
    assert_same_matches(window, items[5:], queries, chained)


def test_similar_matches_the_index_on_kazakh_and_russian() -> None:
    kazakh, russian = sentences("kaz_Cyrl")[:40], sentences("rus_Cyrl")[:40]
    texts = [text for pair in zip(kazakh, russian, strict=True) for text in pair]
    # Mixed comments: a Kazakh first line over a Russian body, and the other way round.
    texts += [f"{kazakh[i]}\n{russian[i + 1]}" for i in range(0, 20, 2)]
    texts += [f"{russian[i]}\n\n{kazakh[i]}" for i in range(1, 20, 2)]
    window = DuplicateWindow()
    for end in (40, 70, 100):
        items = list(enumerate(texts[end - 40 : end], start=end - 40))
        queries = [texts[end - 1], f"{kazakh[30]} {russian[30]}", f"{russian[5]}\n{kazakh[5]}"]
        assert_same_matches(window, items, queries)


def test_texts_of_two_letter_words_have_no_character_ngrams() -> None:
    """Such a row is scaled back to unit length; its score with itself stays 1."""
    two_letters = "we do go on as we do, so be it"
    texts = [*polis_comments()[:25], two_letters, "no, it is as it is", "ok so be it"]
    items = list(enumerate(texts))
    window = DuplicateWindow()
    assert_same_matches(window, items, [two_letters, "so be it", texts[3] + " so be it"])
    [match, *_] = window.similar(items, two_letters)
    assert (match.key, match.score) == (25, pytest.approx(1.0))
    # A window where no text has a character n-gram at all.
    short = list(enumerate([two_letters, "no, it is as it is", "ok so be it"]))
    assert_same_matches(window, short, [two_letters, texts[0]])


def test_a_query_whose_first_line_has_no_features_is_scored_on_its_body() -> None:
    texts = comments()
    items = [(key, texts[key]) for key in range(50)]
    window = DuplicateWindow()
    queries = [
        f"***\n{texts[7]}",  # no word on the first line
        f"-\n\n{texts[12]}\n{texts[30]}",
        f"zyzzogeton qwxv\n{texts[7]}",  # words the window's first lines never had
        f"{texts[7]}\n{texts[12]}",
    ]
    assert_same_matches(window, items, queries)
    # Texts in the window with such first lines, too.
    items += [(50, queries[0]), (51, queries[1])]
    assert_same_matches(window, items, queries)


def test_an_empty_window_matches_nothing_and_a_window_fills_again() -> None:
    texts = comments()
    window = DuplicateWindow()
    assert window.similar([(1, texts[1])], texts[1])[0].key == 1
    assert window.similar([], texts[1]) == []
    assert window.similar([(1, texts[1])], texts[1], limit=0) == []
    items = [(key, texts[key]) for key in range(5)]
    assert_same_matches(window, items, [texts[1], texts[6]])


def test_similar_refuses_repeated_keys_and_keeps_its_rows() -> None:
    texts = comments()
    window = DuplicateWindow()
    items = [(key, texts[key]) for key in range(10)]
    window.similar(items, texts[10])
    with pytest.raises(ValueError, match="unique"):
        window.similar([*items, (3, texts[11])], texts[10])
    assert_same_matches(window, items, [texts[10]])


def test_memory_follows_the_window_not_the_history() -> None:
    """Rows that left and the n-gram columns only they used are compacted away."""
    texts = comments()
    window, size, most_removed = DuplicateWindow(), 10, 10 // 4 + 16
    for end in range(size, len(texts)):
        window.similar([(key, texts[key]) for key in range(end - size, end)], texts[end])
    assert window._slots <= size + most_removed
    analyzer = Analyzer(window.settings.spec)
    live = text_counts(analyzer, texts[len(texts) - 1 - size : -1])
    recent = text_counts(analyzer, texts[len(texts) - 1 - size - most_removed : -1])
    for block, live_keys, recent_keys in (
        (window._body.word, live.word_keys, recent.word_keys),
        (window._body.char, live.char_keys, recent.char_keys),
    ):
        assert np.count_nonzero(block.df) == len(live_keys)
        # The only columns left unused are those of rows removed since the last compaction.
        assert len(block.df) <= len(recent_keys)


def test_a_window_knows_about_how_much_memory_it_keeps() -> None:
    """`nbytes` (what the hint's memory budget adds up) against what tracemalloc counts."""
    texts = comments()
    tracemalloc.start()
    try:
        window = DuplicateWindow(analyzer=Analyzer(DuplicateSettings().spec))
        before = tracemalloc.get_traced_memory()[0]
        window.similar(list(enumerate(texts[:-1])), texts[-1])
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert 0.5 * kept <= window.nbytes <= 1.5 * kept
    # It follows the window: fewer rows, less memory.
    full = window.nbytes
    window.similar(list(enumerate(texts[:20])), texts[-1])
    assert window.nbytes < full / 2


def test_threads_sharing_a_window_get_the_index_answers() -> None:
    texts = comments()
    window = DuplicateWindow()
    windows = [[(key, texts[key]) for key in range(start, start + 30)] for start in range(8)]
    expected = [DuplicateIndex(items).similar(texts[40], limit=5) for items in windows]
    answers: dict[int, list[list[int]]] = {}

    def ask(thread: int) -> None:
        answers[thread] = [
            [match.key for match in window.similar(items, texts[40], limit=5)]
            for items in windows[thread:] + windows[:thread]
        ]

    threads = [threading.Thread(target=ask, args=(number,)) for number in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for thread, keys in answers.items():
        order = expected[thread:] + expected[:thread]
        assert keys == [[match.key for match in matches] for matches in order]


def test_one_text_is_counted_as_text_counts_counts_it() -> None:
    analyzer = Analyzer(DuplicateSettings().spec)
    texts = [*comments()[:20], *sentences("kaz_Cyrl")[:10], *sentences("rus_Cyrl")[:10], "", "!"]
    for text in texts:
        one = TextCounts.count(analyzer, text)
        counted = TextCounts.of(text_counts(analyzer, [text]))
        for mine, theirs in ((one.word, counted.word), (one.char, counted.char)):
            for array, expected in zip(mine, theirs, strict=True):
                assert array.tolist() == expected.tolist()

"""The latest comments of a consultation, analysed once, for the duplicate hint.

Each new comment is compared with up to a few thousand comments before it. Building that
index from the texts means analysing every text again (about a second at 5,000 comments),
though all but one of them were there for the previous comment. A `DuplicateWindow` keeps
each text's raw n-gram counts between calls and analyses only what it has not seen: a new
comment, or one a moderator edited (each text is recognised by its key and a CRC-32 of
its words). The vocabulary and IDF are still fitted on the whole window at every call,
so the index is the one `DuplicateIndex(items)` builds, bit for bit; only the analysis
is saved.
"""

from __future__ import annotations

import threading
import zlib
from collections.abc import Sequence

import numpy as np
from scipy import sparse

from listening_state.ml.duplicates import (
    DuplicateIndex,
    DuplicateSettings,
    first_line,
    text_counts,
)
from listening_state.ml.features import (
    Analyzer,
    BlockCounts,
    IntArray,
    Matrix,
    key_columns,
    remap_columns,
)


class DuplicateWindow:
    """Counts of the texts last indexed, kept for the next index; safe to share by threads."""

    def __init__(
        self, settings: DuplicateSettings | None = None, analyzer: Analyzer | None = None
    ) -> None:
        """`analyzer` (of the settings' spec) may be shared by windows: its word cache is."""
        self.settings = settings or DuplicateSettings()
        self._analyzer = analyzer or Analyzer(self.settings.spec)
        if self._analyzer.spec != self.settings.spec:
            raise ValueError("the analyzer must use the settings' feature spec")
        self._lock = threading.Lock()
        self._keys: IntArray = np.empty(0, dtype=np.int64)
        self._prints: IntArray = np.empty(0, dtype=np.int64)
        self._body: BlockCounts | None = None
        self._title: BlockCounts | None = None
        self.analysed = 0  # texts analysed so far: what the window saves is the rest

    def index(self, items: Sequence[tuple[int, str]]) -> DuplicateIndex:
        """`DuplicateIndex(items)`, analysing only the texts this window has not seen."""
        with self._lock:
            return self._index(items)

    def _index(self, items: Sequence[tuple[int, str]]) -> DuplicateIndex:
        keys = np.array([key for key, _ in items], dtype=np.int64)
        prints = np.array([zlib.crc32(text.encode("utf-8")) for _, text in items], np.int64)
        known = {int(key): row for row, key in enumerate(self._keys)}
        old_rows = np.array([known.get(int(key), -1) for key in keys], dtype=np.int64)
        kept = old_rows >= 0
        kept[kept] = self._prints[old_rows[kept]] == prints[kept]
        fresh = np.flatnonzero(~kept)
        texts = [items[position][1] for position in fresh.tolist()]
        self.analysed += len(texts)
        # Rows are stacked kept-then-fresh; `order` puts them back in the items' order.
        order = np.empty(len(items), dtype=np.int64)
        order[np.flatnonzero(kept)] = np.arange(int(kept.sum()))
        order[fresh] = np.arange(int(kept.sum()), len(items))
        body = self._gather(self._body, old_rows[kept], texts, order)
        title = None
        if self.settings.title_weight > 0:
            titles = [first_line(text) for text in texts]
            title = self._gather(self._title, old_rows[kept], titles, order)
        self._keys, self._prints, self._body, self._title = keys, prints, body, title
        return DuplicateIndex.from_counts(keys, body, title, self.settings, self._analyzer)

    def _gather(
        self, previous: BlockCounts | None, rows: IntArray, texts: list[str], order: IntArray
    ) -> BlockCounts | None:
        if not len(order):
            return None
        parts = [] if previous is None or not len(rows) else [previous.rows(rows)]
        if texts:
            parts.append(text_counts(self._analyzer, texts))
        return _stack(parts, order)


def _stack(parts: list[BlockCounts], order: IntArray) -> BlockCounts:
    """The parts' rows one after another, reordered by `order`, in one key space holding
    exactly the keys those rows use (as counting the texts together would give)."""
    word, word_keys = _stack_block([(p.word, p.word_keys) for p in parts], order)
    char, char_keys = _stack_block([(p.char, p.char_keys) for p in parts], order)
    return BlockCounts(word, word_keys, char, char_keys)


def _stack_block(blocks: list[tuple[Matrix, IntArray]], order: IntArray) -> tuple[Matrix, IntArray]:
    all_keys = _union([keys for _, keys in blocks])
    # Keys are sorted in every part and in the union, so remapping keeps rows sorted.
    stacked = sparse.vstack(
        [
            remap_columns(matrix, key_columns(all_keys, keys), len(all_keys))
            for matrix, keys in blocks
        ],
        format="csr",
    )
    if not np.array_equal(order, np.arange(len(order))):  # usually new comments come last
        stacked = stacked[order]
    used = np.flatnonzero(np.bincount(stacked.indices, minlength=len(all_keys)))
    columns = np.full(len(all_keys), -1, dtype=np.int64)
    columns[used] = np.arange(len(used))
    return remap_columns(stacked, columns, len(used)), all_keys[used]


def _union(key_sets: list[IntArray]) -> IntArray:
    """The sorted union of sorted key arrays: the largest (the kept window) plus the few keys
    the others add, without re-sorting the whole union from scratch as np.unique would."""
    largest = max(key_sets, key=len)
    added = [keys[key_columns(largest, keys) < 0] for keys in key_sets if keys is not largest]
    if not any(len(keys) for keys in added):
        return largest
    # Timsort (kind="stable") merges a sorted run and a short tail in about linear time.
    return np.sort(np.concatenate([largest, np.unique(np.concatenate(added))]), kind="stable")

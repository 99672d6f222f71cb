"""The latest comments of a consultation, kept between calls, for the duplicate hint.

Each new comment is compared with up to a few thousand before it as `DuplicateIndex(items)
.similar(text)` defines it (vocabulary and IDF of the current window), though building that
index on every comment re-analyses, re-weights and transposes a window that is all but the same.
A `DuplicateWindow` keeps each text's raw n-gram counts in columns that only grow (a new n-gram
gets the next column; kept rows are never re-mapped) and each column's document frequency as
texts come and go (an edited text, known by its key and words, goes and comes back). `similar`
then takes a few passes over the kept arrays: the IDF (again only where document frequencies
changed), each row's length under it (squared term frequencies times squared IDF, one sparse
product) and one sparse product with the query's weights. Its scores are the index's within
rounding (1e-9, not bit for bit: sums run in another order), so the matches are the same;
`index` still builds the index itself, bit for bit, from the kept counts. Removed rows, and the
columns only they used, are compacted away now and then: memory follows the window.
"""

from __future__ import annotations

import operator
import sys
import threading
from collections.abc import Mapping, Sequence
from itertools import repeat

import numpy as np

from listening_state.ml.duplicates import (
    DuplicateIndex,
    DuplicateSettings,
    Match,
    best_matches,
    first_line,
    fold_known_duplicates,
    links,
    text_counts,
)
from listening_state.ml.features import (
    Analyzer,
    BlockCounts,
    FloatArray,
    IntArray,
)
from listening_state.ml.growing_counts import BoolArray, GrowingBlock, TextCounts, room

# A dict entry with an int key: its slot in the table and the int object (CPython, 64-bit).
_DICT_ENTRY_BYTES = 100


class _Space:
    """The kept rows in one feature space (the texts' bodies, or their first lines)."""

    def __init__(self, settings: DuplicateSettings) -> None:
        spec = settings.spec
        self.word = GrowingBlock(spec, spec.max_word_features)
        self.char = GrowingBlock(spec, spec.max_char_features)
        total = settings.word_weight + settings.char_weight
        self._shares = (settings.word_weight / total, settings.char_weight / total)

    def append(self, counts: TextCounts) -> None:
        self.word.append(counts.word)
        self.char.append(counts.char)

    def counts(self, slots: IntArray) -> BlockCounts:
        word, word_keys = self.word.counts(slots)
        char, char_keys = self.char.counts(slots)
        return BlockCounts(word, word_keys, char, char_keys)

    def scores(self, query: TextCounts, slots: IntArray) -> tuple[FloatArray, bool]:
        """Similarity of the query with each slot, clipped to [0, 1], and whether the query
        has any feature of this space's vocabulary (as duplicates._Space's rows give)."""
        word, word_present, query_word = self.word.cosines(query.word, len(slots), slots)
        char, char_present, query_char = self.char.cosines(query.char, len(slots), slots)
        word_share, char_share = self._shares
        # Each block is a unit vector scaled by the square root of its share; a row with an
        # empty block is scaled back to unit length (duplicates._Space._weighted).
        query_length = np.sqrt(word_share * query_word + char_share * query_char) or 1.0
        lengths = np.sqrt(word_share * word_present + char_share * char_present)
        lengths[lengths == 0] = 1.0
        scores = (word_share * word + char_share * char) / (query_length * lengths)
        return np.clip(scores, 0.0, 1.0), query_word or query_char


class DuplicateWindow:
    """Counts of the texts last seen, kept for the next comment; safe to share by threads."""

    def __init__(
        self, settings: DuplicateSettings | None = None, analyzer: Analyzer | None = None
    ) -> None:
        """`analyzer` (of the settings' spec) may be shared by windows: its word cache is."""
        self.settings = settings or DuplicateSettings()
        self._analyzer = analyzer or Analyzer(self.settings.spec)
        if self._analyzer.spec != self.settings.spec:
            raise ValueError("the analyzer must use the settings' feature spec")
        self._lock = threading.Lock()
        self._body = _Space(self.settings)
        self._title = _Space(self.settings) if self.settings.title_weight > 0 else None
        self._slot_of: dict[int, int] = {}  # key -> slot of its row
        self._text_of: dict[int, str] = {}  # key -> the text its row counts
        self._slot_keys: IntArray = np.empty(0, dtype=np.int64)
        self._live: BoolArray = np.empty(0, dtype=bool)
        self._slots = 0
        self._text_bytes = 0  # what the kept texts take (sys.getsizeof)
        self.analysed = 0  # texts analysed so far: what the window saves is the rest
        # The last query with a key: it usually arrives as the next comment's newest row.
        self._last_query: tuple[int, str, tuple[TextCounts, TextCounts | None]] | None = None

    def index(self, items: Sequence[tuple[int, str]]) -> DuplicateIndex:
        """`DuplicateIndex(items)`, bit for bit, analysing only the texts this window has not
        seen (slower than `similar`: it fits and weighs the whole window again)."""
        with self._lock:
            return self._index(self._update(items))

    def similar(
        self,
        items: Sequence[tuple[int, str]],
        text: str,
        *,
        limit: int = 5,
        min_score: float = 0.0,
        resolved: Mapping[int, int] | None = None,
        key: int | None = None,
    ) -> list[Match]:
        """`DuplicateIndex(items).similar(text, ...)`: the same matches, scores within 1e-9,
        without building the index.

        `key`: the query's own key, when it will be among the next call's items (a comment
        then compared with the ones after it); its counts are kept, not analysed again.
        """
        body_query, title_query = counted = self._count(text)
        with self._lock:
            slots = self._update(items)
            if key is not None:
                self._last_query = (key, text, counted)
            if not len(slots) or limit <= 0:
                return []
            if any(block.capped() for block in self._blocks()):
                index = self._index(slots)
                return index.similar(text, limit=limit, min_score=min_score, resolved=resolved)
            row, _ = self._body.scores(body_query, slots)
            if self._title is not None and title_query is not None:
                title, present = self._title.scores(title_query, slots)
                if present:  # a query whose first line has no features: the body alone
                    weight = self.settings.title_weight
                    row = (row + weight * title) / (1 + weight)
            keys = self._slot_keys[slots]
        if resolved:
            duplicates, roots = links(keys, resolved)
            row = fold_known_duplicates(
                row[None, :], duplicates, roots, self.settings.history_weight
            )[0]
        return best_matches(row, keys, limit, min_score)

    @property
    def nbytes(self) -> int:
        """About the memory the window keeps: its arrays, texts and key maps."""
        arrays = sum(block.nbytes for block in self._blocks())
        per_key = 2 * _DICT_ENTRY_BYTES + self._slot_keys.itemsize + self._live.itemsize
        return arrays + self._text_bytes + len(self._slot_of) * per_key

    def _count(self, text: str) -> tuple[TextCounts, TextCounts | None]:
        """One text's counts, and its first line's if the settings weigh it."""
        body = TextCounts.count(self._analyzer, text)
        if self._title is None:
            return body, None
        line = first_line(text)
        # Only a text of several lines has a first line with other words than its own.
        return body, body if line == text.strip() else TextCounts.count(self._analyzer, line)

    def _index(self, slots: IntArray) -> DuplicateIndex:
        keys = self._slot_keys[slots]
        if not len(slots):
            return DuplicateIndex.from_counts(keys, None, None, self.settings, self._analyzer)
        title = None if self._title is None else self._title.counts(slots)
        body = self._body.counts(slots)
        return DuplicateIndex.from_counts(keys, body, title, self.settings, self._analyzer)

    def _blocks(self) -> list[GrowingBlock]:
        spaces = [self._body] if self._title is None else [self._body, self._title]
        return [block for space in spaces for block in (space.word, space.char)]

    def _update(self, items: Sequence[tuple[int, str]]) -> IntArray:
        """Keep rows for exactly `items` (analysing new and edited texts); each item's slot."""
        keys, texts = (
            list(map(operator.itemgetter(0), items)),
            list(map(operator.itemgetter(1), items)),
        )
        if len(set(keys)) != len(keys):
            raise ValueError("keys must be unique")
        slots = np.fromiter(map(self._slot_of.get, keys, repeat(-1)), np.int64, len(keys))
        seen = map(operator.eq, map(self._text_of.get, keys), texts)
        fresh = np.flatnonzero(~np.fromiter(seen, dtype=bool, count=len(keys)))
        used = np.zeros(self._slots, dtype=bool)
        used[np.delete(slots, fresh)] = True
        gone = np.flatnonzero(self._live[: self._slots] & ~used)
        for block in self._blocks():
            block.remove(gone)
        self._live[gone] = False
        for key in self._slot_keys[gone].tolist():
            self._text_bytes -= sys.getsizeof(self._text_of.pop(key))
            del self._slot_of[key]
        if len(fresh):
            self._add([keys[position] for position in fresh], [texts[p] for p in fresh])
            slots[fresh] = np.arange(self._slots - len(fresh), self._slots)
        if self._slots - len(keys) > len(keys) // 4 + 16:  # removed rows: compact
            slots = self._compact()[slots]
        return slots

    def _add(self, keys: list[int], texts: list[str]) -> None:
        if len(texts) == 1:  # a new comment: the usual case, often the last query
            last = self._last_query
            if last is not None and last[:2] == (keys[0], texts[0]):
                body, title = last[2]
            else:
                self.analysed += 1
                body, title = self._count(texts[0])
        else:
            self.analysed += len(texts)
            body = TextCounts.of(text_counts(self._analyzer, texts))
            lines = [first_line(text) for text in texts]
            title = TextCounts.of(text_counts(self._analyzer, lines)) if self._title else None
        self._body.append(body)
        if self._title is not None and title is not None:
            self._title.append(title)
        end = self._slots + len(keys)
        self._slot_keys = room(self._slot_keys, self._slots, end)
        self._live = room(self._live, self._slots, end)
        self._slot_keys[self._slots : end] = keys
        self._live[self._slots : end] = True
        self._slot_of.update(zip(keys, range(self._slots, end), strict=True))
        self._text_of.update(zip(keys, texts, strict=True))
        self._text_bytes += sum(map(sys.getsizeof, texts))
        self._slots = end

    def _compact(self) -> IntArray:
        """Drop removed rows and the columns only they used; the new slot of each old one."""
        live = self._live[: self._slots]
        order = np.flatnonzero(live)
        renumber = np.full(self._slots, -1, dtype=np.int64)
        renumber[order] = np.arange(len(order))
        for block in self._blocks():
            block.compact(live)
        self._slot_keys = self._slot_keys[order]
        self._live = np.ones(len(order), dtype=bool)
        self._slots = len(order)
        self._slot_of = {key: int(renumber[slot]) for key, slot in self._slot_of.items()}
        return renumber

"""Raw n-gram counts of texts that come and go, in columns that only grow, with each column's
document frequency: what `DuplicateWindow` (duplicate_window.py) keeps between comments.

A new n-gram gets the next column, so kept rows are never re-mapped; a removed row's slot
stays (and stops counting for the document frequencies) until `compact`. `cosines` scores a
query with TF-IDF under the current frequencies, as `Vocabulary.fit` and duplicates._Space
would weigh them, without building a weighted matrix.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
from scipy import sparse

from listening_state.ml.features import (
    Analyzer,
    BlockCounts,
    FeatureSpec,
    FloatArray,
    IntArray,
    Matrix,
    remap_columns,
)
from listening_state.ml.textprep import normalize

_Buffer = TypeVar("_Buffer", bound=npt.NDArray[np.generic])
BoolArray = npt.NDArray[np.bool_]
# Rows of one block: each entry's n-gram key and raw count, and where each row starts (indptr);
# a row's entries in ascending key order, as text_counts leaves them.
Terms = tuple[IntArray, FloatArray, IntArray]


@dataclass(frozen=True)
class TextCounts:
    """Texts' raw counts, block by block, row after row."""

    word: Terms
    char: Terms

    @classmethod
    def of(cls, counts: BlockCounts) -> TextCounts:
        return cls(
            (counts.word_keys[counts.word.indices], counts.word.data, counts.word.indptr),
            (counts.char_keys[counts.char.indices], counts.char.data, counts.char.indptr),
        )

    @classmethod
    def count(cls, analyzer: Analyzer, text: str) -> TextCounts:
        """`TextCounts.of(text_counts(analyzer, [text]))` in a few array operations (for one
        text, the scipy matrices `block_counts` builds cost more than the arithmetic)."""
        batch = analyzer.analyse([normalize(text)])
        words = batch.word_hashes[batch.token_ids]  # each token's word key
        word_keys, word_counts = np.unique(words, return_counts=True)
        if analyzer.spec.word_max_n >= 2:  # word pairs, keyed as features._bigram_counts
            pair_keys, pair_counts = np.unique(
                ((words[:-1] + 1) << 32) | words[1:], return_counts=True
            )
            word_keys = np.concatenate((word_keys, pair_keys))
            word_counts = np.concatenate((word_counts, pair_counts))
        grams = batch.word_grams  # local words x char keys
        per_word = np.bincount(batch.token_ids, minlength=len(batch.words))
        weights = grams.data * np.repeat(per_word, np.diff(grams.indptr))
        char_counts = np.bincount(grams.indices, weights, minlength=len(batch.char_keys))
        return cls(
            (word_keys, word_counts.astype(np.float64), np.array([0, len(word_keys)])),
            (batch.char_keys, char_counts.astype(np.float64), np.array([0, len(char_counts)])),
        )


def room(buffer: _Buffer, used: int, size: int) -> _Buffer:
    """`buffer` (its first `used` values kept) with room for `size` values: doubled if short."""
    if size <= len(buffer):
        return buffer
    bigger = np.empty(max(size, 2 * len(buffer)), dtype=buffer.dtype)
    bigger[:used] = buffer[:used]
    return bigger  # type: ignore[return-value]


class GrowingBlock:
    """One block (word n-grams or word-start character n-grams) of the kept rows' counts.

    Rows live in slots, in order of arrival; a removed row's slot stays until `compact`.
    """

    def __init__(self, spec: FeatureSpec, cap: int) -> None:
        self._sublinear = spec.sublinear_tf
        self._min_df = max(1, spec.min_df)  # a column no row uses is never in the vocabulary
        self._cap = cap
        self._sorted_keys: IntArray = np.empty(0, dtype=np.int64)  # every column's key, sorted
        self._sorted_columns: IntArray = np.empty(0, dtype=np.int64)  # ... and its column
        self.df: IntArray = np.empty(0, dtype=np.int64)  # rows (live slots) using each column
        self._slots = 0
        self._indptr = np.zeros(1, dtype=np.int32)
        self._indices = np.empty(0, dtype=np.int32)
        self._tf: FloatArray = np.empty(0, dtype=np.float64)
        # The IDF of the last call, and the columns whose df changed since (None: all).
        self._idf: tuple[int, FloatArray] = (0, np.empty(0))
        self._changed: list[npt.NDArray[np.integer[Any]]] | None = None

    @property
    def nbytes(self) -> int:
        """The bytes its arrays hold (what grows with the window)."""
        arrays = (self._sorted_keys, self._sorted_columns, self.df, self._indptr, self._indices)
        return sum(array.nbytes for array in arrays) + self._tf.nbytes + self._idf[1].nbytes

    def _columns_of(self, keys: IntArray) -> IntArray:
        """The column of each key, or -1 for a key no row has brought."""
        if not len(self._sorted_keys):
            return np.full(len(keys), -1, dtype=np.int64)
        positions = np.minimum(np.searchsorted(self._sorted_keys, keys), len(self._sorted_keys) - 1)
        hit = self._sorted_keys[positions] == keys
        return np.where(hit, self._sorted_columns[positions], -1)

    def _columns_adding(self, keys: IntArray) -> IntArray:
        """The column of each (sorted, distinct) key; keys never seen get new columns."""
        columns = self._columns_of(keys)
        new = columns < 0
        columns[new] = added = np.arange(len(self.df), len(self.df) + int(new.sum()))
        positions = np.searchsorted(self._sorted_keys, keys[new])
        self._sorted_keys = np.insert(self._sorted_keys, positions, keys[new])
        self._sorted_columns = np.insert(self._sorted_columns, positions, added)
        self.df = np.concatenate((self.df, np.zeros(len(added), dtype=np.int64)))
        return columns

    def append(self, rows: Terms) -> None:
        """Rows of raw counts in new slots at the end."""
        keys, counts, indptr = rows
        distinct, inverse = np.unique(keys, return_inverse=True)
        columns = self._columns_adding(distinct)[inverse].astype(np.int32)
        start, size = int(self._indptr[self._slots]), len(columns)
        self._indices = room(self._indices, start, start + size)
        self._tf = room(self._tf, start, start + size)
        self._indices[start : start + size] = columns
        self._tf[start : start + size] = self._term_frequency(counts)
        end = self._slots + len(indptr) - 1
        self._indptr = room(self._indptr, self._slots + 1, end + 1)
        self._indptr[self._slots + 1 : end + 1] = start + indptr[1:]
        self._slots = end
        np.add.at(self.df, columns, 1)
        self._change(columns)

    def _change(self, columns: npt.NDArray[np.integer[Any]]) -> None:
        if self._changed is not None:
            self._changed.append(columns)
            if sum(map(len, self._changed)) > len(self.df):  # cheaper to start over
                self._changed = None

    def _term_frequency(self, counts: FloatArray) -> FloatArray:
        return np.log(counts) + 1.0 if self._sublinear else counts.astype(np.float64)

    def remove(self, slots: IntArray) -> None:
        """The rows of `slots` stop counting for the document frequencies."""
        bounds = zip(self._indptr[slots].tolist(), self._indptr[slots + 1].tolist(), strict=True)
        columns = np.concatenate([self._indices[a:b] for a, b in bounds] or [self._indices[:0]])
        np.subtract.at(self.df, columns, 1)
        self._change(columns)

    def compact(self, live: BoolArray) -> None:
        """Keep only the `live` slots (renumbered in order) and the columns they use."""
        sizes = np.diff(self._indptr[: self._slots + 1])
        kept = np.repeat(live, sizes)
        in_use = np.flatnonzero(self.df > 0)
        renumber = np.full(len(self.df), -1, dtype=np.int64)
        renumber[in_use] = np.arange(len(in_use))  # ascending: rows keep their column order
        nnz = int(self._indptr[self._slots])
        self._indices = renumber[self._indices[:nnz][kept]].astype(np.int32)
        self._tf = self._tf[:nnz][kept]
        self._indptr = np.concatenate(([0], np.cumsum(sizes[live]))).astype(np.int32)
        self._slots = int(live.sum())
        sorted_columns = renumber[self._sorted_columns]
        self._sorted_keys = self._sorted_keys[sorted_columns >= 0]
        self._sorted_columns = sorted_columns[sorted_columns >= 0]
        self.df = self.df[in_use]
        self._changed = None

    def capped(self) -> bool:
        """Whether `Vocabulary.fit` would keep only some columns (the max-features cap)."""
        return int(np.count_nonzero(self.df >= self._min_df)) > self._cap

    def _rows(self, data: FloatArray) -> Matrix:
        """The kept rows with `data` (one value per kept entry) as a CSR matrix."""
        return sparse.csr_matrix(
            (data, self._indices[: len(data)], self._indptr[: self._slots + 1]),
            shape=(self._slots, len(self.df)),
        )

    def cosines(
        self, query: Terms, n_docs: int, slots: IntArray
    ) -> tuple[FloatArray, BoolArray, bool]:
        """The cosine of the query's block with each slot's block (TF-IDF, IDF of `n_docs`
        rows), whether each slot's block has features, and whether the query's has."""
        idf = self._inverse_frequencies(n_docs)
        tf_rows = self._tf[: int(self._indptr[self._slots])]
        lengths = np.sqrt(self._rows(tf_rows**2) @ idf**2)[slots]
        keys, counts, _ = query
        columns = self._columns_of(keys)
        known = columns >= 0
        columns, tf = columns[known], self._term_frequency(counts[known])
        query_length = float(np.sqrt(np.sum((tf * idf[columns]) ** 2)))
        if query_length == 0:
            return np.zeros(len(slots)), lengths > 0, False
        weights = np.zeros(len(self.df))
        weights[columns] = tf * idf[columns] ** 2
        products = (self._rows(tf_rows) @ weights)[slots]
        return products / (query_length * np.where(lengths > 0, lengths, 1.0)), lengths > 0, True

    def _inverse_frequencies(self, n_docs: int) -> FloatArray:
        """Every column's IDF for `n_docs` rows, computed again only where df changed."""
        docs, idf = self._idf
        if docs != n_docs or self._changed is None:
            columns, idf = np.arange(len(self.df)), np.empty(len(self.df))
        else:
            columns = np.concatenate([np.empty(0, dtype=np.int64), *self._changed])
            idf = np.concatenate((idf, np.empty(len(self.df) - len(idf))))
        df = self.df[columns]
        # scikit-learn's smooth IDF, as Vocabulary.fit; columns outside the vocabulary weigh 0.
        idf[columns] = np.log((1 + n_docs) / (1 + df)) + 1.0
        idf[columns[df < self._min_df]] = 0.0
        self._idf, self._changed = (n_docs, idf), []
        return idf

    def counts(self, slots: IntArray) -> tuple[Matrix, IntArray]:
        """Raw counts of `slots`, in the sorted key space of the keys they use (text_counts')."""
        tf = self._tf[: int(self._indptr[self._slots])]
        # Counts are whole numbers, so they come back exactly from their sublinear tf.
        counts = self._rows(np.rint(np.exp(tf - 1.0)) if self._sublinear else tf)[slots]
        used = np.zeros(len(self.df), dtype=bool)
        used[counts.indices] = True
        in_order = used[self._sorted_columns]
        columns = np.full(len(self.df), -1, dtype=np.int64)
        columns[self._sorted_columns[in_order]] = np.arange(int(in_order.sum()))
        matrix = remap_columns(counts, columns, int(in_order.sum())).sorted_indices()
        return matrix, self._sorted_keys[in_order]

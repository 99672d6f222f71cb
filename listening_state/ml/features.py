"""Word and character n-gram TF-IDF features, fast enough for thousands of documents a second.

Two blocks, each L2-normalised on its own and then scaled: words (unigrams, optionally word
pairs) and character n-grams taken inside word boundaries, as scikit-learn's ``char_wb``
analyser does. Two kinds of character n-grams are available:

- ``"prefix"``: the n-grams that start at the word boundary (a word's first 3..6 letters).
  In Kazakh and Russian a word is a stem followed by endings, so these act as a stemmer
  that knows no language; they are also few per word, which keeps training and prediction fast.
- ``"wb"``: every ``char_wb`` n-gram of the given sizes (about four times as many features).

A document's character n-grams are the sum of its words' n-grams, so each distinct word is
analysed once, cached, and documents are assembled with sparse matrix products rather than a
Python loop over every n-gram. N-grams are named by CRC-32 hashes (stable across processes,
unlike ``hash``); a collision merges two rare n-grams into one feature, which costs nothing
measurable. The vocabulary keeps the n-grams with the highest document frequency, up to a cap
per block, so the model's size is bounded whatever the corpus.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

import numpy as np
import numpy.typing as npt
from scipy import sparse

from listening_state.ml.textprep import tokens

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
# scipy ships no type information: a CSR matrix is Any to mypy, named here for the reader.
Matrix: TypeAlias = Any
_WORD_HASH_MASK = 0x7FFFFFFF  # 31-bit word hashes leave room to pack a pair into an int64
_CACHE_LIMIT = 100_000  # distinct words kept analysed (~20 MB); beyond it the cache starts over


@dataclass(frozen=True)
class FeatureSpec:
    """Which n-grams make the features, how term frequency counts, how many are kept."""

    word_max_n: int = 1  # word n-grams 1..word_max_n (1 or 2)
    char_mode: Literal["prefix", "wb", "none"] = "prefix"
    char_range: tuple[int, int] = (3, 6)  # n-gram sizes
    sublinear_tf: bool = True
    min_df: int = 1
    max_word_features: int = 300_000
    max_char_features: int = 300_000


@dataclass(frozen=True)
class Batch:
    """Documents analysed into distinct words, word sequences and per-word character n-grams."""

    n_docs: int
    words: list[str]  # distinct words of the batch, by local id
    token_ids: IntArray  # every token's local word id, document after document
    token_docs: IntArray  # the document of every token
    word_hashes: IntArray  # per local word
    doc_word: Matrix  # documents x local words: counts
    word_grams: Matrix  # local words x local char keys: counts
    char_keys: IntArray  # sorted


@dataclass(frozen=True)
class BlockCounts:
    """Raw counts per block, with columns named by sorted n-gram keys."""

    word: Matrix
    word_keys: IntArray
    char: Matrix
    char_keys: IntArray

    def rows(self, rows: IntArray) -> BlockCounts:
        """The counts of some documents only (a cross-validation fold)."""
        return BlockCounts(self.word[rows], self.word_keys, self.char[rows], self.char_keys)


def _char_grams(word: str, mode: str, low: int, high: int) -> list[str]:
    padded = f" {word} "
    if mode == "prefix":
        return [padded[: size + 1] for size in range(low, min(high, len(word)) + 1)]
    if mode == "wb":
        return [
            padded[start : start + size]
            for size in range(low, min(high, len(padded)) + 1)
            for start in range(len(padded) - size + 1)
        ]
    return []


class Analyzer:
    """Turns normalised documents into a Batch, caching each word's analysis."""

    def __init__(self, spec: FeatureSpec) -> None:
        self.spec = spec
        self._cache: dict[str, tuple[int, bytes]] = {}

    def _analyse_word(self, word: str) -> tuple[int, bytes]:
        low, high = self.spec.char_range
        grams = _char_grams(word, self.spec.char_mode, low, high)
        entry = (
            zlib.crc32(word.encode("utf-8")) & _WORD_HASH_MASK,
            np.array([zlib.crc32(gram.encode("utf-8")) for gram in grams], np.uint32).tobytes(),
        )
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache = {}
        self._cache[word] = entry
        return entry

    def analyse(self, docs: list[str]) -> Batch:
        """Analyse normalised documents (see textprep.normalize)."""
        all_tokens: list[str] = []
        lengths: list[int] = []
        for doc in docs:
            doc_tokens = tokens(doc)
            lengths.append(len(doc_tokens))
            all_tokens.extend(doc_tokens)
        index = {word: position for position, word in enumerate(dict.fromkeys(all_tokens))}
        words = list(index)
        cache = self._cache
        entries = [cache.get(word) or self._analyse_word(word) for word in words]
        n_docs, n_words = len(docs), len(words)
        token_ids = np.fromiter(map(index.__getitem__, all_tokens), np.int64, len(all_tokens))
        token_docs = np.repeat(np.arange(n_docs, dtype=np.int64), lengths)
        # Built row by row rather than from (row, column) pairs: the same canonical matrix
        # (sum_duplicates sorts each row and adds repeats), without scipy's COO detour.
        doc_word = sparse.csr_matrix(
            (np.ones(len(token_ids)), token_ids, np.concatenate(([0], np.cumsum(lengths)))),
            shape=(n_docs, n_words),
        )
        doc_word.sum_duplicates()
        grams = np.frombuffer(b"".join(entry[1] for entry in entries), dtype=np.uint32)
        char_keys, gram_cols = np.unique(grams.astype(np.int64), return_inverse=True)
        gram_counts = np.fromiter((len(entry[1]) // 4 for entry in entries), np.int64, n_words)
        word_grams = sparse.csr_matrix(
            (np.ones(len(grams)), gram_cols, np.concatenate(([0], np.cumsum(gram_counts)))),
            shape=(n_words, len(char_keys)),
        )
        word_grams.sum_duplicates()
        return Batch(
            n_docs=n_docs,
            words=words,
            token_ids=token_ids,
            token_docs=token_docs,
            word_hashes=np.fromiter((entry[0] for entry in entries), np.int64, n_words),
            doc_word=doc_word,
            word_grams=word_grams,
            char_keys=char_keys,
        )


def _bigram_counts(batch: Batch) -> tuple[Matrix, IntArray]:
    """Counts of consecutive word pairs, keyed above every single word's key."""
    same_doc = batch.token_docs[1:] == batch.token_docs[:-1]
    first = batch.word_hashes[batch.token_ids[:-1][same_doc]]
    second = batch.word_hashes[batch.token_ids[1:][same_doc]]
    keys, cols = np.unique(((first + 1) << 32) | second, return_inverse=True)
    docs = batch.token_docs[1:][same_doc]
    return sparse.csr_matrix((np.ones(len(docs)), (docs, cols)), (batch.n_docs, len(keys))), keys


def block_counts(batch: Batch, spec: FeatureSpec) -> BlockCounts:
    """Count word and character n-grams per document, keyed by the batch's own keys."""
    unigram_keys, unigram_cols = np.unique(batch.word_hashes, return_inverse=True)
    word = remap_columns(batch.doc_word, unigram_cols, len(unigram_keys), merge=True)
    word_keys = unigram_keys
    if spec.word_max_n >= 2:
        pairs, pair_keys = _bigram_counts(batch)
        word = sparse.hstack([word, pairs], format="csr")
        word_keys = np.concatenate((unigram_keys, pair_keys))
    char = (batch.doc_word @ batch.word_grams).tocsr()
    return BlockCounts(word=word, word_keys=word_keys, char=char, char_keys=batch.char_keys)


def key_columns(vocabulary: IntArray, keys: IntArray) -> IntArray:
    """The vocabulary column of each key, or -1 for keys outside the vocabulary."""
    if len(vocabulary) == 0:
        return np.full(len(keys), -1, dtype=np.int64)
    positions = np.minimum(np.searchsorted(vocabulary, keys), len(vocabulary) - 1)
    return np.where(vocabulary[positions] == keys, positions, -1).astype(np.int64)


def remap_columns(
    matrix: Matrix, columns: IntArray, n_columns: int, *, merge: bool = False
) -> Matrix:
    """Move column j to `columns[j]`, dropping it if -1; `merge` sums columns that meet."""
    new = columns[matrix.indices]
    keep = new >= 0
    kept_before = np.concatenate(([0], np.cumsum(keep)))
    result = sparse.csr_matrix(
        (matrix.data[keep], new[keep], kept_before[matrix.indptr]),
        shape=(matrix.shape[0], n_columns),
    )
    if merge:
        # What a (row, column) COO construction would give: rows sorted, repeats added.
        result.sum_duplicates()
    # Otherwise column indices stay unsorted: every product we take accepts that, and
    # sorting is slow.
    return result


def _select(counts: Matrix, keys: IntArray, min_df: int, cap: int) -> tuple[IntArray, IntArray]:
    """Kept columns (df >= min_df, the most frequent first, up to `cap`) and their df."""
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    kept = np.flatnonzero(df >= min_df)
    if len(kept) > cap:
        # Ties broken by key, so the vocabulary depends on nothing but the data.
        order = np.lexsort((keys[kept], -df[kept]))
        kept = np.sort(kept[order[:cap]])
    return kept, df[kept]


class Vocabulary:
    """The fitted part of the features: kept n-gram keys and their IDF weights, per block."""

    def __init__(
        self,
        spec: FeatureSpec,
        word_keys: IntArray,
        word_idf: FloatArray,
        char_keys: IntArray,
        char_idf: FloatArray,
    ) -> None:
        self.spec = spec
        self.word_keys = word_keys
        self.word_idf = word_idf
        self.char_keys = char_keys
        self.char_idf = char_idf

    @classmethod
    def fit(cls, spec: FeatureSpec, counts: BlockCounts) -> Vocabulary:
        """Keep the most frequent n-grams of these documents and compute their IDF."""
        n_docs = counts.word.shape[0]
        word_cols, word_df = _select(
            counts.word, counts.word_keys, spec.min_df, spec.max_word_features
        )
        char_cols, char_df = _select(
            counts.char, counts.char_keys, spec.min_df, spec.max_char_features
        )
        # scikit-learn's smooth IDF: as if one extra document held every term.
        return cls(
            spec,
            word_keys=counts.word_keys[word_cols],
            word_idf=np.log((1 + n_docs) / (1 + word_df)) + 1.0,
            char_keys=counts.char_keys[char_cols],
            char_idf=np.log((1 + n_docs) / (1 + char_df)) + 1.0,
        )

    @property
    def n_word(self) -> int:
        return len(self.word_keys)

    @property
    def n_features(self) -> int:
        return len(self.word_keys) + len(self.char_keys)

    def tf(self, counts: FloatArray) -> FloatArray:
        return np.log(counts) + 1.0 if self.spec.sublinear_tf else counts

    def weight(self, counts: Matrix, idf: FloatArray) -> tuple[Matrix, FloatArray]:
        """TF-IDF rows of unit length, and each row's length before normalising (1 if empty)."""
        data, lengths = self._unit_rows(counts.data, counts.indices, counts.indptr, idf)
        return sparse.csr_matrix((data, counts.indices, counts.indptr), shape=counts.shape), lengths

    def _unit_rows(
        self, counts: FloatArray, indices: IntArray, indptr: IntArray, idf: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        """`weight` on the arrays of a CSR matrix: the new data, and the rows' lengths."""
        data = self.tf(counts) * idf[indices]
        row_sizes = np.diff(indptr)
        rows = np.repeat(np.arange(len(row_sizes)), row_sizes)
        lengths = np.sqrt(np.bincount(rows, data**2, minlength=len(row_sizes)))
        lengths[lengths == 0] = 1.0
        data /= np.repeat(lengths, row_sizes)
        return data, lengths

    def _unit_block(
        self, counts: Matrix, columns: IntArray, idf: FloatArray
    ) -> tuple[Matrix, FloatArray]:
        """Counts moved to vocabulary `columns` (-1: dropped), weighted, as float32 rows."""
        new = columns[counts.indices]
        keep = new >= 0
        indptr = np.concatenate(([0], np.cumsum(keep)))[counts.indptr]
        data, lengths = self._unit_rows(counts.data[keep], new[keep], indptr, idf)
        shape = (counts.shape[0], len(idf))
        matrix = sparse.csr_matrix((data.astype(np.float32), new[keep], indptr), shape=shape)
        # As scipy's astype does: float32 products then add up in ascending column order.
        matrix.sum_duplicates()
        return matrix, lengths

    def features(self, batch: Batch) -> BatchFeatures:
        """What prediction needs of a batch, in fewer steps than `blocks(block_counts(...))`.

        The same numbers, bit for bit: each row's length is summed in the order of the
        sparse product that counts the char block (as `weight` does), and the float32
        blocks have their columns sorted (as scipy's `astype(np.float32)` leaves them), so
        that products with them add up in the same order.
        """
        word_columns = key_columns(self.word_keys, batch.word_hashes)
        char_columns = key_columns(self.char_keys, batch.char_keys)
        if self.spec.word_max_n >= 2:  # word pairs: the general path
            blocks = self.blocks(block_counts(batch, self.spec))
            return BatchFeatures(
                word=blocks.word.astype(np.float32),
                char=blocks.char.astype(np.float32),
                word_lengths=blocks.word_lengths,
                char_lengths=blocks.char_lengths,
                word_columns=word_columns,
                char_columns=char_columns,
            )
        # Words sharing a hash share a column: merge them, columns ascending, as block_counts
        # and remap_columns do (with key order = column order, and exact integer counts).
        doc_word = batch.doc_word
        new = word_columns[doc_word.indices]
        keep = new >= 0
        word_counts = sparse.csr_matrix(
            (
                doc_word.data[keep],
                new[keep],
                np.concatenate(([0], np.cumsum(keep)))[doc_word.indptr],
            ),
            shape=(batch.n_docs, self.n_word),
        )
        word_counts.sum_duplicates()
        word_x, word_lengths = self._unit_block(
            word_counts, np.arange(self.n_word, dtype=np.int64), self.word_idf
        )
        char_x, char_lengths = self._unit_block(
            doc_word @ batch.word_grams, char_columns, self.char_idf
        )
        return BatchFeatures(
            word=word_x,
            char=char_x,
            word_lengths=word_lengths,
            char_lengths=char_lengths,
            word_columns=word_columns,
            char_columns=char_columns,
        )

    def blocks(self, counts: BlockCounts) -> Blocks:
        """The word block and the char block in this vocabulary's columns, rows of unit length."""
        word = remap_columns(
            counts.word, key_columns(self.word_keys, counts.word_keys), self.n_word
        )
        char = remap_columns(
            counts.char, key_columns(self.char_keys, counts.char_keys), len(self.char_keys)
        )
        word_x, word_lengths = self.weight(word, self.word_idf)
        char_x, char_lengths = self.weight(char, self.char_idf)
        return Blocks(word_x, char_x, word_lengths, char_lengths)


@dataclass(frozen=True)
class Blocks:
    """Weighted features of a batch, block by block."""

    word: Matrix
    char: Matrix
    word_lengths: FloatArray
    char_lengths: FloatArray

    def matrix(self, char_weight: float) -> Matrix:
        """Both blocks side by side, the char block scaled to length `char_weight`."""
        return sparse.hstack([self.word, self.char * char_weight], format="csr")


@dataclass(frozen=True)
class BatchFeatures:
    """A batch in a vocabulary's columns, for prediction: float32 blocks of unit-length rows."""

    word: Matrix
    char: Matrix
    word_lengths: FloatArray  # each row's length before normalising (1 if empty)
    char_lengths: FloatArray
    word_columns: IntArray  # vocabulary word column of each of the batch's words, -1 if none
    char_columns: IntArray  # vocabulary char column of each of the batch's char keys, -1

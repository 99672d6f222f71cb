"""Which words of a document pushed it towards the ministry the model chose.

A linear model's score is a sum over features. Each word of the document owns its unigram
feature and its share of the character n-gram features it contains, so a word's weight is

    tf(count) * (idf * coef[word] / |word block|  +  char_weight * sum over its n-grams of
                 idf * coef[n-gram] / |char block|)

for the chosen ministry. The n-gram part is exact when a word's n-grams occur in no other
word of the document; when they do (``environment`` and ``environmental`` share ``envir``),
sublinear term frequency damps the shared n-gram a little in the real score, which this
attribution does not. The ranking of words is what matters to a person in triage, and that
approximation leaves it intact. Word pairs, when enabled, are not attributed.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
from scipy import sparse

from listening_state.ml.features import (
    Batch,
    BatchFeatures,
    FloatArray,
    IntArray,
    Vocabulary,
)
from listening_state.ml.selection import LinearModel


def explain(
    batch: Batch,
    vocabulary: Vocabulary,
    features: BatchFeatures,
    model: LinearModel,
    char_weight: float,
    chosen: IntArray,
    limit: int,
) -> list[tuple[tuple[str, float], ...]]:
    """Per document, up to `limit` (word, weight) pairs with positive weight, heaviest first."""
    word_weights = model.weights[: vocabulary.n_word]
    char_weights = model.weights[vocabulary.n_word :]
    unigram_cols = features.word_columns
    # Each word's n-grams in the vocabulary's columns, weighted (float32, as the model).
    word_grams = batch.word_grams
    new = features.char_columns[word_grams.indices]
    keep = new >= 0
    gram_data = vocabulary.tf(word_grams.data[keep]) * vocabulary.char_idf[new[keep]]
    grams = sparse.csr_matrix(
        (
            gram_data.astype(np.float32),
            new[keep],
            np.concatenate(([0], np.cumsum(keep)))[word_grams.indptr],
        ),
        shape=(word_grams.shape[0], len(vocabulary.char_keys)),
    )
    grams.sum_duplicates()  # as scipy's astype(np.float32) does; a no-op on canonical rows
    char_part = np.asarray(grams @ char_weights, dtype=np.float64)  # local words x labels

    doc_word = batch.doc_word
    docs = np.repeat(np.arange(batch.n_docs), np.diff(doc_word.indptr))
    words = doc_word.indices.astype(np.int64)
    labels = chosen[docs]
    cols = unigram_cols[words]
    known = cols >= 0
    unigram = np.zeros(len(words))
    unigram[known] = (
        vocabulary.word_idf[cols[known]] * word_weights[cols[known], labels[known]]
    ) / features.word_lengths[docs[known]]
    weights = vocabulary.tf(doc_word.data) * (
        unigram + char_weight * char_part[words, labels] / features.char_lengths[docs]
    )
    return _top_per_doc(batch, docs, words, weights, limit)


def _top_per_doc(
    batch: Batch, docs: IntArray, words: IntArray, weights: FloatArray, limit: int
) -> list[tuple[tuple[str, float], ...]]:
    # Entries come by document, then by word (a CSR matrix's rows and sorted columns).
    # Only positive weights are shown, and they rank above every other word of their
    # document, so dropping the rest first changes no rank and leaves less to sort.
    positive = np.flatnonzero(weights > 0)
    docs, words, weights = docs[positive], words[positive], weights[positive]
    # By document, heaviest first; ties keep their order, which is the word order already.
    # That is np.lexsort((-weights, docs)); a stable sort of complex numbers (real part
    # first, then imaginary) gives the same order several times faster.
    order = np.argsort(docs + 1j * -weights, kind="stable")
    docs, words, weights = docs[order], words[order], weights[order]
    starts = np.searchsorted(docs, np.arange(batch.n_docs))
    rank = np.arange(len(docs)) - starts[docs]
    keep = np.flatnonzero(rank < limit)
    vocabulary = batch.words
    terms = list(
        zip(map(vocabulary.__getitem__, words[keep].tolist()), _round4(weights[keep]), strict=True)
    )
    bounds = np.searchsorted(docs[keep], np.arange(batch.n_docs + 1)).tolist()
    return [tuple(terms[start:end]) for start, end in pairwise(bounds)]


def _round4(values: FloatArray) -> list[float]:
    """[round(value, 4) for value in values], the same floats, without a Python call each.

    Python rounds the exact binary value half-to-even and returns the double nearest the
    decimal result; rint(value * 1e4) / 1e4 returns the same double unless value * 1e4 is
    within its rounding error of a half, so those few (and huge values) go to round().
    """
    scaled = values * 1e4
    result: list[float] = (np.rint(scaled) / 1e4).tolist()
    unsure = (np.abs(scaled) >= 1e6) | (np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6)
    for index in np.flatnonzero(unsure).tolist():
        result[index] = round(float(values[index]), 4)
    return result

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

import numpy as np

from listening_state.ml.features import (
    Batch,
    Blocks,
    FloatArray,
    IntArray,
    Vocabulary,
    key_columns,
    remap_columns,
)
from listening_state.ml.selection import LinearModel


def explain(
    batch: Batch,
    vocabulary: Vocabulary,
    blocks: Blocks,
    model: LinearModel,
    char_weight: float,
    chosen: IntArray,
    limit: int,
) -> list[tuple[tuple[str, float], ...]]:
    """Per document, up to `limit` (word, weight) pairs with positive weight, heaviest first."""
    word_weights = model.weights[: vocabulary.n_word]
    char_weights = model.weights[vocabulary.n_word :]
    unigram_cols = key_columns(vocabulary.word_keys, batch.word_hashes)
    grams = remap_columns(
        batch.word_grams,
        key_columns(vocabulary.char_keys, batch.char_keys),
        len(vocabulary.char_keys),
    )
    grams.data = vocabulary.tf(grams.data) * vocabulary.char_idf[grams.indices]
    char_part = np.asarray(
        grams.astype(np.float32) @ char_weights, dtype=np.float64
    )  # local words x labels

    doc_word = batch.doc_word
    docs = np.repeat(np.arange(batch.n_docs), np.diff(doc_word.indptr))
    words = doc_word.indices.astype(np.int64)
    labels = chosen[docs]
    cols = unigram_cols[words]
    known = cols >= 0
    unigram = np.zeros(len(words))
    unigram[known] = (
        vocabulary.word_idf[cols[known]] * word_weights[cols[known], labels[known]]
    ) / blocks.word_lengths[docs[known]]
    weights = vocabulary.tf(doc_word.data) * (
        unigram + char_weight * char_part[words, labels] / blocks.char_lengths[docs]
    )
    return _top_per_doc(batch, docs, words, weights, limit)


def _top_per_doc(
    batch: Batch, docs: IntArray, words: IntArray, weights: FloatArray, limit: int
) -> list[tuple[tuple[str, float], ...]]:
    order = np.lexsort((words, -weights, docs))  # by document, heaviest first, then stable
    docs, words, weights = docs[order], words[order], weights[order]
    starts = np.searchsorted(docs, np.arange(batch.n_docs))
    rank = np.arange(len(docs)) - starts[docs]
    keep = np.flatnonzero((rank < limit) & (weights > 0))
    result: list[list[tuple[str, float]]] = [[] for _ in range(batch.n_docs)]
    vocabulary = batch.words
    for doc, word, weight in zip(
        docs[keep].tolist(), words[keep].tolist(), weights[keep].tolist(), strict=True
    ):
        result[doc].append((vocabulary[word], round(weight, 4)))
    return [tuple(terms) for terms in result]

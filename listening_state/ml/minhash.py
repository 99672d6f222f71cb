"""MinHash signatures of word shingles, computed in bounded memory, and LSH band keys.

- Text: `textprep.fold` and `textprep.tokens` (HTML stripped, NFKC, case-folded, Kazakh letters
  kept; words of two or more letters or digits), the same steps as every other model.
- Shingles: runs of `shingle_words` consecutive words, hashed to 32 bits. A text with fewer
  words than that has one shingle, its whole word sequence (hashed with a different salt), so
  short texts match exactly or not at all.
- Signatures: for each of `num_perm` hash functions h_k(x) = (a_k x + b_k) mod 2^32 (a_k odd:
  a permutation of the 32-bit shingle hashes), the smallest h_k over the text's shingles. The
  share of equal values in two signatures estimates the Jaccard similarity of the two
  shingle sets. Texts are processed in chunks, and each chunk's hash table is built in
  blocks of a few thousand shingles that stay in the CPU cache: the cost is memory speed,
  not arithmetic, when the table is big.
- A text without any word has no shingle and an all-ones signature; callers mark it empty.
"""

from __future__ import annotations

import itertools
import zlib
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from listening_state.ml.textprep import fold, tokens

SignatureArray = npt.NDArray[np.uint32]
_U64 = npt.NDArray[np.uint64]
_MIX = np.uint64(0x9E3779B97F4A7C15)  # 2^64 / golden ratio: an odd multiplier that mixes
_SHORT_SALT = np.uint64(0xD6E8FEB86659FD93)  # starts the hash of a whole short text
_BLOCK_SHINGLES = 4096  # one block's table: num_perm x 4096 x 4 bytes (1 MB at 64)
_CACHE_LIMIT = 200_000  # distinct words whose hash is kept; beyond it the cache starts over
EMPTY = np.uint32(0xFFFFFFFF)


def permutations(num_perm: int, seed: int) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint32]]:
    """The multipliers (odd) and offsets of the hash functions, fixed by the seed."""
    rng = np.random.default_rng(seed)
    multipliers = rng.integers(1, 2**32, num_perm, dtype=np.uint64).astype(np.uint32)
    offsets = rng.integers(0, 2**32, num_perm, dtype=np.uint64).astype(np.uint32)
    return multipliers | np.uint32(1), offsets


def _finish(hashes: _U64) -> npt.NDArray[np.uint32]:
    """The high half of a 64-bit mix: the bits that depend on every input bit."""
    hashes ^= hashes >> np.uint64(29)
    hashes *= _MIX
    return (hashes >> np.uint64(32)).astype(np.uint32)


class Shingler:
    """Turns texts into (text number, shingle hash) arrays, caching each word's hash.

    A text of fewer than `whole_below` words (and at least one) is one shingle, its whole
    word sequence, whatever `shingle_words` is: such texts match identical texts only.
    """

    def __init__(self, shingle_words: int, whole_below: int = 0) -> None:
        if shingle_words < 1:
            raise ValueError("shingle_words must be at least 1")
        self.shingle_words = shingle_words
        self.whole_below = max(whole_below, shingle_words)
        self._cache: dict[str, int] = {}

    def _hash_word(self, word: str) -> int:
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache = {}
        value = zlib.crc32(word.encode("utf-8")) + 1  # never 0, so no word is the identity
        self._cache[word] = value
        return value

    def _word_hashes(self, words: list[str]) -> _U64:
        """Each distinct word is hashed once; tokens become positions among distinct words."""
        position = dict(zip(dict.fromkeys(words), itertools.count()))
        cache = self._cache
        distinct = np.fromiter(
            (cache.get(word) or self._hash_word(word) for word in position),
            np.uint64,
            len(position),
        )
        return distinct[np.fromiter(map(position.__getitem__, words), np.int64, len(words))]

    def shingles(
        self, texts: Sequence[str]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint32]]:
        """Each shingle's text number (ascending) and its 32-bit hash."""
        words: list[str] = []
        lengths = np.empty(len(texts), dtype=np.int64)
        for number, text in enumerate(texts):
            text_words = tokens(fold(text))
            lengths[number] = len(text_words)
            words.extend(text_words)
        word_hashes = self._word_hashes(words)
        starts = np.cumsum(lengths) - lengths
        width = self.shingle_words
        is_long = lengths >= self.whole_below
        # Long texts: every window of `width` words that stays inside the text.
        counts = np.where(is_long, lengths - width + 1, 0)
        long_docs = np.repeat(np.arange(len(texts), dtype=np.int64), counts)
        first = np.arange(len(long_docs), dtype=np.int64)
        first += np.repeat(starts - (np.cumsum(counts) - counts), counts)
        combined = np.zeros(len(first), dtype=np.uint64)
        for offset in range(width):
            combined = (combined ^ word_hashes[first + offset]) * _MIX
        # Short texts: the whole word sequence is the one shingle, salted apart from windows.
        short = np.flatnonzero((lengths > 0) & ~is_long)
        short_hash = np.full(len(short), _SHORT_SALT, dtype=np.uint64)
        for offset in range(self.whole_below - 1):
            present = lengths[short] > offset
            at = np.where(present, starts[short] + offset, 0)
            short_hash = np.where(present, (short_hash ^ word_hashes[at]) * _MIX, short_hash)
        docs = np.concatenate((long_docs, short))
        hashes = _finish(np.concatenate((combined, short_hash)))
        order = np.argsort(docs, kind="stable")
        return docs[order], hashes[order]


def signatures(
    docs: npt.NDArray[np.int64],
    hashes: npt.NDArray[np.uint32],
    n_docs: int,
    multipliers: npt.NDArray[np.uint32],
    offsets: npt.NDArray[np.uint32],
) -> SignatureArray:
    """n_docs x num_perm MinHash values; rows of texts without shingles are all EMPTY."""
    num_perm = len(multipliers)
    result = np.full((n_docs, num_perm), EMPTY, dtype=np.uint32)
    if len(docs) == 0:
        return result
    boundaries = np.flatnonzero(np.concatenate(([True], docs[1:] != docs[:-1])))
    present = docs[boundaries]
    # Blocks end on a text boundary, so each text's minimum is taken in one block.
    cuts = np.searchsorted(boundaries, np.arange(0, len(docs), _BLOCK_SHINGLES), side="left")
    cuts = np.unique(np.concatenate((cuts, [len(boundaries)])))
    a, b = multipliers[:, None], offsets[:, None]
    for low, high in itertools.pairwise(cuts.tolist()):
        start = boundaries[low]
        stop = boundaries[high] if high < len(boundaries) else len(docs)
        table = a * hashes[None, start:stop]  # uint32 arithmetic wraps: mod 2^32
        table += b
        minima = np.minimum.reduceat(table, boundaries[low:high] - start, axis=1)
        result[present[low:high]] = minima.T
    return result


def band_keys(signature_rows: SignatureArray) -> npt.NDArray[np.uint64]:
    """One 64-bit key per row for a band of r columns: equal bands give equal keys."""
    columns = signature_rows.shape[1]
    if columns == 2:  # exact: the two values side by side
        return (signature_rows[:, 0].astype(np.uint64) << np.uint64(32)) | signature_rows[
            :, 1
        ].astype(np.uint64)
    key = np.zeros(len(signature_rows), dtype=np.uint64)
    for column in range(columns):
        key = (key ^ signature_rows[:, column].astype(np.uint64)) * _MIX
    return key

"""Possible duplicates: the earlier submissions most like a new one, each with a score in [0, 1].

Design (chosen on a development half of the UK petitions' duplicate pairs; the figures and the
designs that lost are in bench/README.md):

- Text: HTML stripped, NFKC, case-folded (textprep.normalize); the same steps for Kazakh,
  Russian and English, with Kazakh letters kept.
- Features (features.py, as the router uses them): word unigrams and word pairs, plus the
  character n-grams that open each word (its first 3..6 letters: a stemmer that knows no
  language, so "petitions"/"petition" and Kazakh or Russian word endings still meet). TF-IDF
  with sublinear term frequency; the IDF comes from the indexed documents.
- Body similarity: the weighted mean of the two blocks' cosine similarities,
  ``(cos_words + 0.5 * cos_chars) / 1.5`` (the cosine of the two blocks side by side, scaled
  by sqrt(1/1.5) and sqrt(0.5/1.5)). A text made only of two-letter words has no character
  n-grams; its row is scaled back to unit length, so a text still scores 1 with itself.
- Opening line: the same similarity between the texts' first lines (a petition's title, a
  comment's opening sentence when it stands on its own line), with its own vocabulary. The
  text score is ``(body + 0.2 * first_line) / 1.2``; a query whose first line has no features
  is scored on the body alone. Features are never negative, so scores lie in [0, 1], and a
  text scores 1 with itself.
- Moderation history (optional, ``resolved``: known duplicate key -> the key it duplicates):
  a known duplicate is folded into its original (following chains, to the earliest ancestor
  the index holds). The original then scores ``1 - (1 - own) * (1 - 0.5 * via)``, where
  ``via`` is the best text score among its known duplicates: "also like what moderators have
  already rejected as a copy of it". The duplicates themselves are no longer listed. Without
  ``resolved`` (or with an empty one) the score is the text score.
- Scale: documents are sparse matrices; a query is one sparse product with them, and
  `earlier_matches` takes products block by block, so nothing n x n is ever held in memory.
- Determinism: n-grams are named by CRC-32 (no per-process hash seed), and ties are broken by
  the order in which documents were given, earliest first.

The two numbers 0.2 (first line) and 0.5 (history) were fit on the development half, as was a
logistic-regression re-ranker over eight text similarities and five history features that did
no better there and was not kept. Also considered and not kept: a title block weighted 0.5 or
1, character n-grams at every position of a word, BM25 weighting, LSA smoothing, and a prior
from how many duplicates an original already has.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from listening_state.ml.features import (
    Analyzer,
    BlockCounts,
    FeatureSpec,
    FloatArray,
    IntArray,
    Matrix,
    Vocabulary,
    block_counts,
)
from listening_state.ml.textprep import normalize

# Rare n-grams are the telling ones for duplicates: keep (practically) all of them.
_MAX_FEATURES = 5_000_000
# Cells of one block of the query x index score matrix (8 bytes each): about 32 MB.
_BLOCK_CELLS = 4_000_000


@dataclass(frozen=True)
class DuplicateSettings:
    """Which features make the similarity, and how much each part counts."""

    spec: FeatureSpec = field(
        default_factory=lambda: FeatureSpec(
            word_max_n=2,
            char_mode="prefix",
            char_range=(3, 6),
            sublinear_tf=True,
            max_word_features=_MAX_FEATURES,
            max_char_features=_MAX_FEATURES,
        )
    )
    word_weight: float = 1.0
    char_weight: float = 0.5
    # Weight of the first line's similarity next to the body's (1); 0 leaves it out.
    title_weight: float = 0.2
    # How much a match with a known duplicate counts for its original (see the docstring).
    history_weight: float = 0.5

    def __post_init__(self) -> None:
        if self.word_weight < 0 or self.char_weight < 0 or self.word_weight + self.char_weight <= 0:
            raise ValueError("block weights must be non-negative and not both zero")
        if self.title_weight < 0:
            raise ValueError("title weight must be non-negative")
        if not 0.0 <= self.history_weight <= 1.0:
            raise ValueError("history weight must lie in [0, 1]")


@dataclass(frozen=True)
class Match:
    """One indexed document and how similar it is to the query (1 = same words)."""

    key: int
    score: float


def first_line(text: str) -> str:
    """The text's first non-empty line (a petition's title; often all of a short comment)."""
    return text.strip().split("\n", 1)[0]


def text_counts(analyzer: Analyzer, texts: Sequence[str]) -> BlockCounts:
    """The texts' raw n-gram counts, each row's columns in ascending order.

    Sorted rows make the arithmetic that follows independent of how the rows were gathered:
    an index fitted on counts kept from earlier calls (duplicate_window.py) gives the same
    numbers, bit for bit, as one fitted on the texts at once.
    """
    counts = block_counts(analyzer.analyse([normalize(text) for text in texts]), analyzer.spec)
    return BlockCounts(
        counts.word.sorted_indices(),
        counts.word_keys,
        counts.char.sorted_indices(),
        counts.char_keys,
    )


class _Space:
    """One TF-IDF feature space (vocabulary and IDF from the documents it was fit on)."""

    def __init__(
        self, settings: DuplicateSettings, counts: BlockCounts, analyzer: Analyzer
    ) -> None:
        self.settings = settings
        self._analyzer = analyzer
        self._vocabulary = Vocabulary.fit(settings.spec, counts)
        self.matrix: Matrix = self._weighted(counts)
        self.columns: Matrix = self.matrix.T.tocsr()  # features x documents, made once

    def _weighted(self, counts: BlockCounts) -> Matrix:
        """Unit rows (or empty ones) whose dot products are the similarity."""
        blocks = self._vocabulary.blocks(counts)
        total = self.settings.word_weight + self.settings.char_weight
        rows = sparse.hstack(
            [
                blocks.word * np.sqrt(self.settings.word_weight / total),
                blocks.char * np.sqrt(self.settings.char_weight / total),
            ],
            format="csr",
        )
        # A row is already of unit length unless a block is empty (only words of two letters
        # have no character n-grams); scaling it back up keeps a text's score with itself at 1.
        sizes = np.diff(rows.indptr)
        owners = np.repeat(np.arange(rows.shape[0]), sizes)
        lengths = np.sqrt(np.bincount(owners, rows.data**2, minlength=rows.shape[0]))
        lengths[lengths == 0] = 1.0
        rows.data /= np.repeat(lengths, sizes)
        return rows

    def rows(self, texts: Sequence[str]) -> Matrix:
        return self._weighted(text_counts(self._analyzer, texts))


@dataclass(frozen=True)
class _Queries:
    """Query rows in the body space and, if used, the first-line space."""

    body: Matrix
    title: Matrix

    def __len__(self) -> int:
        return int(self.body.shape[0])

    def part(self, start: int, stop: int) -> _Queries:
        return _Queries(
            self.body[start:stop], None if self.title is None else self.title[start:stop]
        )


class DuplicateIndex:
    """Documents to compare new text against, each under an integer key (a submission id).

    The IDF weights come from the indexed documents, so an index describes one consultation's
    vocabulary; build a new one when the set of documents changes.
    """

    def __init__(
        self, items: Iterable[tuple[int, str]], settings: DuplicateSettings | None = None
    ) -> None:
        pairs = list(items)
        settings = settings or DuplicateSettings()
        analyzer = Analyzer(settings.spec)
        texts = [text for _, text in pairs]
        body = text_counts(analyzer, texts) if pairs else None
        title = None
        if pairs and settings.title_weight > 0:
            title = text_counts(analyzer, [first_line(text) for text in texts])
        self._fit([key for key, _ in pairs], body, title, settings, analyzer)

    @classmethod
    def from_counts(
        cls,
        keys: Sequence[int] | IntArray,
        body: BlockCounts | None,
        title: BlockCounts | None,
        settings: DuplicateSettings,
        analyzer: Analyzer,
    ) -> DuplicateIndex:
        """An index of texts already counted by `text_counts` (body, and first lines if the
        settings weigh them), one row per key; the same index as from the texts themselves."""
        index = cls.__new__(cls)
        index._fit(keys, body, title, settings, analyzer)
        return index

    def _fit(
        self,
        keys: Sequence[int] | IntArray,
        body: BlockCounts | None,
        title: BlockCounts | None,
        settings: DuplicateSettings,
        analyzer: Analyzer,
    ) -> None:
        self.settings = settings
        self.keys: IntArray = np.array(keys, dtype=np.int64)
        if len(np.unique(self.keys)) != len(self.keys):
            raise ValueError("keys must be unique")
        self._position = {int(key): position for position, key in enumerate(self.keys)}
        self._body: _Space | None = None
        self._title: _Space | None = None
        if len(self.keys) and body is not None:
            self._body = _Space(settings, body, analyzer)
            if settings.title_weight > 0 and title is not None:
                self._title = _Space(settings, title, analyzer)

    def __len__(self) -> int:
        return len(self.keys)

    @property
    def matrix(self) -> Matrix:
        """The indexed documents' body rows (sparse CSR, one per key), or None if empty."""
        return None if self._body is None else self._body.matrix

    def vectors(self, texts: Sequence[str]) -> Matrix:
        """Texts as rows in this index's body feature space (sparse, CSR)."""
        if self._body is None:
            raise ValueError("the index is empty")
        return self._body.rows(texts)

    def _queries(self, texts: Sequence[str]) -> _Queries:
        title = None
        if self._title is not None:
            title = self._title.rows([first_line(text) for text in texts])
        return _Queries(self.vectors(texts), title)

    def _indexed(self) -> _Queries:
        """The indexed documents themselves as queries (for `earlier_matches`)."""
        if self._body is None:
            raise ValueError("the index is empty")
        return _Queries(self._body.matrix, None if self._title is None else self._title.matrix)

    def _text_scores(self, queries: _Queries) -> FloatArray:
        """Dense text scores of query rows against every document, in [0, 1]."""
        if self._body is None:
            raise ValueError("the index is empty")
        body = _dense_scores(queries.body, self._body.columns)
        if self._title is None or queries.title is None:
            return body
        weight = self.settings.title_weight
        title = _dense_scores(queries.title, self._title.columns)
        # A query whose first line has no features is scored on its body alone.
        present = (np.diff(queries.title.indptr) > 0)[:, None]
        mixed: FloatArray = np.where(present, (body + weight * title) / (1 + weight), body)
        return mixed

    def links(self, resolved: Mapping[int, int] | None) -> tuple[IntArray, IntArray]:
        """`links(self.keys, resolved)`, from the positions the index keeps."""
        return _links(self._position, resolved)

    def scores(
        self, texts: Sequence[str], *, resolved: Mapping[int, int] | None = None
    ) -> FloatArray:
        """Scores of every text against every indexed document: len(texts) x len(self), dense.

        Columns follow `self.keys`; with `resolved`, known duplicates score 0 and count for
        their originals. Meant for batches (a benchmark, a re-scan); the memory is that of the
        dense result, so keep len(texts) x len(self) within reason.
        """
        if not len(self) or not texts:
            return np.zeros((len(texts), len(self)))
        block = self._text_scores(self._queries(texts))
        duplicates, roots = self.links(resolved)
        return fold_known_duplicates(block, duplicates, roots, self.settings.history_weight)

    def similar(
        self,
        text: str,
        *,
        limit: int = 5,
        exclude: Collection[int] | None = None,
        min_score: float = 0.0,
        resolved: Mapping[int, int] | None = None,
    ) -> list[Match]:
        """The `limit` documents most like `text`, best first, scores at least `min_score`.

        Documents whose key is in `exclude` (e.g. the submission itself) are left out, and so
        are documents that share nothing with the text (score 0). `resolved` maps known
        duplicates to the keys they duplicate (moderators' decisions): each known duplicate is
        then not listed but counts for its original (see the module's docstring).
        """
        [matches] = self.similar_many(
            [text], limit=limit, exclude=[exclude or ()], min_score=min_score, resolved=resolved
        )
        return matches

    def similar_many(
        self,
        texts: Sequence[str],
        *,
        limit: int = 5,
        exclude: Sequence[Collection[int]] | None = None,
        min_score: float = 0.0,
        resolved: Mapping[int, int] | None = None,
    ) -> list[list[Match]]:
        """`similar` for several texts at once; `exclude[i]` applies to `texts[i]`."""
        if exclude is not None and len(exclude) != len(texts):
            raise ValueError("exclude needs one collection per text")
        if not len(self) or not texts or limit <= 0:
            return [[] for _ in texts]
        queries = self._queries(texts)
        duplicates, roots = self.links(resolved)
        results: list[list[Match]] = []
        step = max(1, _BLOCK_CELLS // len(self))
        for start in range(0, len(texts), step):
            block = self._text_scores(queries.part(start, start + step))
            for offset, row in enumerate(block):
                left_out: list[int] = []
                if exclude is not None:
                    found = (self._position.get(int(key)) for key in exclude[start + offset])
                    left_out = [position for position in found if position is not None]
                row[left_out] = 0.0
                row = fold_known_duplicates(
                    row[None, :], duplicates, roots, self.settings.history_weight
                )[0]
                row[left_out] = 0.0  # an excluded original takes its duplicates' part with it
                results.append(best_matches(row, self.keys, limit, min_score))
        return results


def earlier_matches(
    items: Sequence[tuple[int, str]],
    *,
    limit: int = 5,
    min_score: float = 0.0,
    settings: DuplicateSettings | None = None,
    resolved: Mapping[int, int] | None = None,
) -> dict[int, list[Match]]:
    """For each item, its most similar items among those before it (give them in order).

    This is the duplicate hint for a whole consultation at once: submissions in the order they
    arrived; the first gets no matches. One index is built over all of them (so the IDF is the
    consultation's), and scores are taken block by block, never as one n x n matrix. With
    `resolved`, an item sees only the moderation decisions about items before it: a known
    duplicate and its original both earlier than the item.
    """
    index = DuplicateIndex(items, settings)
    out: dict[int, list[Match]] = {int(key): [] for key in index.keys}
    if len(index) < 2 or limit <= 0:
        return out
    indexed = index._indexed()
    duplicates, roots = index.links(resolved)
    step = max(1, _BLOCK_CELLS // len(index))
    for start in range(1, len(index), step):
        block = index._text_scores(indexed.part(start, start + step))
        for offset, row in enumerate(block):
            position = start + offset
            usable = (duplicates < position) & (roots < position)
            earlier = fold_known_duplicates(
                row[None, :position],
                duplicates[usable],
                roots[usable],
                index.settings.history_weight,
            )[0]
            out[int(index.keys[position])] = best_matches(
                earlier, index.keys[:position], limit, min_score
            )
    return out


def links(
    keys: Sequence[int] | IntArray, resolved: Mapping[int, int] | None
) -> tuple[IntArray, IntArray]:
    """Positions, among `keys`, of the known duplicates they hold, and of the originals those
    fold into.

    A duplicate folds into the earliest ancestor (following `resolved` from key to key) that
    `keys` holds; a duplicate whose ancestors are all missing stays itself.
    """
    position_of = {int(key): position for position, key in enumerate(keys)} if resolved else {}
    return _links(position_of, resolved)


def _links(
    position_of: Mapping[int, int], resolved: Mapping[int, int] | None
) -> tuple[IntArray, IntArray]:
    """`links`, with the keys given as each key's position."""
    mapping = resolved or {}
    duplicates: list[int] = []
    roots: list[int] = []
    for duplicate, original in mapping.items():
        position = position_of.get(int(duplicate))
        if position is None:
            continue
        seen, key, root = {int(duplicate)}, int(original), None
        while key not in seen:
            seen.add(key)
            if key in position_of:
                root = position_of[key]
            if key not in mapping:
                break
            key = int(mapping[key])
        if root is not None and root != position:
            duplicates.append(position)
            roots.append(root)
    return np.array(duplicates, dtype=np.int64), np.array(roots, dtype=np.int64)


def fold_known_duplicates(
    scores: FloatArray, duplicates: IntArray, roots: IntArray, weight: float
) -> FloatArray:
    """Known duplicates' columns count for their originals' (noisy-or) and are then zeroed."""
    if not len(duplicates):
        return scores
    order = np.argsort(roots, kind="stable")
    duplicates, roots = duplicates[order], roots[order]
    starts = np.flatnonzero(np.r_[True, roots[1:] != roots[:-1]])
    via = np.maximum.reduceat(scores[:, duplicates], starts, axis=1)
    out = scores.copy()
    targets = roots[starts]
    out[:, targets] = 1.0 - (1.0 - out[:, targets]) * (1.0 - weight * via)
    out[:, duplicates] = 0.0
    return out


def best_matches(row: FloatArray, keys: IntArray, limit: int, min_score: float) -> list[Match]:
    """The best `limit` scores of `row` (one per key), ties to the earliest key."""
    columns = np.flatnonzero((row > 0) & (row >= min_score))
    if len(columns) > limit:
        # Keep what reaches the limit-th best score; ties at that boundary are settled below.
        threshold = np.partition(row[columns], len(columns) - limit)[len(columns) - limit]
        columns = columns[row[columns] >= threshold]
    order = columns[np.lexsort((columns, -row[columns]))][:limit]
    return [Match(int(keys[column]), float(row[column])) for column in order]


def _dense_scores(queries: Matrix, columns: Matrix) -> FloatArray:
    """Dot products of query rows with document columns, dense, clipped to [0, 1]."""
    product: FloatArray = (queries @ columns).toarray()
    np.clip(product, 0.0, 1.0, out=product)
    return product

"""The geometry of themes: text -> unit vectors in a small semantic space -> clusters.

Design (chosen on English sib200 and the UK petitions, confirmed on Kazakh and Russian
sib200; the figures are in bench/README.md, section "themes.py"):

- Features: word unigrams plus the character n-grams that open each word (features.py, a
  stemmer that knows no language), TF-IDF with sublinear tf, each block L2-normalised, the
  char block weighted 2 (it lifts Kazakh and Russian, whose words carry endings).
- LSA: a truncated SVD of those features, learnt on a sample, to `dims` dimensions; the rows
  are then L2-normalised, so that k-means on them is spherical k-means (cosine). ARPACK
  rather than the randomised solver: it converges to the same subspace whatever the seed,
  so the seed moves nothing but the clustering itself.
- Number of themes: the BIC of a mixture of spherical Gaussians with a shared variance,
  fitted by k-means for each k of a grid within the bounds, on a sample.
- Clusters: consensus clustering (Monti et al. 2003). k-means is run many times from
  different seeds; how often two entries land together is an affinity, and average-linkage
  clustering of it gives the partition. One k-means run on text moves a third of the
  entries between seeds; the consensus of a hundred moves few, which is what makes a rebuild
  with another seed give the same themes. The consensus centroids are then refined by Lloyd
  iterations over all entries.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse
from sklearn.cluster import AgglomerativeClustering, KMeans
from sklearn.decomposition import TruncatedSVD

from listening_state.ml.features import (
    Analyzer,
    FeatureSpec,
    IntArray,
    Vocabulary,
    block_counts,
)
from listening_state.ml.textprep import fold

Float32Array = npt.NDArray[np.float32]
Progress = Callable[[float, str], None]
_CHUNK = 10_000  # entries embedded at a time: bounds the sparse matrices held at once


@dataclass(frozen=True)
class Embedder:
    """Texts -> unit vectors: a fitted vocabulary and the LSA projection, block by block."""

    vocabulary: Vocabulary
    char_weight: float
    word_projection: Float32Array  # n_word x dims
    char_projection: Float32Array  # n_char x dims

    @property
    def dims(self) -> int:
        return int(self.word_projection.shape[1])

    def embed(self, texts: Sequence[str], progress: Progress | None = None) -> Float32Array:
        """Unit rows (all zero for a text with no known n-gram), computed chunk by chunk."""
        analyzer = Analyzer(self.vocabulary.spec)
        out = np.zeros((len(texts), self.dims), dtype=np.float32)
        for start in range(0, len(texts), _CHUNK):
            chunk = texts[start : start + _CHUNK]
            features = self.vocabulary.features(analyzer.analyse([fold(text) for text in chunk]))
            rows = features.word @ self.word_projection
            rows += self.char_weight * (features.char @ self.char_projection)
            out[start : start + len(chunk)] = _unit_rows(np.asarray(rows, dtype=np.float32))
            if progress is not None:
                progress(min(1.0, (start + len(chunk)) / len(texts)), "embedding")
        return out


def _unit_rows(matrix: Float32Array) -> Float32Array:
    lengths = np.linalg.norm(matrix, axis=1, keepdims=True)
    unit: Float32Array = np.divide(matrix, lengths, out=np.zeros_like(matrix), where=lengths > 0)
    return unit


def fit_embedder(
    texts: Sequence[str], spec: FeatureSpec, char_weight: float, dims: int, seed: int
) -> Embedder:
    """Learn the vocabulary and the LSA projection on these (sampled) texts."""
    batch = Analyzer(spec).analyse([fold(text) for text in texts])
    counts = block_counts(batch, spec)
    vocabulary = Vocabulary.fit(spec, counts)
    blocks = vocabulary.blocks(counts)
    matrix = sparse.hstack([blocks.word, char_weight * blocks.char], format="csr")
    if min(matrix.shape) < 2 or matrix.nnz == 0:  # nothing to reduce: every text embeds to 0
        components = np.zeros((1, matrix.shape[1]), dtype=np.float32)
    else:
        # ARPACK needs fewer components than either side of the matrix.
        svd = TruncatedSVD(min(dims, min(matrix.shape) - 1), algorithm="arpack", random_state=seed)
        svd.fit(matrix)
        components = np.asarray(svd.components_, dtype=np.float32)
    n_word = vocabulary.n_word
    return Embedder(
        vocabulary=vocabulary,
        char_weight=char_weight,
        word_projection=np.ascontiguousarray(components[:, :n_word].T),
        char_projection=np.ascontiguousarray(components[:, n_word:].T),
    )


def k_grid(low: int, high: int) -> list[int]:
    """Candidate theme counts from low to high, about 20% apart (fine where it matters)."""
    grid, k = [], max(1, low)
    while k < high:
        grid.append(k)
        k = max(k + 1, round(k * 1.2))
    grid.append(high)
    return sorted(set(grid))


def bic(points: Float32Array, inertia: float, k: int) -> float:
    """BIC of k spherical Gaussians with one shared variance (lower is better)."""
    n, d = points.shape
    variance = max(inertia, 1e-12) / (n * d)
    log_likelihood = -0.5 * n * d * np.log(variance)
    parameters = k * d + 1 + (k - 1)
    return float(-2.0 * log_likelihood + parameters * np.log(n))


def choose_k(points: Float32Array, low: int, high: int, seed: int) -> tuple[int, dict[int, float]]:
    """The k of the grid with the lowest BIC, and the BIC of every candidate."""
    scores: dict[int, float] = {}
    high = min(high, len(points))
    for k in k_grid(low, high):
        if k == 1:
            centre = points.mean(axis=0)
            scores[k] = bic(points, float(((points - centre) ** 2).sum()), 1)
            continue
        model = KMeans(k, n_init=3, random_state=seed).fit(points)
        scores[k] = bic(points, float(model.inertia_), k)
    return min(scores, key=scores.__getitem__), scores


def consensus_labels(points: Float32Array, k: int, runs: int, seed: int) -> IntArray:
    """Average-linkage clusters of how often k-means runs put two points together."""
    n = len(points)
    if k <= 1 or n <= k:
        return np.arange(n, dtype=np.int64) if n <= k else np.zeros(n, dtype=np.int64)
    rng = np.random.RandomState(seed)
    together = np.zeros((n, n), dtype=np.float32)
    for _ in range(runs):
        labels = KMeans(k, n_init=1, random_state=rng.randint(2**31 - 1)).fit_predict(points)
        one_hot = np.zeros((n, k), dtype=np.float32)
        one_hot[np.arange(n), labels] = 1.0
        together += one_hot @ one_hot.T
    distance = 1.0 - together / runs
    clustering = AgglomerativeClustering(n_clusters=k, metric="precomputed", linkage="average")
    return np.asarray(clustering.fit_predict(distance), dtype=np.int64)


def centroids_of(points: Float32Array, labels: IntArray, k: int) -> Float32Array:
    """Unit-length mean direction of each cluster (zero for an empty one)."""
    sums = np.zeros((k, points.shape[1]), dtype=np.float64)
    np.add.at(sums, labels, points)
    return _unit_rows(sums.astype(np.float32))


def nearest(points: Float32Array, centroids: Float32Array) -> tuple[IntArray, Float32Array]:
    """Each point's nearest centroid by cosine, and that cosine, in chunks."""
    labels = np.zeros(len(points), dtype=np.int64)
    cosines = np.zeros(len(points), dtype=np.float32)
    for start in range(0, len(points), 100_000):
        scores = points[start : start + 100_000] @ centroids.T
        labels[start : start + len(scores)] = scores.argmax(axis=1)
        cosines[start : start + len(scores)] = scores.max(axis=1)
    return labels, cosines


def refine(
    points: Float32Array, centroids: Float32Array, iterations: int
) -> tuple[Float32Array, IntArray, Float32Array]:
    """Spherical k-means (Lloyd) iterations from the given centroids, over every point."""
    labels, cosines = nearest(points, centroids)
    for _ in range(iterations):
        updated = centroids_of(points, labels, len(centroids))
        empty = ~updated.any(axis=1)
        updated[empty] = centroids[empty]  # a theme that lost its members keeps its place
        centroids = updated
        new_labels, cosines = nearest(points, centroids)
        if np.array_equal(new_labels, labels):
            break
        labels = new_labels
    return centroids, labels, cosines

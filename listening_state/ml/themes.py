"""Themes of a consultation: what people write about, in their own words, and how much.

`build_themes` turns texts (with ids, times, stances, languages) into themes: a short label
and keywords (theme_labels: c-TF-IDF words and phrases), size and share, stance and language
breakdowns, a weekly trend, 3-5 representative quotes (theme_details: central and different
from each other), and the theme of every input or None ("other"). The geometry is in
theme_clustering: word + word-start features, LSA, a BIC-chosen number of themes, consensus
k-means. The evidence for each choice is in bench/README.md, section "themes.py".

- Campaigns: inputs that share a `campaign_of` key are one entry, clustered, labelled and
  quoted once; every sender is still counted in the theme's size, stances and trend, so one
  organised group cannot shift the themes of everyone else.
- Scale: the vocabulary and the LSA projection are learnt on a sample (`fit_sample`), the
  number of themes and the consensus on smaller ones; every entry is then embedded chunk by
  chunk (50 float32 numbers kept per entry) and the centroids refined over all of them.
- "Other": entries with no known word, entries in themes too small to stand, and entries
  whose cosine to their theme's centroid is below `other_cosine_ratio` x the theme's median.
- Between rebuilds, `ThemeModel.assign` puts new texts in the nearest theme (or None) at
  once; the model is stored by `dumps`/`loads` (npz + JSON header, no pickle, SHA-256).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from listening_state.ml.features import FeatureSpec, IntArray
from listening_state.ml.storage import (
    ModelIntegrityError,
    library_versions,
    load_vocabulary,
    pack,
    sha256_hex,
    unpack,
    vocabulary_arrays,
    vocabulary_header,
)
from listening_state.ml.theme_clustering import (
    Embedder,
    Float32Array,
    centroids_of,
    choose_k,
    consensus_labels,
    fit_embedder,
    nearest,
    refine,
)
from listening_state.ml.theme_details import (
    breakdown,
    campaign_entries,
    representative_quotes,
    representatives,
    week_starts,
    weekly_counts,
)
from listening_state.ml.theme_labels import theme_keywords

__all__ = [
    "ModelIntegrityError",
    "Theme",
    "ThemeModel",
    "ThemeSettings",
    "ThemeSummary",
    "WeekCount",
    "build_themes",
    "dumps",
    "loads",
    "sha256_hex",
]

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class ThemeSettings:
    """Bounds and sizes of a build. The defaults are what bench/themes.py measured."""

    min_themes: int = 2
    max_themes: int = 30
    min_theme_size: int = 3  # entries; smaller themes are dissolved
    seed: int = 0
    char_weight: float = 2.0
    dims: int = 50
    fit_sample: int = 20_000  # entries the vocabulary and LSA are learnt on
    selection_sample: int = 4_000  # entries the number of themes is chosen on
    consensus_sample: int = 2_500  # entries of the consensus (its memory is this squared)
    consensus_runs: int = 100
    refine_iterations: int = 10
    other_cosine_ratio: float = 0.6
    label_sample: int = 50_000  # entries the keywords are counted on
    n_keywords: int = 10
    label_terms: int = 3
    phrase_ratio: float = 0.5
    n_quotes: int = 5
    quote_pool: int = 50
    quote_centrality: float = 0.7
    features: FeatureSpec = field(
        default_factory=lambda: FeatureSpec(
            min_df=2, max_word_features=50_000, max_char_features=50_000
        )
    )


@dataclass(frozen=True)
class WeekCount:
    week_start: dt.date  # the Monday of an ISO week
    count: int


@dataclass(frozen=True)
class Theme:
    id: int  # 0 is the largest theme
    label: str
    keywords: tuple[str, ...]
    size: int  # inputs (senders), each campaign copy included
    entries: int  # distinct entries: a campaign counts once
    campaigns: int  # entries that stand for two or more inputs
    share: float  # size / number of inputs
    stances: dict[str, int]
    languages: dict[str, int]
    trend: tuple[WeekCount, ...]  # every week from the first input's to the last's
    quotes: tuple[str, ...]  # ids of representative inputs, best first


class ThemeModel:
    """The fitted themes: embeds new texts and puts each in the nearest theme, or None."""

    def __init__(
        self, embedder: Embedder, centroids: Float32Array, thresholds: npt.NDArray[np.float32]
    ) -> None:
        self.embedder = embedder
        self.centroids = centroids
        self.thresholds = thresholds

    def assign(self, texts: Sequence[str]) -> list[int | None]:
        """The theme id of each text, or None if it is near no theme."""
        if len(self.centroids) == 0:
            return [None] * len(texts)
        points = self.embedder.embed(texts)
        themes, cosines = nearest(points, self.centroids)
        keep = (cosines >= self.thresholds[themes]) & points.any(axis=1)
        return [int(t) if ok else None for t, ok in zip(themes, keep, strict=True)]


@dataclass(frozen=True)
class ThemeSummary:
    themes: tuple[Theme, ...]  # largest first
    assignments: tuple[int | None, ...]  # per input: its theme id, or None for "other"
    other_count: int
    other_share: float
    chosen_k: int  # the number of themes the BIC chose, before small ones were dissolved
    k_scores: dict[int, float]  # BIC of every candidate number of themes (lower is better)
    model: ThemeModel


def _sample(candidates: IntArray, size: int, rng: np.random.RandomState) -> IntArray:
    if len(candidates) <= size:
        return candidates
    return np.sort(rng.choice(candidates, size, replace=False))


def _settle(
    points: Float32Array, centroids: Float32Array, settings: ThemeSettings
) -> tuple[Float32Array, IntArray, npt.NDArray[np.float32]]:
    """Refine, dissolve themes too small to stand, and mark outliers -1 ("other")."""
    has_words = points.any(axis=1)
    centroids, labels, cosines = refine(points[has_words], centroids, settings.refine_iterations)
    sizes = np.bincount(labels, minlength=len(centroids))
    kept = sizes >= settings.min_theme_size
    if not kept.all() and kept.any():
        centroids, labels, cosines = refine(points[has_words], centroids[kept], 0)
    elif not kept.any():
        centroids = centroids[:0]
    thresholds = np.array(
        [
            settings.other_cosine_ratio * float(np.median(cosines[labels == t]))
            if np.any(labels == t)
            else 1.0
            for t in range(len(centroids))
        ],
        dtype=np.float32,
    )
    themes = np.full(len(points), -1, dtype=np.int64)
    if len(centroids):
        themes[has_words] = np.where(cosines >= thresholds[labels], labels, -1)
    return centroids, themes, thresholds


def build_themes(
    texts: Sequence[str],
    *,
    ids: Sequence[str] | None = None,
    times: Sequence[dt.datetime | dt.date] | None = None,
    stances: Sequence[str] | None = None,
    languages: Sequence[str] | None = None,
    quotable: Sequence[bool] | None = None,
    campaign_of: Sequence[str | None] | None = None,
    settings: ThemeSettings = ThemeSettings(),
    progress: Progress | None = None,
) -> ThemeSummary:
    """Themes of these inputs; every per-input sequence, if given, has one item per text."""
    n = len(texts)
    if n == 0:
        raise ValueError("no texts to find themes in")
    for name, values in (
        ("ids", ids),
        ("times", times),
        ("stances", stances),
        ("languages", languages),
        ("quotable", quotable),
        ("campaign_of", campaign_of),
    ):
        if values is not None and len(values) != n:
            raise ValueError(f"{len(values)} {name} for {n} texts")

    def report(fraction: float, message: str) -> None:
        if progress is not None:
            progress(fraction, message)

    input_ids = [str(i) for i in range(n)] if ids is None else [str(i) for i in ids]
    may_quote = np.ones(n, dtype=bool) if quotable is None else np.asarray(quotable, dtype=bool)
    entry = campaign_entries(n, campaign_of)
    representative = representatives(entry, may_quote)
    entry_texts = [texts[i] for i in representative]
    rng = np.random.RandomState(settings.seed)
    report(0.0, "learning the vocabulary")
    fit_rows = _sample(np.arange(len(entry_texts)), settings.fit_sample, rng)
    spec = settings.features
    if len(fit_rows) < 200:  # a small consultation: a word used once may still be its topic
        spec = replace(spec, min_df=1)
    # More dimensions than a tenth of the entries would fit noise (fit_embedder also
    # keeps them below the number of entries).
    dims = min(settings.dims, max(10, len(fit_rows) // 10))
    embedder = fit_embedder(
        [entry_texts[i] for i in fit_rows], spec, settings.char_weight, dims, settings.seed
    )
    points = embedder.embed(entry_texts, lambda f, m: report(0.05 + 0.5 * f, m))

    with_words = np.flatnonzero(points.any(axis=1))
    high = max(1, min(settings.max_themes, len(with_words) // max(1, settings.min_theme_size)))
    low = min(settings.min_themes, high)
    report(0.55, "choosing the number of themes")
    if len(with_words) < max(2, settings.min_theme_size):  # too few words for any theme
        chosen_k, k_scores = 0, dict[int, float]()
        centroids = np.zeros((0, embedder.dims), dtype=np.float32)
        thresholds = np.zeros(0, dtype=np.float32)
        entry_themes = np.full(len(entry_texts), -1, dtype=np.int64)
    else:
        selection = _sample(with_words, settings.selection_sample, rng)
        chosen_k, k_scores = choose_k(points[selection], low, high, settings.seed)
        report(0.65, "clustering")
        core = _sample(with_words, settings.consensus_sample, rng)
        core_labels = consensus_labels(
            points[core], chosen_k, settings.consensus_runs, settings.seed
        )
        report(0.8, "refining")
        centroids, entry_themes, thresholds = _settle(
            points, centroids_of(points[core], core_labels, chosen_k), settings
        )

    # Theme ids by size, largest first (senders; ties by entries, then old id).
    input_themes = entry_themes[entry]
    n_themes = len(centroids)
    senders = np.bincount(input_themes[input_themes >= 0], minlength=n_themes)
    entry_counts = np.bincount(entry_themes[entry_themes >= 0], minlength=n_themes)
    order = np.lexsort((np.arange(n_themes), -entry_counts, -senders))
    new_id = np.empty(n_themes, dtype=np.int64)
    new_id[order] = np.arange(n_themes)
    centroids, thresholds = centroids[order], thresholds[order]
    entry_themes = np.where(entry_themes >= 0, np.r_[new_id, -1][entry_themes], -1)
    input_themes = entry_themes[entry]

    report(0.85, "labelling")
    label_rows = _sample(np.arange(len(entry_texts)), settings.label_sample, rng)
    keywords = theme_keywords(
        [entry_texts[i] for i in label_rows],
        entry_themes[label_rows],
        n_themes,
        n_keywords=settings.n_keywords,
        phrase_ratio=settings.phrase_ratio,
    )
    report(0.95, "quotes and trends")
    members_per_entry = np.bincount(entry, minlength=len(entry_texts))
    starts, trend = weekly_counts(
        week_starts(times) if times is not None else np.zeros(0, dtype=np.int64),
        input_themes,
        n_themes,
    )
    stance_counts = breakdown(stances, input_themes, n_themes) if stances is not None else None
    language_counts = (
        breakdown(languages, input_themes, n_themes) if languages is not None else None
    )
    quotable_entries = may_quote[representative]
    themes = []
    for t in range(n_themes):
        members = np.flatnonzero(entry_themes == t)
        quotes = representative_quotes(
            points,
            centroids[t],
            members[quotable_entries[members]],
            n_quotes=settings.n_quotes,
            pool=settings.quote_pool,
            centrality_weight=settings.quote_centrality,
        )
        themes.append(
            Theme(
                id=t,
                label=", ".join(keywords[t][: settings.label_terms]),
                keywords=keywords[t],
                size=int(senders[order[t]]),
                entries=len(members),
                campaigns=int(np.sum(members_per_entry[members] >= 2)),
                share=float(senders[order[t]]) / n if n else 0.0,
                stances=stance_counts[t] if stance_counts else {},
                languages=language_counts[t] if language_counts else {},
                trend=tuple(WeekCount(s, int(c)) for s, c in zip(starts, trend[t], strict=True)),
                quotes=tuple(input_ids[representative[q]] for q in quotes),
            )
        )
    other = int(np.sum(input_themes < 0))
    report(1.0, "done")
    return ThemeSummary(
        themes=tuple(themes),
        assignments=tuple(int(t) if t >= 0 else None for t in input_themes.tolist()),
        other_count=other,
        other_share=other / n if n else 0.0,
        chosen_k=chosen_k,
        k_scores=k_scores,
        model=ThemeModel(embedder, centroids, thresholds),
    )


def dumps(model: ThemeModel) -> bytes:
    """The model as bytes (an .npz archive: arrays and a JSON header, no pickle)."""
    vocabulary = model.embedder.vocabulary
    header: dict[str, object] = {
        "kind": "themes",
        "char_weight": model.embedder.char_weight,
        "features": vocabulary_header(vocabulary),
        "library_versions": library_versions(),
    }
    arrays: dict[str, npt.NDArray[Any]] = {
        **vocabulary_arrays(vocabulary),
        "word_projection": model.embedder.word_projection,
        "char_projection": model.embedder.char_projection,
        "centroids": model.centroids,
        "thresholds": model.thresholds,
    }
    return pack(arrays, header)


def loads(data: bytes, *, expected_sha256: str) -> ThemeModel:
    """The model in `data`; ModelIntegrityError unless sha256(data) is the expected one."""
    arrays, header = unpack(data, expected_sha256=expected_sha256)
    try:
        if header.get("kind") != "themes":
            raise ValueError("the file holds another kind of model")
        vocabulary = load_vocabulary(arrays, header["features"])
        word_projection = np.ascontiguousarray(arrays["word_projection"], dtype=np.float32)
        char_projection = np.ascontiguousarray(arrays["char_projection"], dtype=np.float32)
        centroids = np.ascontiguousarray(arrays["centroids"], dtype=np.float32)
        thresholds = np.ascontiguousarray(arrays["thresholds"], dtype=np.float32)
        dims = word_projection.shape[1]
        if (
            word_projection.shape[0] != vocabulary.n_word
            or char_projection.shape != (len(vocabulary.char_keys), dims)
            or centroids.shape[1:] != (dims,)
            or thresholds.shape != (len(centroids),)
            or not math.isfinite(float(header["char_weight"]))
        ):
            raise ValueError("arrays do not fit together")
        embedder = Embedder(
            vocabulary, float(header["char_weight"]), word_projection, char_projection
        )
        return ThemeModel(embedder, centroids, thresholds)
    except (KeyError, TypeError, ValueError) as error:
        raise ModelIntegrityError(f"not a themes model file: {error}") from error

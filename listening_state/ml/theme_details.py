"""What a theme shows besides its label: representative quotes, a weekly trend, breakdowns."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from listening_state.ml.features import IntArray
from listening_state.ml.theme_clustering import Float32Array


def campaign_entries(n: int, campaign_of: Sequence[str | None] | None) -> IntArray:
    """The entry of each input: its own, or the one its campaign shares."""
    if campaign_of is None:
        return np.arange(n, dtype=np.int64)
    first: dict[str, int] = {}
    entry = np.empty(n, dtype=np.int64)
    count = 0
    for i, key in enumerate(campaign_of):
        if key is None or key not in first:
            if key is not None:
                first[key] = count
            entry[i] = count
            count += 1
        else:
            entry[i] = first[key]
    return entry


def representatives(entry: IntArray, quotable: npt.NDArray[np.bool_]) -> IntArray:
    """Each entry's first quotable input, or its first input if none is quotable."""
    n_entries = int(entry.max()) + 1 if len(entry) else 0
    order = np.lexsort((np.arange(len(entry)), ~quotable, entry))
    starts = np.flatnonzero(np.r_[True, entry[order][1:] != entry[order][:-1]])
    representative = np.empty(n_entries, dtype=np.int64)
    representative[entry[order][starts]] = order[starts]
    return representative


# Quotes closer than this to one already chosen say the same thing (a copy or a template).
_SAME_QUOTE_COSINE = 0.9


def representative_quotes(
    points: Float32Array,
    centroid: Float32Array,
    candidates: IntArray,
    *,
    n_quotes: int,
    min_quotes: int = 3,
    pool: int,
    centrality_weight: float,
) -> list[int]:
    """Central and mutually different members (maximal marginal relevance), best first.

    Each pick maximises ``w * cos(centroid) - (1 - w) * max cos(already picked)`` among the
    `pool` members nearest the centroid. Near-copies of a pick are skipped, unless that
    would leave fewer than `min_quotes`.
    """
    if len(candidates) == 0:
        return []
    centrality = points[candidates] @ centroid
    order = np.lexsort((candidates, -centrality))[:pool]
    pool_ids, pool_centrality = candidates[order], centrality[order].astype(np.float64)
    pool_points = points[pool_ids]
    redundancy = np.full(len(pool_ids), -np.inf)
    available = np.ones(len(pool_ids), dtype=bool)
    distinct = np.ones(len(pool_ids), dtype=bool)
    picked: list[int] = []
    while len(picked) < n_quotes:
        if not (available & distinct).any():
            if len(picked) >= min_quotes or not available.any():
                break
            distinct = available.copy()  # too few different ones: allow near-copies
        gain = centrality_weight * pool_centrality - (1 - centrality_weight) * np.maximum(
            redundancy, 0.0
        )
        gain[~(available & distinct)] = -np.inf
        best = int(np.argmax(gain))
        picked.append(int(pool_ids[best]))
        similarity = pool_points @ pool_points[best]
        redundancy = np.maximum(redundancy, similarity)
        distinct &= similarity < _SAME_QUOTE_COSINE
        available[best] = False
    return picked


def week_starts(times: Sequence[dt.datetime | dt.date]) -> IntArray:
    """The proleptic ordinal of the Monday that starts each time's ISO week."""
    days = np.fromiter(
        (
            (moment.date() if isinstance(moment, dt.datetime) else moment).toordinal()
            for moment in times
        ),
        dtype=np.int64,
        count=len(times),
    )
    # Ordinal 1 (0001-01-01) was a Monday, so (ordinal - 1) % 7 is the weekday, Monday 0.
    return days - (days - 1) % 7


def weekly_counts(
    weeks: IntArray, themes: IntArray, n_themes: int
) -> tuple[tuple[dt.date, ...], IntArray]:
    """Every week from the first to the last, and a themes x weeks table of counts."""
    if len(weeks) == 0:
        return (), np.zeros((n_themes, 0), dtype=np.int64)
    first = int(weeks.min())
    n_weeks = (int(weeks.max()) - first) // 7 + 1
    column = (weeks - first) // 7
    assigned = themes >= 0
    table = np.bincount(
        themes[assigned] * n_weeks + column[assigned], minlength=n_themes * n_weeks
    ).reshape(n_themes, n_weeks)
    starts = tuple(dt.date.fromordinal(first + 7 * week) for week in range(n_weeks))
    return starts, table


def breakdown(values: Sequence[str], themes: IntArray, n_themes: int) -> list[dict[str, int]]:
    """How many inputs of each theme carry each value (e.g. stance or language)."""
    names, codes = np.unique(np.asarray(values, dtype=object).astype(str), return_inverse=True)
    assigned = themes >= 0
    table = np.bincount(
        themes[assigned] * len(names) + codes.ravel()[assigned],
        minlength=n_themes * len(names),
    ).reshape(n_themes, len(names))
    return [
        {str(name): int(count) for name, count in zip(names, row, strict=True) if count}
        for row in table.tolist()
    ]

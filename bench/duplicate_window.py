"""The live duplicate hint's cost per new comment: the index built from the texts (the
baseline), the index built from the window's kept counts (`DuplicateWindow.index`), and the
window's own scoring (`DuplicateWindow.similar`, what the hint uses); a table, then one JSON line.

    .venv/bin/python bench/duplicate_window.py [--data ../shared/data] [--windows 1000,5000]
                                               [--arrivals 30]

Real comments arrive one after another: the 11,080 Pol.is comments of ../shared/data/polis
(CC BY 4.0), in file order. For each window size W, each new comment is compared with the W
comments before it, exactly as services/moderation_hints.py does on every comment: build the
index over the window, then ask for the 3 most similar. All three ways run in this process on
the same arrivals, one core. The kept index's answers are checked to be the same as the fresh
index's, score for score; the window's own answers to be the same keys in the same order, scores
within 1e-9 (`max_score_difference`). `kept_mb` is the memory one window's kept state holds
after its first call (tracemalloc). A fourth way, `keyed`, is the window asked with each
comment's key, as the hint asks: the comment's counts are kept for its arrival in the next
window instead of being analysed again (`keyed_analysed_after_warmup` counts what was).
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import _one_core  # noqa: F401  (before numpy: pins its thread pools to one thread)
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from listening_state.ml.duplicate_window import DuplicateWindow  # noqa: E402
from listening_state.ml.duplicates import DuplicateIndex  # noqa: E402


def polis_comments(data: Path) -> list[str]:
    comments = []
    for path in sorted((data / "polis").glob("*/comments.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            comments += [row["comment-body"] for row in csv.DictReader(handle)]
    return comments


def one_window(comments: list[str], size: int, arrivals: int) -> dict[str, float]:
    kept_window, window, keyed = DuplicateWindow(), DuplicateWindow(), DuplicateWindow()
    first = size  # the first arrival already has a full window before it
    warmup = list(enumerate(comments[:first]))  # a process that has seen the consultation
    kept_window.index(warmup)
    window.similar(warmup, comments[first], limit=3)
    keyed.similar(warmup, comments[first], limit=3)
    fresh_ms, kept_ms, similar_ms, keyed_ms, differences = [], [], [], [], [0.0]
    for arrival in range(first, first + arrivals):
        items = list(enumerate(comments[arrival - size : arrival], start=arrival - size))
        query = comments[arrival]
        started = time.perf_counter()
        fresh = DuplicateIndex(items).similar(query, limit=3)
        fresh_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        kept = kept_window.index(items).similar(query, limit=3)
        kept_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        similar = window.similar(items, query, limit=3)
        similar_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        keyed_similar = keyed.similar(items, query, limit=3, key=arrival)
        keyed_ms.append((time.perf_counter() - started) * 1000)
        if keyed_similar != similar:
            raise AssertionError(f"arrival {arrival}: the keyed window answered differently")
        if kept != fresh:
            raise AssertionError(f"arrival {arrival}: the kept index answered differently")
        if [match.key for match in similar] != [match.key for match in fresh]:
            raise AssertionError(f"arrival {arrival}: the window matched other comments")
        differences += [abs(a.score - b.score) for a, b in zip(similar, fresh, strict=True)]
    if max(differences) > 1e-9:
        raise AssertionError(f"the window's scores differ by up to {max(differences):.1e}")
    tracemalloc.start()
    measured = DuplicateWindow()
    measured.similar(list(enumerate(comments[:size])), comments[size], limit=3)
    kept_bytes = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    fresh_median = statistics.median(fresh_ms)
    kept_median, similar_median = statistics.median(kept_ms), statistics.median(similar_ms)
    return {
        "fresh_ms": round(fresh_median, 1),
        "kept_ms": round(kept_median, 1),
        "speedup": round(fresh_median / kept_median, 1),
        "similar_ms": round(similar_median, 1),
        "similar_speedup": round(fresh_median / similar_median, 1),
        "similar_vs_kept": round(kept_median / similar_median, 1),
        "keyed_ms": round(statistics.median(keyed_ms), 1),
        "keyed_vs_similar": round(similar_median / statistics.median(keyed_ms), 1),
        "max_score_difference": float(f"{max(differences):.1e}"),
        "kept_mb": round(kept_bytes / 1e6, 1),
        "analysed_after_warmup": window.analysed - first,
        "keyed_analysed_after_warmup": keyed.analysed - first,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--windows", default="1000,5000")
    parser.add_argument("--arrivals", type=int, default=30)
    args = parser.parse_args()
    comments = polis_comments(args.data)
    sizes = [int(size) for size in args.windows.split(",")]
    if max(sizes) + args.arrivals > len(comments):
        parser.error(f"only {len(comments)} comments: windows + arrivals must fit")
    np.random.seed(0)
    results = {size: one_window(comments, size, args.arrivals) for size in sizes}
    print(f"{len(comments)} real Pol.is comments; {args.arrivals} arrivals per window; one core")
    header = ("window", "fresh index ms", "kept index ms", "window ms", "ratio", "keyed ms")
    print(
        f"{header[0]:>8} {header[1]:>15} {header[2]:>14} {header[3]:>10} {header[4]:>6} "
        f"{header[5]:>9} {'kept MB':>8}"
    )
    for size, row in results.items():
        print(
            f"{size:>8} {row['fresh_ms']:>15} {row['kept_ms']:>14} {row['similar_ms']:>10} "
            f"{row['similar_speedup']:>6} {row['keyed_ms']:>9} {row['kept_mb']:>8}"
        )
    worst = max(row["max_score_difference"] for row in results.values())
    print(
        "kept index: answers identical to the fresh index on every arrival; window: the same "
        f"matches, scores within {worst:.1e}"
    )
    figures: dict[str, float] = {}
    for size, row in results.items():
        for name, value in row.items():
            figures[f"window_{size}_{name}"] = value
    print(json.dumps(figures))


if __name__ == "__main__":
    main()

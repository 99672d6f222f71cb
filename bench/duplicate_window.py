"""The live duplicate hint's cost per new comment: the index built from the texts (as before)
against the kept, analysed window (ml/duplicate_window.py); a table, then one JSON line.

    .venv/bin/python bench/duplicate_window.py [--data ../shared/data] [--windows 1000,5000]
                                               [--arrivals 30]

Real comments arrive one after another: the 11,080 Pol.is comments of ../shared/data/polis
(CC BY 4.0), in file order. For each window size W, each new comment is compared with the W
comments before it, exactly as services/moderation_hints.py does on every comment: build the
index over the window, then ask for the 3 most similar. Both ways run in this process on the
same arrivals, one core; the kept window's answers are checked to be the same, score for score,
as the fresh index's. `kept_mb` is the memory the kept counts of one window hold (tracemalloc).
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
    window = DuplicateWindow()
    first = size  # the first arrival already has a full window before it
    window.index(list(enumerate(comments[:first])))  # a process that has seen the consultation
    fresh_ms, kept_ms = [], []
    for arrival in range(first, first + arrivals):
        items = list(enumerate(comments[arrival - size : arrival], start=arrival - size))
        query = comments[arrival]
        started = time.perf_counter()
        fresh = DuplicateIndex(items).similar(query, limit=3)
        fresh_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        kept_index = window.index(items)
        kept = kept_index.similar(query, limit=3)
        kept_ms.append((time.perf_counter() - started) * 1000)
        if kept != fresh:
            raise AssertionError(f"arrival {arrival}: the kept window answered differently")
    tracemalloc.start()
    fresh_window = DuplicateWindow()
    fresh_window.index(list(enumerate(comments[:size])))
    kept_bytes = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    fresh_median, kept_median = statistics.median(fresh_ms), statistics.median(kept_ms)
    return {
        "fresh_ms": round(fresh_median, 1),
        "kept_ms": round(kept_median, 1),
        "speedup": round(fresh_median / kept_median, 1),
        "kept_mb": round(kept_bytes / 1e6, 1),
        "analysed_after_warmup": window.analysed - first,
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
    header = ("window", "fresh index ms", "kept window ms", "ratio", "kept MB")
    print(f"{header[0]:>8} {header[1]:>15} {header[2]:>15} {header[3]:>6} {header[4]:>8}")
    for size, row in results.items():
        print(
            f"{size:>8} {row['fresh_ms']:>15} {row['kept_ms']:>15} "
            f"{row['speedup']:>6} {row['kept_mb']:>8}"
        )
    print("answers identical to the fresh index on every arrival")
    figures: dict[str, float] = {}
    for size, row in results.items():
        for name, value in row.items():
            figures[f"window_{size}_{name}"] = value
    print(json.dumps(figures))


if __name__ == "__main__":
    main()

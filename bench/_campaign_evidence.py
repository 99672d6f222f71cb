"""Evidence for the campaign detector's design, and its speed and memory at scale.

Used by bench/_campaigns.py (`--evidence`, `--scale`); run on its own only as
`bench/_campaign_evidence.py --scale-run N`, which times one size in a fresh process so that
the peak memory it reports is that run's own.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from pathlib import Path

import _one_core  # noqa: F401  (before numpy: pins its thread pools to one thread)
import numpy as np

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH), str(BENCH.parent)]

from _campaigns import (  # noqa: E402
    DEV_SEEDS,
    ROOT,
    Mix,
    edit,
    found_labels,
    jaccard,
    load_pool,
    make_mix,
    membership,
    run,
    word_sets,
)

from listening_state.ml.campaigns import (  # noqa: E402
    CampaignSettings,
    campaigns_from_signatures,
    text_signatures,
)


def evidence(pool: list[str]) -> dict[str, dict[str, float]]:
    """Designs compared on the development mixes (seeds 1-5), and exact similarities."""
    mixes = [make_mix(pool, seed) for seed in DEV_SEEDS]
    designs = {
        f"words x{w} t={t} rows={r} perm={p} whole<{b} min_size={m}": CampaignSettings(
            shingle_words=w, threshold=t, band_rows=r, num_perm=p, whole_below=b, min_size=m
        )
        for w, t, r, p, b, m in [
            (1, 0.6, 4, 64, 0, 5), (1, 0.55, 4, 64, 0, 5), (1, 0.65, 4, 64, 0, 5),
            (1, 0.6, 2, 64, 0, 5), (1, 0.6, 8, 64, 0, 5), (1, 0.6, 4, 128, 0, 5),
            (1, 0.6, 4, 64, 5, 5), (1, 0.6, 4, 64, 0, 3), (1, 0.6, 4, 64, 0, 10),
            (2, 0.4, 2, 64, 0, 5), (2, 0.5, 2, 64, 0, 5), (2, 0.3, 4, 128, 0, 5),
            (3, 0.3, 2, 64, 0, 5),
        ]
    }  # fmt: skip
    table = {}
    for name, settings in designs.items():
        scores = [membership(m.truth, found_labels(run(m, settings)[0])) for m in mixes]
        table[name] = {key: float(np.mean([s[key] for s in scores])) for key in scores[0]} | {
            "min_" + k: float(min(s[k] for s in scores))
            for k in ("bcubed_precision", "bcubed_recall")
        }
    return table


def similarities(mix: Mix, sample: int = 2_000) -> dict[str, dict[str, float]]:
    """Exact word-set Jaccard: each copy with its template, by share of words edited; and
    background texts (a seeded sample) with their most similar other background text."""
    vocabulary: dict[str, int] = {}
    templates = word_sets(mix.templates, vocabulary)
    copies = np.flatnonzero(mix.truth >= 0)
    copy_sets = word_sets([mix.texts[i] for i in copies], vocabulary)
    with_template = jaccard(copy_sets, templates).tocsr()
    own = np.asarray(with_template[np.arange(len(copies)), mix.truth[copies]]).ravel()
    out: dict[str, dict[str, float]] = {}
    for low in (0.0, 0.05, 0.1, 0.15):
        rows = (mix.edited[copies] >= low) & (mix.edited[copies] < low + 0.05)
        out[f"copies edited {low:.0%}-{low + 0.05:.0%}"] = {
            "p5": float(np.quantile(own[rows], 0.05)),
            "median": float(np.median(own[rows])),
            "share_below_0.6": float(np.mean(own[rows] < 0.6)),
        }
    background = np.flatnonzero(mix.truth < 0)
    picked = np.random.default_rng(0).choice(len(background), sample, replace=False)
    all_sets = word_sets([mix.texts[i] for i in background], vocabulary)
    near = jaccard(all_sets[picked], all_sets).tocsr()
    near[np.arange(sample), picked] = 0  # not itself
    best = near.max(axis=1).toarray().ravel()
    out["background nearest neighbour"] = {
        "p5": float(np.quantile(best, 0.05)),
        "median": float(np.median(best)),
        **{f"share_at_least_{t}": float(np.mean(best >= t)) for t in (0.4, 0.5, 0.6, 0.7)},
    }
    return out


def resampled(pool: list[str], n: int, seed: int = 0) -> list[str]:
    """n real texts drawn with replacement, each with three random word edits (as router.py)."""
    rng = random.Random(seed)
    words = [word for text in pool for word in text.split()]
    texts = []
    for _ in range(n):
        text = pool[rng.randrange(len(pool))]
        texts.append(edit(text, 3 / max(len(text.split()), 1), rng, words))
    return texts


def _memory_mb(field: str) -> float:
    """A line of /proc/self/status (VmRSS: now, VmHWM: the peak so far), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def scale_run(data_dir: Path, n: int) -> dict[str, float]:
    """find_campaigns over n resampled real texts; run in a fresh process for its peak."""
    texts = resampled(load_pool(data_dir), n)
    before = _memory_mb("VmRSS")
    started, cpu_started = time.perf_counter(), time.process_time()
    settings = CampaignSettings()
    table, has_words = text_signatures(texts, settings)
    signed = time.perf_counter()
    result = campaigns_from_signatures(table, has_words, settings=settings)
    return {
        "texts": n,
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu_started,
        "signature_seconds": signed - started,  # words, shingles, MinHash
        "grouping_seconds": time.perf_counter() - signed,  # bands, checks, groups, summaries
        "rss_before_mb": before,
        "peak_rss_mb": _memory_mb("VmHWM"),
        "campaigns": len(result.campaigns),
        "texts_in_campaigns": result.n_in_campaigns,
    }


def scale(data_dir: Path, sizes: tuple[int, ...]) -> dict[str, dict[str, float]]:
    out = {}
    for n in sizes:
        command = [sys.executable, __file__, "--data", str(data_dir), "--scale-run", str(n)]
        # This very script, with fixed arguments: a fresh process, so its peak is its own.
        lines = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
        out[str(n)] = json.loads(lines.strip().splitlines()[-1])
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--scale-run", type=int, required=True)
    arguments = parser.parse_args()
    print(json.dumps(scale_run(arguments.data, arguments.scale_run)))

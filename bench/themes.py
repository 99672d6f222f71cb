"""Benchmark the themes engine against the issue's targets; prints a table, then one JSON line.

    .venv/bin/python bench/themes.py [--data ../shared/data] [--sizes 10000,100000,1000000]
                                     [--skip-1m] [--seed 0]

Everything runs on one core (thread pools are pinned to one thread before numpy loads).
The engine is never told how many labels a data set has: it chooses the number of themes
within its bounds (ThemeSettings). The baseline, TF-IDF (sublinear, min_df 2, max_df 0.5) +
KMeans (n_init 10), is given k = the number of labels. AMI counts "other" as one more cluster.
Each scale run happens in a child process, so that its peak memory is its own.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import _one_core  # noqa: F401  (before numpy: pins its thread pools to one thread)
import numpy as np
from _resample import resampled
from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import adjusted_mutual_info_score, adjusted_rand_score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from listening_state.ml import themes  # noqa: E402
from listening_state.router_seed import petition_text  # noqa: E402

SIB_LANGUAGES = {"kk": "kaz_Cyrl", "ru": "rus_Cyrl", "en": "eng_Latn"}
STANCES = ("support", "oppose", "neutral")


def load_petitions(data: Path) -> tuple[list[str], list[str]]:
    """Every petition with a primary_department (all 18 departments)."""
    with (data / "uk-petitions" / "petitions.csv").open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["primary_department"]]
    return [petition_text(row) for row in rows], [row["primary_department"] for row in rows]


def load_sib(data: Path, language: str) -> tuple[list[str], list[str]]:
    """All 1,004 sentences of one language (train + dev + test)."""
    texts, labels = [], []
    for split in ("train", "dev", "test"):
        path = data / "sib200" / language / f"{split}.tsv"
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                texts.append(row["text"])
                labels.append(row["category"])
    return texts, labels


def load_real_pool(data: Path) -> list[str]:
    """Every petition and every Pol.is comment: the texts the scale runs resample."""
    with (data / "uk-petitions" / "petitions.csv").open(encoding="utf-8", newline="") as handle:
        pool = [petition_text(row) for row in csv.DictReader(handle)]
    for path in sorted((data / "polis").glob("*/comments.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            pool.extend(row["comment-body"] for row in csv.DictReader(handle))
    return [text for text in pool if text.strip()]


def baseline_ami(texts: list[str], labels: list[str], seed: int) -> float:
    matrix = TfidfVectorizer(sublinear_tf=True, min_df=2, max_df=0.5).fit_transform(texts)
    k = len(set(labels))
    predicted = KMeans(k, n_init=10, random_state=seed).fit_predict(matrix)
    return float(adjusted_mutual_info_score(labels, predicted))


def as_labels(summary: themes.ThemeSummary) -> list[int]:
    return [-1 if theme is None else theme for theme in summary.assignments]


def quality(name: str, texts: list[str], labels: list[str], seed: int) -> dict[str, object]:
    started = time.perf_counter()
    summary = themes.build_themes(texts, settings=themes.ThemeSettings(seed=seed))
    seconds = time.perf_counter() - started
    return {
        "name": name,
        "n": len(texts),
        "labels": len(set(labels)),
        "ami": float(adjusted_mutual_info_score(labels, as_labels(summary))),
        "baseline_ami": baseline_ami(texts, labels, seed),
        "chosen_k": summary.chosen_k,
        "themes": len(summary.themes),
        "other_share": summary.other_share,
        "seconds": seconds,
        "summary": summary,
    }


def scale_child(data: Path, n: int, seed: int) -> None:
    """One scale run (in its own process): prints one JSON line with its figures."""
    texts, _ = resampled(load_real_pool(data), n, seed)
    rng = np.random.RandomState(seed)
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    times = [start + dt.timedelta(minutes=int(m)) for m in rng.randint(0, 12 * 7 * 24 * 60, n)]
    stances = [STANCES[i] for i in rng.randint(0, 3, n)]
    before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    stages: list[tuple[float, str, float]] = []
    started, cpu_started = time.perf_counter(), time.process_time()
    summary = themes.build_themes(
        texts,
        times=times,
        stances=stances,
        languages=["en"] * n,
        settings=themes.ThemeSettings(seed=seed),
        progress=lambda f, m: stages.append((f, m, time.perf_counter() - started)),
    )
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    new = texts[:1000]
    assign_started = time.perf_counter()
    summary.model.assign(new)
    assign_seconds = time.perf_counter() - assign_started
    stage_seconds: dict[str, float] = {}
    for (_, message, at), (_, _, until) in zip(stages, [*stages[1:], stages[-1]], strict=True):
        stage_seconds[message] = stage_seconds.get(message, 0.0) + until - at
    print(
        json.dumps(
            {
                "n": n,
                "seconds": seconds,
                "cpu_seconds": cpu,
                "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "peak_mb_before_build": before_mb,
                "themes": len(summary.themes),
                "chosen_k": summary.chosen_k,
                "other_share": summary.other_share,
                "assign_1000_seconds": assign_seconds,
                "model_mb": len(themes.dumps(summary.model)) / 1e6,
                "stage_seconds": {k: round(v, 2) for k, v in stage_seconds.items()},
            }
        )
    )


def campaign_figures(data: Path) -> dict[str, float]:
    """The other engineer's campaign figures, if bench/_campaigns.py is there."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    try:
        import _campaigns  # type: ignore[import-not-found]
    except ImportError:
        print("note: bench/_campaigns.py not found; campaign figures omitted")
        return {}
    figures = getattr(_campaigns, "campaign_figures", None)
    if figures is None:
        print("note: bench/_campaigns.py has no campaign_figures(data); figures omitted")
        return {}
    result = figures(data)
    # Its figures are B-cubed membership scores (see bench/_campaigns.py).
    return {
        "campaign_recall": float(result.get("campaign_recall", result["bcubed_recall"])),
        "campaign_precision": float(result.get("campaign_precision", result["bcubed_precision"])),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--skip-1m", action="store_true", help="leave out the 1M scale run")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--scale-child", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.scale_child:
        scale_child(args.data, args.scale_child, args.seed)
        return

    runs = [quality("petitions", *load_petitions(args.data), args.seed)]
    for short, language in SIB_LANGUAGES.items():
        runs.append(quality(f"sib200 {short}", *load_sib(args.data, language), args.seed))
    print(
        f"{'data set':<12} {'n':>5} {'labels':>6} {'k':>3} {'themes':>6} {'AMI':>6} "
        f"{'baseline':>8} {'ratio':>6} {'other':>6} {'seconds':>7}"
    )
    for run in runs:
        print(
            f"{run['name']:<12} {run['n']:>5} {run['labels']:>6} {run['chosen_k']:>3} "
            f"{run['themes']:>6} {run['ami']:6.3f} {run['baseline_ami']:8.3f} "
            f"{run['ami'] / run['baseline_ami']:6.2f} {run['other_share']:6.3f} "
            f"{run['seconds']:7.1f}"
        )
    stability: dict[str, float] = {}
    for run, texts in (
        (runs[0], load_petitions(args.data)[0]),
        (runs[3], load_sib(args.data, "eng_Latn")[0]),
    ):
        other_seed = themes.build_themes(texts, settings=themes.ThemeSettings(seed=args.seed + 1))
        stability[str(run["name"])] = float(
            adjusted_rand_score(as_labels(run["summary"]), as_labels(other_seed))
        )
        print(
            f"stability ({run['name']}, seed {args.seed} vs {args.seed + 1}): adjusted Rand "
            f"{stability[str(run['name'])]:.3f}"
        )
    print("\npetition themes (seed 0), largest first:")
    for theme in runs[0]["summary"].themes[:8]:
        print(f"  {theme.size:4d}  {theme.label}   [{', '.join(theme.keywords[3:7])}]")

    sizes = [int(size) for size in args.sizes.split(",") if size]
    if args.skip_1m:
        sizes = [size for size in sizes if size < 1_000_000]
    scale: dict[int, dict[str, object]] = {}
    for size in sizes:
        child = subprocess.run(  # noqa: S603 (this very script, with our own arguments)
            [
                sys.executable,
                __file__,
                "--data",
                str(args.data),
                "--seed",
                str(args.seed),
                "--scale-child",
                str(size),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        scale[size] = json.loads(child.stdout.strip().splitlines()[-1])
        figures = scale[size]
        print(
            f"{size:>9,} texts: {figures['seconds']:.1f} s ({figures['cpu_seconds']:.1f} s CPU), "
            f"peak {figures['peak_mb']:.0f} MB ({figures['peak_mb_before_build']:.0f} MB held "
            f"before the build), {figures['themes']} themes, other {figures['other_share']:.3f}, "
            f"assign 1000 new: {figures['assign_1000_seconds']:.2f} s, "
            f"stages {figures['stage_seconds']}"
        )
    campaigns = campaign_figures(args.data)
    by_name = {str(run["name"]): run for run in runs}
    names = {10_000: "10k", 100_000: "100k", 1_000_000: "1m"}
    result: dict[str, object] = {
        "ami_petitions": by_name["petitions"]["ami"],
        "baseline_ami_petitions": by_name["petitions"]["baseline_ami"],
        "ami_ratio_petitions": float(by_name["petitions"]["ami"])  # type: ignore[arg-type]
        / float(by_name["petitions"]["baseline_ami"]),  # type: ignore[arg-type]
        "ami_sib200": {s: by_name[f"sib200 {s}"]["ami"] for s in SIB_LANGUAGES},
        "baseline_ami_sib200": {s: by_name[f"sib200 {s}"]["baseline_ami"] for s in SIB_LANGUAGES},
        "other_share": max(
            [float(run["other_share"]) for run in runs]  # type: ignore[arg-type]
            + [float(f["other_share"]) for f in scale.values()]  # type: ignore[arg-type]
        ),
        "stability_ari": stability["petitions"],
        "stability_ari_sib200_en": stability["sib200 en"],
        "chosen_k": {str(run["name"]): run["chosen_k"] for run in runs},
        **{f"seconds_{names.get(s, s)}": f["seconds"] for s, f in scale.items()},
        **{f"cpu_seconds_{names.get(s, s)}": f["cpu_seconds"] for s, f in scale.items()},
        **{f"peak_mb_{names.get(s, s)}": f["peak_mb"] for s, f in scale.items()},
        **{f"other_share_{names.get(s, s)}": f["other_share"] for s, f in scale.items()},
        **campaigns,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()

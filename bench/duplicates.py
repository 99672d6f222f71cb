"""Benchmark the "possible duplicates" hint against the issue's targets; a table, then JSON.

    .venv/bin/python bench/duplicates.py [--data ../shared/data] [--skip-scale]

Everything runs on one core (thread pools are pinned to one thread before numpy loads).
Queries: UK petitions rejected as duplicates whose `rejection_details` names, first, a
published (open or closed) petition of the file; candidates: every published petition.
The design was chosen on the development half of the queries (seeded split, seed 0); the
"evidence" section repeats that comparison. The held-out half was not used to choose anything.

Moderation history ("ours + history") is strictly causal: for a query, only duplicates created
before it, with the originals they name, are given as `resolved`; never the query's own label.
The baseline stays as the issue defines it: plain TF-IDF char 3-5-grams, cosine, no history.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import _one_core  # noqa: F401  (before numpy: pins its thread pools to one thread)
import numpy as np
from scipy.optimize import minimize
from sklearn.feature_extraction.text import TfidfVectorizer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from listening_state.ml.duplicates import (  # noqa: E402
    DuplicateIndex,
    DuplicateSettings,
    Match,
    earlier_matches,
)
from listening_state.ml.features import FeatureSpec  # noqa: E402
from listening_state.router_seed import petition_text  # noqa: E402

SEED = 0
PUBLISHED = ("open", "closed")
BASELINE = "baseline: TF-IDF char 3-5-grams, cosine"
CHOSEN = "body + first line x0.2 (chosen)"
THRESHOLDS = (0.15, 0.2, 0.25, 0.3, 0.4, 0.5)
LINK_RE = re.compile(r"petition\.parliament\.uk/petitions/(\d+)")
Scorer = Callable[[list[str], list[str]], np.ndarray]


@dataclass(frozen=True)
class Query:
    row: dict[str, str]
    original: int  # column of the first named petition among the candidates
    named: tuple[int, ...]  # columns of every named published petition


@dataclass(frozen=True)
class Data:
    candidates: list[dict[str, str]]
    queries: list[Query]
    n_named_in_file: int
    not_published: list[str]  # ids of duplicates whose named original is in the file, unpublished
    links: list[tuple[dict[str, str], int]]  # every such duplicate and its original's column


def created(row: dict[str, str]) -> float:
    """Days since the epoch at which the petition was created."""
    return datetime.fromisoformat(row["created_at"].replace("Z", "+00:00")).timestamp() / 86400


def load(data: Path) -> Data:
    path = data / "uk-petitions" / "petitions.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    by_id = {row["id"]: row for row in rows}
    candidates = [row for row in rows if row["state"] in PUBLISHED]
    column = {row["id"]: position for position, row in enumerate(candidates)}
    queries, not_published, named_in_file = [], [], 0
    for row in rows:
        named = LINK_RE.findall(row["rejection_details"])
        if row["rejection_code"] != "duplicate" or not named or named[0] not in by_id:
            continue
        named_in_file += 1
        if named[0] not in column:
            not_published.append(f"{row['id']} names {named[0]} ({by_id[named[0]]['state']})")
            continue
        published = tuple(dict.fromkeys(column[i] for i in named if i in column))
        queries.append(Query(row, column[named[0]], published))
    links = [(query.row, query.original) for query in queries]
    return Data(candidates, queries, named_in_file, not_published, links)


def split(n: int) -> tuple[list[int], list[int]]:
    """Development and held-out halves of the queries (seeded shuffle)."""
    order = list(range(n))
    random.Random(SEED).shuffle(order)
    return sorted(order[: n // 2]), sorted(order[n // 2 :])


def ranks(scores: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """Rank of each query's true column (0 = first); a tie counts against it unless earlier."""
    true = scores[np.arange(len(truth)), truth][:, None]
    columns = np.arange(scores.shape[1])[None, :]
    better = (scores > true) | ((scores == true) & (columns < truth[:, None]))
    return np.asarray(better.sum(axis=1))


def hits(rank: np.ndarray) -> tuple[float, float]:
    return float(np.mean(rank == 0)), float(np.mean(rank < 5))


def any_named_rank(scores: np.ndarray, queries: list[Query]) -> np.ndarray:
    """Best rank of any petition the committee named (several are named in 401 cases)."""
    best = np.full(len(queries), scores.shape[1])
    width = max(len(query.named) for query in queries)
    for slot in range(width):
        truth = np.array([q.named[min(slot, len(q.named) - 1)] for q in queries])
        best = np.minimum(best, ranks(scores, truth))
    return best


def baseline_scorer(documents: list[str], queries: list[str]) -> np.ndarray:
    """The issue's baseline: TF-IDF character 3-5-grams (fit on the candidates), cosine."""
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(3, 5))
    matrix = vectorizer.fit_transform(documents)
    return np.asarray((vectorizer.transform(queries) @ matrix.T).toarray())


def index_scorer(settings: DuplicateSettings | None = None) -> Scorer:
    def score(documents: list[str], queries: list[str]) -> np.ndarray:
        index = DuplicateIndex(enumerate(documents), settings)
        return index.scores(queries)

    return score


def spec(**changes: object) -> FeatureSpec:
    return FeatureSpec(**{**DuplicateSettings().spec.__dict__, **changes})  # type: ignore[arg-type]


def body_only(**changes: object) -> DuplicateSettings:
    return DuplicateSettings(**{"title_weight": 0.0, **changes})  # type: ignore[arg-type]


def text_only(scorer: Scorer) -> Callable[[Data], np.ndarray]:
    return lambda data: scorer(
        [petition_text(row) for row in data.candidates],
        [petition_text(query.row) for query in data.queries],
    )


def designs() -> dict[str, Callable[[Data], np.ndarray]]:
    return {
        BASELINE: text_only(baseline_scorer),
        CHOSEN: text_only(index_scorer()),
        "body + first line x0.35": text_only(index_scorer(DuplicateSettings(title_weight=0.35))),
        "body + first line x0.5": text_only(index_scorer(DuplicateSettings(title_weight=0.5))),
        "body only (round 1: words 1-2 + chars 3-6 x0.5)": text_only(index_scorer(body_only())),
        "body only, chars x1": text_only(index_scorer(body_only(char_weight=1.0))),
        "body only, words 1-2 only": text_only(index_scorer(body_only(char_weight=0.0))),
        "body only, words 1 + chars x0.5": text_only(
            index_scorer(body_only(spec=spec(word_max_n=1)))
        ),
        "body only, every char_wb 3-5-gram x0.5": text_only(
            index_scorer(body_only(spec=spec(char_mode="wb", char_range=(3, 5))))
        ),
    }


def usable_links(data: Data) -> np.ndarray:
    """queries x links: the duplicate was created before the query and is not the query."""
    query_times = np.array([created(query.row) for query in data.queries])
    link_times = np.array([created(row) for row, _ in data.links])
    link_ids = np.array([row["id"] for row, _ in data.links])
    query_ids = np.array([query.row["id"] for query in data.queries])
    return (link_times[None, :] < query_times[:, None]) & (link_ids[None, :] != query_ids[:, None])


def history_matches(data: Data, settings: DuplicateSettings | None = None) -> list[list[Match]]:
    """Every candidate for every query, ranked with the moderation history as the app gives it.

    One index holds the candidates (keys 0..) and the linked duplicates (keys after them);
    `resolved` maps each duplicate to its original, and each query excludes the duplicates it
    may not see (created after it, or itself), so only earlier decisions count.
    """
    n = len(data.candidates)
    texts = [petition_text(row) for row in data.candidates]
    texts += [petition_text(row) for row, _ in data.links]
    index = DuplicateIndex(enumerate(texts), settings)
    resolved = {n + link: original for link, (_, original) in enumerate(data.links)}
    usable = usable_links(data)
    exclude = [set((n + np.flatnonzero(~row)).tolist()) for row in usable]
    return index.similar_many(
        [petition_text(query.row) for query in data.queries],
        limit=len(index),
        exclude=exclude,
        resolved=resolved,
    )


def match_ranks(found: list[list[Match]], truth: np.ndarray, n: int) -> np.ndarray:
    """Rank of each query's true key in its match list; n (a miss) when it is not listed."""
    out = np.full(len(found), n)
    for position, matches in enumerate(found):
        keys = [match.key for match in matches]
        if int(truth[position]) in keys:
            out[position] = keys.index(int(truth[position]))
    return out


def via_history(linked: np.ndarray, data: Data, usable: np.ndarray) -> np.ndarray:
    """queries x candidates: the best score of a usable duplicate linked to each candidate."""
    out = np.zeros((len(data.queries), len(data.candidates)))
    for link, (_, original) in enumerate(data.links):
        column = np.where(usable[:, link], linked[:, link], 0.0)
        np.maximum(out[:, original], column, out=out[:, original])
    return out


def history_scores(scorer: Scorer, data: Data, weight: float = 0.5) -> np.ndarray:
    """Any scorer with the module's history rule: 1 - (1 - own) * (1 - weight * via)."""
    documents = [petition_text(row) for row in data.candidates]
    documents += [petition_text(row) for row, _ in data.links]
    scores = scorer(documents, [petition_text(query.row) for query in data.queries])
    n = len(data.candidates)
    via = via_history(scores[:, n:], data, usable_links(data))
    return 1.0 - (1.0 - scores[:, :n]) * (1.0 - weight * via)


def reranker(data: Data, dev: list[int], truth: np.ndarray) -> np.ndarray:
    """A listwise logistic re-ranker of the chosen score's top 50, fit on the dev half.

    Features: the chosen text score, body-only and first-line-only scores, the baseline's
    character 3-5-gram cosine, each of the three text scores via the best earlier duplicate,
    and whether a candidate has earlier duplicates (and how many, log). Evidence only.
    """
    documents = [petition_text(row) for row in data.candidates]
    documents += [petition_text(row) for row, _ in data.links]
    queries = [petition_text(query.row) for query in data.queries]
    n, usable = len(data.candidates), usable_links(data)
    title_only = DuplicateSettings(title_weight=1e9)  # ~ first line only
    dense = [
        index_scorer()(documents, queries),
        index_scorer(body_only())(documents, queries),
        index_scorer(title_only)(documents, queries),
        baseline_scorer(documents, queries),
    ]
    columns = [d[:, :n] for d in dense] + [via_history(d[:, n:], data, usable) for d in dense[:3]]
    counts = np.zeros((len(queries), n))
    for link, (_, original) in enumerate(data.links):
        counts[:, original] += usable[:, link]
    columns += [(counts > 0).astype(float), np.log1p(counts)]
    features = np.stack(columns, axis=-1)
    first = 1.0 - (1.0 - columns[0]) * (1.0 - 0.5 * columns[4])
    top = np.argsort(-first, axis=1, kind="stable")[:, :50]
    picked = np.take_along_axis(features, top[:, :, None], axis=1)
    mean = picked.reshape(-1, features.shape[-1]).mean(axis=0)
    scale = picked.reshape(-1, features.shape[-1]).std(axis=0) + 1e-9
    x = (picked - mean) / scale
    y = top == truth[:, None]
    train = [q for q in dev if y[q].any()]

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        logits = x[train] @ w
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        value = -np.log(p[y[train]] + 1e-12).mean() + 0.01 * w @ w
        grad = np.einsum("qk,qkf->f", p - y[train], x[train]) / len(train) + 0.02 * w
        return float(value), grad

    weights = minimize(loss, np.zeros(features.shape[-1]), jac=True, method="L-BFGS-B").x
    scores = first.copy()
    np.put_along_axis(scores, top, 10.0 + x @ weights, axis=1)  # the top 50, re-ordered
    return scores


def thresholds(found: list[list[Match]], truth: np.ndarray, rows: list[int]) -> list[str]:
    """Precision of "the top match is the named original" and coverage, by top score."""
    lines = []
    for t in THRESHOLDS:
        shown = [q for q in rows if found[q] and found[q][0].score >= t]
        right = sum(found[q][0].key == truth[q] for q in shown)
        listed = sum(any(m.key == truth[q] and m.score >= t for m in found[q][:3]) for q in rows)
        precision = right / len(shown) if shown else float("nan")
        lines.append(
            f"  score >= {t:.2f}: hint on {len(shown) / len(rows):.3f} of duplicates, top match "
            f"right {precision:.3f}; named original among 3 listed: {listed / len(rows):.3f}"
        )
    return lines


def false_alarms(data: Data) -> dict[float, float]:
    """Share of published petitions (not duplicates) whose best earlier match scores >= t.

    `earlier_matches` over published petitions and linked duplicates in order of creation,
    with the moderation history as the app would have it (each decision known from the time
    the duplicate was created): the hint as it would fire on petitions that were no copies.
    """
    n = len(data.candidates)
    rows = [*data.candidates, *(row for row, _ in data.links)]
    order = sorted(range(len(rows)), key=lambda i: created(rows[i]))
    resolved = {n + link: original for link, (_, original) in enumerate(data.links)}
    found = earlier_matches(
        [(i, petition_text(rows[i])) for i in order], limit=1, resolved=resolved
    )
    best = np.array([found[i][0].score if found[i] else 0.0 for i in range(n)])
    return {t: float(np.mean(best >= t)) for t in THRESHOLDS}


def timing(data: Data) -> dict[str, float]:
    documents = list(enumerate(petition_text(row) for row in data.candidates))
    builds = []
    for _ in range(3):
        started = time.perf_counter()
        index = DuplicateIndex(documents)
        builds.append(time.perf_counter() - started)
    texts = [petition_text(query.row) for query in data.queries]
    index.similar(texts[0])  # let numpy and scipy load their code paths
    started = time.perf_counter()
    for text in texts:
        index.similar(text, limit=5)
    one = (time.perf_counter() - started) / len(texts)
    return {"index_build_seconds": statistics.median(builds), "query_ms_per_doc": one * 1000}


def scale(data_dir: Path, petitions: list[dict[str, str]]) -> dict[str, float]:
    """earlier_matches over every real text we have: all petitions and all Pol.is comments."""
    texts = [petition_text(row) for row in petitions]
    for path in sorted((data_dir / "polis").glob("*/comments.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            texts += [row["comment-body"] for row in csv.DictReader(handle)]
    started = time.perf_counter()
    found = earlier_matches(list(enumerate(texts)), limit=5)
    seconds = time.perf_counter() - started
    assert len(found) == len(texts)
    return {"scale_documents": len(texts), "scale_earlier_matches_seconds": seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--skip-scale", action="store_true", help="skip the 15k-document run")
    args = parser.parse_args()

    data = load(args.data)
    queries = data.queries
    truth = np.array([query.original for query in queries])
    dev, held_out = split(len(queries))

    print(
        f"uk-petitions: {data.n_named_in_file} duplicates name a petition of the file first; "
        f"{len(queries)} name a published one (queries), {len(data.candidates)} published "
        f"petitions (candidates)"
    )
    for reason in data.not_published:
        print(f"  not a query: {reason}")

    results: dict[str, dict[str, float]] = {}
    scores: dict[str, np.ndarray] = {}
    print(f"\nevidence: designs on the development half ({len(dev)} queries), top-1 / top-5")
    for name, design in designs().items():
        scores[name] = design(data)
        rank = ranks(scores[name], truth)
        results[name] = dict(zip(("dev_top1", "dev_top5"), hits(rank[dev]), strict=True)) | dict(
            zip(("held_out_top1", "held_out_top5"), hits(rank[held_out]), strict=True)
        )
        print(f"  {name:<50} {results[name]['dev_top1']:.3f} {results[name]['dev_top5']:.3f}")

    base, plain = scores[BASELINE], scores[CHOSEN]
    n = len(data.candidates)

    print(f"\nevidence: moderation history on the development half ({len(dev)} queries)")
    history: dict[str, np.ndarray] = {}
    for title_weight in (0.0, 0.2):
        for weight in (0.3, 0.5, 0.7, 1.0):
            name = f"first line x{title_weight}, history x{weight}"
            settings = DuplicateSettings(title_weight=title_weight, history_weight=weight)
            found = history_matches(data, settings)
            history[name] = match_ranks(found, truth, n)
            if (title_weight, weight) == (0.2, 0.5):
                chosen_found, name = found, name + " (chosen)"
                history[name] = history.pop(name[: -len(" (chosen)")])
            dev1, dev5 = hits(history[name][dev])
            results[name] = {"dev_top1": dev1, "dev_top5": dev5}
            print(f"  {name:<50} {dev1:.3f} {dev5:.3f}")
    ours_rank = history["first line x0.2, history x0.5 (chosen)"]
    learned_rank = ranks(reranker(data, dev, truth), truth)
    learned_dev = hits(learned_rank[dev])
    results["learned re-ranker (13 features)"] = {
        "dev_top1": learned_dev[0],
        "dev_top5": learned_dev[1],
    }
    print(
        f"  {'learned re-ranker (13 features, not kept)':<50} {learned_dev[0]:.3f} "
        f"{learned_dev[1]:.3f}"
    )

    base_rank, plain_rank = ranks(base, truth), ranks(plain, truth)
    history_base_rank = ranks(history_scores(baseline_scorer, data), truth)

    query_times = np.array([created(query.row) for query in queries])
    candidate_times = np.array([created(row) for row in data.candidates])
    earlier = candidate_times[None, :] < query_times[:, None]
    reachable = float(np.mean(earlier[np.arange(len(queries)), truth]))

    def row(label: str, mine: np.ndarray, theirs: np.ndarray) -> dict[str, float]:
        (t1, t5), (m1, m5) = hits(theirs), hits(mine)
        ratio = m1 / t1 if t1 else float("nan")
        print(f"  {label:<46} {t1:>7.3f} {t5:>7.3f} {m1:>7.3f} {m5:>7.3f} {ratio:>7.2f}")
        return {
            "baseline_top1": t1,
            "baseline_top5": t5,
            "top1": m1,
            "top5": m5,
            "top1_ratio": ratio,
        }

    table: dict[str, dict[str, float]] = {}
    halves = (("all", slice(None)), ("dev", dev), ("held_out", held_out))
    print(
        "\nthe named original among all published petitions (the issue's measure); "
        "baseline = plain TF-IDF char 3-5 cosine"
    )
    print(f"  {'':<46} {'base@1':>7} {'base@5':>7} {'ours@1':>7} {'ours@5':>7} {'ratio@1':>7}")
    for label, mine in (
        ("ours + history", ours_rank),
        ("ours, no history", plain_rank),
        ("learned re-ranker + history", learned_rank),
    ):
        for half, rows in halves:
            size = len(queries) if half == "all" else len(rows)  # type: ignore[arg-type]
            table[f"{label}|{half}"] = row(f"{label}: {half} ({size})", mine[rows], base_rank[rows])
    print("other views (all queries):")
    any_base = any_named_rank(base, queries)
    table["any named, no history"] = row(
        "any named petition counts, no history", any_named_rank(plain, queries), any_base
    )
    table["only earlier, no history"] = row(
        f"only created before ({reachable:.3f} reach), no history",
        ranks(np.where(earlier, plain, -1.0), truth),
        ranks(np.where(earlier, base, -1.0), truth),
    )
    table["baseline + history"] = row(
        "baseline + the same history vs plain baseline", history_base_rank, base_rank
    )

    print(f"\nhint threshold, ours + history, development half ({len(dev)} duplicates):")
    print("\n".join(thresholds(chosen_found, truth, dev)))
    alarms = false_alarms(data)
    print(
        "published petitions (no duplicates) whose best earlier match, with history, "
        "reaches the score: " + ", ".join(f">= {t}: {v:.3f}" for t, v in alarms.items())
    )

    speed = timing(data)
    print(
        f"\nspeed (one core): index of {len(data.candidates)} petitions built in "
        f"{speed['index_build_seconds'] * 1000:.0f} ms; "
        f"one query {speed['query_ms_per_doc']:.2f} ms"
    )
    large: dict[str, float] = {}
    if not args.skip_scale:
        large = scale(args.data, load_all(args.data))
        print(
            f"earlier_matches over {large['scale_documents']} real texts (petitions + Pol.is): "
            f"{large['scale_earlier_matches_seconds']:.1f} s"
        )

    headline, without = table["ours + history|all"], table["ours, no history|all"]
    met = headline["top5"] >= 0.85 and headline["top1_ratio"] >= 1.3
    met_without = without["top5"] >= 0.85 and without["top1_ratio"] >= 1.3
    print(
        f"\ntargets (ours + history vs plain baseline): top-5 >= 0.85: "
        f"{'met' if headline['top5'] >= 0.85 else 'NOT met'} ({headline['top5']:.3f}); "
        f"top-1 >= 1.3 x baseline: {'met' if headline['top1_ratio'] >= 1.3 else 'NOT met'} "
        f"({headline['top1_ratio']:.2f} x). Without history: "
        f"{'met' if met_without else 'NOT met'} ({without['top5']:.3f}, "
        f"{without['top1_ratio']:.2f} x)"
    )
    summary = {
        "n_queries": len(queries),
        "n_candidates": len(data.candidates),
        "baseline_top1": headline["baseline_top1"],
        "baseline_top5": headline["baseline_top5"],
        "top1": headline["top1"],
        "top5": headline["top5"],
        "top1_ratio": headline["top1_ratio"],
        "targets_met": bool(met),
        "without_history": without,
        "targets_met_without_history": bool(met_without),
        "held_out": {"n": len(held_out), **table["ours + history|held_out"]},
        "held_out_without_history": table["ours, no history|held_out"],
        "dev": {"n": len(dev), **table["ours + history|dev"]},
        "learned_reranker": table["learned re-ranker + history|all"],
        "learned_reranker_held_out": table["learned re-ranker + history|held_out"],
        "n_named_in_file": data.n_named_in_file,
        "not_queries": data.not_published,
        "any_named": table["any named, no history"],
        "created_before_query": {"reachable": reachable, **table["only earlier, no history"]},
        "baseline_with_history": table["baseline + history"],
        "false_alarm_rate": alarms,
        **speed,
        **large,
        "design": "DuplicateSettings defaults: body + first line x0.2, history x0.5",
        "candidates": results,
    }
    print(json.dumps(summary, sort_keys=False))


def load_all(data: Path) -> list[dict[str, str]]:
    with (data / "uk-petitions" / "petitions.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


if __name__ == "__main__":
    main()

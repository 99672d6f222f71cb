"""Benchmark the router against the issue's targets; prints a table, then one JSON line.

    .venv/bin/python bench/router.py [--data ../shared/data] [--skip-100k]

Everything runs on one core (thread pools are pinned to one thread before numpy loads).
Design selection happens inside train_router, by cross-validation on the training part
only; the test split is touched once, by the finished model. The "evidence" section scores
rejected designs by the same cross-validation on the training part.
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import statistics
import sys
import time
import tracemalloc
import warnings
from collections import Counter
from pathlib import Path

import _one_core  # noqa: F401  (before numpy: pins its thread pools to one thread)
import numpy as np
from _resample import resampled
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import train_test_split
from sklearn.svm import LinearSVC

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from listening_state.ml import routing  # noqa: E402
from listening_state.ml.features import Analyzer, FeatureSpec, Vocabulary, block_counts  # noqa: E402
from listening_state.ml.selection import (  # noqa: E402
    choose_threshold,
    evaluate,
    fit_linear,
    fit_temperature,
    softmax,
    stratified_folds,
)
from listening_state.ml.textprep import normalize  # noqa: E402
from listening_state.router_seed import petition_text  # noqa: E402

SEED = 0
MIN_PETITIONS = 5
SIB_LANGUAGES = {"kk": "kaz_Cyrl", "ru": "rus_Cyrl", "en": "eng_Latn"}
LARGE_N = 100_000


def load_petitions(data: Path) -> tuple[list[str], list[str]]:
    with (data / "uk-petitions" / "petitions.csv").open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["primary_department"]]
    counts = Counter(row["primary_department"] for row in rows)
    kept = [row for row in rows if counts[row["primary_department"]] >= MIN_PETITIONS]
    return [petition_text(row) for row in kept], [row["primary_department"] for row in kept]


def load_sib(data: Path, language: str, split: str) -> tuple[list[str], list[str]]:
    path = data / "sib200" / language / f"{split}.tsv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [row["text"] for row in rows], [row["category"] for row in rows]


def baseline(train_x: list[str], train_y: list[str], test_x: list[str]) -> list[str]:
    """The issue's baseline: TF-IDF word 1-2-grams + LinearSVC(class_weight="balanced")."""
    vectorizer = TfidfVectorizer(ngram_range=(1, 2))
    model = LinearSVC(class_weight="balanced").fit(vectorizer.fit_transform(train_x), train_y)
    return [str(label) for label in model.predict(vectorizer.transform(test_x))]


def test_figures(
    model: routing.RouterModel, texts: list[str], truth: list[str]
) -> dict[str, float]:
    predictions = model.predict(texts)
    top = [prediction.top.label for prediction in predictions]
    auto = [prediction.top.probability >= model.threshold for prediction in predictions]
    right = [label == answer for label, answer in zip(top, truth, strict=True)]
    routed = [ok for ok, is_auto in zip(right, auto, strict=True) if is_auto]
    return {
        "accuracy": accuracy_score(truth, top),
        "macro_f1": f1_score(truth, top, average="macro", zero_division=0),
        "top3_accuracy": float(
            np.mean(
                [
                    answer in {s.label for s in prediction.suggestions}
                    for prediction, answer in zip(predictions, truth, strict=True)
                ]
            )
        ),
        "auto_route_share": float(np.mean(auto)),
        "auto_route_precision": float(np.mean(routed)) if routed else 0.0,
        # Diagnostic only, never used to choose anything: the largest share that could be
        # auto-routed at 0.85 precision if the threshold were picked on the test labels.
        "oracle_auto_route_share": choose_threshold(
            np.array([prediction.top.probability for prediction in predictions]),
            np.array(right),
            0.85,
        ).coverage,
    }


def nbsvm_scores(
    train_x: sparse.csr_matrix, train_y: np.ndarray, valid_x: sparse.csr_matrix, n_labels: int
) -> np.ndarray:
    """NB-SVM (Wang and Manning 2012): per label, a binary SVM on features scaled by the
    label's naive Bayes log-count ratio; C=0.1, balanced weights."""
    present = (train_x > 0).astype(np.float64)
    scores = np.full((valid_x.shape[0], n_labels), -10.0)
    for label in np.unique(train_y):
        member = train_y == label
        inside = 1.0 + np.asarray(present[member].sum(axis=0)).ravel()
        outside = 1.0 + np.asarray(present[~member].sum(axis=0)).ravel()
        ratio = sparse.diags(np.log((inside / inside.sum()) / (outside / outside.sum())))
        weights = {1: len(train_y) / (2 * member.sum()), 0: len(train_y) / (2 * (~member).sum())}
        svc = LinearSVC(C=0.1, class_weight=weights, tol=0.1).fit(train_x @ ratio, member)
        scores[:, label] = (valid_x @ ratio) @ svc.coef_.ravel() + svc.intercept_[0]
    return scores


def evidence(texts: list[str], labels: list[str]) -> dict[str, dict[str, float]]:
    """Rejected designs, scored by 5-fold CV on the training part (same folds as train_router)."""
    names = sorted(set(labels))
    y = np.array([names.index(label) for label in labels])
    folds = stratified_folds(y, 5, SEED)
    docs = [normalize(text) for text in texts]
    designs = {
        "baseline: word 1-2-grams, LinearSVC C=1 (sklearn TfidfVectorizer)": None,
        "word 1-2-grams + char_wb 2-5 x1, linear SVM C=0.3": (
            FeatureSpec(word_max_n=2, char_mode="wb", char_range=(2, 5)),
            1.0,
            "svm",
        ),
        "word 1-2-grams + word-start char n-grams x0.3, linear SVM C=0.3": (
            FeatureSpec(word_max_n=2),
            0.3,
            "svm",
        ),
        "words + word-start char n-grams x0.3, logistic regression C=10": (
            FeatureSpec(),
            0.3,
            "logistic",
        ),
        "words + word-start char n-grams x1, linear SVM C=0.1 (grid extended)": (
            FeatureSpec(),
            1.0,
            "svm 0.1",
        ),
        "ensemble: that SVM C=0.1 + NB-SVM x1, mean of calibrated probabilities": (
            FeatureSpec(),
            1.0,
            "ensemble",
        ),
    }
    results: dict[str, dict[str, float]] = {}
    for name, design in designs.items():
        scores = np.zeros((len(y), len(names)))
        svm_part, nb_part = np.zeros_like(scores), np.zeros_like(scores)
        started = time.perf_counter()
        if design is not None:
            spec, char_weight, kind = design
            counts = block_counts(Analyzer(spec).analyse(docs), spec)
        for train, valid in folds:
            if design is None:
                vectorizer = TfidfVectorizer(ngram_range=(1, 2))
                svc = LinearSVC(class_weight="balanced")
                svc.fit(vectorizer.fit_transform([texts[i] for i in train]), y[train])
                valid_x = vectorizer.transform([texts[i] for i in valid])
                scores[np.ix_(valid, svc.classes_)] = svc.decision_function(valid_x)
                continue
            matrix = Vocabulary.fit(spec, counts.rows(train)).blocks(counts).matrix(char_weight)
            if kind in ("svm", "svm 0.1"):
                c = 0.3 if kind == "svm" else 0.1
                model = fit_linear(matrix[train], y[train], len(names), c, SEED)
                scores[valid] = model.scores(matrix[valid])
            elif kind == "ensemble":
                model = fit_linear(matrix[train], y[train], len(names), 0.1, SEED)
                svm_part[valid] = model.scores(matrix[valid])
                nb_part[valid] = nbsvm_scores(matrix[train], y[train], matrix[valid], len(names))
            else:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    logistic = LogisticRegression(C=10, class_weight="balanced", max_iter=2000)
                    logistic.fit(matrix[train], y[train])
                scores[np.ix_(valid, logistic.classes_)] = logistic.decision_function(matrix[valid])
        if design is not None and design[2] == "ensemble":
            # Each member calibrated on its out-of-fold scores, then their probabilities averaged.
            mean = (
                softmax(svm_part, fit_temperature(svm_part, y))
                + softmax(nb_part, fit_temperature(nb_part, y))
            ) / 2
            scores = np.log(mean)
        figures = evaluate(scores, y)
        probabilities = softmax(scores, fit_temperature(scores, y))
        choice = choose_threshold(
            probabilities.max(axis=1), probabilities.argmax(axis=1) == y, 0.85
        )
        results[name] = {
            "macro_f1": figures.macro_f1,
            "accuracy": figures.accuracy,
            "top3_accuracy": figures.top3_accuracy,
            "auto_route_share": choice.coverage,
            "cv_seconds": time.perf_counter() - started,
        }
    return results


def loaded_megabytes(data: bytes) -> tuple[routing.RouterModel, float]:
    """Load a model and measure the memory it holds (numpy reports its buffers to tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    model = routing.loads(data, expected_sha256=routing.sha256_hex(data))
    model.predict_one("warm up the word cache")
    held = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return model, held / 1e6


def speed(model: routing.RouterModel, texts: list[str]) -> dict[str, float]:
    data = routing.dumps(model)
    loaded, loaded_mb = loaded_megabytes(data)
    batch = (texts * (5000 // len(texts) + 1))[:5000]
    loaded.predict(texts[:50])  # let numpy and scipy load their code paths
    started, cpu_started = time.perf_counter(), time.process_time()
    loaded.predict(batch)
    batch_seconds = time.perf_counter() - started
    batch_cpu_seconds = time.process_time() - cpu_started
    fresh = routing.loads(data, expected_sha256=routing.sha256_hex(data))  # cold word cache
    timings = []
    for text in (texts * 3)[:1000]:
        started = time.perf_counter()
        fresh.predict_one(text)
        timings.append(time.perf_counter() - started)
    return {
        "predict_docs_per_second": len(batch) / batch_seconds,
        # CPU time of this process: what the figure would be on an otherwise idle machine.
        "predict_docs_per_cpu_second": len(batch) / batch_cpu_seconds,
        "p50_ms_one_doc": statistics.median(timings) * 1000,
        "p95_ms_one_doc": statistics.quantiles(timings, n=20)[-1] * 1000,
        "model_mb": len(data) / 1e6,
        "model_loaded_mb": loaded_mb,
    }


def repeated_splits(texts: list[str], labels: list[str], n: int) -> dict[str, float]:
    """The same comparison on n other random 70/30 splits: how much of a result is the split."""
    ours, base, top3, share, precision, oracle = [], [], [], [], [], []
    for seed in range(1, n + 1):
        train_x, test_x, train_y, test_y = train_test_split(
            texts, labels, test_size=0.3, stratify=labels, random_state=seed
        )
        model, _ = routing.train_router(train_x, train_y)
        figures = test_figures(model, test_x, test_y)
        ours.append(figures["macro_f1"])
        top3.append(figures["top3_accuracy"])
        share.append(figures["auto_route_share"])
        precision.append(figures["auto_route_precision"])
        oracle.append(figures["oracle_auto_route_share"])
        base_pred = baseline(train_x, train_y, test_x)
        base.append(f1_score(test_y, base_pred, average="macro", zero_division=0))
    ratios = [mine / theirs for mine, theirs in zip(ours, base, strict=True)]
    return {
        "splits": n,
        "macro_f1_mean": statistics.mean(ours),
        "baseline_macro_f1_mean": statistics.mean(base),
        "macro_f1_ratio_mean": statistics.mean(ratios),
        "macro_f1_ratio_min": min(ratios),
        "macro_f1_ratio_max": max(ratios),
        "top3_accuracy_mean": statistics.mean(top3),
        "auto_route_share_mean": statistics.mean(share),
        "auto_route_precision_mean": statistics.mean(precision),
        "oracle_auto_route_share_mean": statistics.mean(oracle),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--skip-100k", action="store_true", help="skip the 100k training run")
    parser.add_argument(
        "--splits", type=int, default=0, help="also compare on this many other random splits"
    )
    args = parser.parse_args()

    texts, labels = load_petitions(args.data)
    train_x, test_x, train_y, test_y = train_test_split(
        texts, labels, test_size=0.3, stratify=labels, random_state=SEED
    )
    base_pred = baseline(train_x, train_y, test_x)
    base = {
        "accuracy": accuracy_score(test_y, base_pred),
        "macro_f1": f1_score(test_y, base_pred, average="macro", zero_division=0),
    }
    model, report = routing.train_router(train_x, train_y)
    ours = test_figures(model, test_x, test_y)

    print(
        f"uk-petitions: {len(train_x)} train / {len(test_x)} test, {len(set(labels))} departments"
    )
    print(f"chosen design: {report.design} (T={report.temperature:.3f})")
    print("\ncandidates (5-fold CV inside the training part; train_router's own selection):")
    print(f"  {'design':<72} {'macro-F1':>8} {'acc':>6} {'top-3':>6} {'auto@.85':>8}")
    for name, figures in report.candidates.items():
        print(
            f"  {name:<72} {figures['macro_f1']:8.3f} {figures['accuracy']:6.3f} "
            f"{figures['top3_accuracy']:6.3f} {figures['auto_route_share']:8.3f}"
        )
    rejected = evidence(train_x, train_y)
    print("\nevidence: other designs, same folds:")
    for name, figures in rejected.items():
        print(
            f"  {name:<72} {figures['macro_f1']:8.3f} {figures['accuracy']:6.3f} "
            f"{figures['top3_accuracy']:6.3f} {figures['auto_route_share']:8.3f}"
            f"  ({figures['cv_seconds']:.1f}s)"
        )
    print("\ntest split (touched once):")
    print(f"  {'':<24} {'router':>8} {'baseline':>9}")
    print(f"  {'accuracy':<24} {ours['accuracy']:8.3f} {base['accuracy']:9.3f}")
    print(f"  {'macro-F1':<24} {ours['macro_f1']:8.3f} {base['macro_f1']:9.3f}")
    for key in ("top3_accuracy", "auto_route_share", "auto_route_precision"):
        print(f"  {key:<24} {ours[key]:8.3f}")
    print(
        f"  {'oracle_auto_route_share':<24} {ours['oracle_auto_route_share']:8.3f}"
        "  (diagnostic: threshold picked on the test labels, 0.85 precision)"
    )
    print(f"  {'threshold':<24} {model.threshold:8.3f}")

    sib: dict[str, float] = {}
    for short, language in SIB_LANGUAGES.items():
        sib_model, sib_report = routing.train_router(*load_sib(args.data, language, "train"))
        sib_x, sib_y = load_sib(args.data, language, "test")
        sib[short] = test_figures(sib_model, sib_x, sib_y)["macro_f1"]
        print(f"sib200 {short}: macro-F1 {sib[short]:.3f}  ({sib_report.design})")

    timing = speed(model, test_x)
    print(
        f"speed: {timing['predict_docs_per_second']:.0f} docs/s batch "
        f"({timing['predict_docs_per_cpu_second']:.0f} per CPU second), "
        f"p50 {timing['p50_ms_one_doc']:.2f} ms, p95 {timing['p95_ms_one_doc']:.2f} ms one doc; "
        f"model {timing['model_mb']:.1f} MB, "
        f"{timing['model_loaded_mb']:.1f} MB in memory when loaded"
    )
    large: dict[str, float] = {}
    if not args.skip_100k:
        big_x, sources = resampled(texts, LARGE_N, SEED)
        big_y = [labels[i] for i in sources]
        started, cpu_started = time.perf_counter(), time.process_time()
        big_model, big_report = routing.train_router(big_x, big_y)
        large["train_seconds_100k"] = time.perf_counter() - started
        large["train_cpu_seconds_100k"] = time.process_time() - cpu_started
        big_data = routing.dumps(big_model)
        large["model_mb_100k"] = len(big_data) / 1e6
        large["model_loaded_mb_100k"] = loaded_megabytes(big_data)[1]
        print(
            f"100k documents: trained in {large['train_seconds_100k']:.1f} s "
            f"({large['train_cpu_seconds_100k']:.1f} s CPU) "
            f"({big_report.design}); model {large['model_mb_100k']:.1f} MB, "
            f"{large['model_loaded_mb_100k']:.1f} MB in memory when loaded"
        )

    spread: dict[str, float] = {}
    if args.splits:
        spread = repeated_splits(texts, labels, args.splits)
        print(
            f"{args.splits} other splits: macro-F1 {spread['macro_f1_mean']:.3f} vs baseline "
            f"{spread['baseline_macro_f1_mean']:.3f}, ratio {spread['macro_f1_ratio_mean']:.3f} "
            f"({spread['macro_f1_ratio_min']:.3f}-{spread['macro_f1_ratio_max']:.3f}), "
            f"top-3 {spread['top3_accuracy_mean']:.3f}, auto-routed "
            f"{spread['auto_route_share_mean']:.3f} at {spread['auto_route_precision_mean']:.3f} "
            f"(oracle share {spread['oracle_auto_route_share_mean']:.3f})"
        )

    summary = {
        "macro_f1": ours["macro_f1"],
        "baseline_macro_f1": base["macro_f1"],
        "macro_f1_ratio": ours["macro_f1"] / base["macro_f1"],
        "accuracy": ours["accuracy"],
        "baseline_accuracy": base["accuracy"],
        "top3_accuracy": ours["top3_accuracy"],
        "threshold": model.threshold,
        "auto_route_precision": ours["auto_route_precision"],
        "auto_route_share": ours["auto_route_share"],
        "oracle_auto_route_share": ours["oracle_auto_route_share"],
        "cv_macro_f1": report.cv_macro_f1,
        "cv_auto_route_share": report.coverage,
        "design": report.design,
        "sib200_macro_f1": sib,
        "sib200_kk_minus_en": sib["kk"] - sib["en"],
        **timing,
        **large,
        **({"repeated_splits": spread} if spread else {}),
        "candidates": {**report.candidates, **rejected},
    }
    print(json.dumps(summary, sort_keys=False))


if __name__ == "__main__":
    main()

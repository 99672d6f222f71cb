"""Benchmark the moderation-risk hint on real decisions; prints a table, then one JSON line.

    .venv/bin/python bench/moderation.py [--data ../shared/data] [--skip-evidence]

Everything runs on one core (thread pools are pinned to one thread before numpy loads).
Design selection and calibration happen inside train_moderation_model, by cross-validation on
the training part only; each test part is touched once, by the finished model.

Two held-out tests:

1. **random**: every real decision, stratified 70/30 by (source, label), seed 0.
2. **held-out conversations** (the more honest one for Pol.is): the 20 Pol.is conversations
   are dealt into 5 groups of about equal size; each group is predicted by a model trained on
   the other conversations plus the random split's training petitions, so the model never
   saw the facilitator, the topic or the language it is tested on. Figures are pooled over
   all Pol.is comments, and given per conversation.

Baselines in the same run: the majority answer, and plain scikit-learn TF-IDF (word 1-2-grams)
+ LogisticRegression (C=1), flagging at probability 0.5, trained on the same examples.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import _one_core  # noqa: F401  (before numpy: pins its thread pools to one thread)
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    average_precision_score,
    precision_recall_curve,
    roc_auc_score,
)
from sklearn.model_selection import StratifiedKFold, train_test_split

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from listening_state.ml import moderation  # noqa: E402
from listening_state.ml.features import (  # noqa: E402
    Analyzer,
    FeatureSpec,
    Vocabulary,
    block_counts,
)
from listening_state.ml.moderation import (  # noqa: E402
    OTHER,
    ModerationExample,
    ModerationSettings,
    counts_for_risk,
    train_moderation_model,
)
from listening_state.ml.selection import fit_linear  # noqa: E402
from listening_state.ml.textprep import normalize  # noqa: E402

SEED = 0
TEST_SHARE = 0.3
RECALL_LEVELS = (0.25, 0.5, 0.75)
N_CONVERSATION_GROUPS = 5
NONE = "(none)"  # the reason hint names nothing
Figures = dict[str, float]


def reason_truth(example: ModerationExample) -> str:
    """What the reason hint should say: a nameable platform reason, or nothing."""
    if example.reason in (None, OTHER) or example.reason in moderation.CONTEXT_REASONS:
        return NONE
    return str(example.reason)


def raw_label_counts(data: Path) -> Counter[tuple[str, str]]:
    """Every row of the files by (source, label), dropped ones included."""
    tally: Counter[tuple[str, str]] = Counter()
    for path in sorted((data / moderation.POLIS).glob("*/comments.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            tally.update((moderation.POLIS, row["moderated"]) for row in csv.DictReader(handle))
    with (data / moderation.PETITIONS / "petitions.csv").open(encoding="utf-8", newline="") as f:
        tally.update(
            (moderation.PETITIONS, row["rejection_code"] or row["state"])
            for row in csv.DictReader(f)
        )
    return tally


def random_split(
    examples: list[ModerationExample],
) -> tuple[list[ModerationExample], list[ModerationExample]]:
    strata = [f"{example.source}/{example.label}" for example in examples]
    train, test = train_test_split(
        examples, test_size=TEST_SHARE, stratify=strata, random_state=SEED
    )
    return list(train), list(test)


def conversation_groups(examples: list[ModerationExample], n_groups: int) -> list[list[str]]:
    """Pol.is conversations dealt largest first into the group with the fewest comments."""
    sizes = Counter(
        e.group for e in examples if e.source == moderation.POLIS and counts_for_risk(e)
    )
    groups: list[list[str]] = [[] for _ in range(n_groups)]
    totals = [0] * n_groups
    for conversation, size in sorted(sizes.items(), key=lambda item: (-item[1], item[0])):
        smallest = totals.index(min(totals))
        groups[smallest].append(conversation)
        totals[smallest] += size
    return groups


# ---------------------------------------------------------------------------- figures


def risk_figures(scores: np.ndarray, truth: np.ndarray, threshold: float) -> Figures:
    flagged = scores >= threshold
    hits = int(np.sum(flagged & truth))
    precision = hits / int(flagged.sum()) if flagged.any() else 0.0
    recall = hits / int(truth.sum()) if truth.any() else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    figures: Figures = {
        "n": len(truth),
        "base_rate": float(np.mean(truth)),
        "flagged_share": float(np.mean(flagged)),
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "average_precision": float(average_precision_score(truth, scores)),
        "roc_auc": float(roc_auc_score(truth, scores)) if 0 < truth.sum() < len(truth) else 0.5,
    }
    curve_precision, curve_recall, _ = precision_recall_curve(truth, scores)
    for level in RECALL_LEVELS:
        reaching = curve_recall >= level
        figures[f"precision_at_recall_{level:g}"] = float(curve_precision[reaching].max())
    return figures


def reason_figures(predicted: list[str], truth: list[str]) -> dict[str, object]:
    labels = sorted(set(truth) | set(predicted))
    per_reason: dict[str, Figures] = {}
    for label in labels:
        said = sum(p == label for p in predicted)
        true = sum(t == label for t in truth)
        hits = sum(p == label and t == label for p, t in zip(predicted, truth, strict=True))
        precision = hits / said if said else 0.0
        recall = hits / true if true else 0.0
        per_reason[label] = {
            "precision": precision,
            "recall": recall,
            "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
            "support": true,
        }
    return {
        "accuracy": float(np.mean([p == t for p, t in zip(predicted, truth, strict=True)])),
        "macro_f1": float(np.mean([figures["f1"] for figures in per_reason.values()])),
        "per_reason": per_reason,
    }


class PlainBaseline:
    """scikit-learn TF-IDF word 1-2-grams + LogisticRegression(C=1), nothing tuned."""

    def __init__(self, texts: list[str], labels: list[int]) -> None:
        self.vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
        self.model = LogisticRegression(C=1.0, max_iter=2000)
        self.model.fit(self.vectorizer.fit_transform(texts), labels)

    def proba(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self.model.predict_proba(self.vectorizer.transform(texts))[:, 1])


def evaluate_split(
    name: str, train: list[ModerationExample], test: list[ModerationExample]
) -> dict[str, Any]:
    """Train the model and the baselines on `train`; every figure on `test`."""
    started = time.perf_counter()
    model = train_moderation_model(train, seed=SEED)
    train_seconds = time.perf_counter() - started
    assert model.report is not None

    risk_train = [example for example in train if counts_for_risk(example)]
    risk_test = [example for example in test if counts_for_risk(example)]
    truth = np.array([example.rejected for example in risk_test])
    sources = np.array([example.source for example in risk_test])
    texts = [example.text for example in risk_test]
    hints = model.assess(texts)
    scores = np.array([hint.score for hint in hints])
    plain = PlainBaseline(
        [example.text for example in risk_train], [int(e.rejected) for e in risk_train]
    )
    plain_scores = plain.proba(texts)
    majority = np.full(len(truth), np.mean([e.rejected for e in risk_train]))

    risk: dict[str, dict[str, Figures]] = {}
    for source in ("all", moderation.POLIS, moderation.PETITIONS):
        rows = np.ones(len(truth), bool) if source == "all" else sources == source
        risk[source] = {
            "model": risk_figures(scores[rows], truth[rows], model.threshold),
            "plain_tfidf_lr": risk_figures(plain_scores[rows], truth[rows], 0.5),
            "majority": risk_figures(majority[rows], truth[rows], 0.5),
        }

    reason_train = [e for e in train if e.rejected and e.reason is not None]
    reason_test = [e for e in test if e.rejected and e.reason is not None]
    reason_texts = [example.text for example in reason_test]
    expected = [reason_truth(example) for example in reason_test]
    said = [hint.reason or NONE for hint in model.assess(reason_texts)]
    reason_plain = PlainBaseline(
        [e.text for e in reason_train], [int(reason_truth(e) == "off_topic") for e in reason_train]
    )
    plain_said = ["off_topic" if p >= 0.5 else NONE for p in reason_plain.proba(reason_texts)]
    majority_reason = Counter(reason_truth(e) for e in reason_train).most_common(1)[0][0]
    by_label = {
        label: float(
            np.mean([s != NONE for s, e in zip(said, reason_test, strict=True) if e.label == label])
        )
        for label in sorted({e.label for e in reason_test})
    }
    return {
        "name": name,
        "model": model,
        "train_seconds": train_seconds,
        "n_train": len(train),
        "n_test": len(test),
        "n_test_risk": len(risk_test),
        "n_test_reason": len(reason_test),
        "risk": risk,
        "reason": {
            "model": reason_figures(said, expected),
            "plain_tfidf_lr": reason_figures(plain_said, expected),
            "majority": reason_figures([majority_reason] * len(expected), expected),
        },
        "reason_named_share_by_label": by_label,
    }


def held_out_conversations(
    examples: list[ModerationExample], petitions_train: list[ModerationExample]
) -> dict[str, Any]:
    """Every Pol.is comment scored by a model that never saw its conversation."""
    polis = [e for e in examples if e.source == moderation.POLIS and counts_for_risk(e)]
    groups = conversation_groups(examples, N_CONVERSATION_GROUPS)
    scores = np.zeros(len(polis))
    plain_scores = np.zeros(len(polis))
    seconds = []
    threshold = 0.5
    for group in groups:
        test_rows = [i for i, e in enumerate(polis) if e.group in group]
        train = [e for e in polis if e.group not in group] + petitions_train
        started = time.perf_counter()
        model = train_moderation_model(train, seed=SEED)
        seconds.append(time.perf_counter() - started)
        threshold = model.threshold
        texts = [polis[i].text for i in test_rows]
        scores[test_rows] = [hint.score for hint in model.assess(texts)]
        risk_train = [e for e in train if counts_for_risk(e)]
        plain = PlainBaseline([e.text for e in risk_train], [int(e.rejected) for e in risk_train])
        plain_scores[test_rows] = plain.proba(texts)
    truth = np.array([e.rejected for e in polis])
    conversations = np.array([e.group for e in polis])
    per_conversation: dict[str, Figures] = {}
    for name in sorted(set(conversations.tolist())):
        rows = conversations == name
        if 0 < truth[rows].sum() < rows.sum():
            per_conversation[name] = {
                "n": int(rows.sum()),
                "base_rate": float(truth[rows].mean()),
                "model": float(roc_auc_score(truth[rows], scores[rows])),
                "plain_tfidf_lr": float(roc_auc_score(truth[rows], plain_scores[rows])),
            }
    return {
        "groups": groups,
        "model": risk_figures(scores, truth, threshold),
        "plain_tfidf_lr": risk_figures(plain_scores, truth, 0.5),
        "majority": risk_figures(np.full(len(truth), truth.mean()), truth, 0.5),
        "per_conversation": per_conversation,
        "mean_conversation_auc": {
            system: float(np.mean([f[system] for f in per_conversation.values()]))
            for system in ("model", "plain_tfidf_lr")
        },
        "train_seconds_per_fold": float(np.mean(seconds)),
    }


def print_held_out(result: dict[str, Any]) -> None:
    print(
        f"\n== held-out Pol.is conversations: {N_CONVERSATION_GROUPS} groups of conversations, "
        f"each scored by a model that never saw them =="
    )
    print_risk({"risk": {"polis (pooled)": result}})
    print(f"\n    {'conversation':<46} {'n':>5} {'rejected':>8} {'AUC':>6} {'tfidf+LR':>9}")
    for name, figures in result["per_conversation"].items():
        print(
            f"    {name:<46} {int(figures['n']):5d} {figures['base_rate']:8.2f} "
            f"{figures['model']:6.3f} {figures['plain_tfidf_lr']:9.3f}"
        )
    mean = result["mean_conversation_auc"]
    print(
        f"    {'mean over conversations':<46} {'':>5} {'':>8} {mean['model']:6.3f} "
        f"{mean['plain_tfidf_lr']:9.3f}"
    )


# ---------------------------------------------------------------------------- evidence


def evidence(train: list[ModerationExample]) -> dict[str, Figures]:
    """Rejected variants, scored by the same cross-validation inside the training part."""
    base = ModerationSettings()
    variants = {
        "no text-length bins": replace(base, length_weight=0.0),
        "min_df 1 (every n-gram kept)": replace(base, features=FeatureSpec(min_df=1)),
        "word 1-2-grams": replace(base, features=FeatureSpec(word_max_n=2, min_df=2)),
    }
    results: dict[str, Figures] = {}
    for name, settings in variants.items():
        started = time.perf_counter()
        report = train_moderation_model(train, seed=SEED, settings=settings).report
        assert report is not None
        results[name] = {
            "cv_risk_average_precision": report.cv_risk_average_precision,
            "cv_risk_roc_auc": report.cv_risk_roc_auc,
            "cv_reason_accuracy": report.cv_reason_accuracy,
            "seconds": time.perf_counter() - started,
        }
    return results


def duplicates_by_text(train: list[ModerationExample]) -> Figures:
    """How well text alone separates petitions rejected as duplicates from published ones.

    Word and word-start char features, linear SVM C=0.1, 5-fold CV. A high figure means the
    model learns which subjects already had a petition, not that a text repeats another.
    """
    rows = [
        e
        for e in train
        if e.source == moderation.PETITIONS and (not e.rejected or e.reason == "duplicate")
    ]
    labels = np.array([int(e.rejected) for e in rows])
    spec = FeatureSpec(min_df=2)
    counts = block_counts(Analyzer(spec).analyse([normalize(e.text) for e in rows]), spec)
    scores = np.zeros(len(rows))
    folds = StratifiedKFold(5, shuffle=True, random_state=SEED).split(np.zeros(len(rows)), labels)
    for fold_train, fold_valid in folds:
        matrix = Vocabulary.fit(spec, counts.rows(fold_train)).blocks(counts).matrix(1.0)
        linear = fit_linear(matrix[fold_train], labels[fold_train], 2, 0.1, SEED)
        fold_scores = linear.scores(matrix[fold_valid])
        scores[fold_valid] = fold_scores[:, 1] - fold_scores[:, 0]
    return {
        "n": len(rows),
        "duplicate_share": float(labels.mean()),
        "roc_auc": float(roc_auc_score(labels, scores)),
    }


# ---------------------------------------------------------------------------- speed


def speed(model: moderation.ModerationModel, texts: list[str]) -> Figures:
    data = model.dumps()
    loaded = moderation.loads(data, expected_sha256=moderation.sha256_hex(data))
    batch = (texts * (5000 // len(texts) + 1))[:5000]
    loaded.assess(texts[:50])
    started = time.perf_counter()
    loaded.assess(batch)
    batch_seconds = time.perf_counter() - started
    fresh = moderation.loads(data, expected_sha256=moderation.sha256_hex(data))
    timings = []
    for text in (texts * 3)[:1000]:
        started = time.perf_counter()
        fresh.assess_one(text)
        timings.append(time.perf_counter() - started)
    return {
        "assess_docs_per_second": len(batch) / batch_seconds,
        "p50_ms_one_doc": statistics.median(timings) * 1000,
        "model_mb": len(data) / 1e6,
    }


# ---------------------------------------------------------------------------- report


def print_risk(result: dict[str, Any]) -> None:
    risk = result["risk"]
    keys = (
        "n",
        "base_rate",
        "flagged_share",
        "precision",
        "recall",
        "f1",
        "average_precision",
        "roc_auc",
        *(f"precision_at_recall_{level:g}" for level in RECALL_LEVELS),
    )
    for source, systems in risk.items():
        print(f"\n  risk score, {source}:")
        print(f"    {'':<26} {'model':>8} {'tfidf+LR':>9} {'majority':>9}")
        for key in keys:
            values = [systems[system][key] for system in ("model", "plain_tfidf_lr", "majority")]
            if key == "n":
                print(f"    {key:<26} {int(values[0]):8d}")
            else:
                print(f"    {key:<26} {values[0]:8.3f} {values[1]:9.3f} {values[2]:9.3f}")


def print_reason(result: dict[str, Any]) -> None:
    reason = result["reason"]
    print(f"\n  reason hint, {result['n_test_reason']} rejected petitions with a recorded reason:")
    print(f"    {'':<26} {'model':>8} {'tfidf+LR':>9} {'majority':>9}")
    for key in ("accuracy", "macro_f1"):
        values = [reason[system][key] for system in ("model", "plain_tfidf_lr", "majority")]
        print(f"    {key:<26} {values[0]:8.3f} {values[1]:9.3f} {values[2]:9.3f}")
    for label, figures in reason["model"]["per_reason"].items():
        base = reason["plain_tfidf_lr"]["per_reason"].get(label, {})
        print(
            f"    {label:<12} P {figures['precision']:.3f} R {figures['recall']:.3f} "
            f"F1 {figures['f1']:.3f} support {int(figures['support'])}"
            f"   (tfidf+LR P {base.get('precision', 0):.3f} R {base.get('recall', 0):.3f})"
        )
    shares = result["reason_named_share_by_label"]
    print(
        "    share named off_topic, by Committee code: "
        + ", ".join(f"{label} {share:.2f}" for label, share in shares.items())
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--skip-evidence", action="store_true", help="skip the rejected designs")
    args = parser.parse_args()

    examples = moderation.load_real_decisions(args.data)
    tally = Counter((e.source, e.label) for e in examples)
    raw = raw_label_counts(args.data)
    print(f"real decisions: {len(examples)} used (label: rows in the files, used, mapping)")
    for row in moderation.LABEL_MAPPING:
        target = row.reason or ("-" if row.decision != "rejected" else "(no reason)")
        key = (row.source, row.label)
        print(
            f"  {row.source:<13} {row.label:<18} {raw[key]:5d} {tally[key]:5d}  "
            f"{row.decision:<8} -> {target}"
        )

    train, test = random_split(examples)
    random_result = evaluate_split("random 70/30", train, test)
    model: moderation.ModerationModel = random_result["model"]
    report = model.report
    assert report is not None
    print(f"\n== random 70/30 split: {len(train)} train / {len(test)} test ==")
    print(f"  risk design: {report.risk_design}; reason design: {report.reason_design}")
    print(
        f"  cross-validated on the training part: risk AP {report.cv_risk_average_precision:.3f}"
        f" AUC {report.cv_risk_roc_auc:.3f}, P/R/F1 at {report.threshold:.2f}: "
        f"{report.cv_risk_precision:.3f}/{report.cv_risk_recall:.3f}/{report.cv_risk_f1:.3f}; "
        f"reason accuracy {report.cv_reason_accuracy:.3f}, named P/R "
        f"{report.cv_reason_precision:.3f}/{report.cv_reason_recall:.3f}"
    )
    print("  candidates (5-fold CV inside the training part):")
    for name, figures in report.candidates.items():
        extra = (
            f"AP {figures['average_precision']:.3f} AUC {figures['roc_auc']:.3f} "
            if "average_precision" in figures
            else ""
        )
        print(f"    {name:<64} {extra}log-loss {figures['log_loss']:.4f}")
    print_risk(random_result)
    print_reason(random_result)

    petitions_train = [e for e in train if e.source == moderation.PETITIONS]
    held_out = held_out_conversations(examples, petitions_train)
    print_held_out(held_out)

    rejected: dict[str, Figures] = {}
    if not args.skip_evidence:
        rejected = evidence(train)
        print("\nevidence: variants of the chosen settings, CV on the same training part:")
        for name, figures in rejected.items():
            print(
                f"  {name:<32} risk AP {figures['cv_risk_average_precision']:.3f} "
                f"AUC {figures['cv_risk_roc_auc']:.3f}  reason acc "
                f"{figures['cv_reason_accuracy']:.3f}  ({figures['seconds']:.1f}s)"
            )
    duplicates = duplicates_by_text(train)
    print(
        f"duplicates vs published petitions by text alone (CV, {duplicates['n']} petitions): "
        f"ROC-AUC {duplicates['roc_auc']:.3f}"
    )

    started = time.perf_counter()
    full = train_moderation_model(examples, seed=SEED)
    full_seconds = time.perf_counter() - started
    timing = speed(full, [e.text for e in test])
    print(
        f"\nall {len(examples)} real decisions: trained in {full_seconds:.1f} s; model "
        f"{timing['model_mb']:.2f} MB; {timing['assess_docs_per_second']:.0f} docs/s batch, "
        f"p50 {timing['p50_ms_one_doc']:.2f} ms one doc"
    )

    ours = random_result["risk"]["all"]["model"]
    plain = random_result["risk"]["all"]["plain_tfidf_lr"]
    reason = random_result["reason"]["model"]
    figure_keys = ("precision", "recall", "f1", "average_precision", "roc_auc")
    summary = {
        "risk_precision": ours["precision"],
        "risk_recall": ours["recall"],
        "risk_f1": ours["f1"],
        "risk_average_precision": ours["average_precision"],
        "risk_roc_auc": ours["roc_auc"],
        "risk_base_rate": ours["base_rate"],
        "risk_threshold": model.threshold,
        "risk_precision_at_recall": {
            f"{level:g}": ours[f"precision_at_recall_{level:g}"] for level in RECALL_LEVELS
        },
        "reason_accuracy": reason["accuracy"],
        "reason_macro_f1": reason["macro_f1"],
        "reason_per_reason": reason["per_reason"],
        "reason_threshold": model.reason_threshold,
        "baseline_risk_average_precision": plain["average_precision"],
        "baseline_risk_roc_auc": plain["roc_auc"],
        "baseline_risk_f1": plain["f1"],
        "baseline_reason_accuracy": random_result["reason"]["plain_tfidf_lr"]["accuracy"],
        "baseline_reason_macro_f1": random_result["reason"]["plain_tfidf_lr"]["macro_f1"],
        "risk_by_source": {
            source: {key: figures["model"][key] for key in figure_keys}
            for source, figures in random_result["risk"].items()
        },
        "heldout_conversations": {
            "groups": held_out["groups"],
            **{f"polis_{key}": held_out["model"][key] for key in figure_keys},
            "polis_mean_conversation_roc_auc": held_out["mean_conversation_auc"]["model"],
            **{
                f"polis_baseline_{key}": held_out["plain_tfidf_lr"][key]
                for key in ("average_precision", "roc_auc")
            },
            "polis_baseline_mean_conversation_roc_auc": held_out["mean_conversation_auc"][
                "plain_tfidf_lr"
            ],
            "train_seconds_per_fold": held_out["train_seconds_per_fold"],
        },
        "risk_design": report.risk_design,
        "reason_design": report.reason_design,
        "n_train": random_result["n_train"],
        "n_test": random_result["n_test"],
        "n_test_risk": random_result["n_test_risk"],
        "n_test_reason": random_result["n_test_reason"],
        "train_seconds": random_result["train_seconds"],
        "train_seconds_all": full_seconds,
        "n_all": len(examples),
        **timing,
        "duplicates_by_text_roc_auc": duplicates["roc_auc"],
        "evidence": rejected,
    }
    print(json.dumps(summary, sort_keys=False))


if __name__ == "__main__":
    main()

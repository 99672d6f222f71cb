"""Evaluate the production training procedure on any labelled CSV file, no database involved."""

from __future__ import annotations

import csv
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from listening_state.ml.features import FloatArray, IntArray
from listening_state.ml.routing import Prediction, RouterModel, RouterSettings, train_router
from listening_state.ml.selection import BoolArray, evaluate, stratified_folds

log = logging.getLogger(__name__)
Figures = dict[str, object]
EVALUATION_FOLDS = 5


class EvaluationDataError(Exception):
    """A CSV file that cannot be evaluated; the message says why, in words for a person."""


@dataclass(frozen=True)
class LabelledData:
    texts: list[str]
    labels: list[str]
    skipped_empty_text: int  # rows with a label but no text
    skipped_empty_label: int  # rows with text but no label


def open_csv(path: Path, columns: Sequence[str]) -> csv.DictReader[str]:
    """The rows of a UTF-8 CSV file with a header row (a BOM is allowed) that has `columns`."""
    if not path.is_file():
        raise EvaluationDataError(f"{path}: no such file")
    try:
        content = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise EvaluationDataError(
            f"{path}: not UTF-8 text (invalid byte at position {error.start}); "
            "save it as UTF-8 and try again"
        ) from error
    if not content.strip():
        raise EvaluationDataError(f"{path}: the file is empty")
    reader = csv.DictReader(content.splitlines(keepends=True))
    try:
        found = [name for name in reader.fieldnames or [] if name is not None]
    except csv.Error as error:
        raise EvaluationDataError(f"{path}: not a readable CSV file ({error})") from error
    missing = [name for name in columns if name not in found]
    if missing:
        raise EvaluationDataError(
            f"{path}: no column {', '.join(map(repr, missing))}; "
            f"the columns are: {', '.join(map(repr, found))}"
        )
    return reader


def read_labelled_csv(path: Path, text_column: str, label_column: str) -> LabelledData:
    """Texts and labels of a UTF-8 CSV file with a header row (a BOM is allowed)."""
    reader = open_csv(path, (text_column, label_column))
    texts: list[str] = []
    labels: list[str] = []
    no_text = no_label = 0
    try:
        for row in reader:
            text, label = (row.get(text_column) or "").strip(), (row.get(label_column) or "")
            if not text:
                no_text += 1
            elif not label.strip():
                no_label += 1
            else:
                texts.append(text)
                labels.append(label.strip())
    except csv.Error as error:
        raise EvaluationDataError(f"{path}: not a readable CSV file ({error})") from error
    if no_text or no_label:
        log.warning("%s: skipped %d rows without text, %d without label", path, no_text, no_label)
    return LabelledData(texts, labels, no_text, no_label)


def _check_training(data: LabelledData, path: Path) -> None:
    classes = set(data.labels)
    if len(classes) < 2:
        found = f"only {sorted(classes)[0]!r}" if classes else "none"
        raise EvaluationDataError(
            f"{path}: training needs at least 2 different labels, found {found} "
            f"({len(data.texts)} usable rows, {data.skipped_empty_text} without text)"
        )


def _scores(predictions: Sequence[Prediction], index: dict[str, int]) -> FloatArray:
    """A score per label that ranks the suggestions as predicted; the others rank last."""
    scores = np.full((len(predictions), len(index)), -1.0)
    for row, prediction in enumerate(predictions):
        for suggestion in prediction.suggestions:
            scores[row, index[suggestion.label]] = suggestion.probability
    return scores


def _figures(scores: FloatArray, truth: IntArray, names: list[str], auto: BoolArray) -> Figures:
    figures = evaluate(scores, truth)
    correct = scores.argmax(axis=1) == truth
    return {
        "accuracy": figures.accuracy,
        "macro_f1": figures.macro_f1,
        "weighted_f1": figures.weighted_f1,
        "top3_accuracy": figures.top3_accuracy,
        "auto_route_share": float(np.mean(auto)) if len(auto) else 0.0,
        "auto_route_precision": float(np.mean(correct[auto])) if auto.any() else 0.0,
        "n_classes": len(names),
        "per_class": {
            names[label]: {
                "precision": values["precision"],
                "recall": values["recall"],
                "f1": values["f1"],
                "support": int(values["support"]),
            }
            for label, values in figures.per_class.items()
        },
    }


def _timed_predict(model: RouterModel, texts: Sequence[str]) -> tuple[list[Prediction], float]:
    """Predictions through the production path (explanations included), and the seconds."""
    started = time.perf_counter()
    predictions = model.predict(texts)
    return predictions, time.perf_counter() - started


def evaluate_csv(
    train_path: Path,
    test_path: Path | None,
    text_column: str,
    label_column: str,
    settings: RouterSettings = RouterSettings(),  # noqa: B008 - frozen: one shared default is safe
) -> dict[str, object]:
    """Train as production does on TRAIN; measure on TEST, or by 5-fold CV on TRAIN.

    With a test file, the model trained on all of TRAIN (design selection and threshold
    included) predicts TEST. Without one, TRAIN is split into 5 stratified folds and each
    fold is predicted by a model that ran the whole training procedure on the other four;
    the auto-routed share uses each fold model's own threshold. `threshold`, `train_seconds`
    and `n_train` always describe the model trained on all of TRAIN.
    """
    train = read_labelled_csv(train_path, text_column, label_column)
    _check_training(train, train_path)
    test = read_labelled_csv(test_path, text_column, label_column) if test_path else None
    if test is not None and not test.texts:
        raise EvaluationDataError(f"{test_path}: no rows with both text and label")

    model, report = train_router(train.texts, train.labels, settings)
    if test is not None:
        names = sorted(set(train.labels) | set(test.labels))
        index = {name: position for position, name in enumerate(names)}
        predictions, seconds = _timed_predict(model, test.texts)
        scores = _scores(predictions, index)
        truth = np.array([index[label] for label in test.labels], dtype=np.int64)
        auto = scores.max(axis=1) >= model.threshold
        n_predicted = len(test.texts)
    else:
        names = sorted(set(train.labels))
        index = {name: position for position, name in enumerate(names)}
        truth = np.array([index[label] for label in train.labels], dtype=np.int64)
        scores = np.zeros((len(truth), len(names)))
        auto = np.zeros(len(truth), dtype=bool)
        seconds = 0.0
        folds = stratified_folds(truth, min(EVALUATION_FOLDS, len(truth)), settings.seed)
        for train_rows, valid_rows in folds:
            fold_labels = [train.labels[row] for row in train_rows]
            if len(set(fold_labels)) < 2:
                raise EvaluationDataError(
                    f"{train_path}: too few examples for {EVALUATION_FOLDS}-fold "
                    "cross-validation; give a --test file instead"
                )
            fold_model, _ = train_router(
                [train.texts[row] for row in train_rows], fold_labels, settings
            )
            predictions, elapsed = _timed_predict(
                fold_model, [train.texts[row] for row in valid_rows]
            )
            seconds += elapsed
            scores[valid_rows] = _scores(predictions, index)
            auto[valid_rows] = scores[valid_rows].max(axis=1) >= fold_model.threshold
        n_predicted = len(truth)
    result: dict[str, object] = {
        **_figures(scores, truth, names, auto),
        "threshold": model.threshold,
        "n_train": len(train.texts),
        "n_test": n_predicted,
        "train_seconds": report.train_seconds,
        "predict_docs_per_second": n_predicted / seconds if seconds > 0 else 0.0,
    }
    return {key: result[key] for key in RESULT_KEYS}


RESULT_KEYS = (
    "accuracy",
    "macro_f1",
    "weighted_f1",
    "top3_accuracy",
    "threshold",
    "auto_route_share",
    "auto_route_precision",
    "n_train",
    "n_test",
    "n_classes",
    "per_class",
    "train_seconds",
    "predict_docs_per_second",
)

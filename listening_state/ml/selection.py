"""The statistical building blocks of training: folds, the linear model, calibration, threshold.

Everything here works on plain arrays with labels encoded as integers 0..K-1, so each piece
can be tested on numbers chosen by hand.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize_scalar
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support
from sklearn.svm import LinearSVC

from listening_state.ml.features import Blocks, FloatArray, IntArray, Matrix

BoolArray = npt.NDArray[np.bool_]
# The score of a ministry that a fold's training part never saw: far below any real score,
# so its probability is ~0 rather than undefined.
ABSENT_SCORE = -10.0
# liblinear's own default stopping tolerance for this solver (scikit-learn's 1e-4 is meant for
# small dense problems); it changes no prediction we measured and halves training time.
SVC_TOLERANCE = 0.1


@dataclass(frozen=True)
class LinearModel:
    """Scores = X @ weights + intercept; `weights` has one column per label.

    Stored features x labels, C-contiguous float32: the layout a sparse-dense product reads
    fastest, and half the memory of float64 at no cost in ranking.
    """

    weights: npt.NDArray[np.float32]
    intercept: FloatArray

    def scores(self, features: Matrix) -> FloatArray:
        product = features.astype(np.float32) @ self.weights
        return np.asarray(product, dtype=np.float64) + self.intercept

    def block_scores(self, blocks: Blocks, n_word: int, char_weight: float) -> FloatArray:
        """The same scores from the two blocks, without stacking them into one matrix."""
        word = blocks.word.astype(np.float32) @ self.weights[:n_word]
        char = blocks.char.astype(np.float32) @ self.weights[n_word:]
        return np.asarray(word + char_weight * char, dtype=np.float64) + self.intercept


def stratified_folds(labels: IntArray, n_folds: int, seed: int) -> list[tuple[IntArray, IntArray]]:
    """(train, validation) index pairs; every class is spread evenly over the folds.

    Each class's examples are shuffled (seeded) and dealt round-robin, continuing where the
    previous class stopped so that folds also stay equal in size. A class with fewer examples
    than folds simply appears in fewer validation folds, and the other folds' models never
    see it: that is the honest estimate for a ministry with one or two examples, and unlike
    scikit-learn's StratifiedKFold it neither warns nor fails.
    """
    rng = np.random.default_rng(seed)
    fold_of = np.empty(len(labels), dtype=np.int64)
    dealt = 0
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        rng.shuffle(members)
        fold_of[members] = (dealt + np.arange(len(members))) % n_folds
        dealt += len(members)
    return [
        (np.flatnonzero(fold_of != fold), np.flatnonzero(fold_of == fold))
        for fold in range(n_folds)
    ]


def stratified_sample(labels: IntArray, size: int, seed: int) -> IntArray:
    """About `size` indices in the labels' proportions, keeping at least a few of each class."""
    if len(labels) <= size:
        return np.arange(len(labels))
    rng = np.random.default_rng(seed)
    chosen: list[IntArray] = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        take = max(round(size * len(members) / len(labels)), min(len(members), 5))
        chosen.append(rng.choice(members, size=take, replace=False))
    return np.sort(np.concatenate(chosen))


def fit_linear(
    features: Matrix, labels: IntArray, n_labels: int, c: float, seed: int
) -> LinearModel:
    """A one-vs-rest linear SVM with balanced class weights, as rows for all n_labels labels."""
    coef = np.zeros((n_labels, features.shape[1]))
    intercept = np.full(n_labels, ABSENT_SCORE)
    present = np.unique(labels)
    if len(present) == 1 or features.shape[1] == 0:
        # Nothing to separate, or no words to separate by: the labels seen tie, always.
        intercept[present] = 0.0
        return LinearModel(np.zeros((features.shape[1], n_labels), np.float32), intercept)
    svc = LinearSVC(
        C=c, class_weight="balanced", dual=True, tol=SVC_TOLERANCE, max_iter=1000, random_state=seed
    )
    with warnings.catch_warnings():
        # An unconverged solution is still a usable model, and cross-validation measures it
        # as it is; the warning would only turn training into an error under pytest -W error.
        warnings.simplefilter("ignore", ConvergenceWarning)
        svc.fit(features, labels)
    weights = np.asarray(svc.coef_, dtype=np.float64)
    biases = np.asarray(svc.intercept_, dtype=np.float64)
    if len(present) == 2:  # one hyperplane: half the score to each side
        weights = np.vstack((-weights / 2, weights / 2))
        biases = np.array([-biases[0] / 2, biases[0] / 2])
    coef[present] = weights
    intercept[present] = biases
    return LinearModel(np.ascontiguousarray(coef.T, dtype=np.float32), intercept)


def softmax(scores: FloatArray, temperature: float) -> FloatArray:
    scaled = scores / temperature
    scaled -= scaled.max(axis=1, keepdims=True)
    exp = np.exp(scaled)
    result: FloatArray = exp / exp.sum(axis=1, keepdims=True)
    return result


def fit_temperature(scores: FloatArray, labels: IntArray) -> float:
    """Temperature scaling (Guo et al. 2017): the T minimising log-loss of softmax(scores / T).

    One parameter, so it cannot reorder a document's suggestions and cannot overfit; it turns
    SVM scores into probabilities that match how often the model is right.
    """
    rows = np.arange(len(labels))

    def log_loss(log_t: float) -> float:
        probabilities = softmax(scores, float(np.exp(log_t)))[rows, labels]
        return float(-np.mean(np.log(np.clip(probabilities, 1e-12, None))))

    result = minimize_scalar(log_loss, bounds=(np.log(1e-3), np.log(1e2)), method="bounded")
    return float(np.exp(result.x))


@dataclass(frozen=True)
class ThresholdChoice:
    threshold: float
    coverage: float  # share of documents with confidence >= threshold
    precision: float  # share of those whose top suggestion is right


NEVER = float(np.nextafter(1.0, 2.0))  # a threshold no probability reaches


def choose_threshold(confidence: FloatArray, correct: BoolArray, target: float) -> ThresholdChoice:
    """The lowest threshold whose auto-routed share (confidence >= it) is right >= target.

    Candidates are the observed confidences. Precision is not monotone in the threshold, so
    this is the largest auto-routed share that still meets the target. If none does, the
    threshold is just above 1 and nothing is routed automatically.
    """
    order = np.argsort(-confidence, kind="stable")
    ranked, hits = confidence[order], correct[order]
    # Only the last of a run of equal confidences is a place where the threshold can fall.
    ends = np.flatnonzero(np.append(ranked[1:] != ranked[:-1], True))
    precision = np.cumsum(hits)[ends] / (ends + 1)
    reaching = np.flatnonzero(precision >= target)
    if len(ranked) == 0 or len(reaching) == 0:
        return ThresholdChoice(NEVER, 0.0, 0.0)
    best = reaching[-1]
    return ThresholdChoice(
        threshold=float(ranked[ends[best]]),
        coverage=float((ends[best] + 1) / len(ranked)),
        precision=float(precision[best]),
    )


@dataclass(frozen=True)
class Evaluation:
    """Figures of predicted scores against true labels (all labels 0..K-1)."""

    accuracy: float
    macro_f1: float
    weighted_f1: float
    top3_accuracy: float
    per_class: dict[int, dict[str, float]]
    confusion: list[list[int]]


def evaluate(scores: FloatArray, labels: IntArray) -> Evaluation:
    n_labels = scores.shape[1]
    predicted = scores.argmax(axis=1)
    every = list(range(n_labels))
    precision, recall, f1, support = precision_recall_fscore_support(
        labels, predicted, labels=every, zero_division=0
    )
    # As scikit-learn's average="macro": labels that are true or predicted at least once.
    present = (support > 0) | (np.bincount(predicted, minlength=n_labels) > 0)
    top3 = np.argsort(-scores, axis=1, kind="stable")[:, :3]
    return Evaluation(
        accuracy=float(np.mean(predicted == labels)),
        macro_f1=float(np.mean(f1[present])),
        weighted_f1=float(np.average(f1[present], weights=support[present])),
        top3_accuracy=float(np.mean((top3 == labels[:, None]).any(axis=1))),
        per_class={
            label: {
                "precision": float(precision[label]),
                "recall": float(recall[label]),
                "f1": float(f1[label]),
                "support": float(support[label]),
            }
            for label in every
        },
        confusion=confusion_matrix(labels, predicted, labels=every).tolist(),
    )

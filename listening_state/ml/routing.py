"""The router: which ministry should answer a citizen's text, how sure we are, and why.

Design (chosen by cross-validation; see bench/README.md for the evidence):

- Text: HTML stripped, NFKC, case-folded (textprep). Features: word unigrams plus character
  n-grams anchored at the start of each word (its first 3..6 letters: a language-blind stemmer
  for Kazakh and Russian), TF-IDF with sublinear term frequency, each block L2-normalised.
- Model: one-vs-rest linear SVM (liblinear) with balanced class weights, so that ministries
  with few examples are not drowned by the big ones. Probabilities are softmax(scores / T),
  with the temperature T fitted on out-of-fold scores (temperature scaling).
- Model selection: every candidate design (char block weight x regularisation C) is scored by
  stratified k-fold cross-validation inside the training data; the best macro-F1 wins.
- Threshold: the lowest probability whose auto-routed share is right at least
  `target_precision` of the time on the winner's out-of-fold predictions.
- Large data: above `selection_sample` examples, designs, temperature, threshold and the
  reported figures come from a stratified sample of that size with `large_cv_folds` folds;
  the final model is fit on everything. The final fit keeps the regularisation per example
  of the cross-validated fits (C scaled by fold size / data size), so its scores stay on the
  scale on which the temperature and the threshold were chosen.
- Rare ministries (1-4 examples) are dealt into as many folds as they have examples; see
  selection.stratified_folds.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from listening_state.ml.explain import explain
from listening_state.ml.features import (
    Analyzer,
    FeatureSpec,
    FloatArray,
    IntArray,
    Vocabulary,
    block_counts,
)
from listening_state.ml.selection import (
    LinearModel,
    choose_threshold,
    evaluate,
    fit_linear,
    fit_temperature,
    softmax,
    stratified_folds,
    stratified_sample,
)
from listening_state.ml.storage import (
    ModelIntegrityError,
    library_versions,
    load_vocabulary,
    pack,
    sha256_hex,
    unpack,
    vocabulary_arrays,
    vocabulary_header,
)
from listening_state.ml.textprep import fold

__all__ = [
    "Design",
    "ModelIntegrityError",
    "Prediction",
    "RouterModel",
    "RouterSettings",
    "Suggestion",
    "TrainingReport",
    "dumps",
    "loads",
    "sha256_hex",
    "train_router",
]


@dataclass(frozen=True)
class Design:
    """One candidate: how much the character block weighs, and the SVM's C."""

    char_weight: float
    c: float

    @property
    def name(self) -> str:
        return f"words + word-start char n-grams x{self.char_weight:g}, linear SVM C={self.c:g}"


@dataclass(frozen=True)
class RouterSettings:
    """How training runs. The defaults are what the benchmark measured (bench/README.md)."""

    target_precision: float = 0.85
    seed: int = 0
    cv_folds: int = 5
    char_weights: tuple[float, ...] = (0.3, 1.0, 3.0)
    c_values: tuple[float, ...] = (0.3, 1.0)
    selection_sample: int = 4000  # above this many examples, select on a sample (see above)
    large_cv_folds: int = 3
    features: FeatureSpec = field(default_factory=FeatureSpec)
    explanation_terms: int = 8

    @property
    def designs(self) -> tuple[Design, ...]:
        return tuple(Design(w, c) for w in self.char_weights for c in self.c_values)


@dataclass(frozen=True)
class Suggestion:
    label: str
    probability: float


@dataclass(frozen=True)
class Prediction:
    suggestions: tuple[Suggestion, ...]  # top 3 (fewer if fewer labels), best first
    explanation: tuple[tuple[str, float], ...]  # words that weighed most for the top one

    @property
    def top(self) -> Suggestion:
        return self.suggestions[0]


@dataclass(frozen=True)
class TrainingReport:
    """What training found; every figure is cross-validated (out-of-fold)."""

    n_examples: int
    examples_per_label: dict[str, int]
    cv_accuracy: float
    cv_macro_f1: float
    threshold: float
    coverage: float  # share auto-routed at the threshold
    auto_route_precision: float  # share of those routed to the right ministry
    per_class: dict[str, dict[str, float]]  # precision, recall, f1, support
    confusion_labels: list[str]
    confusion_matrix: list[list[int]]  # rows: true label, columns: predicted
    design: str
    library_versions: dict[str, str]
    train_seconds: float
    cv_top3_accuracy: float = 0.0
    cv_weighted_f1: float = 0.0
    temperature: float = 1.0
    cv_folds: int = 0
    selection_examples: int = 0  # examples the cross-validation ran on
    candidates: dict[str, dict[str, float]] = field(default_factory=dict)


class RouterModel:
    """A trained router. Thread-safe for prediction; holds only numpy arrays and settings."""

    def __init__(
        self,
        *,
        labels: tuple[str, ...],
        vocabulary: Vocabulary,
        linear: LinearModel,
        design: Design,
        temperature: float,
        threshold: float,
        explanation_terms: int = 8,
    ) -> None:
        self.labels = labels
        self.vocabulary = vocabulary
        self.linear = linear
        self.design = design
        self.temperature = temperature
        self.threshold = threshold
        self.explanation_terms = explanation_terms
        self._analyzer = Analyzer(vocabulary.spec)

    def predict_proba(self, texts: Sequence[str]) -> FloatArray:
        """Probabilities, one row per text, one column per label (in `labels` order)."""
        return self._predict(texts, explain_terms=False)[0]

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        probabilities, explanations = self._predict(texts, explain_terms=True)
        top = np.argsort(-probabilities, axis=1, kind="stable")[:, :3].tolist()
        labels = self.labels
        return [
            Prediction(
                suggestions=tuple(Suggestion(labels[j], row[j]) for j in best),
                explanation=explanation,
            )
            for row, best, explanation in zip(
                probabilities.tolist(), top, explanations, strict=True
            )
        ]

    def predict_one(self, text: str) -> Prediction:
        return self.predict([text])[0]

    def is_confident(self, prediction: Prediction) -> bool:
        """Whether to route automatically: the top probability reaches the threshold."""
        return prediction.top.probability >= self.threshold

    def _predict(
        self, texts: Sequence[str], *, explain_terms: bool
    ) -> tuple[FloatArray, list[tuple[tuple[str, float], ...]]]:
        # fold, not normalize: the analyser sees the same words either way.
        batch = self._analyzer.analyse([fold(text) for text in texts])
        features = self.vocabulary.features(batch)
        # LinearModel.block_scores, on blocks that are float32 already.
        weights, n_word = self.linear.weights, self.vocabulary.n_word
        word = features.word @ weights[:n_word]
        char = features.char @ weights[n_word:]
        scores = (
            np.asarray(word + self.design.char_weight * char, dtype=np.float64)
            + self.linear.intercept
        )
        probabilities = softmax(scores, self.temperature)
        if not explain_terms:
            return probabilities, []
        chosen = np.argmax(probabilities, axis=1)
        explanations = explain(
            batch,
            self.vocabulary,
            features,
            self.linear,
            self.design.char_weight,
            chosen,
            self.explanation_terms,
        )
        return probabilities, explanations


def _encode(texts: Sequence[str], labels: Sequence[str]) -> tuple[tuple[str, ...], IntArray]:
    if len(texts) != len(labels):
        raise ValueError(f"{len(texts)} texts but {len(labels)} labels")
    names = tuple(sorted(set(labels)))
    if len(names) < 2:
        raise ValueError("training needs examples of at least two labels")
    index = {name: position for position, name in enumerate(names)}
    return names, np.fromiter((index[label] for label in labels), np.int64, len(labels))


def train_router(
    texts: Sequence[str],
    labels: Sequence[str],
    settings: RouterSettings = RouterSettings(),
) -> tuple[RouterModel, TrainingReport]:
    """Select a design by cross-validation, choose the threshold, fit the final model."""
    started = time.perf_counter()
    names, y = _encode(texts, labels)
    n_labels, spec = len(names), settings.features
    batch = Analyzer(spec).analyse([fold(text) for text in texts])
    counts = block_counts(batch, spec)

    sample = stratified_sample(y, settings.selection_sample, settings.seed)
    sampled = len(sample) < len(y)
    n_folds = min(settings.large_cv_folds if sampled else settings.cv_folds, len(sample))
    folds = stratified_folds(y[sample], n_folds, settings.seed)
    sample_counts, y_sample = counts.rows(sample), y[sample]
    designs = settings.designs
    oof = {design: np.zeros((len(sample), n_labels)) for design in designs}
    for train, valid in folds:
        blocks = Vocabulary.fit(spec, sample_counts.rows(train)).blocks(sample_counts)
        for weight in settings.char_weights:
            matrix = blocks.matrix(weight)
            for c in settings.c_values:
                fold_model = fit_linear(matrix[train], y_sample[train], n_labels, c, settings.seed)
                oof[Design(weight, c)][valid] = fold_model.scores(matrix[valid])

    candidates: dict[str, dict[str, float]] = {}
    evaluations = {design: evaluate(oof[design], y_sample) for design in designs}
    for design, figures in evaluations.items():
        temperature = fit_temperature(oof[design], y_sample)
        probabilities = softmax(oof[design], temperature)
        choice = choose_threshold(
            probabilities.max(axis=1),
            probabilities.argmax(axis=1) == y_sample,
            settings.target_precision,
        )
        candidates[design.name] = {
            "macro_f1": figures.macro_f1,
            "accuracy": figures.accuracy,
            "top3_accuracy": figures.top3_accuracy,
            "auto_route_share": choice.coverage,
            "temperature": temperature,
        }
    # Best macro-F1 (fair to small ministries); ties go to the earlier, simpler design.
    winner = max(designs, key=lambda design: evaluations[design].macro_f1)
    figures = evaluations[winner]
    temperature = candidates[winner.name]["temperature"]
    probabilities = softmax(oof[winner], temperature)
    choice = choose_threshold(
        probabilities.max(axis=1),
        probabilities.argmax(axis=1) == y_sample,
        settings.target_precision,
    )

    vocabulary = Vocabulary.fit(spec, counts)
    fold_size = float(np.mean([len(train) for train, _ in folds]))
    final_c = winner.c * fold_size / len(y)  # same regularisation per example as in CV
    linear = fit_linear(
        vocabulary.blocks(counts).matrix(winner.char_weight), y, n_labels, final_c, settings.seed
    )
    model = RouterModel(
        labels=names,
        vocabulary=vocabulary,
        linear=linear,
        design=winner,
        temperature=temperature,
        threshold=choice.threshold,
        explanation_terms=settings.explanation_terms,
    )
    tally = Counter(labels)
    report = TrainingReport(
        n_examples=len(y),
        examples_per_label={name: tally[name] for name in names},
        cv_accuracy=figures.accuracy,
        cv_macro_f1=figures.macro_f1,
        threshold=choice.threshold,
        coverage=choice.coverage,
        auto_route_precision=choice.precision,
        per_class={names[label]: values for label, values in figures.per_class.items()},
        confusion_labels=list(names),
        confusion_matrix=figures.confusion,
        design=winner.name,
        library_versions=library_versions(),
        train_seconds=time.perf_counter() - started,
        cv_top3_accuracy=figures.top3_accuracy,
        cv_weighted_f1=figures.weighted_f1,
        temperature=temperature,
        cv_folds=n_folds,
        selection_examples=len(sample),
        candidates=candidates,
    )
    return model, report


def dumps(model: RouterModel) -> bytes:
    """The model as bytes (an .npz archive: arrays and a JSON header, no pickle)."""
    vocabulary = model.vocabulary
    header: dict[str, object] = {
        "labels": list(model.labels),
        "char_weight": model.design.char_weight,
        "c": model.design.c,
        "temperature": model.temperature,
        "threshold": model.threshold,
        "explanation_terms": model.explanation_terms,
        "features": vocabulary_header(vocabulary),
        "library_versions": library_versions(),
    }
    arrays: dict[str, npt.NDArray[Any]] = {
        **vocabulary_arrays(vocabulary),
        "weights": model.linear.weights,
        "intercept": model.linear.intercept,
    }
    return pack(arrays, header)


def loads(data: bytes, *, expected_sha256: str) -> RouterModel:
    """The model in `data`; ModelIntegrityError unless sha256(data) is the expected one."""
    arrays, header = unpack(data, expected_sha256=expected_sha256)
    try:
        vocabulary = load_vocabulary(arrays, header["features"])
        linear = LinearModel(
            weights=np.ascontiguousarray(arrays["weights"], dtype=np.float32),
            intercept=arrays["intercept"].astype(np.float64),
        )
        labels = tuple(str(label) for label in header["labels"])
        if linear.weights.shape != (vocabulary.n_features, len(labels)):
            raise ValueError("coefficients do not match labels and vocabulary")
        return RouterModel(
            labels=labels,
            vocabulary=vocabulary,
            linear=linear,
            design=Design(float(header["char_weight"]), float(header["c"])),
            temperature=float(header["temperature"]),
            threshold=float(header["threshold"]),
            explanation_terms=int(header["explanation_terms"]),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise ModelIntegrityError(f"not a router model file: {error}") from error

"""Moderation risk: how likely a moderator is to reject a text, and the reason they would give.

A hint for the moderation queue, never a decision: nothing here rejects or hides anything.

Trained on real moderation decisions (../shared/data, see `load_real_decisions`):

- Pol.is facilitators' decisions (`moderated` 1 accepted, -1 rejected). Pol.is records no
  reason, so these train the risk score only.
- UK Parliament petitions rejected by the Petitions Committee, with its rejection code, mapped
  onto the platform's published reason codes by the reviewed table `LABEL_MAPPING` below.

Two linear heads over the router's features (textprep + features: word unigrams and word-start
character n-grams, TF-IDF) plus a small block of text-length bins:

- **risk**: P(rejected), a linear SVM whose scores are calibrated on out-of-fold scores
  (Platt scaling: a slope and a bias). Positives are rejections for a reason visible in the
  text; rejections as duplicates (which depend on other submissions, see `CONTEXT_REASONS`)
  and rejections for reasons the platform does not have are left out.
- **reason**: P(reason | rejected), over the text-visible platform reasons with enough
  examples, plus `OTHER` ("none the classifier may name"), trained on the rejections whose
  decision recorded a reason. Calibrated the same way (a slope and one bias per class).

Both probabilities are calibrated, so the thresholds are 0.5, "more likely than not": the
risk flag when a rejection is more likely than not; a reason is named when, given a
rejection, it is more likely than all the others together. Neither is tuned on the data.

Each head's design (character block weight x SVM regularisation C) is chosen by stratified
k-fold cross-validation inside the training data only: average precision for the risk head,
calibrated log-loss for the reason head. See bench/README.md for the evidence.
"""

from __future__ import annotations

import csv
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.optimize import minimize
from sklearn.metrics import average_precision_score, roc_auc_score

from listening_state.ml.features import (
    Analyzer,
    BlockCounts,
    Blocks,
    FeatureSpec,
    FloatArray,
    IntArray,
    Matrix,
    Vocabulary,
    block_counts,
)
from listening_state.ml.routing import Design  # one candidate per head: char weight, C
from listening_state.ml.selection import LinearModel, fit_linear, stratified_folds
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
from listening_state.ml.textprep import normalize

__all__ = [
    "CONTEXT_REASONS",
    "LABEL_MAPPING",
    "OTHER",
    "REASON_CODES",
    "LabelMapping",
    "ModelIntegrityError",
    "ModerationExample",
    "ModerationModel",
    "ModerationReport",
    "ModerationSettings",
    "RiskHint",
    "counts_for_risk",
    "dumps",
    "load_real_decisions",
    "loads",
    "sha256_hex",
    "train_moderation_model",
]

# The platform's published reason codes (models.moderation.ModerationReason, same order).
REASON_CODES = (
    "off_topic",
    "abusive",
    "personal_data",
    "duplicate",
    "spam",
    "not_about_draft",
    "unlawful",
)
# A rejection whose recorded reason the platform does not have: it teaches the reason head what
# a rejection that is *not* one of the named reasons looks like, and never counts for the risk.
OTHER = "other"
# Reasons that depend on other submissions rather than on the text itself: the similarity
# search finds duplicates (and can point at the original). The classifier neither learns them
# as risk nor names them; for the reason head they are rejections "for another reason".
CONTEXT_REASONS = frozenset({"duplicate"})
MODEL_KIND = "listening-state-moderation"  # header field that tells this model from a router
MODEL_VERSION = 1

POLIS = "polis"
PETITIONS = "uk-petitions"
_PETITION_COLUMNS = ("action", "background", "additional_details")


@dataclass(frozen=True)
class LabelMapping:
    """How one real label becomes training data: a decision, a platform reason, and why."""

    source: str  # POLIS or PETITIONS
    label: str  # Pol.is `moderated`, or the petition's `rejection_code` (its state if published)
    decision: Literal["accepted", "rejected", "dropped"]
    reason: str | None  # a REASON_CODES code, OTHER, or None (no reason recorded)
    why: str


# Reviewed against the data: every `rejection_details` text was read by code (2,864 rejections).
LABEL_MAPPING: tuple[LabelMapping, ...] = (
    LabelMapping(POLIS, "1", "accepted", None, "accepted by the conversation's facilitator"),
    LabelMapping(
        POLIS,
        "-1",
        "rejected",
        None,
        "rejected by the facilitator; Pol.is records no reason (the texts show gibberish, "
        "tests, meta-questions, repeats and statements of several ideas), so risk only",
    ),
    LabelMapping(POLIS, "0", "dropped", None, "never moderated: no decision to learn from"),
    LabelMapping(PETITIONS, "open", "accepted", None, "published by the Petitions Committee"),
    LabelMapping(PETITIONS, "closed", "accepted", None, "published, then closed after 6 months"),
    LabelMapping(
        PETITIONS,
        "irrelevant",
        "rejected",
        "off_topic",
        "the details say the UK Government and Parliament are not responsible (619 of 640 in "
        "so many words, most others by pointing to a local councillor): local councils, "
        "schools, the NHS, devolved or foreign governments, companies. Outside the "
        "addressee's remit, which is what off_topic means on a ministry's consultation",
    ),
    LabelMapping(
        PETITIONS,
        "honours",
        "rejected",
        "off_topic",
        "knighthoods, sackings, resignations, votes of no confidence: personnel decisions that "
        "a consultation does not decide; closest is off_topic (no code matches exactly)",
    ),
    LabelMapping(
        PETITIONS,
        "no-action",
        "rejected",
        OTHER,
        "'petitions need to call for a specific action': no platform code, since a comment on "
        "a draft need not ask for an action; a contrast for the reason head, not a risk",
    ),
    LabelMapping(
        PETITIONS,
        "already-happening",
        "rejected",
        OTHER,
        "the government already does it: not a reason to reject a consultation comment; a "
        "contrast for the reason head, not a risk",
    ),
    LabelMapping(
        PETITIONS,
        "duplicate",
        "rejected",
        "duplicate",
        "a near-copy of an open petition: duplicate, but found by similarity search against "
        "the other submissions (CONTEXT_REASONS), not by this classifier",
    ),
    LabelMapping(
        PETITIONS,
        "fake-name",
        "dropped",
        None,
        "about the petitioner's name, not the text (14 of 19 details are empty): dropped",
    ),
    LabelMapping(
        PETITIONS,
        "foi",
        "dropped",
        None,
        "a freedom-of-information request; one example teaches nothing: dropped",
    ),
)
_MAPPING = {(row.source, row.label): row for row in LABEL_MAPPING}


@dataclass(frozen=True)
class ModerationExample:
    """One real decision: the text, whether it was rejected and the platform reason if known.

    `reason` is a REASON_CODES code, OTHER (a recorded reason the platform does not have), or
    None (accepted, or rejected with no reason recorded).
    """

    text: str
    rejected: bool
    reason: str | None = None
    source: str = ""
    group: str = ""  # the Pol.is conversation, for held-out-conversation tests
    label: str = ""  # the original label, as LABEL_MAPPING names it


@dataclass(frozen=True)
class RiskHint:
    """What the moderation queue shows: a hint, never a decision.

    `score` is the calibrated probability that a moderator rejects the text. `reason` is the
    platform reason a rejection would most likely cite, named only when its probability given
    a rejection (`reason_probability`) reaches the model's reason threshold; otherwise None
    and `reason_probability` is 0.
    """

    score: float
    reason: str | None
    reason_probability: float


@dataclass(frozen=True)
class ModerationSettings:
    """How training runs; the defaults are what bench/moderation.py measured."""

    cv_folds: int = 5
    char_weights: tuple[float, ...] = (0.3, 1.0)
    risk_c_values: tuple[float, ...] = (0.05, 0.1, 0.2)
    reason_c_values: tuple[float, ...] = (0.1, 0.3)
    length_weight: float = 0.3  # weight of the text-length bins block (0 turns it off)
    # Calibrated probabilities, so 0.5 reads "more likely than not": a rejection for the
    # risk flag; this reason rather than any other, given a rejection, for naming a reason.
    risk_threshold: float = 0.5
    reason_threshold: float = 0.5
    min_reason_examples: int = 20  # fewer examples of a reason: it joins OTHER
    features: FeatureSpec = field(default_factory=lambda: FeatureSpec(min_df=2))

    def designs(self, c_values: tuple[float, ...]) -> tuple[Design, ...]:
        return tuple(Design(w, c) for w in self.char_weights for c in c_values)


@dataclass(frozen=True)
class ModerationReport:
    """What training found; every figure is out-of-fold (cross-validated on training data)."""

    n_risk_examples: int
    n_risk_rejected: int
    n_reason_examples: int
    reason_examples: dict[str, int]
    risk_design: str
    reason_design: str
    threshold: float
    reason_threshold: float
    cv_risk_average_precision: float
    cv_risk_roc_auc: float
    cv_risk_precision: float
    cv_risk_recall: float
    cv_risk_f1: float
    cv_reason_accuracy: float
    cv_reason_precision: float  # of named reasons
    cv_reason_recall: float  # of rejections with a nameable reason
    cv_folds: int
    train_seconds: float
    library_versions: dict[str, str]
    candidates: dict[str, dict[str, float]] = field(default_factory=dict)


# ---------------------------------------------------------------------------- real data


def petition_text(row: dict[str, str]) -> str:
    """A petition as the citizen wrote it: action, background and additional details."""
    return "\n\n".join(row[column].strip() for column in _PETITION_COLUMNS if row.get(column))


def _example(text: str, source: str, label: str, group: str) -> ModerationExample | None:
    mapping = _MAPPING.get((source, label))
    if mapping is None:
        raise ValueError(f"{source} label {label!r} is not in LABEL_MAPPING")
    if mapping.decision == "dropped" or not text.strip():
        return None
    return ModerationExample(
        text=text,
        rejected=mapping.decision == "rejected",
        reason=mapping.reason,
        source=source,
        group=group,
        label=label,
    )


def load_real_decisions(data_dir: Path) -> list[ModerationExample]:
    """Every usable real decision in the shared data folder, mapped by LABEL_MAPPING.

    Pol.is comments moderated 1 or -1 (conversation folders in name order, rows in file
    order), then UK petitions published (open, closed) or rejected with a mapped code.
    Rows without text and dropped labels are skipped.
    """
    examples: list[ModerationExample] = []
    for comments in sorted((data_dir / POLIS).glob("*/comments.csv")):
        conversation = comments.parent.name
        with comments.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                found = _example(row["comment-body"], POLIS, row["moderated"], conversation)
                if found is not None:
                    examples.append(found)
    with (data_dir / PETITIONS / "petitions.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            label = row["rejection_code"] if row["state"] == "rejected" else row["state"]
            found = _example(petition_text(row), PETITIONS, label, PETITIONS)
            if found is not None:
                examples.append(found)
    return examples


# ---------------------------------------------------------------------------- features

# Token-count bins: very short comments ("Awesome!", "I don't get it") are rejected far more
# often than their words alone suggest. Upper edges, inclusive: 0-2, 3-5, 6-10, 11-25, 26-60, 61+.
_LENGTH_EDGES = np.array([2, 5, 10, 25, 60])
N_LENGTH_BINS = len(_LENGTH_EDGES) + 1


def _length_bins(n_tokens: IntArray) -> FloatArray:
    """One-hot token-count bins, documents x N_LENGTH_BINS."""
    bins = np.zeros((len(n_tokens), N_LENGTH_BINS))
    bins[np.arange(len(n_tokens)), np.searchsorted(_LENGTH_EDGES, n_tokens)] = 1.0
    return bins


@dataclass(frozen=True)
class _Analysed:
    counts: BlockCounts
    lengths: FloatArray  # _length_bins

    def rows(self, rows: IntArray) -> _Analysed:
        return _Analysed(self.counts.rows(rows), self.lengths[rows])


def _analyse(analyzer: Analyzer, texts: Sequence[str]) -> _Analysed:
    batch = analyzer.analyse([normalize(text) for text in texts])
    n_tokens = np.bincount(batch.token_docs, minlength=batch.n_docs)
    return _Analysed(block_counts(batch, analyzer.spec), _length_bins(n_tokens))


def _matrix(
    vocabulary: Vocabulary, analysed: _Analysed, char_weight: float, length_weight: float
) -> Matrix:
    """[words | chars x char_weight | length bins x length_weight], for training."""
    blocks = vocabulary.blocks(analysed.counts)
    lengths = sparse.csr_matrix(analysed.lengths * length_weight)
    return sparse.hstack([blocks.word, blocks.char * char_weight, lengths], format="csr")


# ---------------------------------------------------------------------------- statistics


def _scaled_softmax(scores: FloatArray, slope: float, bias: FloatArray) -> FloatArray:
    scaled = scores * slope + bias
    scaled -= scaled.max(axis=1, keepdims=True)
    exp = np.exp(scaled)
    result: FloatArray = exp / exp.sum(axis=1, keepdims=True)
    return result


def _fit_scaling(scores: FloatArray, labels: IntArray) -> tuple[float, FloatArray]:
    """A slope and per-class biases minimising the log-loss of softmax(slope * scores + bias).

    With two classes and the symmetric scores of fit_linear this is Platt scaling; the
    slope cannot reorder anything within a class column, the biases undo the shift that
    balanced class weights put into the SVM's scores.
    """
    n_classes = scores.shape[1]
    rows = np.arange(len(labels))
    onehot = np.zeros_like(scores)
    onehot[rows, labels] = 1.0

    def loss(params: FloatArray) -> tuple[float, FloatArray]:
        slope = float(np.exp(params[0]))
        bias = np.concatenate(([0.0], params[1:]))
        probabilities = _scaled_softmax(scores, slope, bias)
        value = -np.mean(np.log(np.clip(probabilities[rows, labels], 1e-12, None)))
        residual = (probabilities - onehot) / len(labels)
        gradient = np.concatenate(
            ([slope * float(np.sum(residual * scores))], residual.sum(axis=0)[1:])
        )
        return float(value), gradient

    # Bounded, so that scores that separate the classes perfectly keep a finite slope.
    bounds = [(np.log(1e-3), np.log(1e3))] + [(-30.0, 30.0)] * (n_classes - 1)
    result = minimize(loss, np.zeros(n_classes), jac=True, method="L-BFGS-B", bounds=bounds)
    params = np.asarray(result.x, dtype=np.float64)
    return float(np.exp(params[0])), np.concatenate(([0.0], params[1:]))


def _log_loss(probabilities: FloatArray, labels: IntArray) -> float:
    picked = probabilities[np.arange(len(labels)), labels]
    return float(-np.mean(np.log(np.clip(picked, 1e-12, None))))


@dataclass(frozen=True)
class _Operating:
    threshold: float
    precision: float
    recall: float
    f1: float


def _at_threshold(
    confidence: FloatArray, correct: npt.NDArray[np.bool_], positives: int, threshold: float
) -> _Operating:
    """Precision, recall and F1 of flagging the items with `confidence >= threshold`.

    `correct` says whether flagging each item would be right; `positives` is how many items
    should be flagged (the recall denominator).
    """
    flagged = confidence >= threshold
    hits = int(np.sum(correct & flagged))
    precision = hits / int(flagged.sum()) if flagged.any() else 0.0
    recall = hits / positives if positives else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    return _Operating(threshold, precision, recall, f1)


# ---------------------------------------------------------------------------- heads


@dataclass(frozen=True)
class _Head:
    """A calibrated linear classifier over [words | chars x w | length bins x l]."""

    labels: tuple[str, ...]
    design: Design
    length_weight: float
    linear: LinearModel  # weights: (n_features + N_LENGTH_BINS) x labels
    slope: float
    bias: FloatArray

    def probabilities(self, blocks: Blocks, lengths: FloatArray) -> FloatArray:
        """Calibrated probabilities, from the blocks without stacking them (faster)."""
        weights, n_word = self.linear.weights, blocks.word.shape[1]
        n_char = blocks.char.shape[1]
        word = blocks.word.astype(np.float32) @ weights[:n_word]
        char = blocks.char.astype(np.float32) @ weights[n_word : n_word + n_char]
        length = lengths @ weights[n_word + n_char :].astype(np.float64)
        scores = (
            np.asarray(word, dtype=np.float64)
            + self.design.char_weight * np.asarray(char, dtype=np.float64)
            + self.length_weight * length
            + self.linear.intercept
        )
        return _scaled_softmax(scores, self.slope, self.bias)


@dataclass(frozen=True)
class _Selection:
    design: Design
    oof: FloatArray  # calibrated out-of-fold probabilities of the winner
    slope: float
    bias: FloatArray
    fold_size: float
    candidates: dict[str, dict[str, float]]


def _select(
    analysed: _Analysed,
    labels: IntArray,
    strata: IntArray,
    designs: tuple[Design, ...],
    settings: ModerationSettings,
    seed: int,
    *,
    metric: Literal["average_precision", "log_loss"],
) -> _Selection:
    """Score every design by stratified k-fold CV; calibrate the winner's out-of-fold scores."""
    n_labels = int(labels.max()) + 1
    n_folds = max(2, min(settings.cv_folds, len(labels)))
    folds = stratified_folds(strata, n_folds, seed)
    oof = {design: np.zeros((len(labels), n_labels)) for design in designs}
    spec = settings.features
    for train, valid in folds:
        vocabulary = Vocabulary.fit(spec, analysed.counts.rows(train))
        for weight in sorted({design.char_weight for design in designs}):
            matrix = _matrix(vocabulary, analysed, weight, settings.length_weight)
            for design in designs:
                if design.char_weight == weight:
                    model = fit_linear(matrix[train], labels[train], n_labels, design.c, seed)
                    oof[design][valid] = model.scores(matrix[valid])
    candidates: dict[str, dict[str, float]] = {}
    fitted: dict[Design, tuple[float, FloatArray, FloatArray]] = {}
    for design in designs:
        slope, bias = _fit_scaling(oof[design], labels)
        probabilities = _scaled_softmax(oof[design], slope, bias)
        fitted[design] = (slope, bias, probabilities)
        figures = {"log_loss": _log_loss(probabilities, labels)}
        if n_labels == 2:
            truth = labels == 1
            figures["average_precision"] = float(
                average_precision_score(truth, probabilities[:, 1])
            )
            figures["roc_auc"] = float(roc_auc_score(truth, probabilities[:, 1]))
        figures["accuracy"] = float(np.mean(probabilities.argmax(axis=1) == labels))
        candidates[design.name] = figures
    if metric == "average_precision":
        winner = max(designs, key=lambda d: candidates[d.name]["average_precision"])
    else:
        winner = min(designs, key=lambda d: candidates[d.name]["log_loss"])
    slope, bias, probabilities = fitted[winner]
    fold_size = float(np.mean([len(train) for train, _ in folds]))
    return _Selection(winner, probabilities, slope, bias, fold_size, candidates)


def _final_head(
    vocabulary: Vocabulary,
    analysed: _Analysed,
    labels: IntArray,
    names: tuple[str, ...],
    selection: _Selection,
    settings: ModerationSettings,
    seed: int,
) -> _Head:
    matrix = _matrix(vocabulary, analysed, selection.design.char_weight, settings.length_weight)
    # Same regularisation per example as the cross-validated fits, so that the calibration
    # fitted on their scores still applies (see routing.train_router).
    c = selection.design.c * selection.fold_size / len(labels)
    linear = fit_linear(matrix, labels, len(names), c, seed)
    return _Head(
        names, selection.design, settings.length_weight, linear, selection.slope, selection.bias
    )


# ---------------------------------------------------------------------------- the model


class ModerationModel:
    """A trained moderation-risk model. Thread-safe for prediction; numpy arrays only."""

    def __init__(
        self,
        *,
        vocabulary: Vocabulary,
        risk: _Head,
        reason: _Head | None,
        threshold: float,
        reason_threshold: float,
        report: ModerationReport | None = None,
    ) -> None:
        self.vocabulary = vocabulary
        self.risk = risk
        self.reason = reason
        self.threshold = threshold  # risk scores at or above it are worth a moderator's look
        self.reason_threshold = reason_threshold
        self.report = report
        self._analyzer = Analyzer(vocabulary.spec)

    @property
    def reasons(self) -> tuple[str, ...]:
        """The platform reasons this model can name."""
        if self.reason is None:
            return ()
        return tuple(label for label in self.reason.labels if label != OTHER)

    def _blocks(self, texts: Sequence[str]) -> tuple[Blocks, FloatArray]:
        analysed = _analyse(self._analyzer, texts)
        return self.vocabulary.blocks(analysed.counts), analysed.lengths

    def scores(self, texts: Sequence[str]) -> FloatArray:
        """P(rejected) per text."""
        return self.risk.probabilities(*self._blocks(texts))[:, 1]

    def reason_probabilities(self, texts: Sequence[str]) -> FloatArray:
        """P(reason | rejected), one column per `reason.labels` (OTHER included)."""
        if self.reason is None:
            return np.zeros((len(texts), 0))
        return self.reason.probabilities(*self._blocks(texts))

    def assess(self, texts: Sequence[str]) -> list[RiskHint]:
        """A hint per text: risk score, and the likely reason when the model can name one."""
        if not texts:
            return []
        blocks, lengths = self._blocks(texts)
        risk = self.risk.probabilities(blocks, lengths)[:, 1]
        named: list[tuple[str | None, float]] = [(None, 0.0)] * len(texts)
        if self.reason is not None:
            probabilities = self.reason.probabilities(blocks, lengths)
            columns = [j for j, label in enumerate(self.reason.labels) if label != OTHER]
            best = probabilities[:, columns].argmax(axis=1)
            for row, position in enumerate(best):
                column = columns[int(position)]
                probability = float(probabilities[row, column])
                if probability >= self.reason_threshold:
                    named[row] = (self.reason.labels[column], probability)
        return [
            RiskHint(score=float(score), reason=reason, reason_probability=probability)
            for score, (reason, probability) in zip(risk, named, strict=True)
        ]

    def assess_one(self, text: str) -> RiskHint:
        return self.assess([text])[0]

    def dumps(self) -> bytes:
        return dumps(self)

    @classmethod
    def loads(cls, data: bytes, *, expected_sha256: str) -> ModerationModel:
        return loads(data, expected_sha256=expected_sha256)


def _reason_classes(
    examples: Sequence[ModerationExample], min_examples: int
) -> dict[str, str] | None:
    """Recorded reason -> reason-head class; None if fewer than two classes can be learnt."""
    tally = Counter(
        example.reason for example in examples if example.rejected and example.reason is not None
    )
    named = {
        reason
        for reason, count in tally.items()
        if reason in REASON_CODES and reason not in CONTEXT_REASONS and count >= min_examples
    }
    classes = {reason: (reason if reason in named else OTHER) for reason in tally}
    if len(set(classes.values())) < 2:
        return None
    return classes


def counts_for_risk(example: ModerationExample) -> bool:
    """Accepted, or rejected for a reason the text shows (or for an unrecorded reason)."""
    if not example.rejected:
        return True
    return example.reason != OTHER and example.reason not in CONTEXT_REASONS


def _strata(examples: Sequence[ModerationExample], labels: IntArray) -> IntArray:
    keys = [f"{example.source}\t{label}" for example, label in zip(examples, labels, strict=True)]
    index = {key: position for position, key in enumerate(sorted(set(keys)))}
    return np.fromiter((index[key] for key in keys), np.int64, len(keys))


def train_moderation_model(
    examples: Sequence[ModerationExample],
    *,
    seed: int = 0,
    settings: ModerationSettings | None = None,
) -> ModerationModel:
    """Choose each head's design by cross-validation, calibrate, set thresholds, fit on all."""
    started = time.perf_counter()
    settings = settings or ModerationSettings()
    for example in examples:
        if example.reason is not None and example.reason not in (*REASON_CODES, OTHER):
            raise ValueError(f"unknown moderation reason {example.reason!r}")
    risk_rows = [i for i, example in enumerate(examples) if counts_for_risk(example)]
    risk_y = np.array([int(examples[i].rejected) for i in risk_rows], dtype=np.int64)
    if len(risk_y) == 0 or len(set(risk_y.tolist())) < 2:
        raise ValueError("training needs both accepted and rejected examples")
    classes = _reason_classes(examples, settings.min_reason_examples)
    reason_names: tuple[str, ...] = ()
    reason_rows: list[int] = []
    if classes is not None:
        reason_names = tuple(sorted(set(classes.values())))
        reason_rows = [
            i
            for i, example in enumerate(examples)
            if example.rejected and example.reason is not None
        ]
    used = sorted(set(risk_rows) | set(reason_rows))
    analyzer = Analyzer(settings.features)
    analysed_all = _analyse(analyzer, [examples[i].text for i in used])
    position = {row: k for k, row in enumerate(used)}

    risk_analysed = analysed_all.rows(np.array([position[i] for i in risk_rows], np.int64))
    risk_examples = [examples[i] for i in risk_rows]
    risk = _select(
        risk_analysed,
        risk_y,
        _strata(risk_examples, risk_y),
        settings.designs(settings.risk_c_values),
        settings,
        seed,
        metric="average_precision",
    )
    risk_truth = risk_y == 1
    operating = _at_threshold(
        risk.oof[:, 1], risk_truth, int(risk_truth.sum()), settings.risk_threshold
    )

    vocabulary = Vocabulary.fit(settings.features, analysed_all.counts)
    final_risk = _final_head(
        vocabulary, risk_analysed, risk_y, ("accepted", "rejected"), risk, settings, seed
    )
    reason_head: _Head | None = None
    reason_selection: _Selection | None = None
    naming = _Operating(settings.reason_threshold, 0.0, 0.0, 0.0)
    reason_accuracy = 0.0
    if classes is not None:
        index = {name: k for k, name in enumerate(reason_names)}
        reason_y = np.array(
            [index[classes[str(examples[i].reason)]] for i in reason_rows], dtype=np.int64
        )
        reason_analysed = analysed_all.rows(np.array([position[i] for i in reason_rows], np.int64))
        reason_selection = _select(
            reason_analysed,
            reason_y,
            _strata([examples[i] for i in reason_rows], reason_y),
            settings.designs(settings.reason_c_values),
            settings,
            seed,
            metric="log_loss",
        )
        naming, reason_accuracy = _naming_figures(
            reason_selection.oof, reason_y, reason_names, settings.reason_threshold
        )
        reason_head = _final_head(
            vocabulary,
            reason_analysed,
            reason_y,
            reason_names,
            reason_selection,
            settings,
            seed,
        )
    report = ModerationReport(
        n_risk_examples=len(risk_y),
        n_risk_rejected=int(risk_truth.sum()),
        n_reason_examples=len(reason_rows),
        reason_examples=dict(
            sorted(Counter(classes[str(examples[i].reason)] for i in reason_rows).items())
        )
        if classes is not None
        else {},
        risk_design=risk.design.name,
        reason_design=reason_selection.design.name if reason_selection else "",
        threshold=operating.threshold,
        reason_threshold=naming.threshold,
        cv_risk_average_precision=risk.candidates[risk.design.name]["average_precision"],
        cv_risk_roc_auc=risk.candidates[risk.design.name]["roc_auc"],
        cv_risk_precision=operating.precision,
        cv_risk_recall=operating.recall,
        cv_risk_f1=operating.f1,
        cv_reason_accuracy=reason_accuracy,
        cv_reason_precision=naming.precision,
        cv_reason_recall=naming.recall,
        cv_folds=max(2, min(settings.cv_folds, len(risk_y))),
        train_seconds=time.perf_counter() - started,
        library_versions=library_versions(),
        candidates={
            **{f"risk: {name}": figures for name, figures in risk.candidates.items()},
            **(
                {
                    f"reason: {name}": figures
                    for name, figures in reason_selection.candidates.items()
                }
                if reason_selection
                else {}
            ),
        },
    )
    return ModerationModel(
        vocabulary=vocabulary,
        risk=final_risk,
        reason=reason_head,
        threshold=operating.threshold,
        reason_threshold=naming.threshold,
        report=report,
    )


def _naming_figures(
    probabilities: FloatArray, labels: IntArray, names: tuple[str, ...], threshold: float
) -> tuple[_Operating, float]:
    """How naming the top reason at `threshold` does, and the accuracy of reason-or-None."""
    columns = np.array([j for j, name in enumerate(names) if name != OTHER], dtype=np.int64)
    best = columns[probabilities[:, columns].argmax(axis=1)]
    confidence = probabilities[np.arange(len(labels)), best]
    nameable = np.isin(labels, columns)
    operating = _at_threshold(confidence, best == labels, int(nameable.sum()), threshold)
    named = confidence >= threshold
    right = np.where(named, best == labels, ~nameable)
    return operating, float(np.mean(right))


# ---------------------------------------------------------------------------- storage


def _head_header(head: _Head) -> dict[str, object]:
    return {
        "labels": list(head.labels),
        "char_weight": head.design.char_weight,
        "c": head.design.c,
        "length_weight": head.length_weight,
        "slope": head.slope,
    }


def dumps(model: ModerationModel) -> bytes:
    """The model as bytes: an .npz archive of arrays and a JSON header (no pickle)."""
    vocabulary = model.vocabulary
    header: dict[str, object] = {
        "kind": MODEL_KIND,
        "kind_version": MODEL_VERSION,
        "threshold": model.threshold,
        "reason_threshold": model.reason_threshold,
        "risk": _head_header(model.risk),
        "reason": _head_header(model.reason) if model.reason is not None else None,
        "features": vocabulary_header(vocabulary),
        "report": asdict(model.report) if model.report is not None else None,
        "library_versions": library_versions(),
    }
    arrays: dict[str, npt.NDArray[Any]] = {
        **vocabulary_arrays(vocabulary),
        "risk_weights": model.risk.linear.weights,
        "risk_intercept": model.risk.linear.intercept,
        "risk_bias": model.risk.bias,
    }
    if model.reason is not None:
        arrays["reason_weights"] = model.reason.linear.weights
        arrays["reason_intercept"] = model.reason.linear.intercept
        arrays["reason_bias"] = model.reason.bias
    return pack(arrays, header)


def _load_head(
    arrays: dict[str, npt.NDArray[Any]], header: dict[str, Any], prefix: str, n_features: int
) -> _Head:
    labels = tuple(str(label) for label in header["labels"])
    linear = LinearModel(
        weights=np.ascontiguousarray(arrays[f"{prefix}_weights"], dtype=np.float32),
        intercept=arrays[f"{prefix}_intercept"].astype(np.float64),
    )
    bias = arrays[f"{prefix}_bias"].astype(np.float64)
    if linear.weights.shape != (n_features + N_LENGTH_BINS, len(labels)) or bias.shape != (
        len(labels),
    ):
        raise ValueError(f"{prefix} coefficients do not match labels and vocabulary")
    return _Head(
        labels=labels,
        design=Design(float(header["char_weight"]), float(header["c"])),
        length_weight=float(header["length_weight"]),
        linear=linear,
        slope=float(header["slope"]),
        bias=bias,
    )


def loads(data: bytes, *, expected_sha256: str) -> ModerationModel:
    """The model in `data`; ModelIntegrityError unless sha256(data) is the expected one."""
    arrays, header = unpack(data, expected_sha256=expected_sha256)
    if header.get("kind") != MODEL_KIND:
        raise ModelIntegrityError("not a moderation model file")
    if header.get("kind_version") != MODEL_VERSION:
        raise ModelIntegrityError(
            f"moderation model format {header.get('kind_version')} is not supported"
        )
    try:
        vocabulary = load_vocabulary(arrays, header["features"])
        risk = _load_head(arrays, header["risk"], "risk", vocabulary.n_features)
        reason = (
            _load_head(arrays, header["reason"], "reason", vocabulary.n_features)
            if header["reason"] is not None
            else None
        )
        report = None
        if header.get("report") is not None:
            report = ModerationReport(**header["report"])
        return ModerationModel(
            vocabulary=vocabulary,
            risk=risk,
            reason=reason,
            threshold=float(header["threshold"]),
            reason_threshold=float(header["reason_threshold"]),
            report=report,
        )
    except (KeyError, TypeError, ValueError) as error:
        raise ModelIntegrityError(f"not a moderation model file: {error}") from error

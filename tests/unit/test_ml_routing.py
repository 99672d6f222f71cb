"""The router model on small real cuts of ../shared/data: training, prediction, storage."""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

import numpy as np
import pytest

from listening_state.ml import storage
from listening_state.ml.evaluation import (
    RESULT_KEYS,
    EvaluationDataError,
    evaluate_csv,
    read_labelled_csv,
)
from listening_state.ml.features import block_counts, key_columns, remap_columns
from listening_state.ml.routing import (
    ModelIntegrityError,
    RouterModel,
    RouterSettings,
    TrainingReport,
    dumps,
    loads,
    sha256_hex,
    train_router,
)
from listening_state.ml.selection import NEVER, choose_threshold, softmax, stratified_folds
from listening_state.ml.textprep import normalize, tokens
from listening_state.router_seed import petition_text

Trained = tuple[RouterModel, TrainingReport, list[str], list[str]]
SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
DEPARTMENTS = ("DEFRA", "DfT", "DfE")
PER_DEPARTMENT = 20


def shared_data() -> Path:
    """The shared data folder; a missing folder skips the test, or fails it on CI."""
    if not SHARED_DATA.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{SHARED_DATA} is missing on CI")
        pytest.skip(f"{SHARED_DATA} is missing")
    return SHARED_DATA


def petitions_cut() -> tuple[list[str], list[str]]:
    """The first 20 petitions of each of three departments, as train_router gets them."""
    texts: list[str] = []
    labels: list[str] = []
    path = shared_data() / "uk-petitions" / "petitions.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            department = row["primary_department"]
            if department in DEPARTMENTS and labels.count(department) < PER_DEPARTMENT:
                texts.append(petition_text(row))
                labels.append(department)
    return texts, labels


@pytest.fixture(scope="module")
def trained() -> Trained:
    texts, labels = petitions_cut()
    model, report = train_router(texts, labels)
    return model, report, texts, labels


def test_normalize_strips_tags_scripts_and_entities() -> None:
    raw = "<p>Save&nbsp;<b>the</b> bees</p><script>alert('x')</script><!-- note -->&amp; more"
    assert normalize(raw) == "save the bees & more"


def test_normalize_strips_markup_that_was_escaped() -> None:
    assert normalize("&lt;b&gt;Bold&lt;/b&gt; text") == "bold text"


def test_normalize_keeps_kazakh_letters_and_folds_case() -> None:
    assert normalize("ҚАЗАҚСТАН  ӘЛЕМІ\tҰЛТТЫҚ ҮЙ ҒЫЛЫМ ӨНЕР ҢЫ ҺІ") == (
        "қазақстан әлемі ұлттық үй ғылым өнер ңы һі"
    )
    assert tokens(normalize("Ауыл шаруашылығы, Ёлка")) == ["ауыл", "шаруашылығы", "елка"]


def test_normalize_applies_nfkc() -> None:
    assert normalize("ﬁscal ＴＡＸ") == "fiscal tax"


def test_training_report_describes_the_cross_validated_model(trained: Trained) -> None:
    model, report, texts, _ = trained
    assert report.n_examples == len(texts)
    assert report.examples_per_label == dict.fromkeys(DEPARTMENTS, PER_DEPARTMENT)
    assert model.labels == tuple(sorted(DEPARTMENTS))
    assert report.confusion_labels == list(model.labels)
    assert np.sum(report.confusion_matrix) == len(texts)
    assert 0.0 <= report.cv_macro_f1 <= 1.0
    assert report.threshold == model.threshold
    assert 0.0 <= report.coverage <= 1.0
    assert report.design in report.candidates
    assert set(report.library_versions) == {"python", "numpy", "scipy", "scikit-learn"}
    assert report.cv_accuracy > 0.6  # three distinct remits: far above the 1/3 of chance


def test_design_is_the_candidate_with_the_best_cross_validated_macro_f1(
    trained: Trained,
) -> None:
    # Selection sees nothing but out-of-fold predictions on the training data itself.
    _, report, _, _ = trained
    best = max(figures["macro_f1"] for figures in report.candidates.values())
    assert report.candidates[report.design]["macro_f1"] == best == report.cv_macro_f1
    assert len(report.candidates) == len(RouterSettings().designs)


def test_training_is_deterministic_for_a_seed(trained: Trained) -> None:
    model, report, texts, labels = trained
    again, again_report = train_router(texts, labels)
    assert dumps(again) == dumps(model)
    assert again_report.candidates == report.candidates


def test_suggestions_are_the_top_three_best_first(trained: Trained) -> None:
    model, _, texts, _ = trained
    for prediction in model.predict(texts[:10]):
        probabilities = [suggestion.probability for suggestion in prediction.suggestions]
        assert len(prediction.suggestions) == 3
        assert probabilities == sorted(probabilities, reverse=True)
        assert sum(probabilities) <= 1.0 + 1e-9
        assert prediction.top == prediction.suggestions[0]
        assert model.is_confident(prediction) == (prediction.top.probability >= model.threshold)
        assert len({suggestion.label for suggestion in prediction.suggestions}) == 3


def test_probabilities_cover_every_label_and_agree_with_the_suggestions(trained: Trained) -> None:
    model, _, texts, _ = trained
    probabilities = model.predict_proba(texts[:5])
    assert probabilities.shape == (5, len(model.labels))
    assert np.allclose(probabilities.sum(axis=1), 1.0)
    for row, prediction in zip(probabilities, model.predict(texts[:5]), strict=True):
        assert model.labels[int(row.argmax())] == prediction.top.label


def test_explanation_terms_are_words_of_the_text(trained: Trained) -> None:
    model, _, texts, _ = trained
    for text, prediction in zip(texts[:10], model.predict(texts[:10]), strict=True):
        words = set(tokens(normalize(text)))
        weights = [weight for _, weight in prediction.explanation]
        assert 0 < len(prediction.explanation) <= 8
        assert {term for term, _ in prediction.explanation} <= words
        assert weights == sorted(weights, reverse=True)
        assert all(weight > 0 for weight in weights)


def test_prediction_handles_html_kazakh_and_empty_text(trained: Trained) -> None:
    model, _, _, _ = trained
    html, kazakh, empty = model.predict(
        ["<p>Fund more <b>school</b> teachers</p>", "Мектептегі мұғалімдер", ""]
    )
    assert html.top.label == "DfE"
    assert "school" in dict(html.explanation)
    assert "<b>" not in dict(html.explanation)
    assert empty.explanation == ()
    assert len(kazakh.suggestions) == 3


def test_kazakh_text_is_learned_through_its_own_letters() -> None:
    texts: list[str] = []
    labels: list[str] = []
    path = shared_data() / "sib200" / "kaz_Cyrl" / "train.tsv"
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if row["category"] in ("sports", "health") and labels.count(row["category"]) < 25:
                texts.append(row["text"])
                labels.append(row["category"])
    model, report = train_router(texts, labels)
    assert report.cv_accuracy > 0.6
    terms = [term for prediction in model.predict(texts) for term, _ in prediction.explanation]
    assert any(set(term) & set("әғқңөұүһі") for term in terms)


def test_labels_with_one_or_two_examples_train_without_warnings() -> None:
    texts, labels = petitions_cut()
    texts += ["Ban military drones over towns", "Fund the army reserve", "Pay soldiers more"]
    labels += ["MoD", "MoD", "HO"]
    model, report = train_router(texts, labels, RouterSettings(cv_folds=5))
    assert report.examples_per_label["HO"] == 1
    assert set(report.per_class) == {*DEPARTMENTS, "MoD", "HO"}
    assert len(model.predict_one("soldiers").suggestions) == 3


def test_training_needs_two_labels() -> None:
    with pytest.raises(ValueError, match="at least two labels"):
        train_router(["one text", "another"], ["A", "A"])


def test_folds_deal_rare_classes_into_some_folds_only() -> None:
    labels = np.array([0] * 10 + [1] * 2)
    folds = stratified_folds(labels, 5, seed=0)
    assert sorted(np.concatenate([valid for _, valid in folds]).tolist()) == list(range(12))
    assert sum(1 in labels[valid] for _, valid in folds) == 2
    assert all(len(valid) in (2, 3) for _, valid in folds)


def test_threshold_is_the_lowest_that_reaches_the_target_precision() -> None:
    confidence = np.array([0.95, 0.9, 0.8, 0.7, 0.6])
    correct = np.array([True, True, False, True, False])
    # Precision going down the list: 1, 1, 2/3, 3/4, 3/5. Not monotone: 0.7 qualifies.
    choice = choose_threshold(confidence, correct, target=0.75)
    assert (choice.threshold, choice.coverage, choice.precision) == (0.7, 0.8, 0.75)


def test_threshold_never_splits_equal_confidences() -> None:
    choice = choose_threshold(np.array([0.9, 0.9, 0.5]), np.array([True, False, True]), 0.6)
    assert (choice.threshold, choice.coverage) == (0.5, 1.0)


def test_threshold_that_no_share_reaches_routes_nothing() -> None:
    choice = choose_threshold(np.array([0.9, 0.8]), np.array([False, True]), 0.85)
    assert choice.threshold == NEVER > 1.0
    assert (choice.coverage, choice.precision) == (0.0, 0.0)


def test_model_round_trips_through_bytes(trained: Trained) -> None:
    model, _, texts, _ = trained
    data = dumps(model)
    loaded = loads(data, expected_sha256=sha256_hex(data))
    assert loaded.predict(texts[:5]) == model.predict(texts[:5])
    assert loaded.threshold == model.threshold


def test_loads_refuses_tampered_bytes_before_reading_them(
    trained: Trained, monkeypatch: pytest.MonkeyPatch
) -> None:
    model, _, _, _ = trained
    data = dumps(model)
    tampered = data[:-100] + bytes([data[-100] ^ 1]) + data[-99:]

    def must_not_parse(*args: object, **kwargs: object) -> None:
        raise AssertionError("parsed before the hash was checked")

    monkeypatch.setattr(storage.np, "load", must_not_parse)
    with pytest.raises(ModelIntegrityError, match="SHA-256"):
        loads(tampered, expected_sha256=sha256_hex(data))


def test_loads_refuses_bytes_that_are_not_a_model() -> None:
    junk = b"not a model at all"
    with pytest.raises(ModelIntegrityError, match="not a model file"):
        loads(junk, expected_sha256=sha256_hex(junk))


def write(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


def test_evaluate_csv_reports_the_issue_figures_on_a_test_file(tmp_path: Path) -> None:
    texts, labels = petitions_cut()
    rows = [("<p>" + text + "</p>", label) for text, label in zip(texts, labels, strict=True)]
    for name, part in (("train.csv", rows[0::2]), ("test.csv", rows[1::2])):
        with (tmp_path / name).open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["body", "ministry"])
            writer.writerows(part)
    result = evaluate_csv(tmp_path / "train.csv", tmp_path / "test.csv", "body", "ministry")
    assert tuple(result) == RESULT_KEYS
    assert (result["n_train"], result["n_test"], result["n_classes"]) == (30, 30, 3)
    assert set(result["per_class"]) == set(DEPARTMENTS)  # type: ignore[arg-type]
    assert 0.6 < result["accuracy"] <= result["top3_accuracy"] == 1.0  # type: ignore[operator]


def test_evaluate_csv_cross_validates_without_a_test_file(tmp_path: Path) -> None:
    texts, labels = petitions_cut()
    train = tmp_path / "train.csv"
    with train.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([("text", "label"), *zip(texts, labels, strict=True)])
    result = evaluate_csv(train, None, "text", "label")
    assert result["n_test"] == result["n_train"] == len(texts)
    assert result["accuracy"] > 0.6  # type: ignore[operator]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        (b"text,label\n\xe9t\xe9,A\n", "not UTF-8"),
        (b"", "empty"),
        (
            b"body,ministry\nhello,A\n",
            "no column 'text', 'label'; the columns are: 'body', 'ministry'",
        ),
        (b"text,label\nhello,A\nworld,A\n,B\n", "at least 2 different labels, found only 'A'"),
    ],
)
def test_evaluate_csv_explains_bad_files(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    path = tmp_path / "train.csv"
    if content is not None:
        write(path, content)
    with pytest.raises(EvaluationDataError, match=re.escape(message)):
        evaluate_csv(path, None, "text", "label")


def test_rows_without_text_are_skipped_and_counted(tmp_path: Path) -> None:
    path = write(tmp_path / "data.csv", "\ufefftext,label\nhello,A\n ,A\n,B\nworld,\n".encode())
    data = read_labelled_csv(path, "text", "label")
    assert (data.texts, data.labels) == (["hello"], ["A"])
    assert (data.skipped_empty_text, data.skipped_empty_label) == (2, 1)


def reference_predict(
    model: RouterModel, texts: list[str]
) -> tuple[np.ndarray, list[tuple[tuple[str, float], ...]], list[list[tuple[str, float]]]]:
    """The router's predictions the plain way (training's feature path, one step at a time,
    scipy's float32 products): probabilities, explanations and suggestions."""
    vocabulary, weight = model.vocabulary, model.design.char_weight
    batch = model._analyzer.analyse([normalize(text) for text in texts])
    blocks = vocabulary.blocks(block_counts(batch, vocabulary.spec))
    scores = model.linear.block_scores(blocks, vocabulary.n_word, weight)
    probabilities = softmax(scores, model.temperature)
    top = np.argsort(-probabilities, axis=1, kind="stable")[:, :3]
    suggestions = [
        [(model.labels[j], float(probabilities[i, j])) for j in top[i]] for i in range(len(texts))
    ]
    chosen = np.argmax(probabilities, axis=1)
    word_weights = model.linear.weights[: vocabulary.n_word]
    grams = remap_columns(
        batch.word_grams,
        key_columns(vocabulary.char_keys, batch.char_keys),
        len(vocabulary.char_keys),
    )
    grams.data = vocabulary.tf(grams.data) * vocabulary.char_idf[grams.indices]
    char_part = np.asarray(
        grams.astype(np.float32) @ model.linear.weights[vocabulary.n_word :], dtype=np.float64
    )
    unigram_cols = key_columns(vocabulary.word_keys, batch.word_hashes)
    explanations = []
    for doc in range(len(texts)):
        start, end = batch.doc_word.indptr[doc], batch.doc_word.indptr[doc + 1]
        label, terms = chosen[doc], []
        for word, count in zip(
            batch.doc_word.indices[start:end], batch.doc_word.data[start:end], strict=True
        ):
            col = unigram_cols[word]
            unigram = (
                vocabulary.word_idf[col] * word_weights[col, label] / blocks.word_lengths[doc]
                if col >= 0
                else 0.0
            )
            value = vocabulary.tf(np.array([count]))[0] * (
                unigram + weight * char_part[word, label] / blocks.char_lengths[doc]
            )
            terms.append((-value, int(word), batch.words[word], float(value)))
        terms.sort()
        explanations.append(
            tuple(
                (term, round(value, 4))
                for _, _, term, value in terms[: model.explanation_terms]
                if value > 0
            )
        )
    return probabilities, explanations, suggestions


def test_predictions_are_exactly_those_of_the_plain_computation(trained: Trained) -> None:
    # The prediction path is tuned for speed; it must not change a single bit of the output.
    model, _, texts, _ = trained
    path = shared_data() / "uk-petitions" / "petitions.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle)
        others = [petition_text(row) for _, row in zip(range(300), rows, strict=False)]
    cases = (
        texts
        + others
        + [
            "<p>Fund more <b>school</b> teachers &amp; roads</p>",
            "Мектептегі мұғалімдер, Ёлка",
            "",
            "environment environmental environments rail rail rail",
        ]
    )
    loaded = loads(dumps(model), expected_sha256=sha256_hex(dumps(model)))
    for candidate in (model, loaded):
        probabilities, explanations, suggestions = reference_predict(candidate, cases)
        assert np.array_equal(candidate.predict_proba(cases), probabilities)
        predictions = candidate.predict(cases)
        assert [p.explanation for p in predictions] == explanations
        assert [
            [(s.label, s.probability) for s in p.suggestions] for p in predictions
        ] == suggestions
        for text, prediction in zip(cases[:20], predictions[:20], strict=True):
            assert candidate.predict_one(text) == prediction

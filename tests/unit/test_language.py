"""Language detection (kk, ru, en, other) on real sentences: SIB-200 and Pol.is comments."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from listening_state.ml.language import detect_language, language_scores

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
SIB200 = {"kk": "kaz_Cyrl", "ru": "rus_Cyrl", "en": "eng_Latn"}
MIN_ACCURACY = 0.97
MIN_OTHER_SHARE = 0.90


def require(path: Path) -> Path:
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"shared data missing: {path}")
        pytest.skip(f"shared data missing: {path}")
    return path


def sib200_test_sentences(language: str) -> list[str]:
    path = require(DATA / "sib200" / SIB200[language] / "test.tsv")
    with path.open(encoding="utf-8", newline="") as rows:
        return [row["text"] for row in csv.DictReader(rows, delimiter="\t")]


def polis_comments(pattern: str) -> list[str]:
    paths = sorted(require(DATA / "polis").glob(f"{pattern}/comments.csv"))
    assert paths, f"no Pol.is conversation matches {pattern}"
    comments: list[str] = []
    for path in paths:
        with path.open(encoding="utf-8", newline="") as rows:
            comments.extend(row["comment-body"] for row in csv.DictReader(rows))
    return comments


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_sib200_test_sentences_are_recognised(language: str) -> None:
    sentences = sib200_test_sentences(language)
    detected = Counter(detect_language(s) for s in sentences)
    accuracy = detected[language] / len(sentences)
    assert accuracy >= MIN_ACCURACY, f"{language}: {accuracy:.3f}, detected {dict(detected)}"


@pytest.mark.parametrize(
    "pattern",
    [
        pytest.param("austria-climate.*", id="german"),
        pytest.param("vtaiwan.uberx", id="chinese"),
    ],
)
def test_other_languages_come_out_as_other(pattern: str) -> None:
    comments = polis_comments(pattern)
    detected = Counter(detect_language(c) for c in comments)
    share = detected["other"] / len(comments)
    assert share >= MIN_OTHER_SHARE, f"{pattern}: {share:.3f}, detected {dict(detected)}"


@pytest.mark.parametrize(
    "text", ["", "   ", "123", "2024-2025, 1 000 000 ₸", "OK", "!!!", "我同意", "مرحبا بكم"]
)
def test_text_without_enough_cyrillic_or_latin_letters_is_other(text: str) -> None:
    assert detect_language(text) == "other"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        # Short Kazakh without any Kazakh-specific letter.
        ("Бала мектепке барды", "kk"),
        ("Мен келісемін", "kk"),
        ("Мектеп жанында бала-бақша салу керек", "kk"),
        # Two letters, but one of them is Kazakh.
        ("Иә", "kk"),
        ("Я согласен", "ru"),
        ("Я не согласен с этим законом", "ru"),
        ("Hello world", "en"),
        ("Thanks!", "en"),
    ],
)
def test_short_sentences(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_latin_names_in_russian_text_do_not_count_against_russian() -> None:
    text = "Прошу рассмотреть строительство школы в микрорайоне Shymkent City Park"
    assert detect_language(text) == "ru"


def test_mixed_text_takes_the_language_of_most_of_its_letters() -> None:
    assert detect_language("Сәлем! Welcome to the public consultation on the new tax code") == "en"
    assert detect_language("Hello, құрметті министрлік, жол жөндеуін сұраймыз") == "kk"


def test_chinese_with_a_latin_brand_name_is_other() -> None:
    assert detect_language("uber就是叫派計程車，談不上運用閒置資源或是共乘") == "other"


def test_kazakh_in_the_latin_alphabet_is_not_taken_for_english() -> None:
    text = "Qazaqstan Respýblıkasynyń Prezıdenti jańa zań jobasyna qol qoıdy"
    assert detect_language(text) == "other"


def test_scores_prefer_the_right_language() -> None:
    scores = language_scores("Азаматтардың өтініштері министрлікке жеткізіледі")
    assert set(scores) == {"kk", "ru", "en"}
    assert max(scores, key=scores.__getitem__) == "kk"


def test_scores_of_text_without_letters_are_minus_infinity() -> None:
    assert language_scores("12345") == {
        "kk": float("-inf"),
        "ru": float("-inf"),
        "en": -float("inf"),
    }


def test_detection_is_deterministic() -> None:
    text = "Жол жөндеу жұмыстары қашан басталады?"
    assert {detect_language(text) for _ in range(3)} == {"kk"}


def test_language_and_personal_data_modules_do_not_import_flask_or_sqlalchemy() -> None:
    code = (
        "import sys\n"
        "from listening_state.ml.language import detect_language\n"
        "from listening_state.personal_data import redact\n"
        "detect_language('Сәлем'); redact('8 701 123 45 67')\n"
        "print(sorted(m for m in ('flask', 'sqlalchemy') if m in sys.modules))\n"
    )
    # The package's __init__ builds the Flask app, so the modules are loaded by path here.
    root = Path(__file__).resolve().parents[2]
    loader = (
        "import importlib.util, sys, types\n"
        f"root = {str(root)!r}\n"
        "for name in ('listening_state', 'listening_state.ml'):\n"
        "    package = types.ModuleType(name)\n"
        "    package.__path__ = [root + '/' + name.replace('.', '/')]\n"
        "    sys.modules[name] = package\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", loader + code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"

"""The language of a text (Kazakh, Russian, English or other) from its character statistics.

Each language has a character trigram model: the log-probability of each letter (or word-ending
space) given the two characters before it, backing off to one character and then to none for
contexts the model does not hold ("stupid backoff", a fixed penalty per step). The models are
stored in ``listening_state.ml.language_profiles``, built from real sentences by
``bench/build_language_profiles.py``. A text gets the language whose model predicts its
characters best. Kazakh letters (ә ғ қ ң ө ұ ү һ і) weigh heavily because the Russian and
English models have hardly seen them, and short Kazakh sentences without them are still told
apart by endings, suffixes and letter pairs.

"other" is the answer when the evidence is not about our three languages: too few letters,
mostly letters of another script (Chinese, Arabic, ...), or text that even the best model
predicts poorly, as the English model does German or Kazakh in the Latin alphabet. The
thresholds for "poorly" are set by the generator on the SIB-200 dev split. Standard library
only; deterministic.
"""

from __future__ import annotations

import math
import unicodedata
from collections import Counter
from collections.abc import Mapping
from functools import cache

KAZAKH = "kk"
RUSSIAN = "ru"
ENGLISH = "en"
OTHER = "other"
LANGUAGES = (KAZAKH, RUSSIAN, ENGLISH)
CYRILLIC = "Cyrillic"
LATIN = "Latin"
# The script decides which languages compete: a Latin text is English or other.
SCRIPT_LANGUAGES: Mapping[str, tuple[str, ...]] = {CYRILLIC: (KAZAKH, RUSSIAN), LATIN: (ENGLISH,)}

ORDER = 3
# Each step down from a context the model does not hold to a shorter one costs this much.
BACKOFF_LOG_PENALTY = math.log(0.4)
# Letters that occur in Kazakh and in neither Russian nor English.
KAZAKH_LETTERS = frozenset("әғқңөұүһі")
# The same without і, which Ukrainian and Belarusian use too: where the Kazakh model is the best
# fit, any of these makes a text Kazakh however short or unusual it is ("Иә").
DECISIVELY_KAZAKH_LETTERS = KAZAKH_LETTERS - {"і"}
# Fewer letters than this is not evidence of anything, unless a Kazakh letter is among them.
MIN_LETTERS = 3
# The text must be mostly Cyrillic or Latin to be one of our languages.
MIN_OUR_SCRIPT_SHARE = 0.5
# Language does not change within a comment; its beginning is enough and keeps long texts cheap.
MAX_CHARS = 2000


def normalize(text: str) -> str:
    """Lower-case letters only, each word between single spaces: " сәлем әлем "."""
    text = unicodedata.normalize("NFC", text[:MAX_CHARS]).casefold()
    words = "".join(c if c.isalpha() else " " for c in text).split()
    return f" {' '.join(words)} " if words else ""


def windows(normalized: str) -> Counter[str]:
    """Each character after the first with (up to) the two before it: what the model predicts."""
    return Counter(normalized[max(0, i - ORDER + 1) : i + 1] for i in range(1, len(normalized)))


@cache
def _models() -> tuple[Mapping[str, Mapping[str, float]], Mapping[str, float], Mapping[str, float]]:
    # Imported on first use: the generator script imports this module before the data exists.
    from listening_state.ml.language_profiles import (
        LOG_PROBS,
        MIN_MEAN_LOG_PROBS,
        UNSEEN_LOG_PROBS,
    )

    return LOG_PROBS, UNSEEN_LOG_PROBS, MIN_MEAN_LOG_PROBS


def _window_log_prob(window: str, model: Mapping[str, float], unseen: float) -> float:
    penalty = 0.0
    while window not in model:
        if len(window) == 1:
            return penalty + unseen
        window = window[1:]
        penalty += BACKOFF_LOG_PENALTY
    return penalty + model[window]


def mean_log_probs(
    counts: Counter[str],
    models: Mapping[str, Mapping[str, float]],
    unseen: Mapping[str, float],
) -> dict[str, float]:
    """Mean log-probability per predicted character of windows under each language's model."""
    total = sum(counts.values())
    return {
        language: sum(
            count * _window_log_prob(window, models[language], unseen[language])
            for window, count in counts.items()
        )
        / total
        for language in models
    }


def _script(char: str) -> str | None:
    if "\u0400" <= char <= "\u052f":
        return CYRILLIC
    if char < "\u0250" or "\u1e00" <= char <= "\u1eff":
        return LATIN
    return None


def dominant_script_text(text: str) -> tuple[str | None, str]:
    """The script most of the letters of text are in, and its words in that script, normalised.

    Names and brands in the other script ("Springboks" in a Russian sentence) say nothing about
    the language and are left out. The script is None when fewer than half of the letters are
    Cyrillic or Latin (Chinese, Arabic, ...), or no word is written in one script only.
    """
    normalized = normalize(text)
    letters = Counter(_script(c) for c in normalized if c != " ")
    ours = letters[CYRILLIC] + letters[LATIN]
    if not ours or ours < MIN_OUR_SCRIPT_SHARE * letters.total():
        return None, ""
    script = CYRILLIC if letters[CYRILLIC] >= letters[LATIN] else LATIN
    words = [w for w in normalized.split() if all(_script(c) == script for c in w)]
    if not words:
        return None, ""
    return script, f" {' '.join(words)} "


def _scores(script_text: str) -> dict[str, float]:
    models, unseen, _ = _models()
    return mean_log_probs(windows(script_text), models, unseen)


def language_scores(text: str) -> dict[str, float]:
    """Mean log-probability per character of text under each language's model.

    Higher is a better fit; the values are comparable across texts of different lengths. Only
    the words in the text's main script count (see dominant_script_text); text without Cyrillic
    or Latin letters scores float("-inf") everywhere.
    """
    script, script_text = dominant_script_text(text)
    if script is None:
        return dict.fromkeys(LANGUAGES, float("-inf"))
    return _scores(script_text)


def detect_language(text: str) -> str:
    """The language text is written in: "kk", "ru", "en" or "other"."""
    script, script_text = dominant_script_text(text)
    if script is None:
        return OTHER
    letters = len(script_text) - script_text.count(" ")
    if letters < MIN_LETTERS and KAZAKH_LETTERS.isdisjoint(script_text):
        return OTHER
    _, _, thresholds = _models()
    scores = _scores(script_text)
    best = max(SCRIPT_LANGUAGES[script], key=scores.__getitem__)
    if best == KAZAKH and not DECISIVELY_KAZAKH_LETTERS.isdisjoint(script_text):
        return KAZAKH
    if scores[best] < thresholds[best]:
        return OTHER
    return best

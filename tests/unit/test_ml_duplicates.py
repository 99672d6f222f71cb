"""The "possible duplicates" index on real cuts of ../shared/data: UK petitions and SIB-200."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from listening_state.ml.duplicates import (
    DuplicateIndex,
    DuplicateSettings,
    Match,
    earlier_matches,
)
from listening_state.router_seed import petition_text

ROOT = Path(__file__).resolve().parents[2]
SHARED_DATA = ROOT.parent / "shared" / "data"
# Real pairs: a petition the Petitions Committee rejected as a duplicate, and the published
# petition its rejection_details names. Neither text is a copy of the other.
PAIRS = {
    "588579": "588162",  # petrol-powered garden tools
    "581766": "553334",  # a third of the UK's coastal seas protected
    "580570": "560288",  # glue traps
}
NEAR_COPY = ("603891", "603540")  # bicycle VAT: resubmitted almost word for word
N_OTHERS = 9  # the first published petitions of the file, as distractors


def shared_data() -> Path:
    """The shared data folder; a missing folder skips the test, or fails it on CI."""
    if not SHARED_DATA.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{SHARED_DATA} is missing on CI")
        pytest.skip(f"{SHARED_DATA} is missing")
    return SHARED_DATA


@cache
def petitions() -> dict[str, dict[str, str]]:
    path = shared_data() / "uk-petitions" / "petitions.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["id"]: row for row in csv.DictReader(handle)}


def text(petition_id: str) -> str:
    return petition_text(petitions()[petition_id])


def distractors() -> list[str]:
    """The first published petitions of the file that are not part of any pair."""
    used = set(PAIRS) | set(PAIRS.values()) | set(NEAR_COPY)
    published = [
        petition_id
        for petition_id, row in petitions().items()
        if row["state"] in ("open", "closed") and petition_id not in used
    ]
    return published[:N_OTHERS]


def petition_index(ids: list[str]) -> DuplicateIndex:
    return DuplicateIndex((int(petition_id), text(petition_id)) for petition_id in ids)


def sib200(language: str) -> list[tuple[int, str]]:
    path = shared_data() / "sib200" / language / "dev.tsv"
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            (int(row["index_id"]), row["text"]) for row in csv.DictReader(handle, delimiter="\t")
        ]


@pytest.fixture(scope="module")
def originals_and_others() -> DuplicateIndex:
    return petition_index([*PAIRS.values(), *distractors()])


@pytest.mark.parametrize(("duplicate", "original"), sorted(PAIRS.items()))
def test_a_rejected_duplicate_ranks_its_named_original_first(
    originals_and_others: DuplicateIndex, duplicate: str, original: str
) -> None:
    matches = originals_and_others.similar(text(duplicate), limit=3)
    assert matches[0].key == int(original)
    assert matches[0].score > matches[1].score + 0.05


def test_the_same_holds_for_a_whole_batch(originals_and_others: DuplicateIndex) -> None:
    found = originals_and_others.similar_many([text(duplicate) for duplicate in PAIRS], limit=1)
    assert [matches[0].key for matches in found] == [int(original) for original in PAIRS.values()]


def test_a_near_copy_scores_close_to_one_and_unrelated_petitions_low() -> None:
    copy, original = NEAR_COPY
    index = petition_index([original, *distractors()])
    best, *rest = index.similar(text(copy), limit=len(index))
    assert best.key == int(original)
    assert best.score > 0.9
    assert all(match.score < 0.3 for match in rest)


def test_exclude_leaves_the_submission_itself_out() -> None:
    duplicate, original = next(iter(PAIRS.items()))
    index = petition_index([original, duplicate, *distractors()])
    itself = index.similar(text(duplicate), limit=2)
    assert itself[0] == Match(int(duplicate), pytest.approx(1.0))
    assert itself[1].key == int(original)
    others = index.similar(text(duplicate), limit=2, exclude={int(duplicate)})
    assert int(duplicate) not in [match.key for match in others]
    assert others[0] == itself[1]
    # Keys the index does not hold are ignored.
    assert index.similar(text(duplicate), limit=2, exclude={-1}) == itself


def test_scores_lie_in_zero_one_best_first_within_limit_and_min_score() -> None:
    index = petition_index([*PAIRS.values(), *distractors()])
    for duplicate in PAIRS:
        matches = index.similar(text(duplicate), limit=4)
        assert len(matches) == 4
        scores = [match.score for match in matches]
        assert scores == sorted(scores, reverse=True)
        assert all(0.0 < score <= 1.0 for score in scores)
        strict = index.similar(text(duplicate), limit=4, min_score=scores[1])
        assert strict == matches[:2]
    grid = index.scores([text(duplicate) for duplicate in PAIRS])
    assert grid.shape == (len(PAIRS), len(index))
    assert grid.min() >= 0.0
    assert grid.max() <= 1.0


def test_an_empty_index_finds_nothing() -> None:
    index = DuplicateIndex([])
    assert len(index) == 0
    assert index.similar(text(NEAR_COPY[0])) == []
    assert index.similar_many([text(NEAR_COPY[0])]) == [[]]
    assert index.scores([text(NEAR_COPY[0])]).shape == (1, 0)
    assert earlier_matches([]) == {}


def test_text_sharing_nothing_with_the_index_gets_no_matches() -> None:
    index = petition_index(distractors())
    kazakh = sib200("kaz_Cyrl")[0][1]
    assert index.similar(kazakh) == []


def test_keys_must_be_unique_and_weights_sensible() -> None:
    with pytest.raises(ValueError, match="unique"):
        DuplicateIndex([(1, text(NEAR_COPY[0])), (1, text(NEAR_COPY[1]))])
    with pytest.raises(ValueError, match="weights"):
        DuplicateSettings(word_weight=0.0, char_weight=0.0)


@pytest.mark.parametrize("language", ["kaz_Cyrl", "rus_Cyrl"])
def test_kazakh_and_russian_sentences_find_themselves(language: str) -> None:
    sentences = sib200(language)
    index = DuplicateIndex(sentences)
    found = index.similar_many([sentence for _, sentence in sentences], limit=1)
    assert [matches[0].key for matches in found] == [key for key, _ in sentences]
    assert all(matches[0].score == pytest.approx(1.0) for matches in found)


@pytest.mark.parametrize("language", ["kaz_Cyrl", "rus_Cyrl"])
def test_kazakh_and_russian_near_copies_find_their_sentence(language: str) -> None:
    """A sentence without its last word, upper-cased and wrapped in markup: still itself first."""
    sentences = sib200(language)
    index = DuplicateIndex(sentences)
    copies = [f"<p>{' '.join(sentence.split()[:-1]).upper()}</p>" for _, sentence in sentences]
    found = index.similar_many(copies, limit=2)
    assert [matches[0].key for matches in found] == [key for key, _ in sentences]
    assert all(matches[0].score > 0.6 for matches in found)
    assert all(matches[0].score > matches[1].score + 0.2 for matches in found)


def test_kazakh_letters_are_not_folded_into_russian_ones() -> None:
    """With ә ғ қ ң ө ұ ү һ і written as а г к н о у у х и, a sentence is no longer the same."""
    plain = str.maketrans("әғқңөұүһіӘҒҚҢӨҰҮҺІ", "агкноуухиАГКНОУУХИ")
    sentences = sib200("kaz_Cyrl")
    with_letters = [
        (key, sentence) for key, sentence in sentences if sentence.translate(plain) != sentence
    ]
    index = DuplicateIndex(sentences)
    for key, sentence in with_letters[:20]:
        [match] = index.similar(sentence.translate(plain), limit=1)
        assert match.key == key
        assert match.score < 0.99


def test_earlier_matches_look_only_backwards() -> None:
    duplicate, original = next(iter(PAIRS.items()))
    order = [original, *distractors(), duplicate]
    found = earlier_matches([(int(petition_id), text(petition_id)) for petition_id in order])
    assert list(found) == [int(petition_id) for petition_id in order]
    assert found[int(original)] == []
    assert found[int(duplicate)][0].key == int(original)
    position = {int(petition_id): at for at, petition_id in enumerate(order)}
    for key, matches in found.items():
        assert all(position[match.key] < position[key] for match in matches)
        assert len(matches) <= 5


def test_earlier_matches_agree_with_an_index_of_the_earlier_items() -> None:
    """Same IDF, same scores: the block-by-block scan is the index's own similarity."""
    items = [(int(petition_id), text(petition_id)) for petition_id in distractors()]
    found = earlier_matches(items, limit=3)
    index = DuplicateIndex(items)
    for at, (key, item_text) in enumerate(items):
        later = {other for other, _ in items[at:]}
        expected = index.similar(item_text, limit=3, exclude=later)
        assert [match.key for match in found[key]] == [match.key for match in expected]
        assert [match.score for match in found[key]] == pytest.approx(
            [match.score for match in expected], abs=1e-12
        )


def test_ties_go_to_the_earlier_key_and_rebuilding_changes_nothing() -> None:
    sentence = sib200("kaz_Cyrl")[0][1]
    others = [(key, text) for key, text in sib200("kaz_Cyrl")[1:10]]
    index = DuplicateIndex([(7, sentence), *others, (3, sentence)])
    assert [match.key for match in index.similar(sentence, limit=2)] == [7, 3]
    again = DuplicateIndex([(7, sentence), *others, (3, sentence)])
    queries = [text(duplicate) for duplicate in PAIRS] + [sentence]
    assert np.array_equal(index.scores(queries), again.scores(queries))


def test_results_do_not_depend_on_the_process_hash_seed() -> None:
    code = (
        "import json, sys\n"
        "from listening_state.ml.duplicates import DuplicateIndex\n"
        "items, queries = json.load(sys.stdin)\n"
        "index = DuplicateIndex((int(k), t) for k, t in items)\n"
        "found = [index.similar(query) for query in queries]\n"
        "print(json.dumps([[m.key, round(m.score, 12)] for ms in found for m in ms]))"
    )
    ids = [*PAIRS.values(), *distractors()]
    payload = json.dumps([[[key, text(key)] for key in ids], [text(key) for key in PAIRS]])
    outputs = set()
    for seed in ("1", "2"):
        result = subprocess.run(
            [sys.executable, "-c", code],
            input=payload,
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        outputs.add(result.stdout)
    assert len(outputs) == 1


def test_a_known_duplicate_counts_for_its_original_and_is_not_listed() -> None:
    """Moderation history: a text like a known duplicate points at that duplicate's original."""
    (duplicate, original), *_ = sorted(PAIRS.items())
    index = petition_index([original, *distractors(), duplicate])
    plain = index.similar(text(duplicate), limit=3)
    assert plain[0] == Match(int(duplicate), pytest.approx(1.0))
    resolved = {int(duplicate): int(original)}
    folded = index.similar(text(duplicate), limit=3, resolved=resolved)
    assert int(duplicate) not in [match.key for match in folded]
    assert folded[0].key == int(original)
    # 1 - (1 - own) * (1 - 0.5 * 1): above both its own score and one half.
    own = next(match.score for match in plain if match.key == int(original))
    assert folded[0].score == pytest.approx(1 - (1 - own) * 0.5)
    assert 0.5 <= folded[0].score <= 1.0
    # The others keep their text scores; an empty mapping changes nothing.
    others = index.similar(text(duplicate), limit=len(index))
    assert folded[1:] == [m for m in others if m.key not in (int(duplicate), int(original))][:2]
    assert index.similar(text(duplicate), limit=3, resolved={}) == plain
    grid = index.scores([text(duplicate)], resolved=resolved)
    assert grid[0, list(index.keys).index(int(duplicate))] == 0.0
    assert grid.max() <= 1.0


def test_chains_fold_into_the_earliest_original_held_and_unknown_keys_are_ignored() -> None:
    (duplicate, original), *_ = sorted(PAIRS.items())
    index = DuplicateIndex(
        [
            (1, text(original)),
            *((10 + at, text(key)) for at, key in enumerate(distractors())),
            (2, text(duplicate)),
            (3, text(duplicate) + "\n\nPlease act now."),
        ]
    )
    # 3 duplicates 2, which duplicates 1; 99 is not in the index; 4 -> 5 -> 4 is a loop.
    resolved = {3: 2, 2: 1, 98: 99, 4: 5, 5: 4}
    found = index.similar(text(duplicate), limit=3, resolved=resolved)
    assert found[0].key == 1
    assert not {2, 3} & {match.key for match in found}
    # A duplicate whose original the index does not hold is listed as itself.
    orphan = index.similar(text(duplicate), limit=1, resolved={2: 99})
    assert orphan[0] == Match(2, pytest.approx(1.0))
    # Excluding the original takes its known duplicates out with it.
    gone = index.similar(text(duplicate), limit=len(index), exclude={1}, resolved=resolved)
    assert not {1, 2, 3} & {match.key for match in gone}


def test_earlier_matches_use_only_earlier_moderation_decisions() -> None:
    (duplicate, original), *_ = sorted(PAIRS.items())
    second = text(duplicate) + "\n\nI ask again."
    items = [
        (1, text(original)),
        *((10 + at, text(key)) for at, key in enumerate(distractors())),
        (2, text(duplicate)),
        (3, second),
    ]
    resolved = {2: 1}
    found = earlier_matches(items, limit=3, resolved=resolved)
    plain = earlier_matches(items, limit=3)
    # Item 2 itself is scored before its own decision counts: as without history.
    assert found[2] == plain[2]
    # Item 3 comes after it: the known duplicate folds into 1, which comes first.
    assert plain[3][0].key == 2
    assert found[3][0].key == 1
    assert 2 not in [match.key for match in found[3]]
    index = DuplicateIndex(items)
    expected = index.similar(second, limit=3, exclude={3}, resolved=resolved)
    assert [(m.key, m.score) for m in found[3]] == [
        (m.key, pytest.approx(m.score, abs=1e-12)) for m in expected
    ]


def test_the_first_line_counts_and_bad_weights_are_refused() -> None:
    index = DuplicateIndex([(1, "Ban fireworks\n\nThey scare dogs and horses every November.")])
    same_title = index.similar("Ban fireworks\n\nNoise at night is a problem for everyone.")
    body_only = DuplicateIndex(
        [(1, "Ban fireworks\n\nThey scare dogs and horses every November.")],
        DuplicateSettings(title_weight=0.0),
    ).similar("Ban fireworks\n\nNoise at night is a problem for everyone.")
    assert same_title[0].score > body_only[0].score
    with pytest.raises(ValueError, match="title"):
        DuplicateSettings(title_weight=-1.0)
    with pytest.raises(ValueError, match="history"):
        DuplicateSettings(history_weight=1.5)

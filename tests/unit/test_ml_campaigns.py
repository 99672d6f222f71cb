"""Campaign detection on real text cut from ../shared/data: Pol.is comments and SIB-200 Kazakh."""

from __future__ import annotations

import csv
import os
import random

import numpy as np
import pytest

from listening_state.ml.campaigns import (
    CampaignSettings,
    ModelIntegrityError,
    assign_to_campaigns,
    build_index,
    dumps,
    find_campaigns,
    loads,
    sha256_hex,
    text_signatures,
)
from listening_state.ml.textprep import fold, tokens
from tests.real_text import SHARED_DATA, polis_comments

# Words put in by edits: real words from another conversation than the comments edited.
EDIT_WORDS = ("concussion", "helmets", "season", "players", "coaches", "league", "injury")


def edited(text: str, edits: list[tuple[str, int]]) -> str:
    """The text with deterministic word edits: ("replace" | "delete" | "insert", position)."""
    words = text.split()
    for number, (kind, position) in enumerate(edits):
        at = position % len(words)
        if kind == "replace":
            words[at] = EDIT_WORDS[number % len(EDIT_WORDS)]
        elif kind == "delete":
            del words[at]
        else:
            words.insert(at, EDIT_WORDS[number % len(EDIT_WORDS)])
    return " ".join(words)


def copies_of(template: str, n: int) -> list[str]:
    """n copies of a real comment, each with one to three edits (at most ~8 % of its words)."""
    kinds = ("replace", "delete", "insert")
    return [
        edited(template, [(kinds[(i + k) % 3], 5 * i + 7 * k + 2) for k in range(i % 3 + 1)])
        for i in range(n)
    ]


def kazakh_sentences() -> list[str]:
    path = SHARED_DATA / "sib200" / "kaz_Cyrl" / "dev.tsv"
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"shared data missing: {path}")
        pytest.skip(f"shared data missing: {path}")
    with path.open(encoding="utf-8", newline="") as handle:
        return [row["text"] for row in csv.DictReader(handle, delimiter="\t")]


@pytest.fixture(scope="module")
def comments() -> list[str]:
    return polis_comments("15-per-hour-seattle")


def test_copies_with_small_edits_form_one_campaign_among_real_comments(
    comments: list[str],
) -> None:
    template, others = comments[0], comments[1:]
    texts = others[:10] + copies_of(template, 8) + others[10:]
    result = find_campaigns(texts)
    assert len(result.campaigns) == 1
    campaign = result.campaigns[0]
    assert campaign.members == tuple(range(10, 18))
    assert campaign.size == 8
    assert campaign.representative in campaign.members
    assert 0.6 < campaign.mean_similarity <= 1.0
    assert [number for number in result.campaign_of if number is not None] == [0] * 8
    assert result.n_in_campaigns == 8


def test_fewer_copies_than_the_minimum_size_are_agreement_not_a_campaign(
    comments: list[str],
) -> None:
    texts = comments[1:] + copies_of(comments[0], 4)
    assert find_campaigns(texts).campaigns == ()
    assert find_campaigns(texts, settings=CampaignSettings(min_size=3)).campaigns[0].size == 4


@pytest.mark.parametrize(
    "conversation", ["american-assembly.bowling-green", "austria-climate.5tzfrp5eaa.2022-07-07"]
)
def test_the_accepted_comments_of_a_real_conversation_hold_no_campaign(conversation: str) -> None:
    texts = polis_comments(conversation)
    assert len(texts) > 500
    result = find_campaigns(texts)
    assert result.campaigns == ()
    assert set(result.campaign_of) == {None}


def test_ids_name_the_members_and_the_representative(comments: list[str]) -> None:
    texts = copies_of(comments[3], 6) + comments[4:10]
    ids = [f"submission-{number}" for number in range(len(texts))]
    campaign = find_campaigns(texts, ids=ids).campaigns[0]
    assert campaign.ids == tuple(f"submission-{number}" for number in range(6))
    assert campaign.representative_id == ids[campaign.representative]
    with pytest.raises(ValueError, match="ids"):
        find_campaigns(texts, ids=ids[:-1])


def test_markup_and_letter_case_do_not_hide_a_copy(comments: list[str]) -> None:
    template = comments[6]
    texts = [
        template,
        template.upper(),
        f"<p>{template}</p>",
        f"<b>{template}</b> <script>alert(1)</script>",
        template.replace(" ", "  \n"),
        *comments[7:12],
    ]
    result = find_campaigns(texts)
    assert [campaign.members for campaign in result.campaigns] == [(0, 1, 2, 3, 4)]
    assert result.campaigns[0].mean_similarity == 1.0


def test_texts_without_words_never_form_a_campaign() -> None:
    texts = ["", "   ", "!!!", "<p></p>", "a"] * 4
    result = find_campaigns(texts)
    assert result.campaigns == ()


def test_kazakh_copies_are_found_among_other_kazakh_sentences() -> None:
    sentences = kazakh_sentences()
    template = sentences[0]
    assert any(letter in template for letter in "әғқңөұүһі")
    copies = [
        edited(template, [("replace", 3)]),
        edited(template, [("delete", 5)]),
        template,
        edited(template, [("insert", 1)]),
        edited(template, [("replace", 9)]),
    ]
    texts = sentences[1:40] + copies
    result = find_campaigns(texts)
    assert [campaign.members for campaign in result.campaigns] == [tuple(range(39, 44))]


def test_one_text_sent_thousands_of_times_is_one_campaign(comments: list[str]) -> None:
    texts = [comments[2]] * 3000 + comments[3:]
    result = find_campaigns(texts)
    assert len(result.campaigns) == 1
    assert result.campaigns[0].size == 3000
    assert result.campaigns[0].mean_similarity == 1.0


def test_the_representative_is_the_member_most_like_the_others(comments: list[str]) -> None:
    template = comments[0].split()
    # Each copy replaces four words of the template with four words no other copy uses, so
    # copies are nearer the template than each other: the template is the closest member.
    fresh = iter(dict.fromkeys(w for c in comments[10:] for w in c.split() if w not in template))
    texts = []
    for copy in range(8):
        words = list(template)
        for position in range(4 * copy, 4 * copy + 4):
            words[position] = next(fresh)
        texts.append(" ".join(words))
    texts.append(" ".join(template))
    campaign = find_campaigns(texts).campaigns[0]
    assert campaign.size == 9
    assert campaign.representative == 8


def test_the_same_texts_give_the_same_campaigns(comments: list[str]) -> None:
    texts = copies_of(comments[0], 7) + comments[1:8] + comments[9:] + copies_of(comments[8], 5)
    first, second = find_campaigns(texts), find_campaigns(texts)
    assert first == second
    assert [campaign.size for campaign in first.campaigns] == [7, 5]  # largest first


def test_the_estimate_follows_exact_word_set_similarity(comments: list[str]) -> None:
    """Real comments and edited copies: the MinHash estimate is unbiased and close."""
    rng = random.Random(0)
    words = [word for text in comments for word in text.split()]
    pairs = []
    for text in comments:
        parts = text.split()
        for share in (0.1, 0.3, 0.5):
            changed = list(parts)
            for _ in range(round(share * len(parts))):
                changed[rng.randrange(len(changed))] = rng.choice(words)
            pairs.append((text, " ".join(changed)))
    settings = CampaignSettings()
    table, _ = text_signatures([text for pair in pairs for text in pair], settings)
    estimate = np.mean(table[0::2] == table[1::2], axis=1)
    exact = []
    for a, b in pairs:
        set_a, set_b = set(tokens(fold(a))), set(tokens(fold(b)))
        exact.append(len(set_a & set_b) / len(set_a | set_b))
    error = estimate - np.array(exact)
    assert abs(error.mean()) < 0.02  # unbiased
    assert np.sqrt(np.mean(error**2)) < 0.08  # binomial spread with 64 values is at most 0.0625


def test_texts_shorter_than_whole_below_match_identical_texts_only() -> None:
    texts = ["I agree with this", "I agree with this too"] * 3
    assert find_campaigns(texts).campaigns[0].size == 6
    whole = CampaignSettings(whole_below=5)
    assert [c.size for c in find_campaigns(texts * 2, settings=whole).campaigns] == [6, 6]


def test_a_new_copy_joins_its_campaign_through_the_stored_index(comments: list[str]) -> None:
    texts = copies_of(comments[0], 6) + comments[1:20] + copies_of(comments[20], 5)
    result = find_campaigns(texts)
    data = dumps(build_index(texts, result))
    index = loads(data, expected_sha256=sha256_hex(data))
    assert index.sizes == (6, 5)
    new = [
        edited(comments[20], [("replace", 1), ("insert", 4)]),
        comments[21],
        edited(comments[0], [("delete", 3)]),
        "",
    ]
    assert assign_to_campaigns(new, index) == (1, None, 0, None)


def test_a_changed_index_file_is_refused(comments: list[str]) -> None:
    texts = copies_of(comments[0], 6)
    data = dumps(build_index(texts, find_campaigns(texts)))
    with pytest.raises(ModelIntegrityError):
        loads(data[:-1] + bytes([data[-1] ^ 1]), expected_sha256=sha256_hex(data))


@pytest.mark.parametrize(
    "changes",
    [{"min_size": 1}, {"threshold": 0.0}, {"threshold": 1.5}, {"band_rows": 5}],
)
def test_settings_that_cannot_work_are_refused(changes: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="must"):
        CampaignSettings(**changes)  # type: ignore[arg-type]

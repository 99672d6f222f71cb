"""The themes engine on real comments: labels, determinism, campaigns, storage, details."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from functools import cache

import numpy as np
import pytest

from listening_state.ml import themes
from listening_state.ml.theme_details import week_starts
from listening_state.ml.theme_labels import theme_keywords
from tests.real_text import polis_comments

# Three real Pol.is conversations on unrelated subjects, and words that define each subject.
CONVERSATIONS = {
    "15-per-hour-seattle": ("wage", "wages", "minimum", "businesses", "workers"),
    "football-concussions": ("football", "nfl", "concussions", "game", "players"),
    "scoop-hivemind.biodiversity": ("biodiversity", "species", "conservation", "nature"),
}


@cache
def sample() -> tuple[tuple[str, ...], tuple[str, ...]]:
    texts: list[str] = []
    subjects: list[str] = []
    for conversation in CONVERSATIONS:
        comments = polis_comments(conversation)[:40]
        texts.extend(comments)
        subjects.extend([conversation] * len(comments))
    return tuple(texts), tuple(subjects)


@cache
def summary(seed: int = 0) -> themes.ThemeSummary:
    texts, _ = sample()
    return themes.build_themes(list(texts), settings=themes.ThemeSettings(seed=seed))


def test_each_subjects_largest_theme_is_labelled_with_a_word_that_defines_it() -> None:
    _, subjects = sample()
    result = summary()
    for conversation, defining in CONVERSATIONS.items():
        landed = Counter(
            theme
            for theme, subject in zip(result.assignments, subjects, strict=True)
            if subject == conversation and theme is not None
        )
        largest = result.themes[landed.most_common(1)[0][0]]
        words = {word for keyword in largest.keywords for word in keyword.split()}
        assert words & set(defining), (conversation, largest.keywords)


def test_themes_mostly_keep_one_subject_apart_from_the_others() -> None:
    _, subjects = sample()
    result = summary()
    pure = sum(
        Counter(
            s for s, t in zip(subjects, result.assignments, strict=True) if t == theme.id
        ).most_common(1)[0][1]
        for theme in result.themes
    )
    assert pure / (len(subjects) - result.other_count) >= 0.8


def test_the_same_seed_gives_the_same_themes_and_the_same_model_bytes() -> None:
    texts, _ = sample()
    again = themes.build_themes(list(texts), settings=themes.ThemeSettings(seed=0))
    first = summary()
    assert again.assignments == first.assignments
    assert again.themes == first.themes
    assert themes.dumps(again.model) == themes.dumps(first.model)


def test_the_label_is_the_first_keywords_and_the_number_of_themes_is_within_bounds() -> None:
    result = summary()
    settings = themes.ThemeSettings()
    assert settings.min_themes <= result.chosen_k <= settings.max_themes
    assert result.chosen_k in result.k_scores
    assert result.k_scores[result.chosen_k] == min(result.k_scores.values())
    for theme in result.themes:
        assert theme.label == ", ".join(theme.keywords[: settings.label_terms])
        assert theme.label


def test_sizes_shares_and_other_account_for_every_input() -> None:
    result = summary()
    texts, _ = sample()
    assert sum(theme.size for theme in result.themes) + result.other_count == len(texts)
    assert [theme.id for theme in result.themes] == list(range(len(result.themes)))
    assert [t.size for t in result.themes] == sorted((t.size for t in result.themes), reverse=True)
    assert result.themes[0].share == pytest.approx(result.themes[0].size / len(texts))
    assert result.other_share < 0.15


def test_quotes_are_three_to_five_different_members_of_their_theme() -> None:
    result = summary()
    texts, _ = sample()
    for theme in result.themes:
        assert 3 <= len(theme.quotes) <= 5 or len(theme.quotes) == theme.entries
        assert len(set(theme.quotes)) == len(theme.quotes)
        assert all(result.assignments[int(quote)] == theme.id for quote in theme.quotes)
        assert len({texts[int(quote)] for quote in theme.quotes}) == len(theme.quotes)


def test_only_quotable_inputs_are_quoted() -> None:
    texts, _ = sample()
    quotable = [i % 2 == 0 for i in range(len(texts))]
    result = themes.build_themes(list(texts), quotable=quotable)
    quoted = [int(quote) for theme in result.themes for quote in theme.quotes]
    assert quoted
    assert all(quotable[i] for i in quoted)


def test_a_campaign_counts_its_senders_but_does_not_move_anyone_elses_theme() -> None:
    texts, _ = sample()
    alone = themes.build_themes(list(texts))
    copies = 60
    campaign_texts = [*texts, *[texts[0]] * copies]
    campaign_of = [None] * len(texts) + ["campaign-1"] * copies
    campaign_of[0] = "campaign-1"
    with_campaign = themes.build_themes(campaign_texts, campaign_of=campaign_of)
    # The same partition of everyone (theme ids follow size, so they may be renumbered).
    renumbered = dict(zip(alone.assignments, with_campaign.assignments, strict=False))
    assert [renumbered[theme] for theme in alone.assignments] == list(
        with_campaign.assignments[: len(texts)]
    )
    assert len(set(renumbered.values())) == len(renumbered)
    theme = with_campaign.themes[with_campaign.assignments[0]]
    before = alone.themes[alone.assignments[0]]
    assert theme.size == before.size + copies
    assert theme.entries == before.entries
    assert theme.campaigns == 1


def test_stances_languages_and_weekly_trend_add_up_to_each_theme() -> None:
    texts, _ = sample()
    start = dt.datetime(2024, 3, 6, 15, tzinfo=dt.UTC)  # a Wednesday
    times = [start + dt.timedelta(days=i % 20) for i in range(len(texts))]
    stances = ["support" if i % 3 else "oppose" for i in range(len(texts))]
    result = themes.build_themes(
        list(texts), times=times, stances=stances, languages=["en"] * len(texts)
    )
    for theme in result.themes:
        assert sum(theme.stances.values()) == theme.size
        assert theme.languages == {"en": theme.size}
        assert sum(week.count for week in theme.trend) == theme.size
        assert [week.week_start for week in theme.trend] == [
            dt.date(2024, 3, 4) + dt.timedelta(weeks=i) for i in range(4)
        ]


def test_week_starts_are_the_monday_of_the_iso_week() -> None:
    days = [
        dt.date(2024, 1, 1),
        dt.date(2024, 1, 7),
        dt.datetime(2024, 1, 8, 23, 59, tzinfo=dt.UTC),
    ]
    mondays = [dt.date.fromordinal(int(day)) for day in week_starts(days)]
    assert mondays == [dt.date(2024, 1, 1), dt.date(2024, 1, 1), dt.date(2024, 1, 8)]


def test_a_stored_model_assigns_new_texts_as_the_fitted_one_does() -> None:
    result = summary()
    data = themes.dumps(result.model)
    loaded = themes.loads(data, expected_sha256=themes.sha256_hex(data))
    texts, _ = sample()
    assigned = loaded.assign(list(texts))
    assert assigned == result.model.assign(list(texts))
    assert assigned == list(result.assignments)
    assert loaded.assign(["", "12 34"]) == [None, None]


def test_a_tampered_model_is_refused() -> None:
    data = bytearray(themes.dumps(summary().model))
    expected = themes.sha256_hex(bytes(data))
    data[len(data) // 2] ^= 1
    with pytest.raises(themes.ModelIntegrityError):
        themes.loads(bytes(data), expected_sha256=expected)


def test_progress_is_reported_in_order_up_to_one() -> None:
    texts, _ = sample()
    seen: list[tuple[float, str]] = []
    themes.build_themes(list(texts[:40]), progress=lambda f, m: seen.append((f, m)))
    fractions = [fraction for fraction, _ in seen]
    assert fractions == sorted(fractions)
    assert fractions[-1] == 1.0


def test_twenty_comments_make_a_few_themes() -> None:
    comments = polis_comments("15-per-hour-seattle")[:20]
    result = themes.build_themes(comments)
    assert 1 <= len(result.themes) <= 20 // themes.ThemeSettings().min_theme_size
    assert all(theme.quotes for theme in result.themes)


def test_mismatched_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="stances"):
        themes.build_themes(["one text", "another"], stances=["support"])


def test_keywords_prefer_a_distinctive_phrase_and_skip_function_words() -> None:
    texts = [
        "the minimum wage should rise",
        "a minimum wage for all of us",
        "raise the minimum wage now",
        "the bus to the school is late",
        "buses and the school run",
        "school buses are full",
    ]
    keywords = theme_keywords(texts, np.array([0, 0, 0, 1, 1, 1]), 2)
    assert keywords[0][0] == "minimum wage"
    assert "school" in {word for keyword in keywords[1] for word in keyword.split()}
    assert not {"the", "a", "to", "is", "and"} & {k for ks in keywords for k in ks}


def test_texts_without_words_make_no_theme_and_are_all_other() -> None:
    result = themes.build_themes(["", "12 34", "!"])
    assert result.themes == ()
    assert result.assignments == (None, None, None)
    assert result.model.assign(["minimum wage"]) == [None]

"""Case folding and alphabetical order on Kazakh and Russian Cyrillic."""

from listening_state.text import KAZAKH_ALPHABET, fold, sort_key


def test_fold_matches_kazakh_letters_regardless_of_case() -> None:
    assert (
        fold("ҚАЗАҚСТАН ӘЛЕМІ ҰЛТТЫҚ ҮЙ ҒЫЛЫМ ӨНЕР ҢЫ ҺІ")
        == "қазақстан әлемі ұлттық үй ғылым өнер ңы һі"
    )


def test_sort_key_follows_the_kazakh_alphabet() -> None:
    words = [
        "бақ",
        "әке",
        "ағаш",
        "ғалым",
        "газет",
        "қала",
        "кітап",
        "өзен",
        "орман",
        "ұл",
        "үй",
        "ірі",
        "ыдыс",
    ]
    assert sorted(words, key=sort_key) == [
        "ағаш",
        "әке",
        "бақ",
        "газет",
        "ғалым",
        "кітап",
        "қала",
        "орман",
        "өзен",
        "ұл",
        "үй",
        "ыдыс",
        "ірі",
    ]


def test_sort_key_orders_every_letter_of_the_alphabet() -> None:
    letters = list(KAZAKH_ALPHABET)
    assert sorted(reversed(letters), key=sort_key) == letters


def test_sort_key_is_case_insensitive_and_ignores_extra_spaces() -> None:
    assert sort_key("Қала  кітабы") == sort_key("қала кітабы")


def test_sort_key_is_plain_ascii_so_any_collation_agrees() -> None:
    key = sort_key("Өзен мен Ұлы дала")
    assert key.isascii()
    assert set(key) <= set("0123456789abcdef")


def test_latin_titles_sort_before_cyrillic_and_digits_first() -> None:
    assert sorted(["Жер", "Energy", "2030 Concept"], key=sort_key) == [
        "2030 Concept",
        "Energy",
        "Жер",
    ]

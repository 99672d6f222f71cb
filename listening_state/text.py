"""Language-aware text helpers: case folding for search and an alphabet-aware sort key."""

from __future__ import annotations

import unicodedata

# The Kazakh Cyrillic alphabet in its dictionary order; Russian is a subset in the same order.
KAZAKH_ALPHABET = "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя"
_RANK = {letter: index for index, letter in enumerate(KAZAKH_ALPHABET)}
SORT_KEY_CHARS = 64  # characters of the text that take part in sorting


def fold(text: str) -> str:
    """Normalise and case-fold text so that search matches regardless of case and form."""
    return unicodedata.normalize("NFKC", text).casefold()


def _weight(char: str) -> int:
    if char in _RANK:
        return 0x3000 + _RANK[char]
    if char.isspace():
        return 0x0001
    if char.isdigit():
        return 0x1000 + ord(char) % 0x1000
    if "a" <= char <= "z":
        return 0x2000 + ord(char)
    if char.isalpha():
        return 0x4000 + ord(char) % 0xC000
    return 0x0800 + ord(char) % 0x0800  # punctuation and symbols sort before letters


def sort_key(text: str) -> str:
    """A string whose byte order is the Kazakh/Russian alphabetical order of `text`.

    Each character becomes four hexadecimal digits, so the key sorts the same under any
    database collation (digits and a-f order identically in C and in linguistic locales).
    """
    folded = " ".join(fold(text).split())[:SORT_KEY_CHARS]
    return "".join(f"{_weight(char):04x}" for char in folded)

"""Text preparation for the models: plain, normalised, case-folded text in any of our languages.

Kazakh, Russian and English (and mixed) text go through the same steps, none of which is
language-specific: HTML is removed, Unicode is put in NFKC form (so that compatibility
characters and composed/decomposed letters compare equal) and case-folded. Kazakh letters
(ә ғ қ ң ө ұ ү һ і) are ordinary Unicode letters and survive every step; accents are never
stripped, because stripping would turn й into и and break Kazakh and Russian words. The one
exception is ё, written as е: Russian writers use the two interchangeably.
"""

from __future__ import annotations

import html
import re
import unicodedata

# Script and style bodies are code, not the citizen's words.
_CODE_BLOCK_RE = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_COMMENT_RE = re.compile(r"<!--.*?-->", re.DOTALL)
_TAG_RE = re.compile(r"</?[a-zA-Z][^<>]*>|<![^<>]*>")
# Letters and digits, two or more: the same idea as scikit-learn's default token pattern,
# minus the underscore, which is punctuation in citizens' text.
_TOKEN_RE = re.compile(r"[^\W_]{2,}")


def strip_html(text: str) -> str:
    """Text without tags, comments, scripts and styles, with entities decoded."""
    if "<" not in text and "&" not in text:
        return text  # no markup and no entity: every step below would return it unchanged
    text = _COMMENT_RE.sub(" ", _CODE_BLOCK_RE.sub(" ", text))
    text = html.unescape(_TAG_RE.sub(" ", text))
    # Escaped markup ("&lt;b&gt;") becomes markup only after unescaping; remove it too.
    return _TAG_RE.sub(" ", text)


def fold(text: str) -> str:
    """`normalize` without collapsing whitespace: the same `tokens`, for less work.

    Whitespace is never a letter or digit, so collapsing it changes no word of the text.
    """
    # Unicode's caseless-matching recipe: folding can leave text that is not in NFKC form.
    text = unicodedata.normalize("NFKC", strip_html(text)).casefold()
    # Russian writers use ё and е interchangeably; one spelling makes one feature.
    return unicodedata.normalize("NFKC", text).replace("ё", "е")


def normalize(text: str) -> str:
    """Plain text, NFKC-normalised and case-folded, with whitespace collapsed."""
    return " ".join(fold(text).split())


def tokens(normalized: str) -> list[str]:
    """The words of normalised text: runs of two or more letters or digits."""
    return _TOKEN_RE.findall(normalized)

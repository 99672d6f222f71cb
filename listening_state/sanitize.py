"""The one place user text is cleaned and turned into HTML (bleach)."""

from __future__ import annotations

import html
import re
import threading
import unicodedata
from collections.abc import MutableMapping
from functools import partial

import bleach
import markdown as markdown_lib
from bleach.linkifier import Linker, build_url_re
from markupsafe import Markup, escape

LINK_REL = "nofollow ugc noopener"
LinkAttrs = MutableMapping[tuple[str | None, str], str]
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
DRAFT_TAGS = frozenset(
    {
        "p",
        "br",
        "hr",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "strong",
        "em",
        "b",
        "i",
        "u",
        "s",
        "blockquote",
        "code",
        "pre",
        "ul",
        "ol",
        "li",
        "a",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "sup",
        "sub",
        "abbr",
        "dl",
        "dt",
        "dd",
    }
)
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]+")


def _fully_unescaped(value: str) -> str:
    """Decode entities until nothing changes, so `javascript&amp;colon;` cannot hide a scheme."""
    for _ in range(5):
        decoded = html.unescape(value)
        if decoded == value:
            break
        value = decoded
    return _URL_NOISE.sub("", value).lower()


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    if tag == "a" and name == "href":
        match = _SCHEME.match(_fully_unescaped(value))
        return match is None or match.group(1) in ALLOWED_PROTOCOLS
    return name in {"a": ("title", "rel"), "abbr": ("title",), "th": ("scope",)}.get(tag, ())


# C0/C1 control characters other than tab and newline never belong in a comment.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _set_rel(attrs: LinkAttrs, new: bool = False) -> LinkAttrs:
    attrs[(None, "rel")] = LINK_REL
    return attrs


_URL_RE = build_url_re(protocols=["http", "https"])
_per_thread = threading.local()


def _linker() -> Linker:
    """This thread's Linker. Its html5lib parser keeps state while it parses, so one shared by
    the server's threads failed now and then (IndexError: pop from empty list, bleach#370).
    Only web addresses become links: bleach's default pattern would also link data:, ftp:…"""
    linker: Linker | None = getattr(_per_thread, "linker", None)
    if linker is None:
        linker = Linker(callbacks=[_set_rel], parse_email=False, url_re=_URL_RE)
        _per_thread.linker = linker
    return linker


def _normalized(text: str) -> str:
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    return _CONTROL.sub("", text)


def clean_plain_text(text: str) -> str:
    """Citizen text as plain text: markup stripped, entities decoded, line breaks kept."""
    stripped = bleach.clean(_normalized(text), tags=set(), strip=True, strip_comments=True)
    return _CONTROL.sub("", html.unescape(stripped)).strip()


_TAG_LIKE = re.compile(r"<[^<>]*>")


def markup_removed(text: str, limit: int = 3) -> list[str] | None:
    """What `clean_plain_text` would strip from `text` as markup, or None when it strips none.

    The list holds the first few `<…>` fragments that go (it may be empty: an unclosed HTML
    comment, say, takes the rest of the text with it). Lets a form say what would be lost
    instead of storing a shorter text than the person wrote: `a<b and b>c` reads as a tag.
    Markup is what bleach strips; with nothing stripped, escaping every tag instead gives the
    same text back.
    """
    if "<" not in text:  # no tag or comment without one: the common case costs nothing
        return None
    text = _normalized(text)
    stripped = html.unescape(bleach.clean(text, tags=set(), strip=True, strip_comments=True))
    kept = html.unescape(bleach.clean(text, tags=set(), strip=False, strip_comments=False))
    if stripped == kept:
        return None
    fragments = dict.fromkeys(match.group(0) for match in _TAG_LIKE.finditer(text))
    return [fragment for fragment in fragments if fragment not in stripped][:limit]


def render_plain_text(text: str) -> Markup:
    """Plain text to HTML: escaped, links made clickable, line breaks kept."""
    linked = _linker().linkify(str(escape(text)))
    return Markup(linked.replace("\n", "<br>\n"))  # noqa: S704 - escaped and linkified above


_clean_draft = partial(
    bleach.clean,
    tags=DRAFT_TAGS,
    attributes=_allowed_attribute,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
)


def render_markdown(source: str) -> Markup:
    """A ministry's Markdown draft to HTML, cleaned with an allow-list."""
    rendered = markdown_lib.markdown(
        source, extensions=["tables", "sane_lists"], output_format="html"
    )
    return Markup(_linker().linkify(_clean_draft(rendered)))  # noqa: S704 - bleach allow-list above


def clean_line(text: str) -> str:
    """A single-line field (a title, a name): plain text on one line."""
    return " ".join(clean_plain_text(text).split())

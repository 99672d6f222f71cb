"""User text is stored as plain text and rendered safely; drafts pass an allow-list."""

import threading

from listening_state import sanitize
from listening_state.sanitize import (
    clean_line,
    clean_plain_text,
    markup_removed,
    render_markdown,
    render_plain_text,
)
from tests.real_text import polis_comments


def test_markup_is_stripped_and_line_breaks_kept() -> None:
    assert clean_plain_text("<b>Hello</b>\r\nworld<script>x</script>") == "Hello\nworldx"


def test_entities_are_decoded_so_text_is_stored_as_written() -> None:
    assert clean_plain_text("Tax &lt; 5% & fair") == "Tax < 5% & fair"


def test_control_characters_are_removed() -> None:
    assert clean_plain_text("a\x00b\x07c\td") == "abc\td"


def test_plain_text_render_escapes_and_links_with_rel() -> None:
    html = str(render_plain_text("See https://example.org/a?b=1 <now>\nline two"))
    assert '<a href="https://example.org/a?b=1" rel="nofollow ugc noopener">' in html
    assert "&lt;now&gt;" in html
    assert "<br>" in html


def test_javascript_urls_are_never_linked() -> None:
    html = str(render_plain_text("javascript:alert(1)"))
    assert "<a" not in html


def test_markdown_draft_renders_allowed_tags() -> None:
    html = str(render_markdown("**Bold** and [link](https://gov.kz)\n\n- one\n- two"))
    assert "<strong>Bold</strong>" in html
    assert '<a href="https://gov.kz" rel="nofollow ugc noopener">link</a>' in html
    assert "<li>one</li>" in html


def test_markdown_draft_drops_scripts_handlers_and_bad_urls() -> None:
    html = str(
        render_markdown(
            "<script>alert(1)</script><img src=x onerror=alert(1)> [x](javascript:alert(1))"
        )
    )
    assert "<script" not in html
    assert "onerror" not in html
    assert "javascript:" not in html
    assert "<img" not in html


def test_clean_line_folds_whitespace() -> None:
    assert clean_line("  A\n  title\t here ") == "A title here"


def test_entity_encoded_script_schemes_are_dropped_from_draft_links() -> None:
    for href in (
        "javascript&colon;alert(1)",
        "jav&#x09;ascript:alert(1)",
        "&#106;avascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,<b>x</b>",
    ):
        html = str(render_markdown(f'<a href="{href}">x</a>'))
        assert "href" not in html, (href, html)
    assert 'href="/consultations?q=a:b"' in str(
        render_markdown('<a href="/consultations?q=a:b">x</a>')
    )


def test_markup_that_would_be_stripped_is_named() -> None:
    text = "a<b and b>c, <b>bold</b>, again <b>, mail <citizen@demo.kz>"
    assert markup_removed(text) == ["<b and b>", "<b>", "</b>"]
    assert markup_removed(text, limit=5) == ["<b and b>", "<b>", "</b>", "<citizen@demo.kz>"]
    assert markup_removed("x <!-- never closed") == []  # stripped, with no <…> to name


def test_text_that_loses_no_markup_is_not_flagged() -> None:
    for text in ("a < b", "I <3 it", "5 <10", "Tax &lt; 5% & fair", "&#x6A&#x61 no tags"):
        assert markup_removed(text) is None, text
    # Real comments: not one of the Pol.is corpus is taken for markup.
    assert [text for text in polis_comments() if markup_removed(text) is not None] == []


def test_each_thread_links_with_its_own_parser() -> None:
    """html5lib's parser is not thread-safe: a Linker shared by a server's threads made a
    consultation page fail now and then, so each thread gets its own."""
    mine = sanitize._linker()
    others: list[object] = []
    thread = threading.Thread(target=lambda: others.append(sanitize._linker()))
    thread.start()
    thread.join()
    assert sanitize._linker() is mine
    [theirs] = others
    assert theirs is not mine
    html = str(render_plain_text("See https://example.org"))
    assert 'rel="nofollow ugc noopener"' in html

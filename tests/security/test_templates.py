"""Templates hold no inline script or style, so the Content-Security-Policy can forbid them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from listening_state import ROOT

TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))
# <script> tags whose attributes carry no src: their code would be inline.
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"""\sstyle\s*=\s*["'{]""", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"""<[^>]*\son[a-z]+\s*=\s*["']""", re.IGNORECASE | re.DOTALL)
JAVASCRIPT_URL = re.compile(r"""=\s*["']\s*javascript:""", re.IGNORECASE)
STATIC_SRC = re.compile(r"""src=["']\{\{\s*url_for\(\s*['"]static['"]""")


def _relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_there_are_templates_to_check() -> None:
    assert len(TEMPLATES) > 20


@pytest.mark.parametrize("path", TEMPLATES, ids=_relative)
def test_template_has_no_inline_code_or_style(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    # Template comments may mention these words; only markup counts.
    text = re.sub(r"\{#.*?#\}", "", text, flags=re.DOTALL)
    # Jinja statements and expressions have keyword arguments (a macro's `style="button"`) that
    # are not markup.
    markup = re.sub(r"\{%.*?%\}|\{\{.*?\}\}", "", text, flags=re.DOTALL)
    assert not STYLE_ATTRIBUTE.search(markup), "style= attribute"
    assert not STYLE_ELEMENT.search(markup), "<style> element"
    assert not EVENT_HANDLER.search(markup), "on...= event handler"
    assert not JAVASCRIPT_URL.search(markup), "javascript: URL"
    for match in SCRIPT_TAG.finditer(text):
        attributes = match.group(1)
        assert "src=" in attributes, f"inline <script> in {match.group(0)}"
        assert STATIC_SRC.search(match.group(0)), f"script not served from static/: {match[0]}"


def test_the_checks_catch_what_they_look_for() -> None:
    assert STYLE_ATTRIBUTE.search('<p style="color: red">')
    assert EVENT_HANDLER.search('<button type="button" onclick="go()">')
    assert JAVASCRIPT_URL.search('<a href="javascript:go()">')
    inline = SCRIPT_TAG.search("<script>alert(1)</script>")
    assert inline
    assert "src=" not in inline.group(1)
    cdn = '<script src="https://cdn.example.org/x.js"></script>'
    assert not STATIC_SRC.search(cdn)


def test_scripts_in_static_exist() -> None:
    for path in TEMPLATES:
        for name in re.findall(r"filename=['\"](js/[^'\"]+)['\"]", path.read_text("utf-8")):
            assert (ROOT / "static" / name).is_file(), f"{_relative(path)} loads missing {name}"

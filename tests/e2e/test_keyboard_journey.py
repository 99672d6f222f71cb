"""A citizen comments on a section with the keyboard alone, and can always see where focus is.

No click and no `fill`: only Tab, Shift+Tab, Enter, Space, arrow keys inside the radio group
(the standard way to choose a radio button) and typed characters. Every element that takes
focus on the way must show it (an outline or a focus ring drawn with box-shadow).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from flask import Flask
from sqlalchemy import select

from listening_state.extensions import db
from listening_state.models import Stance, Submission
from tests.e2e.conftest import OpenDraft
from tests.factories import PASSWORD, make_user
from tests.real_text import polis_comments

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

# What makes focus visible: a non-transparent outline, or a focus ring drawn with box-shadow.
FOCUS_STYLE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return {tag: 'body', visible: false};
  const s = getComputedStyle(el);
  const transparent = (c) => c === 'transparent' || /rgba\\(.*,\\s*0\\)$/.test(c);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0
    && !transparent(s.outlineColor);
  const ring = s.boxShadow !== 'none';
  const label = (el.getAttribute('aria-label') || el.textContent || el.id || '').trim();
  return {tag: el.tagName.toLowerCase(), label: label.slice(0, 60), visible: outline || ring};
}"""


@pytest.fixture
def citizen_email(app: Flask) -> str:
    email = make_user().email
    db.session.close()  # hand the connection back before the server starts using the database
    return email


def press_until_focused(page: Page, target: Locator, key: str = "Tab", limit: int = 80) -> None:
    """Press `key` until `target` has focus, checking that each focused element shows it."""
    for _ in range(limit):
        page.keyboard.press(key)
        focused = page.evaluate(FOCUS_STYLE)
        assert focused["visible"], f"focus is invisible on <{focused['tag']}> {focused['label']!r}"
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{key} x{limit} never reached {target}")


@pytest.mark.e2e
def test_citizen_comments_with_the_keyboard_only(
    app: Flask,
    browser_page: Page,
    open_drafts: dict[str, OpenDraft],
    citizen_email: str,
) -> None:
    from playwright.sync_api import expect

    page, draft = browser_page, open_drafts["en"]
    header, main = page.locator("header.site-header"), page.locator("main")
    comment = polis_comments(min_length=60)[0]

    page.goto("/")
    # The first Tab reaches the skip link, shown on focus; Enter moves focus to the content.
    skip = page.get_by_role("link", name="Skip to content")
    press_until_focused(page, skip, limit=1)
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(main).to_be_focused()

    # Back up from the content into the header to sign in.
    press_until_focused(page, header.get_by_role("link", name="Sign in"), key="Shift+Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/login$"))
    press_until_focused(page, page.locator("#email"))
    page.keyboard.type(citizen_email)
    press_until_focused(page, page.locator("#password"), limit=1)
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/$"))
    expect(header.get_by_role("button", name="Sign out")).to_be_visible()

    press_until_focused(page, main.get_by_role("link", name=draft.title, exact=True))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/consultations/\d+$"))
    label = f"Comment on this section: {draft.second_section}"
    press_until_focused(page, main.get_by_role("link", name=label, exact=True))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/comment\?section=\d+$"))

    # Tab enters the radio group on the chosen option; arrows move the choice, Space keeps it.
    press_until_focused(page, main.get_by_role("radio", checked=True))
    support = main.get_by_role("radio", name="Support", exact=True)
    for _ in range(len(Stance)):
        if support.is_checked():
            break
        page.keyboard.press("ArrowUp")
    page.keyboard.press("Space")
    expect(support).to_be_checked()
    press_until_focused(page, page.locator("#body"))
    page.keyboard.type(comment)
    press_until_focused(page, main.get_by_role("button", name="Send comment"), limit=1)
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/submissions/LS-[^/]+/confirmation$"))
    confirmation = main.locator(".confirmation")
    expect(confirmation.get_by_role("heading", level=1)).to_have_text(
        "Thank you: your comment was received"
    )
    reference = confirmation.locator("code.reference").inner_text().strip()

    stored = db.session.scalars(select(Submission).where(Submission.reference == reference)).one()
    assert stored.body == comment
    assert stored.stance is Stance.SUPPORT
    assert stored.author is not None
    assert stored.author.email == citizen_email
    assert stored.section is not None
    assert stored.section.heading == draft.second_section
    db.session.close()


@pytest.mark.e2e
def test_the_focus_check_notices_an_invisible_focus(browser_page: Page) -> None:
    """The check above can fail: a skip link stripped of its focus styles is reported."""
    page = browser_page
    page.goto("/")
    page.evaluate(
        "() => { const s = document.querySelector('.skip-link').style;"
        " s.setProperty('outline', 'none', 'important');"
        " s.setProperty('box-shadow', 'none', 'important'); }"
    )
    with pytest.raises(AssertionError, match="focus is invisible on <a> 'Skip to content'"):
        press_until_focused(page, page.get_by_role("link", name="Skip to content"), limit=1)

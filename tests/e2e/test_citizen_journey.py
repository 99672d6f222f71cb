"""A citizen's first comment, end to end in Chromium on a phone and a desktop, in English and
in Kazakh."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pytest
from flask import Flask
from flask_babel import force_locale, gettext

from tests.e2e.conftest import OpenDraft, assert_fits_the_screen

if TYPE_CHECKING:
    from playwright.sync_api import Page

# The same FLORES-200 sentence (index 247, politics) in each language, copied from
# ../shared/data/sib200/{eng_Latn,kaz_Cyrl}/train.tsv (CC BY-SA 4.0).
COMMENTS = {
    "en": (
        "These agents are responsible for providing government and judicial services under "
        "Article 247 of the Pakistani Constitution."
    ),
    "kk": (
        "Бұл агенттер Пәкістан конституциясының 247-бабына сәйкес мемлекеттік және сот "
        "қызметтерін қамтамасыз етуге жауапты."
    ),
}
LANGUAGE_BUTTONS = {"kk": "Қазақша", "ru": "Русский", "en": "English"}
REFERENCE = re.compile(r"^LS-[A-Z0-9]{4}-[A-Z0-9]{4}$")
PASSWORD = "a long enough passphrase"
# Interface strings the journey relies on; in Kazakh each must be really translated.
JOURNEY_MSGIDS = (
    "Register",
    "Send comment",
    "Support",
    "Thank you: your comment was received",
    "My submissions",
    "Comment on this section: %(heading)s",
)


def catalog(app: Flask, language: str, msgid: str, **variables: Any) -> str:
    """The text the app itself shows for msgid in that language."""
    with app.test_request_context(), force_locale(language):
        return gettext(msgid, **variables)


@pytest.mark.e2e
@pytest.mark.parametrize("language", ["en", "kk"])
def test_citizen_registers_comments_on_a_section_and_finds_it_under_my_submissions(
    app: Flask, browser_page: Page, open_drafts: dict[str, OpenDraft], language: str
) -> None:
    from playwright.sync_api import expect

    def t(msgid: str, **variables: Any) -> str:
        return catalog(app, language, msgid, **variables)

    page, draft = browser_page, open_drafts[language]
    header, main = page.locator("header.site-header"), page.locator("main")

    # The live server checks CSRF tokens, so every POST below proves its form carries one.
    assert page.request.post("/register", form={"email": "x@example.kz"}).status == 400

    page.goto("/")
    if language != "en":
        header.get_by_role("button", name=LANGUAGE_BUTTONS[language]).click()
        expect(page.locator("html")).to_have_attribute("lang", language)

    header.get_by_role("link", name=t("Register"), exact=True).click()
    page.locator("#display_name").fill("Aigerim Nurlanovna")
    page.locator("#email").fill(f"aigerim.{language}@example.kz")
    page.locator("#password").fill(PASSWORD)
    page.locator("#confirm").fill(PASSWORD)
    # The preferred language starts as the interface language, so the account keeps it.
    expect(page.locator("#language")).to_have_value(language)
    main.get_by_role("button", name=t("Register"), exact=True).click()
    expect(header.get_by_role("link", name=t("My submissions"))).to_be_visible()

    main.get_by_role("link", name=draft.title, exact=True).click()
    assert_fits_the_screen(page)
    label = t("Comment on this section: %(heading)s", heading=draft.second_section)
    main.get_by_role("link", name=label, exact=True).click()
    expect(page).to_have_url(re.compile(r"/comment\?section=\d+$"))

    main.get_by_role("radio", name=t("Support"), exact=True).check()
    body = page.locator("#body")
    body.fill(COMMENTS[language])
    # Keyboard only from here: Tab from the comment reaches the send button, Enter sends.
    body.press("Tab")
    expect(main.get_by_role("button", name=t("Send comment"))).to_be_focused()
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/submissions/LS-[^/]+/confirmation$"))
    confirmation = main.locator(".confirmation")
    expect(confirmation.get_by_role("heading", level=1)).to_have_text(
        t("Thank you: your comment was received")
    )
    reference = confirmation.locator("code.reference").inner_text().strip()
    assert REFERENCE.match(reference), f"unexpected reference code {reference!r}"

    main.get_by_role("link", name=t("My submissions"), exact=True).click()
    expect(page).to_have_url(re.compile(r"/my/submissions$"))
    row = main.locator("table.submissions-table tbody tr", has_text=reference)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(draft.second_section)
    assert_fits_the_screen(page)
    expect(main.get_by_role("heading", name=t("My submissions"), level=1)).to_be_visible()

    if language != "en":
        expect(page.locator("html")).to_have_attribute("lang", language)
        untranslated = [m for m in JOURNEY_MSGIDS if catalog(app, language, m) == m]
        assert not untranslated, (
            f"The interface is not really in {LANGUAGE_BUTTONS[language]}: the {language!r} "
            f"catalog returns these strings untranslated: {untranslated}. Translate them in "
            f"listening_state/translations/{language}/LC_MESSAGES/messages.po and run "
            "`pybabel compile -d listening_state/translations`."
        )

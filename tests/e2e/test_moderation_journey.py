"""A council member rejects a comment with a reason in Chromium; its author then sees why."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest
from flask import Flask

from listening_state.extensions import db
from listening_state.models import ModerationMode, Role
from tests.e2e.conftest import sign_in
from tests.factories import (
    make_consultation,
    make_council,
    make_ministry,
    make_submission,
    make_user,
)
from tests.real_text import POLIS_SPAM

if TYPE_CHECKING:
    from playwright.sync_api import Page


@dataclass(frozen=True)
class Case:
    member_email: str
    author_email: str
    reference: str


@pytest.fixture
def waiting_comment(app: Flask) -> Case:
    """A real spam comment waiting in a pre-moderated consultation's queue."""
    ministry = make_ministry()
    council = make_council(ministry)
    consultation = make_consultation(ministry, moderation_mode=ModerationMode.PRE)
    member = make_user(Role.COUNCIL_MEMBER, council=council)
    author = make_user()
    submission = make_submission(consultation, author, body=POLIS_SPAM)
    case = Case(member.email, author.email, submission.reference)
    db.session.close()  # hand the connection back before the server starts using the database
    return case


@pytest.mark.e2e
def test_member_rejects_with_a_reason_and_the_author_sees_it(
    waiting_comment: Case, browser_page: Page
) -> None:
    from playwright.sync_api import expect

    page, case = browser_page, waiting_comment
    main = page.locator("main")

    sign_in(page, case.member_email)
    page.locator("header.site-header").get_by_role("link", name="Moderation").click()
    item = main.locator("article.moderation-item", has_text=case.reference)
    expect(item).to_contain_text(POLIS_SPAM)
    item.get_by_label(f"Reason for rejecting {case.reference}").select_option(
        label="Spam or advertising"
    )
    item.get_by_label(f"Note for {case.reference}").fill("Advertising, not about the draft.")
    item.get_by_role("button", name="Reject").click()
    expect(page.locator(".flashes")).to_contain_text("1 comment rejected.")
    expect(main.locator("article.moderation-item", has_text=case.reference)).to_have_count(0)

    page.locator("header.site-header").get_by_role("button", name="Sign out").click()
    sign_in(page, case.author_email)
    page.locator("header.site-header").get_by_role("link", name="My submissions").click()
    main.get_by_role("link", name=case.reference).click()
    expect(page).to_have_url(re.compile(rf"/submissions/{case.reference}$"))
    expect(main).to_contain_text("Not shown publicly")
    expect(main).to_contain_text("Spam or advertising")
    expect(main).to_contain_text("Advertising, not about the draft.")
    expect(main.get_by_role("link", name="Correct and send again")).to_be_visible()

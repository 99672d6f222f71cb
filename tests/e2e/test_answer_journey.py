"""A ministry officer works the inbox in Chromium: answers a submission, which its author then
reads, or forwards one that is another ministry's competence."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest
from flask import Flask

from listening_state.extensions import db
from listening_state.models import Role
from tests.e2e.conftest import sign_in
from tests.factories import (
    make_consultation,
    make_council,
    make_ministry,
    make_routed_submission,
    make_user,
)
from tests.inbox.conftest import government_answers
from tests.real_text import polis_comments

if TYPE_CHECKING:
    from playwright.sync_api import Page


@dataclass(frozen=True)
class Case:
    code: str
    officer_email: str
    citizen_email: str
    reference: str
    answer: str


@pytest.fixture
def routed_comment(app: Flask) -> Case:
    """A real comment routed to a ministry, waiting in its inbox."""
    ministry = make_ministry()
    make_council(ministry)
    consultation = make_consultation(ministry)
    officer = make_user(Role.MINISTRY_OFFICER, ministry=ministry)
    citizen = make_user()
    submission = make_routed_submission(
        consultation, ministry, author=citizen, body=polis_comments()[0]
    )
    case = Case(
        ministry.code, officer.email, citizen.email, submission.reference, government_answers()[0]
    )
    db.session.close()  # hand the connection back before the server starts using the database
    return case


@pytest.mark.e2e
def test_officer_answers_and_the_citizen_reads_it(routed_comment: Case, browser_page: Page) -> None:
    from playwright.sync_api import expect

    page, case = browser_page, routed_comment
    main, header = page.locator("main"), page.locator("header.site-header")

    sign_in(page, case.officer_email)
    header.get_by_role("link", name="Inbox").click()
    expect(page).to_have_url(re.compile(rf"/ministries/{case.code}/inbox$"))
    item = main.locator("article.inbox-item", has_text=case.reference)
    item.get_by_role("link", name="Open").click()
    main.get_by_label("Public answer").fill(case.answer)
    main.get_by_role("button", name="Publish the answer").click()
    expect(page.locator(".flashes")).to_contain_text("The answer is published")

    header.get_by_role("button", name="Sign out").click()
    sign_in(page, case.citizen_email)
    header.get_by_role("link", name="My submissions").click()
    main.get_by_role("link", name=case.reference).click()
    expect(main.locator(".ministry-answer")).to_contain_text(case.answer[:60])
    expect(main).to_contain_text("Answered")


@dataclass(frozen=True)
class Misrouted:
    code: str
    officer_email: str
    reference: str
    competent_name: str


@pytest.fixture
def misrouted_comment(app: Flask) -> Misrouted:
    """A real comment routed to the wrong ministry; another ministry is competent."""
    ministry = make_ministry()
    make_council(ministry)
    competent = make_ministry()
    officer = make_user(Role.MINISTRY_OFFICER, ministry=ministry)
    submission = make_routed_submission(
        make_consultation(ministry), ministry, body=polis_comments()[2]
    )
    case = Misrouted(ministry.code, officer.email, submission.reference, competent.name_en)
    db.session.close()  # hand the connection back before the server starts using the database
    return case


@pytest.mark.e2e
def test_officer_forwards_a_submission_to_the_competent_ministry(
    misrouted_comment: Misrouted, browser_page: Page
) -> None:
    from playwright.sync_api import expect

    page, case = browser_page, misrouted_comment
    main, header = page.locator("main"), page.locator("header.site-header")

    sign_in(page, case.officer_email)
    header.get_by_role("link", name="Inbox").click()
    item = main.locator("article.inbox-item", has_text=case.reference)
    item.get_by_role("link", name="Open").click()
    main.get_by_role("link", name="Not your ministry's competence? Forward it").click()
    main.get_by_label("Competent ministry").select_option(label=case.competent_name)
    main.get_by_label("Why this is not your ministry's competence").fill(
        "This is the competence of another ministry."
    )
    main.get_by_role("button", name="Send to that ministry").click()
    expect(page.locator(".flashes")).to_contain_text(
        "The submission was sent to the competent ministry."
    )

    header.get_by_role("link", name="Inbox").click()
    expect(page).to_have_url(re.compile(rf"/ministries/{case.code}/inbox$"))
    expect(main.locator("article.inbox-item", has_text=case.reference)).to_have_count(0)

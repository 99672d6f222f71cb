"""An administrator sends a submission the router was unsure about to a ministry, in Chromium;
it then waits in that ministry's inbox."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest
from flask import Flask

from listening_state.extensions import db
from listening_state.models import Role
from listening_state.services import routing
from tests.e2e.conftest import sign_in
from tests.factories import (
    make_consultation,
    make_council,
    make_ministry,
    make_submission,
    make_user,
)
from tests.real_text import polis_comments

if TYPE_CHECKING:
    from playwright.sync_api import Page


@dataclass(frozen=True)
class Case:
    admin_email: str
    reference: str
    ministry_name: str


@pytest.fixture
def waiting_in_triage(app: Flask) -> Case:
    """A real comment in the triage queue (no router is active), and two ministries to pick."""
    consulting = make_ministry()
    make_council(consulting)
    competent = make_ministry()
    submission = make_submission(make_consultation(consulting), body=polis_comments()[1])
    routing.route_new_submission(submission)
    case = Case(make_user(Role.ADMIN).email, submission.reference, competent.name_en)
    db.session.close()  # hand the connection back before the server starts using the database
    return case


@pytest.mark.e2e
def test_admin_assigns_a_triaged_submission_to_a_ministry(
    waiting_in_triage: Case, browser_page: Page
) -> None:
    from playwright.sync_api import expect

    page, case = browser_page, waiting_in_triage
    header, main = page.locator("header.site-header"), page.locator("main")

    sign_in(page, case.admin_email)
    header.get_by_role("link", name="Triage").click()
    item = main.locator("article.triage-item", has_text=case.reference)
    expect(item).to_contain_text("No suggestion: the router was unavailable.")
    item.get_by_label(f"Ministry for {case.reference}").select_option(label=case.ministry_name)
    item.get_by_role("button", name="Assign", exact=True).click()
    expect(page.locator(".flashes")).to_contain_text("1 submission assigned.")
    expect(main.locator("article.triage-item", has_text=case.reference)).to_have_count(0)

    header.get_by_role("link", name="Inbox").click()
    main.get_by_role("link", name=case.ministry_name, exact=True).click()
    expect(main.locator("article.inbox-item", has_text=case.reference)).to_have_count(1)

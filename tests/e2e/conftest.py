"""Browser fixtures: the real app on a local port, and a page in Debian's Chromium.

Every test that asks for `browser_page` runs twice, on a phone (360 px) and on a desktop screen.
One Chromium serves the whole package; each test gets its own context (cookies, storage).
In CI (CI=true) the browser tests are required: a missing Chromium or Playwright fails them
instead of skipping them, so a broken image cannot pass quietly.
"""

from __future__ import annotations

import importlib.util
import os
import re
import threading
from collections.abc import Generator, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from flask import Flask
from werkzeug.serving import make_server

from listening_state.demo.drafts import DEMO_DRAFTS
from listening_state.extensions import db
from tests.conftest import make_app
from tests.factories import PASSWORD, make_consultation, make_council, make_ministry

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
    from playwright.sync_api import Browser, Page

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
# Overridable for a developer whose Chromium lives elsewhere; CI uses Debian's package.
CHROMIUM = Path(os.environ.get("LISTENING_STATE_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 360, "height": 800}
DESKTOP = {"width": 1280, "height": 900}
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}

_reports = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep each phase's report on the item so fixtures can tell whether the test failed."""
    report = yield
    item.stash.setdefault(_reports, {})[report.when] = report
    return report


@dataclass(frozen=True)
class OpenDraft:
    """What the journey needs to know about a seeded consultation, as plain values."""

    title: str
    second_section: str


@pytest.fixture
def open_drafts(app: Flask) -> dict[str, OpenDraft]:
    """One open consultation per interface language, with the app's real multi-section drafts.

    Made through the services in the `app` fixture's context, so its teardown deletes them.
    """
    ministry = make_ministry()
    make_council(ministry)
    seeded = {}
    for language in ("en", "kk"):
        draft = next(d for d in DEMO_DRAFTS if d.language == language)
        consultation = make_consultation(
            ministry, title=draft.title, draft=draft.markdown, language=draft.language
        )
        assert len(consultation.sections) > 2, "the journey needs a multi-section draft"
        seeded[language] = OpenDraft(consultation.title, consultation.sections[1].heading)
    db.session.close()  # hand the connection back before the server starts using the database
    return seeded


@pytest.fixture
def live_server(
    app: Flask, _schema: str, open_drafts: dict[str, OpenDraft], tmp_path: Path
) -> Iterator[str]:
    """The real app, CSRF on, served on 127.0.0.1 from a background thread; yields its URL.

    It depends on `app` so the rows it writes are deleted by that fixture's teardown.
    """
    with serve(make_app(_schema, tmp_path, WTF_CSRF_ENABLED=True)) as url:
        yield url


def _read_and_closed(app: WSGIApplication) -> WSGIApplication:
    """`app` with each response read whole and closed before the server sends it.

    Werkzeug's development server skips the response's close() when the client drops the
    connection mid-send, as Chromium does when it leaves a page still loading a script; the
    open static file then surfaces as a ResourceWarning in whichever test runs next.
    """

    def wsgi(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        response = app(environ, start_response)
        try:
            return [b"".join(response)]
        finally:
            close = getattr(response, "close", None)
            if close is not None:
                close()

    return wsgi


@contextmanager
def serve(live_app: Flask) -> Iterator[str]:
    """Serve `live_app` on a free local port for the duration of the block; yields its URL."""
    # Threaded, because Chromium opens speculative connections a single thread would wait on.
    server = make_server("127.0.0.1", 0, _read_and_closed(live_app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with live_app.app_context():
            db.session.remove()
            db.engine.dispose()


def _require_browser() -> None:
    problems = []
    if importlib.util.find_spec("playwright") is None:
        problems.append("the 'playwright' package is missing (make installs requirements/dev.lock)")
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        problems.append(f"{CHROMIUM} is missing (apt-get install chromium)")
    if not problems:
        return
    reason = "browser test cannot run: " + "; ".join(problems)
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}. CI=true, so the browser test is required.", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="package")
def chromium() -> Iterator[Browser]:
    """One Chromium for every browser test of the package: launching it costs about a second."""
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request: pytest.FixtureRequest) -> str:
    """The screen a browser test runs on: "phone" (360 x 800) or "desktop" (1280 x 900)."""
    return str(request.param)


@contextmanager
def open_page(
    request: pytest.FixtureRequest, browser: Browser, base_url: str, viewport: str
) -> Iterator[Page]:
    """A page in a fresh context; keeps a screenshot and the HTML if the test failed."""
    context = browser.new_context(base_url=base_url, viewport=VIEWPORTS[viewport], locale="en-US")
    context.set_default_timeout(10_000)
    # The test id names the artefacts; it holds the width unless the test chose one itself.
    name = request.node.name if viewport in request.node.name else f"{request.node.name}-{viewport}"
    try:
        page = context.new_page()
        try:
            yield page
        except Exception:  # failed inside a `with open_page(...)` block in the test body
            save_artifacts(page, name)
            raise
        reports = request.node.stash.get(_reports, {})
        if any(r.failed for r in reports.values()):  # failed in a test using `browser_page`
            save_artifacts(page, name)
    finally:
        # Closed before the server stops, so no keep-alive connection holds a server thread.
        context.close()


def sign_in(page: Page, email: str) -> None:
    """Sign in through the login form with the factories' password; returns once the header
    offers "Sign out", so a failed sign-in fails here rather than at the next step."""
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Sign in").click()
    page.locator("header.site-header").get_by_role("button", name="Sign out").wait_for()


@pytest.fixture
def browser_page(
    request: pytest.FixtureRequest, live_server: str, chromium: Browser, viewport: str
) -> Iterator[Page]:
    """A fresh page of `viewport` size on the live server; artefacts are kept on failure."""
    with open_page(request, chromium, live_server, viewport) as page:
        yield page


def too_wide(page: Page) -> str | None:
    """Why the page scrolls sideways (wider than the screen: 360 px on a phone), or None."""
    screen = page.viewport_size
    assert screen is not None
    width = page.evaluate("document.documentElement.scrollWidth")
    if width <= screen["width"]:
        return None
    return f"{page.url} is {width} px wide on a {screen['width']} px screen"


def assert_fits_the_screen(page: Page) -> None:
    problem = too_wide(page)
    assert problem is None, problem


def save_artifacts(page: Page, name: str) -> None:
    """A full-page screenshot and the HTML under test-artifacts/, named after the test id
    (which holds the database and the width, e.g. `test_x[sqlite-phone]`)."""
    ARTIFACTS.mkdir(exist_ok=True)
    stem = ARTIFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", name)
    page.screenshot(path=f"{stem}.png", full_page=True)
    Path(f"{stem}.html").write_text(page.content(), encoding="utf-8")

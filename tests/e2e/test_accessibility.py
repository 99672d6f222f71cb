"""axe-core in Chromium on every main page of every role, on a phone and on a desktop screen.

A page passes when axe finds no violation of impact "serious" or "critical" and it is no wider
than the screen (a table may scroll inside its own box, the page may not). axe is the copy
vendored in static/vendor/axe-core (see its README); it is evaluated through the DevTools
protocol (`page.evaluate`), which the site's Content-Security-Policy does not apply to, so the
pages are audited under their real policy (no `bypass_csp`) and the site never serves axe itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

from tests.conftest import _reset, make_app
from tests.e2e.conftest import (
    PROJECT_ROOT,
    open_page,
    save_artifacts,
    serve,
    sign_in,
    too_wide,
)
from tests.e2e.site import ROLES, Site, seed_site
from tests.factories import restart_real_comments

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

AXE = PROJECT_ROOT / "static" / "vendor" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")
# Rule id, impact, help, and the selectors of the offending nodes, for serious/critical only.
RUN_AXE = """async (blocking) => {
  const results = await axe.run(document, {resultTypes: ['violations']});
  return results.violations
    .filter((v) => blocking.includes(v.impact))
    .map((v) => ({
      id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({target: n.target.join(' '), summary: n.failureSummary})),
    }));
}"""


@pytest.fixture(scope="module")
def a11y_site(_schema: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Site]]:
    """One seeded site and one live server for the whole module; its rows are deleted after."""
    tmp = tmp_path_factory.mktemp("a11y")
    seeding_app = make_app(_schema, tmp)
    restart_real_comments()
    with seeding_app.app_context():
        site = seed_site()
    try:
        with serve(make_app(_schema, tmp, WTF_CSRF_ENABLED=True)) as url:
            yield url, site
    finally:
        _reset(seeding_app)


@cache
def axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def audit(page: Page, path: str) -> list[dict[str, Any]]:
    """Open `path` (it must render itself, not redirect) and return its blocking violations."""
    response = page.goto(path)
    assert response is not None
    expected = 404 if path == "/no-such-page" else 200
    assert response.status == expected, f"{path} answered {response.status}"
    landed = urlsplit(page.url)
    assert landed.path == urlsplit(path).path, f"{path} redirected to {page.url}"
    page.evaluate(axe_source())
    violations: list[dict[str, Any]] = page.evaluate(RUN_AXE, list(BLOCKING))
    return violations


def describe(path: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"{path}:"]
    for v in violations:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        lines.extend(f"      {node['target']}" for node in v["nodes"][:10])
        if len(v["nodes"]) > 10:
            lines.append(f"      ... and {len(v['nodes']) - 10} more")
    return "\n".join(lines)


@pytest.mark.e2e
@pytest.mark.parametrize("role", ROLES)
def test_main_pages_pass_axe_and_fit_the_screen(
    request: pytest.FixtureRequest,
    a11y_site: tuple[str, Site],
    chromium: Browser,
    viewport: str,
    role: str,
) -> None:
    url, site = a11y_site
    with open_page(request, chromium, url, viewport) as page:
        if role != "anonymous":
            sign_in(page, site.emails[role])
        failures = []
        for path in site.pages[role]:
            violations = audit(page, path)
            problems = [describe(path, violations)] if violations else []
            if wide := too_wide(page):  # sideways scrolling hides content on a phone
                problems.append(wide)
            if problems:
                failures.extend(problems)
                slug = re.sub(r"[^A-Za-z0-9]+", "_", path).strip("_") or "home"
                save_artifacts(page, f"{request.node.name}-{slug}")
        assert not failures, (
            f"serious or critical axe violations, or sideways scrolling, for {role} on "
            f"{viewport}:\n" + "\n".join(failures)
        )


@pytest.mark.e2e
def test_the_audit_catches_a_serious_violation(
    a11y_site: tuple[str, Site], chromium: Browser, request: pytest.FixtureRequest
) -> None:
    """The sweep can fail: an image without a text alternative is reported as critical."""
    url, _ = a11y_site
    with open_page(request, chromium, url, "phone") as page:
        audit(page, "/")
        page.evaluate(
            "() => { const img = document.createElement('img');"
            " img.src = '/static/img/favicon.svg'; document.querySelector('main').append(img); }"
        )
        violations = page.evaluate(RUN_AXE, list(BLOCKING))
    assert [v["id"] for v in violations] == ["image-alt"]


def test_axe_is_the_vendored_release() -> None:
    """The vendored file is the release its README names, with its licence beside it."""
    folder = AXE.parent
    version = re.search(r"axe v(\d+\.\d+\.\d+)", AXE.read_text(encoding="utf-8")[:200])
    assert version is not None
    assert f"axe-core {version.group(1)}" in (folder / "README.md").read_text(encoding="utf-8")
    assert "Mozilla Public License" in Path(folder / "LICENSE").read_text(encoding="utf-8")

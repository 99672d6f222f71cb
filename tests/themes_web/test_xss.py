"""XSS payloads as theme labels, keywords and quoted comments are shown as text, never markup.

Labels and keywords are words of citizens' comments, so they are user content like the quotes.
The pages are scanned with the scanner of tests/web/test_xss.py; the only <svg> elements
allowed are the charts the templates draw.
"""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from listening_state.extensions import db
from listening_state.sanitize import clean_line, clean_plain_text
from listening_state.services import theme_publication
from tests.factories import login
from tests.themes_web.conftest import Heard
from tests.web.test_xss import PAYLOADS, scan, squash

# A payload (escaped) can never start a tag, so a tag that starts exactly so is the template's.
CHART = re.compile(
    r"^line \d+: <svg> element: '<svg class=\"(line-chart|bar-chart size-bars|sparkline)\" "
)


def _problems(page: str, shows: list[str]) -> list[str]:
    scanner = scan(page)
    problems = [p for p in scanner.problems if not CHART.match(p)]
    visible = squash("".join(scanner.text))
    return problems + [f"not shown: {text!r}" for text in shows if squash(text) not in visible]


def test_payloads_in_labels_keywords_and_quotes_are_escaped(
    client: FlaskClient, heard: Heard
) -> None:
    themes = heard.build.themes
    quoted = [s for s in heard.submissions if s not in (heard.spam, heard.hidden)]
    payloads = [p for p in PAYLOADS if "\x00" not in p]  # NUL is refused before any page
    theme_publication.publish_build(actor=heard.officer, build=heard.build)
    login(client, heard.officer)
    failures: list[str] = []
    for start in range(0, len(payloads), len(themes)):
        batch = payloads[start : start + len(themes)]
        labels = []
        for theme, payload, submission in zip(themes, batch, quoted, strict=False):
            theme.label = clean_line(payload)[:300] or "-"
            theme.keywords = [payload]
            submission.body = clean_plain_text(payload) or "-"
            theme.quote_ids = [submission.id]
            labels.append(theme.label)
        db.session.commit()
        base = f"/consultations/{heard.consultation.id}"
        pages = {
            "dashboard": client.get(f"{base}/themes"),
            "theme page": client.get(f"{base}/themes/{themes[0].id}"),
            "public page": client.get(base),
        }
        for name, response in pages.items():
            assert response.status_code == 200, name
            shows = labels if name != "theme page" else labels[:1]
            failures += [
                f"payloads {start}+ on the {name}: {problem}"
                for problem in _problems(response.get_data(as_text=True), shows)
            ]
    assert not failures, "\n".join(failures[:30])

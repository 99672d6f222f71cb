"""The report's page and printable view: figures readable as text, the print stylesheet, and
report text that is never served as markup."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from listening_state.extensions import db
from listening_state.models import ReportOutcome, Stance
from listening_state.services import reports
from listening_state.services.reports import ReportInput, SectionInput
from tests.inbox.conftest import government_answers
from tests.reports.conftest import Cast, close, comment
from tests.web.test_xss import PAYLOADS, scan


def _published(cast: Cast, data: ReportInput) -> None:
    close(cast.consultation)
    report = reports.prepare_report(actor=cast.officer, consultation=cast.consultation)
    reports.update_report(actor=cast.officer, report=report, data=data)
    reports.publish_report(actor=cast.officer, report=report)


def _rows(page: str) -> list[str]:
    """Each table row of the page as its visible text, whitespace squashed."""
    return [
        " ".join(re.sub(r"<[^>]+>", " ", row).split())
        for row in re.findall(r"<tr>(.*?)</tr>", page, re.DOTALL)
    ]


def test_report_page_shows_figures_as_text_beside_each_bar(client: FlaskClient, cast: Cast) -> None:
    for stance in (Stance.SUPPORT, Stance.SUPPORT, Stance.SUPPORT, Stance.OPPOSE):
        comment(cast.consultation, stance, 0)
    first = cast.consultation.sections[0]
    explanation = government_answers()[1]
    _published(
        cast,
        ReportInput(
            outcome=ReportOutcome.PARTLY_CHANGED,
            explanation=government_answers()[0],
            sections=[
                SectionInput(
                    section_id=first.id,
                    heard=government_answers()[2],
                    outcome=ReportOutcome.NOT_CHANGED,
                    explanation=explanation,
                )
            ],
        ),
    )
    page = client.get(f"/consultations/{cast.consultation.id}/report").get_data(as_text=True)
    assert "Support 3 75%" in _rows(page)
    assert "Oppose 1 25%" in _rows(page)
    assert 'class="bar-fill bar-75"' in page
    assert 'aria-hidden="true"' in page  # the bar; the numbers are read out instead
    assert f"Comments on “{first.heading}”, by position" in page
    second = cast.consultation.sections[1].heading
    assert f"Comments on “{second}”, by position:</strong> no published comments." in page
    assert "The draft was partly changed" in page
    assert "The draft was not changed" in page
    assert explanation in page
    assert "Report published" in page
    assert "Last corrected" not in page
    assert cast.ministry.name_en in page
    assert f'href="/consultations/{cast.consultation.id}/report/print"' in page
    assert 'href="/static/css/print.css" media="print"' in page


def test_print_view_links_the_print_stylesheet_without_site_navigation(
    client: FlaskClient, cast: Cast
) -> None:
    _published(cast, ReportInput(outcome=ReportOutcome.CHANGED))
    response = client.get(f"/consultations/{cast.consultation.id}/report/print")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<link rel="stylesheet" href="/static/css/print.css" media="print">' in page
    assert 'class="main-nav"' not in page
    # On paper the reader needs the full address of the report.
    assert (
        f'<span class="url">http://localhost/consultations/{cast.consultation.id}/report<' in page
    )


def test_print_stylesheet_hides_navigation_keeps_sections_whole_and_shows_addresses(
    client: FlaskClient,
) -> None:
    response = client.get("/static/css/print.css")
    css = response.get_data(as_text=True)
    response.close()  # static files are streamed from an open file
    assert re.search(r"\.main-nav[^{]*\{ display: none", css.replace("\n", " "))
    assert ".site-footer" in css
    assert re.search(r"\.report-part[^{]*\{[^}]*break-inside: avoid", css)
    assert 'content: " (" attr(href) ")"' in css


# A spread of the corpus: script tags, event handlers, javascript: links, SVG and Markdown tricks.
SAMPLE = PAYLOADS[::12]


@pytest.mark.parametrize("payload", SAMPLE, ids=[f"p{i * 12:03d}" for i in range(len(SAMPLE))])
def test_report_text_is_never_served_as_markup(
    client: FlaskClient, cast: Cast, payload: str
) -> None:
    comment(cast.consultation, Stance.MIXED)
    first = cast.consultation.sections[0].id
    _published(
        cast,
        ReportInput(
            summary=f"Summary {payload}",
            outcome=ReportOutcome.NOT_CHANGED,
            explanation=f"Because {payload}",
            sections=[SectionInput(section_id=first, heard=f"Heard {payload}")],
        ),
    )
    report = reports.published_report(cast.consultation)
    assert report is not None
    assert "<script" not in report.summary.lower()
    for path in ("", "/report", "/report/print"):
        page = client.get(f"/consultations/{cast.consultation.id}{path}").get_data(as_text=True)
        assert scan(page).problems == [], path
    db.session.expire_all()


def test_markup_in_report_text_is_stripped_but_its_words_are_kept(
    client: FlaskClient, cast: Cast
) -> None:
    _published(
        cast,
        ReportInput(
            summary="<b>Most</b> people asked for <script>alert(1)</script>longer deadlines.",
            outcome=ReportOutcome.CHANGED,
        ),
    )
    report = reports.published_report(cast.consultation)
    assert report is not None
    assert report.summary == "Most people asked for alert(1)longer deadlines."
    page = client.get(f"/consultations/{cast.consultation.id}/report").get_data(as_text=True)
    assert "Most people asked for alert(1)longer deadlines." in page
    assert "<script>alert" not in page

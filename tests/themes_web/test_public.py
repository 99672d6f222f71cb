"""The public reads a closed consultation's themes once the ministry publishes them: counted
over published comments, quoting published comments with personal data masked."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient

from listening_state.authz import SYSTEM
from listening_state.extensions import db
from listening_state.models import ReportOutcome, Visibility
from listening_state.models.base import utcnow
from listening_state.services import reports, theme_publication
from listening_state.services.reports import ReportInput
from tests.factories import login
from tests.themes_web.conftest import PHONE, Heard
from tests.themes_web.helpers import member_rows

HEADING = "What we heard: the themes of the comments"


def _publish(heard: Heard) -> None:
    theme_publication.publish_build(actor=heard.officer, build=heard.build)


def test_themes_are_not_public_until_the_ministry_publishes_them(
    client: FlaskClient, heard: Heard
) -> None:
    page = f"/consultations/{heard.consultation.id}"
    assert HEADING not in client.get(page).get_data(as_text=True)
    assert theme_publication.public_themes(heard.consultation) is None
    _publish(heard)
    shown = client.get(page).get_data(as_text=True)
    assert HEADING in shown
    assert heard.build.themes[0].label in shown


def test_public_counts_are_published_comments_only(client: FlaskClient, heard: Heard) -> None:
    _publish(heard)
    expected: dict[int | None, int] = {}
    for theme_id, _, submission in member_rows(heard.build):
        if submission.visibility is Visibility.PUBLISHED:
            expected[theme_id] = expected.get(theme_id, 0) + 1
    public = theme_publication.public_themes(heard.consultation)
    assert public is not None
    assert {shown.theme.id: shown.count for shown in public.themes} == {
        theme_id: count for theme_id, count in expected.items() if theme_id is not None
    }
    assert public.other == expected.get(None, 0)
    assert public.total == len(heard.submissions) - 2  # spam and the rejected comment
    assert [shown.count for shown in public.themes] == sorted(
        (shown.count for shown in public.themes), reverse=True
    )


def test_public_quotes_are_published_and_masked(client: FlaskClient, heard: Heard) -> None:
    theme = heard.build.themes[0]
    theme.quote_ids = [heard.hidden.id, heard.phone.id, heard.spam.id]
    db.session.commit()
    _publish(heard)
    page = client.get(f"/consultations/{heard.consultation.id}").get_data(as_text=True)
    block = page[page.index(HEADING) :]
    assert heard.phone.reference in block
    assert "[phone removed]" in block
    assert PHONE not in page
    assert heard.hidden.reference not in block
    assert heard.spam.reference not in block


def test_themes_of_an_open_consultation_stay_private(client: FlaskClient, heard: Heard) -> None:
    _publish(heard)
    heard.consultation.closes_at = utcnow() + timedelta(days=3)
    db.session.commit()
    assert HEADING not in client.get(f"/consultations/{heard.consultation.id}").get_data(
        as_text=True
    )


def test_the_report_shows_the_same_published_themes(client: FlaskClient, heard: Heard) -> None:
    _publish(heard)
    report = reports.prepare_report(actor=SYSTEM, consultation=heard.consultation)
    reports.update_report(
        actor=SYSTEM, report=report, data=ReportInput(outcome=ReportOutcome.CHANGED)
    )
    reports.publish_report(actor=SYSTEM, report=report)
    page = client.get(f"/consultations/{heard.consultation.id}/report").get_data(as_text=True)
    assert HEADING in page
    public = theme_publication.public_themes(heard.consultation)
    assert public is not None
    for shown in public.themes:
        assert shown.theme.label in page
    printable = client.get(f"/consultations/{heard.consultation.id}/report/print")
    assert HEADING in printable.get_data(as_text=True)


def test_the_dashboard_is_linked_for_those_who_read_it(client: FlaskClient, heard: Heard) -> None:
    link = f'href="/consultations/{heard.consultation.id}/themes"'
    page = f"/consultations/{heard.consultation.id}"
    assert link not in client.get(page).get_data(as_text=True)
    login(client, heard.member)
    assert link in client.get(page).get_data(as_text=True)
    council = client.get(f"/councils/{heard.council.id}").get_data(as_text=True)
    assert link in council
    assert f'href="/ministries/{heard.ministry.code}/themes"' in council

"""The exports hold what the dashboard counts; the inbox filters by a theme."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from listening_state.authz import SYSTEM
from listening_state.models import Stance, SubmissionStatus
from listening_state.services import routing, spreadsheets, theme_dashboard, theme_views
from listening_state.services.theme_views import ThemeFilter
from tests.factories import login
from tests.served import served_get
from tests.themes_web.conftest import PHONE, Heard
from tests.themes_web.helpers import member_rows


def _dashboard_counts(heard: Heard, filters: ThemeFilter) -> Counter[str]:
    scope = theme_views.consultation_scope(actor=heard.admin, consultation_id=heard.consultation.id)
    shown = theme_dashboard.dashboard(actor=heard.admin, scope=scope, filters=filters)
    assert shown is not None
    counts = Counter({c.theme.label: c.count for c in shown.themes if c.count and c.theme})
    if shown.other.count:
        counts["other"] = shown.other.count
    return counts


def test_csv_has_a_row_per_counted_submission(client: FlaskClient, heard: Heard) -> None:
    login(client, heard.officer)
    response = client.get(
        f"/consultations/{heard.consultation.id}/themes.csv", query_string={"stance": "oppose"}
    )
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert Counter(row["theme"] for row in rows) == _dashboard_counts(
        heard, ThemeFilter(stance=Stance.OPPOSE)
    )
    assert {row["stance"] for row in rows} == {"oppose"}
    expected = {
        s.reference: (str(theme_id or ""), str(campaign_id or ""))
        for theme_id, campaign_id, s in member_rows(heard.build)
        if s.stance is Stance.OPPOSE and not s.is_spam
    }
    assert {row["reference"]: (row["theme_id"], row["campaign_id"]) for row in rows} == expected


@pytest.mark.parametrize("role", ["officer", "member", "admin"])
def test_csv_streams_after_the_request_has_closed_its_session(
    app: Flask, heard: Heard, role: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small chunks, so that most of the file is written while a server sends it.
    monkeypatch.setattr(spreadsheets, "CSV_CHUNK_CHARS", 500)
    user = {"officer": heard.officer, "member": heard.member, "admin": heard.admin}[role]
    response = served_get(app, user, f"/consultations/{heard.consultation.id}/themes.csv")
    assert response.status_code == 200
    rows = csv.DictReader(io.StringIO(response.get_data(as_text=True)))
    expected = [s.reference for _, _, s in member_rows(heard.build) if not s.is_spam]
    assert sorted(row["reference"] for row in rows) == sorted(expected)


def test_xlsx_holds_the_same_rows_with_the_original_text_for_the_ministry(
    client: FlaskClient, heard: Heard
) -> None:
    login(client, heard.officer)
    response = client.get(f"/consultations/{heard.consultation.id}/themes.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data), read_only=True).active
    assert sheet is not None
    header, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert header[:4] == ["reference", "received_at", "theme_id", "theme"]
    assert Counter(row[3] for row in rows) == _dashboard_counts(heard, ThemeFilter())
    texts = {row[0]: row[-1] for row in rows}
    assert PHONE in texts[heard.phone.reference]  # the ministry reads what was sent
    assert heard.spam.reference not in texts


def test_the_inbox_filters_by_theme(client: FlaskClient, heard: Heard) -> None:
    for submission in heard.submissions:
        routing.route_new_submission(submission)
    waiting = [s for s in heard.submissions if s.status is SubmissionStatus.NEEDS_TRIAGE]
    routing.assign_from_triage(actor=SYSTEM, submissions=waiting, ministry=heard.ministry)
    rows = member_rows(heard.build)
    theme = max(heard.build.themes, key=lambda t: sum(1 for m, _, _ in rows if m == t.id))
    expected = {s.reference for m, _, s in rows if m == theme.id and not s.is_spam}
    login(client, heard.officer)
    dashboard_theme = client.get(f"/consultations/{heard.consultation.id}/themes/{theme.id}")
    link = re.search(
        r'href="(/ministries/[^"]+/inbox\?[^"]+)"', dashboard_theme.get_data(as_text=True)
    )
    assert link is not None
    inbox = client.get(link.group(1).replace("&amp;", "&"))
    assert inbox.status_code == 200
    listed = set(re.findall(r"<code>(LS-[A-Z0-9-]+)</code>", inbox.get_data(as_text=True)))
    assert listed == expected
    unknown = client.get(f"/ministries/{heard.ministry.code}/inbox", query_string={"theme": 999999})
    assert unknown.status_code == 400

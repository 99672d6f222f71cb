"""Filters, Kazakh search, deadlines and counts, and the CSV/XLSX exports of the same list."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from functools import partial

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from listening_state.models import Stance
from listening_state.services import answers, deadlines, inbox, inbox_export, spreadsheets
from listening_state.services.calendar import working_calendar
from tests.factories import KAZAKH_SENTENCE, login, make_consultation, make_routed_submission
from tests.inbox.conftest import Cast, government_answers
from tests.real_text import polis_comments
from tests.served import served_get


def _page(client: FlaskClient, cast: Cast, **args: object) -> str:
    response = client.get(f"/ministries/{cast.ministry.code}/inbox", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_kazakh_search_ignores_case(client: FlaskClient, cast: Cast) -> None:
    kazakh = make_routed_submission(cast.consultation, cast.ministry, body=KAZAKH_SENTENCE)
    english = make_routed_submission(cast.consultation, cast.ministry, body=polis_comments()[0])
    login(client, cast.officer)
    for query in ("теңізбен", "ТЕҢІЗБЕН", "Қара теңізбен", "қара", "түркия"):
        page = _page(client, cast, q=query)
        assert kazakh.reference in page, query
        assert english.reference not in page, query
    assert kazakh.reference not in _page(client, cast, q="100%")


def test_filters_narrow_the_list(client: FlaskClient, cast: Cast) -> None:
    other_consultation = make_consultation(cast.ministry, title="Another draft")
    a = make_routed_submission(
        cast.consultation, cast.ministry, stance=Stance.OPPOSE, section_index=1, confidence=0.9
    )
    b = make_routed_submission(other_consultation, cast.ministry, confidence=0.4)
    login(client, cast.officer)
    assert b.reference not in _page(client, cast, consultation=cast.consultation.id)
    page = _page(client, cast, section=cast.consultation.sections[1].id)
    assert a.reference in page
    assert b.reference not in page
    page = _page(client, cast, stance="oppose")
    assert a.reference in page
    assert b.reference not in page
    page = _page(client, cast, min_confidence=50, max_confidence=100)
    assert a.reference in page
    assert b.reference not in page
    inbox.start_review(actor=cast.officer, submission=b)
    page = _page(client, cast, status="in_review")
    assert b.reference in page
    assert a.reference not in page


def test_sorting(client: FlaskClient, cast: Cast) -> None:
    today = deadlines.today()
    first = make_routed_submission(cast.consultation, cast.ministry, due_on=today + timedelta(9))
    second = make_routed_submission(cast.consultation, cast.ministry, due_on=today + timedelta(2))
    login(client, cast.officer)
    oldest = _page(client, cast, sort="oldest")
    assert oldest.index(first.reference) < oldest.index(second.reference)
    newest = _page(client, cast, sort="newest")
    assert newest.index(second.reference) < newest.index(first.reference)
    due = _page(client, cast, sort="due")
    assert due.index(second.reference) < due.index(first.reference)


def test_overdue_and_due_soon_are_flagged_and_counted(client: FlaskClient, cast: Cast) -> None:
    today = deadlines.today()
    working = working_calendar()  # due soon: within three working days
    late = make_routed_submission(cast.consultation, cast.ministry, due_on=today - timedelta(1))
    soon_on, later_on = working.add_working_days(today, 3), working.add_working_days(today, 4)
    soon = make_routed_submission(cast.consultation, cast.ministry, due_on=soon_on)
    later = make_routed_submission(cast.consultation, cast.ministry, due_on=later_on)
    done = make_routed_submission(cast.consultation, cast.ministry, due_on=today - timedelta(5))
    answers.answer_submissions(actor=cast.officer, submissions=[done], body=government_answers()[0])
    assert inbox.counts(cast.ministry, today) == {
        "open": 3,
        "overdue": 1,
        "due_soon": 1,
        "answered": 1,
    }
    login(client, cast.officer)
    page = _page(client, cast)
    assert f'class="inbox-item is-overdue" id="item-{late.id}"' in page
    assert f'class="inbox-item is-due-soon" id="item-{soon.id}"' in page
    assert f'class="inbox-item" id="item-{later.id}"' in page
    only_late = _page(client, cast, overdue="y")
    assert late.reference in only_late
    assert done.reference not in only_late
    assert soon.reference not in only_late
    only_soon = _page(client, cast, due_soon="y")
    assert soon.reference in only_soon
    assert later.reference not in only_soon


def test_exports_hold_what_the_page_shows(client: FlaskClient, cast: Cast) -> None:
    kazakh = make_routed_submission(
        cast.consultation, cast.ministry, body=KAZAKH_SENTENCE, section_index=0, confidence=0.8
    )
    make_routed_submission(cast.consultation, cast.ministry, body=polis_comments()[0])
    formula = make_routed_submission(
        cast.consultation, cast.ministry, body='=HYPERLINK("http://x.example") теңізбен'
    )
    answers.answer_submissions(
        actor=cast.officer, submissions=[kazakh], body=government_answers()[1]
    )
    login(client, cast.officer)
    shown = _page(client, cast, q="теңізбен")
    assert kazakh.reference in shown
    assert formula.reference in shown
    code = cast.ministry.code
    response = client.get(f"/ministries/{code}/inbox.csv", query_string={"q": "теңізбен"})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert {r["reference"] for r in rows} == {kazakh.reference, formula.reference}
    row = next(r for r in rows if r["reference"] == kazakh.reference)
    assert row["submission_text"] == KAZAKH_SENTENCE
    assert row["answer"] == government_answers()[1]
    assert row["status"] == "answered"
    assert row["router_confidence"] == "0.8"
    assert row["section"] == cast.consultation.sections[0].heading
    unsafe = next(r for r in rows if r["reference"] == formula.reference)
    assert unsafe["submission_text"].startswith("'=")

    response = client.get(f"/ministries/{code}/inbox.xlsx", query_string={"q": "теңізбен"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data), read_only=True).active
    values = list(sheet.iter_rows(values_only=True))
    header = values[0]
    by_ref = {r[0]: dict(zip(header, r, strict=False)) for r in values[1:]}
    assert set(by_ref) == {kazakh.reference, formula.reference}
    assert by_ref[kazakh.reference]["submission_text"] == KAZAKH_SENTENCE
    assert by_ref[kazakh.reference]["router_confidence"] == 0.8
    assert str(by_ref[formula.reference]["submission_text"]).startswith("'=")


def test_csv_streams_after_the_request_has_closed_its_session(
    app: Flask, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Batches of two rows and small chunks, so that most batches are fetched while a server
    # sends the file, after the request is over.
    monkeypatch.setattr(inbox_export, "export_csv", partial(inbox_export.export_csv, batch=2))
    monkeypatch.setattr(spreadsheets, "CSV_CHUNK_CHARS", 500)
    sent = [make_routed_submission(cast.consultation, cast.ministry) for _ in range(9)]
    response = served_get(app, cast.officer, f"/ministries/{cast.ministry.code}/inbox.csv")
    assert response.status_code == 200
    rows = csv.DictReader(io.StringIO(response.get_data(as_text=True)))
    assert [row["reference"] for row in rows] == [s.reference for s in sent]


def test_exports_refuse_another_ministrys_officer(client: FlaskClient, cast: Cast) -> None:
    make_routed_submission(cast.consultation, cast.ministry)
    login(client, cast.other_officer)
    assert client.get(f"/ministries/{cast.ministry.code}/inbox.csv").status_code == 403
    assert client.get(f"/ministries/{cast.ministry.code}/inbox.xlsx").status_code == 403

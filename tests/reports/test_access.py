"""Who may write a report (the consultation's ministry and administrators) and who may read it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from listening_state.extensions import db
from listening_state.models import ConsultationReport, ConsultationStatus, ReportOutcome, User
from listening_state.services import reports
from listening_state.services.errors import PermissionDenied
from listening_state.services.reports import ReportInput
from tests.factories import login
from tests.inbox.conftest import government_answers
from tests.reports.conftest import Cast, closed_report, form_data


def _complete(cast: Cast) -> ConsultationReport:
    report = closed_report(cast)
    data = ReportInput(summary=government_answers()[0], outcome=ReportOutcome.CHANGED)
    reports.update_report(actor=cast.officer, report=report, data=data)
    return report


@pytest.mark.parametrize("role", ["other_officer", "citizen", "member"])
def test_others_get_403_on_edit_publish_and_withdraw(
    client: FlaskClient, cast: Cast, role: str
) -> None:
    report = _complete(cast)
    user: User = getattr(cast, role)
    login(client, user)
    base = f"/consultations/{cast.consultation.id}/report"
    assert client.get(f"{base}/edit").status_code == 403
    assert client.post(f"{base}/edit", data=form_data(report, publish="1")).status_code == 403
    assert client.post(f"{base}/withdraw", data={"reason": "No reason at all"}).status_code == 403
    db.session.expire_all()
    assert report.published_at is None


@pytest.mark.parametrize("role", ["other_officer", "citizen", "member"])
def test_the_service_refuses_others_whatever_the_page(cast: Cast, role: str) -> None:
    report = _complete(cast)
    actor: User = getattr(cast, role)
    attempts: list[Callable[[], object]] = [
        lambda: reports.prepare_report(actor=actor, consultation=cast.consultation),
        lambda: reports.update_report(actor=actor, report=report, data=ReportInput()),
        lambda: reports.publish_report(actor=actor, report=report),
        lambda: reports.withdraw_report(actor=actor, report=report, reason="Not mine to do"),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    assert not reports.can_prepare_report(actor, cast.consultation)


def test_anonymous_visitors_are_sent_to_sign_in(client: FlaskClient, cast: Cast) -> None:
    closed_report(cast)
    response = client.get(f"/consultations/{cast.consultation.id}/report/edit")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_an_administrator_may_write_and_publish(client: FlaskClient, cast: Cast) -> None:
    report = closed_report(cast)
    login(client, cast.admin)
    data = form_data(report, outcome="changed", publish="1")
    response = client.post(f"/consultations/{cast.consultation.id}/report/edit", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    assert cast.consultation.status() is ConsultationStatus.REPORT_PUBLISHED


def test_an_unpublished_report_is_404_for_the_public(client: FlaskClient, cast: Cast) -> None:
    _complete(cast)
    base = f"/consultations/{cast.consultation.id}/report"
    for url in (base, f"{base}/print"):
        assert client.get(url).status_code == 404, url
    login(client, cast.citizen)
    for url in (base, f"{base}/print"):
        assert client.get(url).status_code == 404, url


def test_the_ministry_previews_its_draft_report(client: FlaskClient, cast: Cast) -> None:
    _complete(cast)
    login(client, cast.officer)
    page = client.get(f"/consultations/{cast.consultation.id}/report")
    assert page.status_code == 200
    assert "This report is a draft." in page.get_data(as_text=True)


def test_a_consultation_without_a_report_has_no_report_page(
    client: FlaskClient, cast: Cast
) -> None:
    assert client.get(f"/consultations/{cast.consultation.id}/report").status_code == 404
    assert client.get("/consultations/999999/report").status_code == 404


def test_published_report_is_readable_by_everyone(client: FlaskClient, cast: Cast) -> None:
    report = _complete(cast)
    reports.publish_report(actor=cast.officer, report=report)
    base = f"/consultations/{cast.consultation.id}/report"
    for url in (base, f"{base}/print"):
        assert client.get(url).status_code == 200, url


def test_prepare_link_is_shown_to_the_ministry_once_closed(client: FlaskClient, cast: Cast) -> None:
    url = f"/consultations/{cast.consultation.id}"
    link = f'href="/consultations/{cast.consultation.id}/report/edit"'
    login(client, cast.officer)
    assert link not in client.get(url).get_data(as_text=True)  # still open
    closed_report(cast)
    page = client.get(url).get_data(as_text=True)
    assert link in page
    assert "Prepare the report" in page
    client.post("/logout")
    for other in (cast.other_officer, cast.citizen):
        login(client, other)
        assert link not in client.get(url).get_data(as_text=True)
        client.post("/logout")
    assert link not in client.get(url).get_data(as_text=True)


def test_report_writes_are_rate_limited(app_with: Callable[..., Flask], cast: Cast) -> None:
    report = closed_report(cast)
    app = app_with(RATELIMIT_ENABLED=True, REPORT_RATE_LIMIT="2 per minute")
    client = app.test_client()
    login(client, cast.officer)
    url = f"/consultations/{cast.consultation.id}/report/edit"
    data = form_data(report, summary=government_answers()[0])
    statuses = [client.post(url, data=data).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]


def test_report_forms_need_a_csrf_token(app_with: Callable[..., Flask], cast: Cast) -> None:
    report = _complete(cast)
    reports.publish_report(actor=cast.officer, report=report)
    client = app_with(WTF_CSRF_ENABLED=True).test_client()
    with client.session_transaction() as session:
        session["_user_id"] = cast.officer.get_id()
        session["_fresh"] = True
    base = f"/consultations/{cast.consultation.id}/report"
    edited = form_data(report, summary=government_answers()[1], outcome="changed")
    assert client.post(f"{base}/edit", data=edited).status_code == 400
    assert client.post(f"{base}/withdraw", data={"reason": "Forged request"}).status_code == 400
    db.session.expire_all()
    assert report.published_at is not None
    assert report.summary == government_answers()[0]

"""Preparing, saving, publishing, correcting and withdrawing a report: and what is refused."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from listening_state.extensions import db
from listening_state.models import (
    AuditEntry,
    ConsultationReport,
    ConsultationStatus,
    ReportOutcome,
)
from listening_state.services import reports
from listening_state.services.errors import InvalidTransition, ValidationFailed
from listening_state.services.reports import ReportInput, SectionInput
from tests.factories import login
from tests.inbox.conftest import government_answers
from tests.reports.conftest import Cast, closed_report, form_data, reopen


def _actions(report: ConsultationReport) -> list[str]:
    stmt = select(AuditEntry.action).where(
        AuditEntry.target_type == "consultation_report", AuditEntry.target_id == report.id
    )
    return list(db.session.scalars(stmt.order_by(AuditEntry.id)))


def _decide(
    cast: Cast,
    report: ConsultationReport,
    *,
    summary: str = "",
    outcome: ReportOutcome | None = ReportOutcome.CHANGED,
    explanation: str = "",
) -> None:
    """The officer saves the overall part of the report."""
    data = ReportInput(
        summary=summary or government_answers()[0], outcome=outcome, explanation=explanation
    )
    reports.update_report(actor=cast.officer, report=report, data=data)


def test_report_is_prepared_once_with_an_entry_per_section(cast: Cast) -> None:
    report = closed_report(cast)
    again = reports.prepare_report(actor=cast.admin, consultation=cast.consultation)
    assert again.id == report.id
    assert [e.section_id for e in reports.ordered_sections(report)] == [
        s.id for s in cast.consultation.sections
    ]
    assert _actions(report) == ["consultation_report.create"]


def test_report_cannot_be_prepared_while_the_consultation_is_open(
    client: FlaskClient, cast: Cast
) -> None:
    with pytest.raises(InvalidTransition):
        reports.prepare_report(actor=cast.officer, consultation=cast.consultation)
    login(client, cast.officer)
    assert client.get(f"/consultations/{cast.consultation.id}/report/edit").status_code == 409
    assert db.session.scalar(select(ConsultationReport.id)) is None


def test_publish_is_refused_while_the_consultation_is_open(cast: Cast) -> None:
    report = closed_report(cast)
    _decide(cast, report)
    reopen(cast.consultation)
    with pytest.raises(InvalidTransition):
        reports.publish_report(actor=cast.officer, report=report)
    assert report.published_at is None
    assert cast.consultation.status() is ConsultationStatus.OPEN


def test_publish_is_refused_without_any_outcome(cast: Cast) -> None:
    report = closed_report(cast)
    reports.update_report(
        actor=cast.officer, report=report, data=ReportInput(summary=government_answers()[0])
    )
    with pytest.raises(ValidationFailed) as refused:
        reports.publish_report(actor=cast.officer, report=report)
    assert "report" in refused.value.errors
    assert report.published_at is None
    assert cast.consultation.status() is ConsultationStatus.CLOSED


def test_an_outcome_for_one_section_is_enough_to_publish(cast: Cast) -> None:
    report = closed_report(cast)
    first = cast.consultation.sections[0].id
    reports.update_report(
        actor=cast.officer,
        report=report,
        data=ReportInput(sections=[SectionInput(section_id=first, outcome=ReportOutcome.CHANGED)]),
    )
    reports.publish_report(actor=cast.officer, report=report)
    assert report.published_at is not None


@pytest.mark.parametrize("outcome", [ReportOutcome.NOT_CHANGED, ReportOutcome.PARTLY_CHANGED])
def test_publish_is_refused_without_saying_why_the_draft_was_not_changed(
    cast: Cast, outcome: ReportOutcome
) -> None:
    report = closed_report(cast)
    _decide(cast, report, outcome=outcome, explanation="  ")
    with pytest.raises(ValidationFailed) as refused:
        reports.publish_report(actor=cast.officer, report=report)
    assert set(refused.value.errors) == {"explanation"}
    assert report.published_at is None


def test_a_section_not_changed_needs_its_own_explanation(cast: Cast) -> None:
    report = closed_report(cast)
    second = cast.consultation.sections[1].id
    reports.update_report(
        actor=cast.officer,
        report=report,
        data=ReportInput(
            outcome=ReportOutcome.CHANGED,
            sections=[SectionInput(section_id=second, outcome=ReportOutcome.NOT_CHANGED)],
        ),
    )
    with pytest.raises(ValidationFailed) as refused:
        reports.publish_report(actor=cast.officer, report=report)
    assert set(refused.value.errors) == {reports.section_key(second, "explanation")}


def test_publishing_flips_the_status_in_one_commit_and_is_audited(cast: Cast) -> None:
    report = closed_report(cast)
    _decide(cast, report, outcome=ReportOutcome.NOT_CHANGED, explanation=government_answers()[1])
    reports.publish_report(actor=cast.officer, report=report)
    db.session.expire_all()  # read back what was committed
    assert cast.consultation.status() is ConsultationStatus.REPORT_PUBLISHED
    assert cast.consultation.report_published_at == report.published_at
    assert _actions(report) == [
        "consultation_report.create",
        "consultation_report.update",
        "consultation_report.publish",
    ]
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "consultation_report.publish")
    ).one()
    assert entry.actor_id == cast.officer.id
    assert entry.after["outcome"] == "not_changed"
    with pytest.raises(InvalidTransition):
        reports.publish_report(actor=cast.officer, report=report)


def test_a_correction_keeps_the_report_published_and_is_audited(cast: Cast) -> None:
    report = closed_report(cast)
    _decide(cast, report)
    reports.publish_report(actor=cast.officer, report=report)
    _decide(cast, report, summary=government_answers()[2])
    db.session.expire_all()
    assert report.published_at is not None
    assert report.summary == government_answers()[2]
    assert cast.consultation.status() is ConsultationStatus.REPORT_PUBLISHED
    assert _actions(report)[-1] == "consultation_report.correct"


def test_a_correction_may_not_leave_the_published_report_incomplete(cast: Cast) -> None:
    report = closed_report(cast)
    _decide(cast, report)
    reports.publish_report(actor=cast.officer, report=report)
    with pytest.raises(ValidationFailed):
        _decide(cast, report, outcome=None)
    db.session.expire_all()
    assert report.outcome is ReportOutcome.CHANGED
    assert _actions(report)[-1] == "consultation_report.publish"


def test_saving_an_unchanged_report_writes_no_audit_entry(cast: Cast) -> None:
    report = closed_report(cast)
    _decide(cast, report)
    _decide(cast, report)
    assert _actions(report).count("consultation_report.update") == 1


def test_withdrawing_takes_the_report_back_to_a_draft_with_a_reason(cast: Cast) -> None:
    report = closed_report(cast)
    _decide(cast, report)
    reports.publish_report(actor=cast.officer, report=report)
    with pytest.raises(ValidationFailed):
        reports.withdraw_report(actor=cast.officer, report=report, reason="  ")
    reports.withdraw_report(
        actor=cast.officer, report=report, reason="The figures for section 2 were wrong."
    )
    db.session.expire_all()
    assert report.published_at is None
    assert cast.consultation.status() is ConsultationStatus.CLOSED
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry is not None
    assert (entry.action, entry.reason) == (
        "consultation_report.withdraw",
        "The figures for section 2 were wrong.",
    )
    assert reports.published_report(cast.consultation) is None


def test_publishing_from_the_page_shows_the_report_on_the_consultation(
    client: FlaskClient, cast: Cast
) -> None:
    report = closed_report(cast)
    login(client, cast.officer)
    url = f"/consultations/{cast.consultation.id}/report/edit"
    assert client.get(url).status_code == 200
    data = form_data(report, summary=government_answers()[0], outcome="changed", publish="1")
    response = client.post(url, data=data)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/consultations/{cast.consultation.id}/report")
    db.session.expire_all()
    assert cast.consultation.status() is ConsultationStatus.REPORT_PUBLISHED
    client.post("/logout")
    page = client.get(f"/consultations/{cast.consultation.id}").get_data(as_text=True)
    assert "What we heard, what we did" in page
    assert "The draft was changed" in page
    assert f'href="/consultations/{cast.consultation.id}/report"' in page
    assert "Report published" in page  # the status badge
    listed = client.get("/consultations?status=report_published").get_data(as_text=True)
    assert cast.consultation.title in listed


def test_a_refused_publication_shows_the_error_and_keeps_the_saved_draft(
    client: FlaskClient, cast: Cast
) -> None:
    report = closed_report(cast)
    login(client, cast.officer)
    summary = government_answers()[3]
    data = form_data(report, summary=summary, outcome="not_changed", publish="1")
    response = client.post(f"/consultations/{cast.consultation.id}/report/edit", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="explanation-errors"' in page
    assert "Explain why the draft was not changed, or not fully." in page
    assert "Your changes are saved, but the report is not published yet." in page
    db.session.expire_all()
    assert report.summary == summary
    assert report.published_at is None


def test_a_section_error_is_shown_beside_that_section(client: FlaskClient, cast: Cast) -> None:
    report = closed_report(cast)
    login(client, cast.officer)
    data = form_data(report, **{"sections-1-outcome": "partly_changed", "publish": "1"})
    response = client.post(f"/consultations/{cast.consultation.id}/report/edit", data=data)
    assert response.status_code == 400
    assert 'id="sections-1-explanation-errors"' in response.get_data(as_text=True)


def test_an_unknown_outcome_is_a_form_error_and_saves_nothing(
    client: FlaskClient, cast: Cast
) -> None:
    report = closed_report(cast)
    login(client, cast.officer)
    data = form_data(report, summary=government_answers()[0], outcome="abolished")
    response = client.post(f"/consultations/{cast.consultation.id}/report/edit", data=data)
    assert response.status_code == 400
    assert 'id="outcome-errors"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert report.summary == ""


def test_correcting_from_the_page_keeps_it_published(client: FlaskClient, cast: Cast) -> None:
    report = closed_report(cast)
    _decide(cast, report)
    reports.publish_report(actor=cast.officer, report=report)
    login(client, cast.officer)
    url = f"/consultations/{cast.consultation.id}/report/edit"
    page = client.get(url).get_data(as_text=True)
    assert "Publish the corrections" in page
    assert "Save and publish" not in page
    data = form_data(report, summary=government_answers()[4], outcome="partly_changed")
    data["explanation"] = government_answers()[5]
    assert client.post(url, data=data).status_code == 302
    db.session.expire_all()
    assert report.published_at is not None
    assert report.outcome is ReportOutcome.PARTLY_CHANGED
    assert _actions(report)[-1] == "consultation_report.correct"
    client.post("/logout")
    published = client.get(f"/consultations/{cast.consultation.id}/report").get_data(as_text=True)
    assert "Last corrected" in published
    assert government_answers()[4] in published


def test_withdrawing_from_the_page_hides_the_report(client: FlaskClient, cast: Cast) -> None:
    report = closed_report(cast)
    _decide(cast, report)
    reports.publish_report(actor=cast.officer, report=report)
    login(client, cast.officer)
    url = f"/consultations/{cast.consultation.id}/report/withdraw"
    refused = client.post(url, data={"reason": ""})
    assert refused.status_code == 400
    assert 'id="reason-errors"' in refused.get_data(as_text=True)
    assert client.post(url, data={"reason": "Published too early."}).status_code == 302
    client.post("/logout")
    assert client.get(f"/consultations/{cast.consultation.id}/report").status_code == 404


@pytest.mark.parametrize("section_id", ["999999", "not-a-number"])
def test_an_entry_for_an_unknown_section_is_refused_and_saves_nothing(
    client: FlaskClient, cast: Cast, section_id: str
) -> None:
    report = closed_report(cast)
    login(client, cast.officer)
    data = form_data(
        report, summary=government_answers()[0], **{"sections-0-section_id": section_id}
    )
    response = client.post(f"/consultations/{cast.consultation.id}/report/edit", data=data)
    assert response.status_code == 400
    assert "sections have changed since the page was opened" in response.get_data(as_text=True)
    db.session.expire_all()
    assert report.summary == ""

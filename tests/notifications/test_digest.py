"""The officers' daily digest: new, overdue and due-soon items, once a day, for who wants it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner

from listening_state.authz import SYSTEM
from listening_state.extensions import db
from listening_state.models import OutboxStatus, Submission
from listening_state.models.base import utcnow
from listening_state.services import accounts, answers, deadlines, digest
from listening_state.services.calendar import working_calendar
from listening_state.services.errors import PermissionDenied
from listening_state.services.notifications import Kind
from tests.factories import make_routed_submission
from tests.notifications.conftest import Cast, government_answers, messages, translated


def _routed(cast: Cast, *, days_ago: int, due_on: date | None = None) -> Submission:
    submission = make_routed_submission(cast.consultation, cast.ministry, due_on=due_on)
    submission.routed_at = utcnow() - timedelta(days=days_ago)
    db.session.commit()
    return submission


@pytest.fixture
def inbox_items(cast: Cast) -> dict[str, Submission]:
    today = deadlines.today()
    items = {
        "new": _routed(cast, days_ago=0),
        "overdue": _routed(cast, days_ago=20, due_on=today - timedelta(days=2)),
        "due_soon": _routed(
            cast, days_ago=10, due_on=working_calendar().add_working_days(today, 1)
        ),
        "answered": _routed(cast, days_ago=0),
    }
    answers.answer_submissions(
        actor=cast.officer, submissions=[items["answered"]], body=government_answers()[0]
    )
    db.session.commit()
    return items


def test_each_officer_with_something_to_report_gets_one_digest(
    cast: Cast, inbox_items: dict[str, Submission]
) -> None:
    accounts.update_settings(
        actor=cast.officer, user=cast.officer, notify_by_email=True, language="kk"
    )
    assert digest.queue_digests(actor=SYSTEM) == 2  # the other ministry's officer has nothing
    by_recipient = {m.recipient_id: m for m in messages(Kind.DIGEST)}
    assert set(by_recipient) == {cast.officer.id, cast.colleague.id}
    english = by_recipient[cast.colleague.id]
    assert english.language == "en"
    assert english.submission_id is None
    assert "New since your last summary: 1" in english.body_text
    assert "Overdue: 1" in english.body_text
    assert "Due soon: 1" in english.body_text
    for name in ("new", "overdue", "due_soon"):
        reference = inbox_items[name].reference
        assert f"/ministries/{cast.ministry.code}/inbox/{reference}" in english.body_text
    assert inbox_items["answered"].reference not in english.body_text
    kazakh = by_recipient[cast.officer.id]
    overdue = translated("kk", "Overdue")
    assert overdue != "Overdue"
    assert f"{overdue}: 1" in kazakh.body_text
    assert cast.ministry.name_kk in kazakh.body_text


def test_a_second_run_the_same_day_queues_nothing(
    cast: Cast, inbox_items: dict[str, Submission]
) -> None:
    assert digest.queue_digests(actor=SYSTEM) == 2
    assert digest.queue_digests(actor=SYSTEM) == 0
    assert len(messages(Kind.DIGEST)) == 2


def test_the_next_day_only_still_standing_items_are_repeated(
    cast: Cast, inbox_items: dict[str, Submission]
) -> None:
    digest.queue_digests(actor=SYSTEM)
    tomorrow = utcnow() + timedelta(days=1)
    assert digest.queue_digests(actor=SYSTEM, now=tomorrow) == 2
    latest = messages(Kind.DIGEST)[-1]
    assert "New since your last summary" not in latest.body_text, "reported yesterday"
    assert inbox_items["overdue"].reference in latest.body_text


def test_officers_who_opted_out_get_none(cast: Cast, inbox_items: dict[str, Submission]) -> None:
    accounts.update_settings(
        actor=cast.colleague, user=cast.colleague, notify_by_email=False, language="en"
    )
    assert digest.queue_digests(actor=SYSTEM) == 1
    assert [m.recipient_id for m in messages(Kind.DIGEST)] == [cast.officer.id]


def test_nothing_to_report_means_no_digest(cast: Cast) -> None:
    assert digest.queue_digests(actor=SYSTEM) == 0


def test_long_lists_are_cut_with_a_link_to_the_filtered_inbox(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(digest, "ITEMS_PER_LIST", 2)
    overdue_on = deadlines.today() - timedelta(days=1)
    for _ in range(3):
        _routed(cast, days_ago=30, due_on=overdue_on)
    digest.queue_digests(actor=SYSTEM)
    body = messages(Kind.DIGEST)[0].body_text
    assert "Overdue: 3" in body
    assert body.count(f"/ministries/{cast.ministry.code}/inbox/LS-") == 2
    assert f"And 1 more: http://127.0.0.1:5000/ministries/{cast.ministry.code}/inbox?" in body
    assert "overdue=y" in body


def test_only_the_system_and_administrators_queue_digests(cast: Cast) -> None:
    with pytest.raises(PermissionDenied):
        digest.queue_digests(actor=cast.officer)
    assert digest.queue_digests(actor=cast.admin) == 0


def test_cli_queues_digests_and_reports_how_many(
    runner: FlaskCliRunner, cast: Cast, inbox_items: dict[str, Submission]
) -> None:
    result = runner.invoke(args=["outbox", "digest"])
    assert result.exit_code == 0, result.output
    assert "Digests queued: 2" in result.output
    assert "Digests queued: 0" in runner.invoke(args=["outbox", "digest"]).output


def test_cli_send_in_development_leaves_messages_for_the_page(
    app: Flask, runner: FlaskCliRunner, cast: Cast, inbox_items: dict[str, Submission]
) -> None:
    assert app.config["MAIL_TRANSPORT"] == "outbox-page"
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0
    assert "nothing is sent" in result.output
    assert {m.status for m in messages()} == {OutboxStatus.PENDING}

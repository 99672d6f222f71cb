"""Ministries with hand-built handling histories, and a reader for the monitoring table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from html.parser import HTMLParser

import pytest
from flask import Flask

from listening_state.authz import SYSTEM
from listening_state.extensions import db
from listening_state.models import (
    Consultation,
    Ministry,
    ModerationReason,
    RecommendationStatus,
    ReportOutcome,
    Role,
    Submission,
    User,
)
from listening_state.models.base import utcnow
from listening_state.services import (
    answers,
    council_recommendations,
    deadlines,
    inbox,
    moderation,
    reports,
)
from tests.factories import (
    make_consultation,
    make_council,
    make_ministry,
    make_recommendation,
    make_routed_submission,
    make_user,
)
from tests.inbox.conftest import government_answers


@dataclass
class World:
    """Two ministries with a consultation and an officer each, and one with nothing at all."""

    ministry: Ministry
    other: Ministry
    idle: Ministry
    consultation: Consultation
    other_consultation: Consultation
    officer: User
    other_officer: User
    admin: User


@pytest.fixture
def world(app: Flask) -> World:
    ministry = make_ministry("MA")
    other = make_ministry("MB")
    return World(
        ministry=ministry,
        other=other,
        idle=make_ministry("MC"),
        consultation=make_consultation(ministry),
        other_consultation=make_consultation(other),
        officer=make_user(Role.MINISTRY_OFFICER, ministry=ministry),
        other_officer=make_user(Role.MINISTRY_OFFICER, ministry=other),
        admin=make_user(Role.ADMIN),
    )


def route(
    consultation: Consultation,
    ministry: Ministry,
    *,
    routed_at: datetime | None = None,
    due_on: date | None = None,
) -> Submission:
    """A submission routed to `ministry` (through triage), as if that happened at `routed_at`."""
    submission = make_routed_submission(consultation, ministry, due_on=due_on)
    if routed_at is not None:
        submission.routed_at = routed_at
        db.session.commit()
    return submission


def answer(officer: User, submission: Submission, at: datetime | None = None) -> Submission:
    """The ministry answers through the service; `at` then says when that happened."""
    answers.answer_submissions(
        actor=officer, submissions=[submission], body=government_answers()[0]
    )
    if at is not None:
        submission.answered_at = at
        db.session.commit()
    return submission


def answered_after(
    officer: User, consultation: Consultation, ministry: Ministry, days: float
) -> Submission:
    """A submission routed `days` ago and answered now."""
    now = utcnow()
    submission = route(consultation, ministry, routed_at=now - timedelta(days=days))
    return answer(officer, submission, at=now)


def close(officer: User, submission: Submission) -> None:
    inbox.close_without_answer(
        actor=officer, submission=submission, reason="Not a matter for this ministry."
    )


def reject_as(admin: User, submission: Submission, reason: ModerationReason) -> None:
    moderation.reject(actor=admin, submission=submission, reason=reason)


def publish_report(consultation: Consultation) -> None:
    """The ministry's "you said, we did" report on a closed consultation, made public."""
    report = reports.prepare_report(actor=SYSTEM, consultation=consultation)
    reports.update_report(
        actor=SYSTEM,
        report=report,
        data=reports.ReportInput(
            summary="What we heard.",
            outcome=ReportOutcome.CHANGED,
            explanation="The draft was changed.",
        ),
    )
    reports.publish_report(actor=SYSTEM, report=report)


def recommendations(ministry: Ministry, officer: User, *statuses: RecommendationStatus) -> None:
    """Recommendations of the ministry's council, answered by the ministry as given."""
    council = make_council(ministry)
    for status in statuses:
        recommendation = make_recommendation(council)
        if status is not RecommendationStatus.ISSUED:
            council_recommendations.answer_recommendation(
                actor=officer,
                recommendation=recommendation,
                status=status,
                answer="The ministry has considered the recommendation.",
            )


def today() -> date:
    return deadlines.today()


# -- reading the page --------------------------------------------------------------------------


@dataclass
class Header:
    text: str = ""
    href: str = ""
    aria_sort: str | None = None


class MonitoringTable(HTMLParser):
    """The headers, body rows and totals row of the monitoring table, as text."""

    def __init__(self) -> None:
        super().__init__()
        self.headers: list[Header] = []
        self.rows: list[list[str]] = []
        self.totals: list[str] = []
        self._in_table = False
        self._section = ""
        self._cell: list[str] | None = None
        self._row: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "table" and "monitoring-table" in (found.get("class") or ""):
            self._in_table = True
        if not self._in_table:
            return
        if tag in ("thead", "tbody", "tfoot"):
            self._section = tag
        elif tag == "tr":
            self._row = []
        elif tag in ("th", "td"):
            self._cell = []
            if self._section == "thead":
                self.headers.append(Header(aria_sort=found.get("aria-sort")))
        elif tag == "a" and self._section == "thead":
            self.headers[-1].href = found.get("href") or ""

    def handle_endtag(self, tag: str) -> None:
        if not self._in_table:
            return
        if tag in ("th", "td") and self._cell is not None:
            text = " ".join("".join(self._cell).split())
            if self._section == "thead":
                self.headers[-1].text = text
            self._row.append(text)
            self._cell = None
        elif tag == "tr" and self._section == "tbody":
            self.rows.append(self._row)
        elif tag == "tr" and self._section == "tfoot":
            self.totals = self._row
        elif tag == "table":
            self._in_table = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def read_table(html: str) -> MonitoringTable:
    table = MonitoringTable()
    table.feed(html)
    return table


def number(cell: str) -> float | None:
    """A figure as shown in English ("1,234", "66.7%", "4.5"); None for "no data"."""
    if "no data" in cell:
        return None
    text = cell.replace(",", "").strip()
    return float(text.rstrip("%")) / 100 if text.endswith("%") else float(text)

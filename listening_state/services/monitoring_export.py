"""The monitoring figures as open data: one field list for the CSV, the JSON, the Table Schema
(frictionless data) and the schema page, so the four can never disagree.

Published under CC BY 4.0 with the attribution "Listening State".
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from listening_state.services.monitoring import MinistryFigures, Monitoring
from listening_state.services.spreadsheets import safe_cell

LICENCE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0 International",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "attribution": "Listening State",
}
Value = str | int | float | None


@dataclass(frozen=True)
class Column:
    """A column of the CSV file, as the schema describes it."""

    name: str
    type: str  # a Table Schema type: string, integer, number, datetime
    title: LazyString
    description: LazyString


@dataclass(frozen=True)
class Field(Column):
    """A column read from each ministry's figures."""

    value: Callable[[MinistryFigures], Value]


def _share(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


FIELDS = (
    Field(
        "ministry_code",
        "string",
        _l("Ministry code"),
        _l("The ministry's short code on this platform."),
        lambda row: row.code,
    ),
    Field(
        "ministry_name_kk",
        "string",
        _l("Name in Kazakh"),
        _l("The ministry's name in Kazakh."),
        lambda row: row.name_kk,
    ),
    Field(
        "ministry_name_ru",
        "string",
        _l("Name in Russian"),
        _l("The ministry's name in Russian."),
        lambda row: row.name_ru,
    ),
    Field(
        "ministry_name_en",
        "string",
        _l("Name in English"),
        _l("The ministry's name in English."),
        lambda row: row.name_en,
    ),
    Field(
        "submissions_received",
        "integer",
        _l("Submissions received"),
        _l(
            "Submissions routed to the ministry, counted by the ministry responsible now (a "
            "forwarded submission counts for the ministry that received it); spam excluded."
        ),
        lambda row: row.received,
    ),
    Field(
        "submissions_answered",
        "integer",
        _l("Submissions answered"),
        _l("Received submissions the ministry has answered publicly."),
        lambda row: row.answered,
    ),
    Field(
        "answered_share",
        "number",
        _l("Share answered"),
        _l(
            "Submissions answered divided by submissions received, from 0 to 1; empty when "
            "nothing was received."
        ),
        lambda row: _share(row.answered_share),
    ),
    Field(
        "median_days_to_answer",
        "number",
        _l("Median days to answer"),
        _l(
            "The median, over answered submissions, of the whole days (24-hour periods) from "
            "routing to the answer; calendar days, not working days. Empty when nothing was "
            "answered."
        ),
        lambda row: row.median_days_to_answer,
    ),
    Field(
        "answered_within_deadline",
        "integer",
        _l("Answered within the deadline"),
        _l(
            "Answered submissions whose answer came on or before their due date (15 working "
            "days from routing, or the extended date), Kazakhstan time."
        ),
        lambda row: row.answered_within_deadline,
    ),
    Field(
        "within_deadline_share",
        "number",
        _l("Share answered within the deadline"),
        _l(
            "Answered within the deadline divided by the answered submissions that had a due "
            "date, from 0 to 1; empty when none."
        ),
        lambda row: _share(row.within_deadline_share),
    ),
    Field(
        "overdue",
        "integer",
        _l("Overdue now"),
        _l(
            "Submissions still waiting for an answer whose due date had passed on the day the "
            "figures were generated."
        ),
        lambda row: row.overdue,
    ),
    Field(
        "consultations_open",
        "integer",
        _l("Consultations open"),
        _l("The ministry's published consultations open for comments."),
        lambda row: row.consultations_open,
    ),
    Field(
        "consultations_closed",
        "integer",
        _l("Consultations closed"),
        _l("The ministry's published consultations that have closed, with or without a report."),
        lambda row: row.consultations_closed,
    ),
    Field(
        "reports_published",
        "integer",
        _l("Reports published"),
        _l("Closed consultations whose report (what was heard and what was done) is published."),
        lambda row: row.reports_published,
    ),
    Field(
        "recommendations_accepted",
        "integer",
        _l("Council recommendations accepted"),
        _l(
            "Recommendations of the Public Council attached to the ministry that the ministry "
            "accepted in full."
        ),
        lambda row: row.recommendations_accepted,
    ),
)
GENERATED_AT = Column(
    "generated_at",
    "datetime",
    _l("Generated at"),
    _l(
        "When the figures were computed, in UTC (ISO 8601). In the JSON file it is given once, "
        "at the top."
    ),
)
CSV_COLUMNS: tuple[Column, ...] = (*FIELDS, GENERATED_AT)


def timestamp(at: datetime) -> str:
    """ISO 8601 in UTC with a Z, the Table Schema's default datetime format."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _csv_cell(column: Column, value: Value) -> str:
    if value is None:
        return ""
    if column.type == "string":  # only text can start a formula; numbers stay unformatted
        return safe_cell(value)
    return str(value)


def as_csv(monitoring: Monitoring) -> str:
    """UTF-8 CSV with a header row, one row per ministry."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(column.name for column in CSV_COLUMNS)
    generated = timestamp(monitoring.generated_at)
    for row in monitoring.ministries:
        writer.writerow([*(_csv_cell(f, f.value(row)) for f in FIELDS), generated])
    return buffer.getvalue()


def as_json(monitoring: Monitoring, *, schema_url: str) -> dict[str, Any]:
    return {
        "generated_at": timestamp(monitoring.generated_at),
        "licence": LICENCE,
        "schema": schema_url,
        "ministries": [{f.name: f.value(row) for f in FIELDS} for row in monitoring.ministries],
    }


def table_schema() -> dict[str, Any]:
    """A Table Schema (https://specs.frictionlessdata.io/table-schema/) of the CSV file."""
    return {
        "title": "Listening State: how ministries handle citizens' submissions",
        "fields": [
            {
                "name": column.name,
                "type": column.type,
                "title": str(column.title),
                "description": str(column.description),
            }
            for column in CSV_COLUMNS
        ],
        "primaryKey": ["ministry_code"],
        "missingValues": [""],
        "licenses": [{key: LICENCE[key] for key in ("name", "title", "path")}],
        "attribution": LICENCE["attribution"],
    }

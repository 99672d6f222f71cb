"""The monitoring figures as open data: CSV, JSON, the Table Schema and its page."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from listening_state.authz import SYSTEM
from listening_state.services import ministries
from tests.monitoring.conftest import (
    World,
    answered_after,
    number,
    read_table,
    route,
    today,
)


@pytest.fixture
def handled(world: World) -> World:
    for days in (3, 8):
        answered_after(world.officer, world.consultation, world.ministry, days)
    route(world.consultation, world.ministry, due_on=today() - timedelta(days=1))
    answered_after(world.other_officer, world.other_consultation, world.other, 1)
    return world


def csv_rows(client: FlaskClient) -> tuple[list[str], list[dict[str, str]]]:
    response = client.get("/monitoring.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    reader = csv.DictReader(io.StringIO(response.data.decode("utf-8")))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def test_csv_holds_exactly_what_the_page_shows(client: FlaskClient, handled: World) -> None:
    _, rows = csv_rows(client)
    page = read_table(client.get("/monitoring").get_data(as_text=True))
    shown = {row[0]: row[1:] for row in page.rows}
    assert len(rows) == len(shown) == 3
    for row in rows:
        cells = shown[row["ministry_name_en"]]
        csv_figures = [
            row["submissions_received"],
            row["answered_share"],
            row["median_days_to_answer"],
            row["within_deadline_share"],
            row["overdue"],
            row["consultations_open"],
            row["consultations_closed"],
            row["reports_published"],
            row["recommendations_accepted"],
        ]
        for written, cell in zip(csv_figures, cells, strict=True):
            on_page = number(cell)
            if written == "":
                assert on_page is None
            else:
                assert on_page == pytest.approx(float(written), abs=0.0005)  # shares: 0.1 %
    ma = next(row for row in rows if row["ministry_code"] == "MA")
    assert (ma["submissions_received"], ma["submissions_answered"], ma["overdue"]) == (
        "3",
        "2",
        "1",
    )
    assert ma["median_days_to_answer"] == "5.5"
    assert ma["answered_share"] == "0.6667"


def test_csv_names_each_ministry_in_three_languages(client: FlaskClient, handled: World) -> None:
    _, rows = csv_rows(client)
    ma = next(row for row in rows if row["ministry_code"] == "MA")
    assert (ma["ministry_name_kk"], ma["ministry_name_ru"], ma["ministry_name_en"]) == (
        "Министрлік MA",
        "Министерство MA",
        "Ministry MA",
    )
    idle = next(row for row in rows if row["ministry_code"] == "MC")
    assert idle["median_days_to_answer"] == ""  # nothing answered: an empty cell, not 0
    assert idle["submissions_received"] == "0"


def test_csv_and_json_give_the_time_they_were_generated(
    client: FlaskClient, handled: World
) -> None:
    _, rows = csv_rows(client)
    written = datetime.fromisoformat(rows[0]["generated_at"].replace("Z", "+00:00"))
    assert abs(written - datetime.now(UTC)) < timedelta(minutes=5)
    document = client.get("/monitoring.json").get_json()
    assert document["generated_at"].endswith("Z")


def test_json_has_the_same_figures_with_licence_and_schema(
    client: FlaskClient, handled: World
) -> None:
    header, rows = csv_rows(client)
    response = client.get("/monitoring.json")
    assert response.mimetype == "application/json"
    document = json.loads(response.data)
    assert list(document) == ["generated_at", "licence", "schema", "ministries"]
    assert document["licence"]["name"] == "CC-BY-4.0"
    assert document["licence"]["attribution"] == "Listening State"
    assert document["schema"].endswith("/monitoring/schema.json")
    objects = document["ministries"]
    assert len(objects) == len(rows)
    for obj, row in zip(objects, rows, strict=True):
        assert list(obj) == [name for name in header if name != "generated_at"]
        for name, value in obj.items():
            assert ("" if value is None else str(value)) == row[name], name


def test_the_schema_lists_every_csv_column_with_its_type(
    client: FlaskClient, handled: World
) -> None:
    header, _ = csv_rows(client)
    schema = client.get("/monitoring/schema.json").get_json()
    assert [field["name"] for field in schema["fields"]] == header
    assert {field["type"] for field in schema["fields"]} <= {
        "string",
        "integer",
        "number",
        "datetime",
    }
    assert all(field["description"] for field in schema["fields"])
    assert schema["primaryKey"] == ["ministry_code"]
    assert schema["licenses"][0]["name"] == "CC-BY-4.0"
    page = client.get("/monitoring/schema").get_data(as_text=True)
    for name in header:
        assert f"<code>{name}</code>" in page
    assert "CC BY 4.0" in page or "Creative Commons Attribution 4.0" in page
    assert "Listening State" in page


def test_the_schema_json_stays_english_for_every_reader(client: FlaskClient) -> None:
    client.post("/language/ru")
    schema = client.get("/monitoring/schema.json").get_json()
    received = next(f for f in schema["fields"] if f["name"] == "submissions_received")
    assert received["title"] == "Submissions received"


def test_csv_cells_cannot_start_a_spreadsheet_formula(client: FlaskClient) -> None:
    ministries.upsert_ministry(
        actor=SYSTEM,
        code="MX",
        name_kk='=HYPERLINK("http://x.example")',
        name_ru="+Министерство",
        name_en="@Ministry",
        mandate="",
    )
    _, rows = csv_rows(client)
    assert rows[0]["ministry_name_kk"].startswith("'=")
    assert rows[0]["ministry_name_ru"] == "'+Министерство"
    assert rows[0]["ministry_name_en"] == "'@Ministry"
    assert rows[0]["submissions_received"] == "0"  # numbers are written as they are


@pytest.mark.parametrize("url", ["/monitoring.csv", "/monitoring.json", "/monitoring/schema.json"])
def test_open_data_may_be_read_from_other_sites(client: FlaskClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_the_page_links_the_downloads_and_the_schema(client: FlaskClient) -> None:
    page = client.get("/monitoring").get_data(as_text=True)
    for url in ("/monitoring.csv", "/monitoring.json", "/monitoring/schema"):
        assert f'href="{url}"' in page


def test_downloads_are_rate_limited(app_with: Callable[..., Flask], handled: World) -> None:
    limited = app_with(RATELIMIT_ENABLED=True, MONITORING_RATE_LIMIT="2 per minute")
    client = limited.test_client()
    codes = [client.get("/monitoring.csv").status_code for _ in range(3)]
    assert codes == [200, 200, 429]

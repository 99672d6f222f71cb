"""The public monitoring page: open to all, sortable by every column, a chart of answers."""

from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from flask.testing import FlaskClient

from listening_state.models import RecommendationStatus
from listening_state.models.base import utcnow
from listening_state.services.monitoring_export import FIELDS
from listening_state.web.monitoring.chart import nice_ceiling, weekly_chart
from listening_state.web.monitoring.table import COLUMNS, SORT_KEYS
from tests.factories import make_consultation
from tests.monitoring.conftest import (
    World,
    answer,
    answered_after,
    number,
    publish_report,
    read_table,
    recommendations,
    route,
    today,
)

NAMES = {"MA": "Ministry MA", "MB": "Ministry MB", "MC": "Ministry MC"}


@pytest.fixture
def varied(world: World) -> World:
    """Figures that differ between the ministries in every column (MC has nothing)."""
    late = today() - timedelta(days=2)
    now = utcnow()
    slow = route(
        world.consultation, world.ministry, routed_at=now - timedelta(days=20), due_on=late
    )
    answer(world.officer, slow, at=now)  # after 20 days, past its due date
    route(world.consultation, world.ministry, due_on=late)
    route(world.consultation, world.ministry, due_on=late)
    for days in (1, 2):
        answered_after(world.other_officer, world.other_consultation, world.other, days)
    make_consultation(world.other, state="closed")
    publish_report(make_consultation(world.other, state="closed"))
    make_consultation(world.ministry, state="open")
    recommendations(world.other, world.other_officer, RecommendationStatus.ACCEPTED)
    return world


def page(client: FlaskClient, **args: str) -> str:
    response = client.get("/monitoring", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_page_is_public_and_in_the_navigation(client: FlaskClient, varied: World) -> None:
    html = page(client)
    assert "Ministry MA" in html
    home = client.get("/").get_data(as_text=True)
    assert 'href="/monitoring"' in home


def test_each_ministry_has_a_row_and_the_totals_come_last(
    client: FlaskClient, varied: World
) -> None:
    table = read_table(page(client))
    assert [row[0] for row in table.rows] == list(NAMES.values())  # by name by default
    received = {row[0]: number(row[1]) for row in table.rows}
    assert received == {"Ministry MA": 3, "Ministry MB": 2, "Ministry MC": 0}
    assert table.totals[0] == "All ministries"
    assert number(table.totals[1]) == 5
    idle = table.rows[2]
    assert [number(cell) for cell in idle[2:5]] == [None, None, None]  # no shares, no median


def test_figures_are_formatted_for_the_readers_locale(client: FlaskClient, varied: World) -> None:
    english = read_table(page(client)).rows[0]
    assert english[2] == "33.3%"  # MA answered one of three
    client.post("/language/ru")
    russian = read_table(page(client)).rows[0]
    assert russian[2].replace("\xa0", " ") == "33,3 %"


@pytest.mark.parametrize("direction", ["asc", "desc"])
@pytest.mark.parametrize("key", [column.key for column in COLUMNS])
def test_every_column_sorts_both_ways(
    client: FlaskClient, varied: World, key: str, direction: str
) -> None:
    table = read_table(page(client, sort=key, dir=direction))
    position = 1 + [column.key for column in COLUMNS].index(key)
    values = [number(row[position]) for row in table.rows]
    present = [value for value in values if value is not None]
    assert len(set(present)) > 1, "the data must tell the orders apart"
    assert present == sorted(present, reverse=direction == "desc")
    assert values[len(present) :] == [None] * (len(values) - len(present))  # no data: last
    assert table.headers[position].aria_sort == (
        "ascending" if direction == "asc" else "descending"
    )
    assert sum(header.aria_sort is not None for header in table.headers) == 1


@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_ministries_sort_by_name_both_ways(
    client: FlaskClient, varied: World, direction: str
) -> None:
    names = [row[0] for row in read_table(page(client, sort="ministry", dir=direction)).rows]
    assert names == sorted(NAMES.values(), reverse=direction == "desc")


def test_a_sorted_headers_link_reverses_the_order(client: FlaskClient, varied: World) -> None:
    headers = read_table(page(client, sort="overdue", dir="desc")).headers
    overdue = headers[1 + [c.key for c in COLUMNS].index("overdue")]
    assert parse_qs(urlsplit(overdue.href).query) == {"sort": ["overdue"], "dir": ["asc"]}
    received = headers[1]
    assert parse_qs(urlsplit(received.href).query)["dir"] == ["desc"]  # figures: largest first


@pytest.mark.parametrize(
    "args",
    [
        {"sort": "body; DROP TABLE submission", "dir": "desc"},
        {"sort": "overdue", "dir": "sideways"},
        {"sort": "", "dir": ""},
        {"sort": "__class__"},
    ],
)
def test_bad_sort_parameters_fall_back_to_a_default_order(
    client: FlaskClient, varied: World, args: dict[str, str]
) -> None:
    table = read_table(page(client, **args))
    assert len(table.rows) == 3
    sorted_by = [header for header in table.headers if header.aria_sort]
    assert len(sorted_by) == 1
    if args.get("sort") == "overdue":  # a known column keeps its first direction
        assert sorted_by[0].aria_sort == "descending"
    else:
        assert [row[0] for row in table.rows] == list(NAMES.values())


def test_the_chart_has_a_titled_bar_per_week_and_a_table_for_screen_readers(
    client: FlaskClient, varied: World
) -> None:
    html = page(client)
    svg = html[html.index("<svg") : html.index("</svg>")]
    bars = re.findall(r'<rect class="chart-bar"[^>]*><title>([^<]*)</title></rect>', svg)
    assert len(bars) == 26
    assert bars[-1].endswith(": 3 answers")  # this week: MA once, MB twice
    assert 'role="img"' in svg
    assert "3 submissions answered in the last 26 weeks." in svg
    hidden = html[html.index('<div class="visually-hidden"><table>') :]
    assert hidden.count('<th scope="row">') == 26


def test_the_chart_shows_one_ministry_on_request(client: FlaskClient, varied: World) -> None:
    html = page(client, chart="MB")
    assert '<option value="MB" selected>' in html
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert "2 submissions answered in the last 26 weeks." in svg
    unknown = page(client, chart="NOPE")
    assert "3 submissions answered in the last 26 weeks." in unknown


def test_an_empty_site_renders(client: FlaskClient) -> None:
    html = page(client)
    assert "No ministries yet." in html
    assert "0 submissions answered in the last 26 weeks." in html


@pytest.mark.parametrize(
    ("highest", "top"), [(0, 4), (1, 4), (3, 4), (7, 8), (47, 80), (300, 400), (1234, 2000)]
)
def test_the_value_axis_ends_on_a_round_number(highest: int, top: int) -> None:
    assert nice_ceiling(highest) == top


def test_bars_fill_the_plot_in_proportion() -> None:
    starts = [date(2026, 1, 5) + timedelta(weeks=n) for n in range(4)]
    chart = weekly_chart(starts, [0, 4, 8, 2])
    heights = [bar.height for bar in chart.bars]
    assert heights[0] == 0
    assert heights[2] == pytest.approx(2 * heights[1])
    assert all(bar.y + bar.height == pytest.approx(chart.plot_bottom) for bar in chart.bars)
    assert chart.busiest is not None
    assert chart.busiest.count == 8
    assert chart.week_labels[-1].week_start == starts[-1]  # the current week is labelled


def test_sort_keys_are_the_open_data_field_names() -> None:
    names = {field.name for field in FIELDS}
    assert set(SORT_KEYS) - {"ministry"} <= names

"""The dashboard's numbers are the database's, under every filter; charts, quotes, campaigns."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from listening_state.extensions import db
from listening_state.models import Stance, Submission
from listening_state.services import theme_dashboard, theme_views
from listening_state.services.theme_views import ThemeFilter
from tests.factories import login
from tests.themes_web.conftest import COPIES, PHONE, Heard
from tests.themes_web.helpers import counted, local_day, member_rows, weekly

# Each case: the query string and the same filter in Python, built from the fixture's data.
Case = Callable[[Heard], tuple[dict[str, Any], ThemeFilter, Callable[[Submission], bool]]]


def _no_filter(h: Heard) -> Any:
    return {}, ThemeFilter(), lambda s: True


def _oppose(h: Heard) -> Any:
    return (
        {"stance": "oppose"},
        ThemeFilter(stance=Stance.OPPOSE),
        lambda s: s.stance is Stance.OPPOSE,
    )


def _kazakh(h: Heard) -> Any:
    return {"language": "kk"}, ThemeFilter(language="kk"), lambda s: s.language == "kk"


def _section(h: Heard) -> Any:
    section_id = h.consultation.sections[1].id
    return (
        {"section": section_id},
        ThemeFilter(section_id=section_id),
        lambda s: s.section_id == section_id,
    )


def _dates(h: Heard) -> Any:
    days = sorted(local_day(s) for s in h.submissions)
    since, until = days[len(days) // 4], days[len(days) // 2]
    return (
        {"from": since.isoformat(), "to": until.isoformat()},
        ThemeFilter(since=since, until=until),
        lambda s: since <= local_day(s) <= until,
    )


def _combined(h: Heard) -> Any:
    days = sorted(local_day(s) for s in h.submissions)
    since = days[len(days) // 3]
    return (
        {"stance": "support", "from": since.isoformat()},
        ThemeFilter(stance=Stance.SUPPORT, since=since),
        lambda s: s.stance is Stance.SUPPORT and local_day(s) >= since,
    )


CASES = [_no_filter, _oppose, _kazakh, _section, _dates, _combined]


def _rows_on_page(page: str) -> dict[int, int]:
    """{theme id: the submissions cell} of the themes table."""
    rows = re.findall(r'<tr id="theme-(\d+)">.*?<td class="num">([\d,]+)</td>', page, re.DOTALL)
    return {int(theme_id): int(count.replace(",", "")) for theme_id, count in rows}


@pytest.mark.parametrize("case", CASES, ids=[c.__name__.strip("_") for c in CASES])
def test_dashboard_numbers_equal_database_counts(
    client: FlaskClient, heard: Heard, case: Case
) -> None:
    args, filters, keep = case(heard)
    expected = counted(heard.build, keep)
    scope = theme_views.consultation_scope(
        actor=heard.officer, consultation_id=heard.consultation.id
    )
    shown = theme_dashboard.dashboard(actor=heard.officer, scope=scope, filters=filters)
    assert shown is not None
    assert {c.theme.id: dict(c.stances.counts) for c in shown.themes if c.count} == {
        theme_id: dict(stances) for theme_id, stances in expected.items() if theme_id is not None
    }
    assert shown.other.count == sum(expected.get(None, {}).values())
    assert shown.total == sum(sum(stances.values()) for stances in expected.values())
    assert sum(c.count for c in shown.themes) + shown.other.count == shown.total
    by_week = weekly(heard.build, keep)
    assert dict(zip(shown.week_starts, shown.weekly_total, strict=True)) == {
        week: by_week.get(week, 0) for week in shown.week_starts
    }
    assert sum(shown.weekly_total) == shown.total
    for count in shown.themes:
        assert sum(count.weekly) == count.count

    login(client, heard.officer)
    response = client.get(f"/consultations/{heard.consultation.id}/themes", query_string=args)
    assert response.status_code == 200
    assert _rows_on_page(response.get_data(as_text=True)) == {
        c.theme.id: c.count for c in shown.themes if c.theme is not None
    }


def test_spam_is_not_counted_but_a_rejected_comment_is(heard: Heard) -> None:
    scope = theme_views.consultation_scope(actor=heard.admin, consultation_id=heard.consultation.id)
    shown = theme_dashboard.dashboard(actor=heard.admin, scope=scope, filters=ThemeFilter())
    assert shown is not None
    assert shown.total == len(heard.submissions) - 1
    hidden_theme = next(t for t, _, s in member_rows(heard.build) if s.id == heard.hidden.id)
    listed = theme_views.theme_submissions(
        actor=heard.admin,
        scope=scope,
        theme=theme_views.find_theme(actor=heard.admin, scope=scope, theme_id=hidden_theme)
        if hidden_theme is not None
        else None,
        filters=ThemeFilter(),
        per_page=100,
    )
    assert heard.hidden.id in {s.id for s in listed.items}
    assert heard.spam.id not in {s.id for s in listed.items}


def test_theme_page_lists_the_counted_submissions(client: FlaskClient, heard: Heard) -> None:
    expected = counted(heard.build, lambda s: s.stance is Stance.MIXED)
    theme_id = max((t for t in expected if t is not None), key=lambda t: sum(expected[t].values()))
    login(client, heard.member)
    page = client.get(
        f"/consultations/{heard.consultation.id}/themes/{theme_id}",
        query_string={"stance": "mixed"},
    ).get_data(as_text=True)
    references = set(re.findall(r"<code>(LS-[A-Z0-9-]+)</code>", page))
    assert references == {
        s.reference
        for t, _, s in member_rows(heard.build)
        if t == theme_id and s.stance is Stance.MIXED and not s.is_spam
    }
    other = client.get(f"/consultations/{heard.consultation.id}/themes/other")
    assert set(re.findall(r"<code>(LS-[A-Z0-9-]+)</code>", other.get_data(as_text=True))) == {
        s.reference for t, _, s in member_rows(heard.build) if t is None and not s.is_spam
    }


def test_charts_are_inline_svg_with_a_bar_per_theme(client: FlaskClient, heard: Heard) -> None:
    login(client, heard.officer)
    page = client.get(f"/consultations/{heard.consultation.id}/themes").get_data(as_text=True)
    themes = len(heard.build.themes)
    sizes = page[page.index('<svg class="bar-chart size-bars"') :]
    sizes = sizes[: sizes.index("</svg>")]
    assert sizes.count('<rect class="chart-bar"') == themes + 1  # and "other"
    week_chart = page[page.index('<svg class="line-chart"') :]
    assert '<polyline class="chart-line" points="' in week_chart
    assert page.count('<svg class="sparkline"') == themes
    assert "<script>" not in page


def test_quotes_are_published_comments_with_personal_data_masked(
    client: FlaskClient, heard: Heard
) -> None:
    theme = heard.build.themes[0]
    theme.quote_ids = [heard.phone.id, heard.hidden.id, heard.spam.id]
    db.session.commit()
    quotes = theme_dashboard.quotes_of([theme])[theme.id]
    assert [q.reference for q in quotes] == [heard.phone.reference]
    assert PHONE not in quotes[0].text
    login(client, heard.officer)
    page = client.get(f"/consultations/{heard.consultation.id}/themes").get_data(as_text=True)
    quoted = page[page.index('id="quotes-heading"') : page.index('id="campaigns-heading"')]
    assert heard.phone.reference in quoted
    assert PHONE not in quoted
    assert heard.hidden.reference not in quoted


def test_the_campaign_is_listed_with_every_sender(client: FlaskClient, heard: Heard) -> None:
    rows = member_rows(heard.build)
    campaign_ids = {c for _, c, _ in rows if c is not None}
    assert len(campaign_ids) == 1
    (campaign_id,) = campaign_ids
    senders = {s.reference for _, c, s in rows if c == campaign_id and not s.is_spam}
    assert len(senders) >= 5
    login(client, heard.officer)
    page = client.get(f"/consultations/{heard.consultation.id}/themes").get_data(as_text=True)
    assert f"{len(senders)} senders" in page
    members = client.get(f"/consultations/{heard.consultation.id}/themes/campaigns/{campaign_id}")
    assert (
        set(re.findall(r"<code>(LS-[A-Z0-9-]+)</code>", members.get_data(as_text=True))) == senders
    )


def test_bad_filters_are_refused_with_the_form_errors(client: FlaskClient, heard: Heard) -> None:
    login(client, heard.officer)
    url = f"/consultations/{heard.consultation.id}/themes"
    for args in (
        {"stance": "angry"},
        {"from": "yesterday"},
        {"from": "2025-03-02", "to": "2025-03-01"},
    ):
        response = client.get(url, query_string=args)
        assert response.status_code == 400, args
        assert 'class="form-errors"' in response.get_data(as_text=True)
    assert client.get(f"{url}/999999").status_code == 404


def test_a_scope_without_themes_says_so(client: FlaskClient, heard: Heard) -> None:
    login(client, heard.officer)
    page = client.get(f"/ministries/{heard.ministry.code}/themes")
    assert page.status_code == 200
    assert "No themes yet" in page.get_data(as_text=True)
    assert client.get(f"/ministries/{heard.ministry.code}/themes/other").status_code == 404


def test_dates_are_kazakhstan_days(heard: Heard) -> None:
    first = min(heard.submissions, key=lambda s: s.created_at)
    day = local_day(first)
    scope = theme_views.consultation_scope(actor=heard.admin, consultation_id=heard.consultation.id)
    shown = theme_dashboard.dashboard(
        actor=heard.admin, scope=scope, filters=ThemeFilter(until=day - timedelta(days=1))
    )
    assert shown is not None
    assert shown.total == 0
    assert shown.week_starts == ()


def test_campaign_members_come_page_by_page(app: Flask, client: FlaskClient, heard: Heard) -> None:
    app.config["QUEUE_PAGE_SIZE"] = 4
    (campaign_id,) = {c for _, c, _ in member_rows(heard.build) if c is not None}
    login(client, heard.officer)
    url = f"/consultations/{heard.consultation.id}/themes/campaigns/{campaign_id}"
    first = client.get(url).get_data(as_text=True)
    assert f'href="{url}?page=2"' in first
    second = client.get(f"{url}?page=2").get_data(as_text=True)
    pages = [set(re.findall(r"<code>(LS-[A-Z0-9-]+)</code>", page)) for page in (first, second)]
    assert len(pages[0]) == 4
    assert pages[0].isdisjoint(pages[1])
    assert len(pages[0] | pages[1]) == COPIES

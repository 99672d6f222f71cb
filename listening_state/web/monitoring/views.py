"""Public monitoring: how each ministry handles submissions, as a page and as open data."""

from __future__ import annotations

import json
import re
from typing import Any

from babel import Locale
from babel.numbers import format_percent
from flask import Blueprint, Response, current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import force_locale, get_locale

from listening_state.extensions import limiter
from listening_state.i18n import current_language
from listening_state.services import monitoring, monitoring_export
from listening_state.web.monitoring.chart import weekly_chart
from listening_state.web.monitoring.table import COLUMNS, MINISTRY_TITLE, Sorting, sorted_rows

bp = Blueprint("monitoring", __name__)
# Anyone may reuse the open data, from any site: it is public and sent without cookies.
OPEN_DATA_HEADERS = {"Access-Control-Allow-Origin": "*"}


def _limit() -> str:
    return str(current_app.config["MONITORING_RATE_LIMIT"])


@bp.app_template_filter("share")
def share(value: float) -> str:
    """A share as a percentage with one decimal, written as the reader's locale writes
    percentages ("33.3%" in English, "33,3 %" in Russian)."""
    locale = get_locale() or Locale.parse("en")
    pattern = str(locale.percent_formats[None].pattern)
    one_decimal = re.sub(r"0(?=[^0]*$)", "0.0", pattern, count=1)  # the last digit placeholder
    return format_percent(value, one_decimal, locale=locale)


@bp.route("/monitoring")
@limiter.limit(_limit)
def index() -> ResponseReturnValue:
    """The figures per ministry in a sortable table, answers per week, and the downloads."""
    figures = monitoring.current_figures()
    sorting = Sorting.from_args(request.args.get("sort"), request.args.get("dir"))
    weeks = monitoring.current_answers_per_week()
    codes = {row.code: row for row in figures.ministries}
    charted = codes.get(request.args.get("chart", ""))
    chart_counts = weeks.of(charted.ministry_id if charted else None)
    return render_template(
        "monitoring/index.html",
        figures=figures,
        rows=sorted_rows(figures.ministries, sorting, current_language()),
        columns=COLUMNS,
        ministry_title=MINISTRY_TITLE,
        sorting=sorting,
        charted=charted,
        chart=weekly_chart(weeks.week_starts, chart_counts),
        ministries_by_name=sorted_rows(figures.ministries, Sorting(), current_language()),
        kept_seconds=current_app.config["MONITORING_CACHE_SECONDS"],
    )


@bp.route("/monitoring.csv")
@limiter.limit(_limit)
def export_csv() -> Response:
    """The figures per ministry as CSV (UTF-8, a header row, CC BY 4.0)."""
    figures = monitoring.current_figures()
    name = f"listening-state-monitoring-{figures.generated_at:%Y%m%d-%H%M%S}.csv"
    return Response(
        monitoring_export.as_csv(figures),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"', **OPEN_DATA_HEADERS},
    )


@bp.route("/monitoring.json")
@limiter.limit(_limit)
def export_json() -> Response:
    """The figures per ministry as JSON, with the licence and a link to the schema."""
    document = monitoring_export.as_json(
        monitoring.current_figures(),
        schema_url=url_for("monitoring.schema_json", _external=True),
    )
    return _json(document)


@bp.route("/monitoring/schema")
def schema() -> str:
    """What each column of the open data means, and the licence."""
    return render_template(
        "monitoring/schema.html",
        columns=monitoring_export.CSV_COLUMNS,
        licence=monitoring_export.LICENCE,
    )


@bp.route("/monitoring/schema.json")
def schema_json() -> Response:
    """The Table Schema of the CSV file, in English like the field names."""
    with force_locale("en"):
        document = monitoring_export.table_schema()
    return _json(document)


def _json(document: dict[str, Any]) -> Response:
    """UTF-8 JSON with the keys in the schema's order (Flask's own encoder sorts them)."""
    body = json.dumps(document, ensure_ascii=False, indent=1)
    return Response(body, mimetype="application/json", headers=OPEN_DATA_HEADERS)

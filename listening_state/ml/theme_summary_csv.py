"""Themes and campaigns of any CSV file of texts, no database involved: how others evaluate
the engine on their own data (`flask themes summarise`)."""

from __future__ import annotations

import csv
import datetime as dt
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from listening_state.ml.campaigns import find_campaigns
from listening_state.ml.evaluation import EvaluationDataError, open_csv
from listening_state.ml.themes import ThemeSettings, build_themes

__all__ = ["EvaluationDataError", "TextRows", "read_text_csv", "summarise"]


@dataclass(frozen=True)
class TextRows:
    ids: list[str]
    texts: list[str]
    times: list[dt.datetime] | None
    skipped_empty_text: int


def _parse_time(value: str, row_id: str, column: str, path: Path) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(value.strip())
    except ValueError as error:
        raise EvaluationDataError(
            f"{path}: row {row_id}: {value!r} in column {column!r} is not an ISO 8601 date "
            "(for example 2024-03-01 or 2024-03-01T09:30:00)"
        ) from error


def read_text_csv(
    path: Path, text_column: str, id_column: str | None = None, date_column: str | None = None
) -> TextRows:
    """The rows with text; a row's id is its `id_column` value, else its number (the first
    row after the header is 1). Ids must be unique; dates are ISO 8601."""
    columns = [name for name in (text_column, id_column, date_column) if name]
    reader = open_csv(path, columns)
    ids: list[str] = []
    texts: list[str] = []
    times: list[dt.datetime] = []
    seen: dict[str, int] = {}
    skipped = 0
    try:
        for number, row in enumerate(reader, start=1):
            text = (row.get(text_column) or "").strip()
            if not text:
                skipped += 1
                continue
            row_id = (row.get(id_column) or "").strip() if id_column else str(number)
            if not row_id:
                raise EvaluationDataError(f"{path}: row {number} has text but no {id_column!r}")
            if row_id in seen:
                raise EvaluationDataError(
                    f"{path}: id {row_id!r} appears on rows {seen[row_id]} and {number}; "
                    f"the values of {id_column!r} must be unique"
                )
            seen[row_id] = number
            if date_column:
                times.append(_parse_time(row.get(date_column) or "", row_id, date_column, path))
            ids.append(row_id)
            texts.append(text)
    except csv.Error as error:
        raise EvaluationDataError(f"{path}: not a readable CSV file ({error})") from error
    if not texts:
        raise EvaluationDataError(f"{path}: no row has text in column {text_column!r}")
    return TextRows(ids, texts, times if date_column else None, skipped)


def summarise(rows: TextRows, *, max_themes: int | None = None) -> dict[str, Any]:
    """One JSON-ready object: themes, each row's theme (or None), campaigns and seconds."""
    started = time.perf_counter()
    settings = ThemeSettings()
    if max_themes is not None:
        settings = replace(
            settings, max_themes=max_themes, min_themes=min(settings.min_themes, max_themes)
        )
    found = find_campaigns(rows.texts, ids=rows.ids)
    summary = build_themes(
        rows.texts,
        ids=rows.ids,
        times=rows.times,
        campaign_of=[None if c is None else str(c) for c in found.campaign_of],
        settings=settings,
    )
    return {
        "themes": [
            {
                "id": theme.id,
                "label": theme.label,
                "keywords": list(theme.keywords),
                "size": theme.size,
                "share": theme.share,
                "quotes": list(theme.quotes),
            }
            for theme in summary.themes
        ],
        "assignments": dict(zip(rows.ids, summary.assignments, strict=True)),
        "campaigns": [
            {"ids": [str(i) for i in campaign.ids], "size": campaign.size}
            for campaign in found.campaigns
        ],
        "seconds": round(time.perf_counter() - started, 3),
    }

"""Rows for analysts as CSV (streamed) or an Excel workbook, shared by every export.

Text cells are neutralised against spreadsheet formula injection; times are written in
Kazakhstan time without a zone, since spreadsheets cannot store zones.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

from flask import current_app
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

Cell = str | float | int | date | datetime | None
CSV_CHUNK_CHARS = 64_000
Result = TypeVar("Result")


def local_naive(value: datetime | None) -> datetime | None:
    """Kazakhstan time without a zone, to the second."""
    if value is None:
        return None
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return value.astimezone(zone).replace(tzinfo=None, microsecond=0)


def safe_cell(value: object) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas; quote them as text."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_text(value: Cell) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return safe_cell(value)


def xlsx_cell(value: Cell) -> Cell:
    if value is None or isinstance(value, int | float | date | datetime):
        return value
    return str(ILLEGAL_CHARACTERS_RE.sub("", safe_cell(value)))


def rows_when_read(
    results: Callable[[], Iterable[Result]], row: Callable[[Result], tuple[Cell, ...]]
) -> Iterator[tuple[Cell, ...]]:
    """A row for each result, with `results` (the query) called at the first row read.

    A streamed CSV is read after the request's database session is closed, in the one that
    stream_with_context gives the response: a query begun earlier fails there as soon as it
    fetches its next batch. So an export checks permission when called, and queries here.
    """
    for result in results():
        yield row(result)


def csv_chunks(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> Iterator[str]:
    """CSV text in chunks of about CSV_CHUNK_CHARS characters, the header first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow(csv_text(value) for value in row)
        if buffer.tell() > CSV_CHUNK_CHARS:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def xlsx_bytes(title: str, header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """An .xlsx workbook with one sheet, written row by row so memory stays bounded."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title)
    sheet.append(list(header))
    for row in rows:
        sheet.append([xlsx_cell(value) for value in row])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()

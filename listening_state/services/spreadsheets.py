"""Rows for analysts as CSV (streamed) or an Excel workbook, shared by every export.

Text cells are neutralised against spreadsheet formula injection; times are written in
Kazakhstan time without a zone, since spreadsheets cannot store zones.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from listening_state.services.audit import _safe_cell

Cell = str | float | int | date | datetime | None
CSV_CHUNK_CHARS = 64_000


def local_naive(value: datetime | None) -> datetime | None:
    """Kazakhstan time without a zone, to the second."""
    if value is None:
        return None
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return value.astimezone(zone).replace(tzinfo=None, microsecond=0)


def csv_text(value: Cell) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return _safe_cell(value)


def xlsx_cell(value: Cell) -> Cell:
    if value is None or isinstance(value, int | float | date | datetime):
        return value
    return str(ILLEGAL_CHARACTERS_RE.sub("", _safe_cell(value)))


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

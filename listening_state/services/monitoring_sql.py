"""Time arithmetic for the monitoring queries, written once per backend.

SQLite has no interval type and no time zones (timestamps are stored as UTC text), PostgreSQL
has both; these constructs give the same answers on each, to the millisecond, so the figures
do not depend on the database. Both are meant for non-negative spans (an answer comes after
its routing), where truncation and floor agree.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Boolean, Date, Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


class WholeUnitsBetween(FunctionElement[int]):
    """Whole `unit_seconds` periods from `earlier` to `later` (two timestamps), rounded down."""

    type = Integer()
    inherit_cache = True
    name = "whole_units_between"


class BeforeLocalDayEnds(FunctionElement[bool]):
    """Whether the timestamp `at` comes before the end of the calendar day `day` in a time zone
    `utc_offset_seconds` ahead of UTC (arguments: at, day, utc_offset_seconds)."""

    type = Boolean()
    inherit_cache = True
    name = "before_local_day_ends"


def _arguments(element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any) -> list[str]:
    return [compiler.process(clause, **kw) for clause in element.clauses]


@compiles(WholeUnitsBetween, "sqlite")
def _whole_units_sqlite(element: WholeUnitsBetween, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier, unit = _arguments(element, compiler, **kw)
    # julianday() is a float of days: rounded to whole milliseconds before the integer division,
    # so that exactly one day is 1, never 0.99999.
    return (
        f"(CAST(round((julianday({later}) - julianday({earlier})) * 86400000) AS INTEGER)"
        f" / ({unit} * 1000))"
    )


@compiles(WholeUnitsBetween, "postgresql")
def _whole_units_postgresql(element: WholeUnitsBetween, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier, unit = _arguments(element, compiler, **kw)
    # date_part (double precision), not EXTRACT (numeric, several times slower per row).
    return f"CAST(floor(date_part('epoch', {later} - {earlier}) / {unit}) AS INTEGER)"


@compiles(BeforeLocalDayEnds, "sqlite")
def _before_day_ends_sqlite(element: BeforeLocalDayEnds, compiler: SQLCompiler, **kw: Any) -> str:
    at, day, offset = _arguments(element, compiler, **kw)
    return (
        f"(CAST(round((julianday({at}) - julianday({day})) * 86400000) AS INTEGER)"
        f" < (86400 - {offset}) * 1000)"
    )


@compiles(BeforeLocalDayEnds, "postgresql")
def _before_day_ends_postgresql(
    element: BeforeLocalDayEnds, compiler: SQLCompiler, **kw: Any
) -> str:
    at, day, offset = _arguments(element, compiler, **kw)
    # Plain arithmetic on seconds since 1970: no per-row time zone conversion.
    return f"(date_part('epoch', {at}) < (({day} - DATE '1970-01-01') + 1) * 86400 - {offset})"


class LocalWeekStart(FunctionElement[date]):
    """The Monday that starts the week of the timestamp `at`, in a time zone
    `utc_offset_seconds` ahead of UTC (arguments: at, utc_offset_seconds)."""

    type = Date()
    inherit_cache = True
    name = "local_week_start"


@compiles(LocalWeekStart, "sqlite")
def _week_start_sqlite(element: LocalWeekStart, compiler: SQLCompiler, **kw: Any) -> str:
    at, offset = _arguments(element, compiler, **kw)
    # Whole seconds (week bounds are whole seconds): SQLite would round .9996 up to the next
    # second, and so, on a Sunday at 23:59:59.9996, to the next week. Then back six days and
    # on to the next Monday: the Monday on or before the local date.
    return f"date(substr({at}, 1, 19), printf('%+d seconds', {offset}), '-6 days', 'weekday 1')"


@compiles(LocalWeekStart, "postgresql")
def _week_start_postgresql(element: LocalWeekStart, compiler: SQLCompiler, **kw: Any) -> str:
    at, offset = _arguments(element, compiler, **kw)
    # date_trunc('week') truncates to Monday; AT TIME ZONE 'UTC' ignores the session's zone.
    return (
        f"CAST(date_trunc('week', ({at} AT TIME ZONE 'UTC') + {offset} * INTERVAL '1 second')"
        " AS DATE)"
    )

"""Bounds on numbers that arrive in requests, shared by the HTML pages and the JSON API."""

from __future__ import annotations

# Ids are 32-bit integer columns on PostgreSQL (and SQLite refuses anything past 64 bits):
# a larger number names nothing, and must not reach a query.
MAX_ID = 2**31 - 1
# No list is that long; the bound keeps OFFSET a small number however deep a link points.
MAX_PAGE = 100_000


def is_id(number: int) -> bool:
    """Whether a number could be a row's id: a form may post any integer, and one past
    MAX_ID makes the database refuse the query rather than find nothing."""
    return 1 <= number <= MAX_ID

"""The columns of the public monitoring table and their server-side sorting.

Column titles come from the open data fields (services/monitoring_export.py), so the page and
the downloads name each figure the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from listening_state.services.monitoring import Figures, MinistryFigures
from listening_state.services.monitoring_export import FIELDS

MINISTRY = "ministry"
ASC, DESC = "asc", "desc"
TITLES = {field.name: field.title for field in FIELDS}


@dataclass(frozen=True)
class Column:
    key: str  # the open data field name, used in ?sort=
    attribute: str  # on Figures
    kind: str  # count, share or days: how the template formats it

    @property
    def title(self) -> LazyString:
        return TITLES[self.key]

    def value(self, figures: Figures) -> int | float | None:
        value: int | float | None = getattr(figures, self.attribute)
        return value


COLUMNS = (
    Column("submissions_received", "received", "count"),
    Column("answered_share", "answered_share", "share"),
    Column("median_days_to_answer", "median_days_to_answer", "days"),
    Column("within_deadline_share", "within_deadline_share", "share"),
    Column("overdue", "overdue", "count"),
    Column("consultations_open", "consultations_open", "count"),
    Column("consultations_closed", "consultations_closed", "count"),
    Column("reports_published", "reports_published", "count"),
    Column("recommendations_accepted", "recommendations_accepted", "count"),
)
SORT_KEYS = (MINISTRY, *(column.key for column in COLUMNS))
MINISTRY_TITLE = _l("Ministry")


@dataclass(frozen=True)
class Sorting:
    key: str = MINISTRY
    direction: str = ASC

    @classmethod
    def from_args(cls, key: str | None, direction: str | None) -> Sorting:
        """What the URL asks for; anything unknown falls back to the default order."""
        if key not in SORT_KEYS:
            return cls()
        return cls(key, direction if direction in (ASC, DESC) else first_direction(key))

    def link(self, key: str) -> Sorting:
        """Where a column's header leads: the other direction when it is the sorted column."""
        if key == self.key:
            return Sorting(key, DESC if self.direction == ASC else ASC)
        return Sorting(key, first_direction(key))

    def aria(self, key: str) -> str | None:
        """aria-sort for a header: only the sorted column says how it is sorted."""
        if key != self.key:
            return None
        return "ascending" if self.direction == ASC else "descending"


def first_direction(key: str) -> str:
    """Names read A to Z; figures largest first, which is what people compare."""
    return ASC if key == MINISTRY else DESC


def sorted_rows(
    rows: Sequence[MinistryFigures], sorting: Sorting, language: str
) -> list[MinistryFigures]:
    """The rows in the requested order; empty figures (None) last either way, ties by name."""
    by_name = sorted(rows, key=lambda row: row.name(language).casefold())
    if sorting.key == MINISTRY:
        return by_name if sorting.direction == ASC else by_name[::-1]
    column = next(c for c in COLUMNS if c.key == sorting.key)
    present = [row for row in by_name if column.value(row) is not None]
    missing = [row for row in by_name if column.value(row) is None]
    # sorted() is stable, so rows with equal figures keep their alphabetical order.
    present.sort(key=lambda row: column.value(row) or 0, reverse=sorting.direction == DESC)
    return present + missing

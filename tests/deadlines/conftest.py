"""The routing fixtures (a small real router, three ministries) and a seeded calendar."""

from __future__ import annotations

import pytest
from flask import Flask

from listening_state.authz import SYSTEM
from listening_state.services import calendar
from tests.routing.conftest import active_router, ministries, small_router

__all__ = ["active_router", "ministries", "seeded_calendar", "small_router"]


@pytest.fixture
def seeded_calendar(app: Flask) -> None:
    """The shipped holidays of 2026 and 2027."""
    calendar.seed_calendar(actor=SYSTEM, years=[2026, 2027])

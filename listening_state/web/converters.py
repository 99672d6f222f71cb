"""URL converters: an id in a path is a number the database's id columns can hold."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

from listening_state.limits import MAX_ID


class IdConverter(IntegerConverter):
    """`<int:...>` for ids: 1 to MAX_ID, so a larger number is an unknown URL (404), not a
    value the database refuses to compare with its columns (500)."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def register(app: Flask) -> None:
    """Replace werkzeug's `int` for every route; call before any blueprint adds its rules."""
    app.url_map.converters["int"] = IdConverter

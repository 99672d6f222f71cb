"""Reading query arguments and JSON bodies: every refusal is a 400 naming its field."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from flask import current_app, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import UnsupportedMediaType

from listening_state.limits import MAX_ID, MAX_PAGE
from listening_state.services.errors import NotFound, ValidationFailed

# Short, so that int() never meets a number too long to convert (Python refuses 4,300+ digits).
_DIGITS = re.compile(r"-?[0-9]{1,12}")


def _refuse(field: str, message: object) -> ValidationFailed:
    return ValidationFailed({field: [str(message)]})


def path_id(value: str) -> int:
    """An id from the URL; anything that cannot be one is simply not found."""
    if not _DIGITS.fullmatch(value) or not 1 <= int(value) <= MAX_ID:
        raise NotFound("id")
    return int(value)


def query_int(name: str, *, default: int | None, low: int = 1, high: int = MAX_ID) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not _DIGITS.fullmatch(raw) or not low <= int(raw) <= high:
        raise _refuse(name, _l("Give a whole number from %(low)d to %(high)d.", low=low, high=high))
    return int(raw)


def query_choice(name: str, choices: Iterable[str]) -> str | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    allowed = list(choices)
    if raw not in allowed:
        raise _refuse(name, _l("Choose one of: %(choices)s.", choices=", ".join(allowed)))
    return raw


def query_bool(name: str) -> bool:
    raw = request.args.get(name)
    if raw is None or raw in ("", "false", "0"):
        return False
    if raw in ("true", "1"):
        return True
    raise _refuse(name, _l("Give true or false."))


def query_text(name: str, *, max_length: int) -> str:
    raw = request.args.get(name, "")
    if len(raw) > max_length:
        raise _refuse(name, _l("At most %(n)d characters.", n=max_length))
    return raw


def page_args() -> tuple[int, int]:
    """`page` (from 1) and `per_page` (capped by API_MAX_PER_PAGE)."""
    config = current_app.config
    page = query_int("page", default=1, high=MAX_PAGE) or 1
    per_page = query_int("per_page", default=config["PAGE_SIZE"], high=config["API_MAX_PER_PAGE"])
    return page, per_page or config["PAGE_SIZE"]


def json_body(allowed: Iterable[str]) -> dict[str, Any]:
    """The request's JSON object; unknown members are refused so typos do not pass silently."""
    if not request.is_json:
        raise UnsupportedMediaType()
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise _refuse("body", _l("Send a JSON object."))
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ValidationFailed({name: [str(_l("This field is not known."))] for name in unknown})
    return data


def body_text(data: dict[str, Any], name: str, *, required: bool = True) -> str:
    value = data.get(name)
    if value is None and not required:
        return ""
    # JSON may carry lone surrogates ("\ud800"), which no database can store as text.
    if not isinstance(value, str) or not _encodable(value):
        raise _refuse(name, _l("Give a text."))
    return value


def body_id(data: dict[str, Any], name: str) -> int | None:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        raise _refuse(name, _l("Give an id (a positive whole number) or null."))
    return value


def body_choice(data: dict[str, Any], name: str, choices: Iterable[str], default: str) -> str:
    value = data.get(name, default)
    allowed = list(choices)
    if value not in allowed:
        raise _refuse(name, _l("Choose one of: %(choices)s.", choices=", ".join(allowed)))
    return str(value)


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True

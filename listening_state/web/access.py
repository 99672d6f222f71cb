"""Typed wrappers for access decorators (Flask-Login ships no type information)."""

from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec, TypeVar, cast

import flask_login

P = ParamSpec("P")
R = TypeVar("R")


def login_required(view: Callable[P, R]) -> Callable[P, R]:
    """Send anonymous visitors to the sign-in page, then back."""
    return cast(Callable[P, R], flask_login.login_required(view))

"""URL helpers shared by the blueprints."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request


def safe_next(default: str) -> str:
    """Only same-site paths are followed after an action, never another host."""
    target = request.args.get("next", "") or request.form.get("next", "")
    parts = urlsplit(target)
    if (
        target.startswith("/")
        and not target.startswith("//")
        and not parts.netloc
        and "\\" not in target
    ):
        return target
    return default

"""The auth blueprint, shared by its view modules (sign-in, and account security)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("auth", __name__)

"""/healthz for load balancers and monitoring: JSON, no login, no rate limit."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from listening_state.extensions import limiter
from listening_state.services.health import health

bp = Blueprint("health", __name__)


@bp.route("/healthz")
@limiter.exempt
def healthz() -> ResponseReturnValue:
    """200 while the database and Redis (when configured) answer; 503 otherwise."""
    result = health()
    body = {
        "status": result.status,
        "checks": {
            name: {"ok": check.ok, "detail": check.detail, "required": check.required}
            for name, check in result.checks.items()
        },
    }
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response, 200 if result.serving else 503

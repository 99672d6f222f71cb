"""/healthz: what a load balancer sees of one web process."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from listening_state.models import RouterVersion

LOCAL_REDIS = ("127.0.0.1", 6379)


def _redis_running() -> bool:
    try:
        socket.create_connection(LOCAL_REDIS, timeout=0.5).close()
    except OSError:
        return False
    return True


def _unused_port() -> int:
    with socket.socket() as probe:  # bound, then closed: nothing listens there afterwards
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_healthy_with_database_and_active_router(
    client: FlaskClient, active_router: RouterVersion
) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["redis"] == {"ok": True, "detail": "not configured", "required": False}
    assert body["checks"]["router"]["detail"] == active_router.version
    assert response.headers["Cache-Control"] == "no-store"


def test_missing_router_is_degraded_but_still_serving(client: FlaskClient) -> None:
    """Submissions are kept and triaged without a router: the node stays in rotation."""
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "degraded"
    assert body["checks"]["router"]["ok"] is False
    assert body["checks"]["router"]["required"] is False


def test_unreachable_redis_is_degraded_but_keeps_the_node_serving(
    app_with: Callable[..., Flask],
) -> None:
    app = app_with(REDIS_URL=f"redis://127.0.0.1:{_unused_port()}/0")
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "degraded"
    assert body["checks"]["redis"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


def test_reachable_redis_is_reported(app_with: Callable[..., Flask]) -> None:
    if not _redis_running():
        if os.environ.get("CI") == "true":
            pytest.fail("CI requires the local Redis on 127.0.0.1:6379")
        pytest.skip("no Redis on 127.0.0.1:6379")
    app = app_with(REDIS_URL="redis://127.0.0.1:6379/15")
    body = app.test_client().get("/healthz").get_json()
    assert body["checks"]["redis"] == {"ok": True, "detail": "reachable", "required": False}


def test_unreachable_database_answers_503_not_500(app_with: Callable[..., Flask]) -> None:
    app = app_with(
        SQLALCHEMY_DATABASE_URI=f"postgresql+psycopg://nobody@127.0.0.1:{_unused_port()}/none"
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["database"]["ok"] is False


def test_proxy_fix_trusts_only_the_configured_hops(app_with: Callable[..., Flask]) -> None:
    forwarded = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
    direct = app_with()
    proxied = app_with(PROXY_FIX_X_FOR=1, PROXY_FIX_X_PROTO=1)

    @direct.get("/_whoami")
    @proxied.get("/_whoami")
    def whoami() -> str:
        from flask import request

        return f"{request.remote_addr} {request.scheme}"

    assert direct.test_client().get("/_whoami", headers=forwarded).text == "127.0.0.1 http"
    assert proxied.test_client().get("/_whoami", headers=forwarded).text == "203.0.113.7 https"


def test_database_without_tables_is_reported_not_a_500(
    app_with: Callable[..., Flask], tmp_path: Path
) -> None:
    """Reachable but not migrated (a deployment that skipped `flask db upgrade`)."""
    app = app_with(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'empty.sqlite'}")
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["checks"]["router"] == {
        "ok": False,
        "detail": "OperationalError",
        "required": False,
    }

"""What a load balancer asks a web process: can it reach its database and Redis, and has it
got a router to route submissions with. Only the database decides whether it serves."""

from __future__ import annotations

from dataclasses import dataclass

import redis
from flask import current_app
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from listening_state.extensions import db
from listening_state.services.job_queue import redis_client
from listening_state.services.router_registry import RouterUnavailable, active_router


@dataclass(frozen=True)
class Check:
    ok: bool
    detail: str
    # Without a required part (the database) the process cannot serve. Without the router or
    # Redis it still can: submissions are kept and wait in triage, rate limits fall back to
    # each process's memory and queued jobs wait in their table until Redis returns. Taking
    # every node out of rotation for either would stop citizens from submitting at all.
    required: bool = True


@dataclass(frozen=True)
class Health:
    checks: dict[str, Check]

    @property
    def serving(self) -> bool:
        return all(check.ok for check in self.checks.values() if check.required)

    @property
    def status(self) -> str:
        if not self.serving:
            return "unavailable"
        return "ok" if all(check.ok for check in self.checks.values()) else "degraded"


def _database() -> Check:
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as error:  # any driver error means the same thing here: not reachable
        db.session.rollback()
        return Check(ok=False, detail=type(error).__name__)
    return Check(ok=True, detail=db.engine.dialect.name)


def _redis() -> Check:
    if not current_app.config.get("REDIS_URL"):
        return Check(ok=True, detail="not configured", required=False)
    try:
        # The app's one client, the one requests push jobs with: no connection pool built per
        # probe, and an unreachable Redis holds a probe up no longer than it holds up a push
        # (job_queue.PUSH_TIMEOUT_SECONDS to connect, the same to answer; no retries).
        redis_client().ping()
    except (redis.RedisError, OSError) as error:
        return Check(ok=False, detail=type(error).__name__, required=False)
    return Check(ok=True, detail="reachable", required=False)


def _router() -> Check:
    try:
        loaded = active_router()
    except RouterUnavailable as error:
        return Check(ok=False, detail=str(error), required=False)
    except SQLAlchemyError as error:  # reachable but not migrated, say
        db.session.rollback()
        return Check(ok=False, detail=type(error).__name__, required=False)
    return Check(ok=True, detail=loaded.version, required=False)


def health() -> Health:
    database = _database()
    router = (  # which router is active is read from the database
        _router() if database.ok else Check(ok=False, detail="database unreachable", required=False)
    )
    return Health(checks={"database": database, "redis": _redis(), "router": router})

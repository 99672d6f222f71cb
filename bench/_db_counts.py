"""Database counts for bench/load.py: the bench citizens' stored rows, and waiting for routing."""

from __future__ import annotations

import time

from sqlalchemy import URL, Engine, create_engine, make_url, text

BENCH_AUTHORS = "load-citizen-%@bench.example.kz"


def psycopg_url(pg_url: str) -> URL:
    """`pg_url` (postgresql://...) through psycopg 3, the driver the app uses."""
    return make_url(pg_url.replace("postgresql://", "postgresql+psycopg://", 1))


def engine_for(pg_url: str) -> Engine:
    """An engine on `pg_url` through psycopg 3."""
    return create_engine(psycopg_url(pg_url))


def count_rows(pg_url: str, accepted: list[str]) -> dict[str, int]:
    """Accepted submissions against the bench citizens' rows in the database."""
    engine = engine_for(pg_url)
    with engine.connect() as connection:
        stored = set(
            connection.scalars(
                text(
                    "SELECT s.reference FROM submission s JOIN user_account u ON u.id = "
                    "s.author_id WHERE u.email LIKE :authors"
                ),
                {"authors": BENCH_AUTHORS},
            )
        )
    engine.dispose()
    confirmed = set(accepted)
    return {
        "stored": len(stored),
        "lost": len(confirmed - stored),
        "stored_unconfirmed": len(stored - confirmed),
    }


def wait_until_routed(pg_url: str, references: list[str], seconds: float = 1800.0) -> float:
    """Wait until every one of these submissions has a routing decision (deferred intake);
    the seconds waited."""
    started = time.monotonic()
    engine = engine_for(pg_url)
    try:
        while time.monotonic() - started < seconds:
            with engine.connect() as connection:
                waiting = connection.scalar(
                    text(
                        "SELECT count(*) FROM submission s WHERE s.reference = ANY(:references) "
                        "AND NOT EXISTS (SELECT 1 FROM routing_decision d "
                        "WHERE d.submission_id = s.id)"
                    ),
                    {"references": references},
                )
            if not waiting:
                return time.monotonic() - started
            time.sleep(0.1)
    finally:
        engine.dispose()
    raise RuntimeError(f"submissions still unrouted after {seconds:.0f} s")

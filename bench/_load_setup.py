"""The site under test for bench/load.py: its environment, a database rebuilt by the steps of
`make run`, the bench citizens, and the gunicorn and job-worker processes."""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

from _db_counts import psycopg_url
from _http_load import wait_for_port
from cryptography.fernet import Fernet
from sqlalchemy import URL, create_engine, text

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SHARED_DATA = ROOT.parent / "shared" / "data"
PORT = 8765
# Served by Flask itself (the WSGI app, its hooks and security headers) with no database,
# template or session read: the ceiling a comment request is compared with.
TRIVIAL_PATH = "/static/css/print.css"
RAISED_LIMIT = "1000000 per minute"
REDIS_URL = "redis://127.0.0.1:6379/14"


def app_env(args: argparse.Namespace, model_dir: Path) -> dict[str, str]:
    """The environment of every `flask` and `gunicorn` process the bench starts."""
    env = {
        **os.environ,
        "FLASK_APP": "listening_state",
        "LISTENING_STATE_ENV_NAME": "production",
        "LISTENING_STATE_SECRET_KEY": secrets.token_hex(32),
        "LISTENING_STATE_TOTP_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "LISTENING_STATE_DATABASE_URL": args.pg_url,
        "LISTENING_STATE_MODEL_DIR": str(model_dir),
        "LISTENING_STATE_SHARED_DATA_DIR": str(SHARED_DATA),
        "LISTENING_STATE_SUBMISSION_RATE_LIMIT": RAISED_LIMIT,
        "LISTENING_STATE_LOGIN_RATE_LIMIT": RAISED_LIMIT,
    }
    if args.fault == "redis-stopped":
        env["LISTENING_STATE_REDIS_URL"] = REDIS_URL
    if args.intake == "deferred":  # the web processes store; one separate worker finishes
        env["LISTENING_STATE_INTAKE_DEFERRED"] = "true"
        env["LISTENING_STATE_JOB_BACKEND"] = "table"
    return env


def _create_if_missing(url: URL) -> None:
    """CREATE DATABASE through the server's `postgres` database, when `url`'s does not exist."""
    server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        found = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": url.database}
        ).first()
        if found is None:
            quoted = server.dialect.identifier_preparer.quote(str(url.database))
            connection.execute(text(f"CREATE DATABASE {quoted}"))
    server.dispose()


def prepare_database(args: argparse.Namespace, env: dict[str, str]) -> dict[str, float]:
    """Empty the database (made first if missing), then build it with the same commands as
    `make run`."""
    url = psycopg_url(args.pg_url)
    _create_if_missing(url)
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    timings = {}
    for step in (["db", "upgrade"], ["demo", "load"], ["router", "bootstrap"]):
        started = time.monotonic()
        subprocess.run(  # noqa: S603 - this venv's flask, fixed arguments
            [str(BIN / "flask"), *step], cwd=ROOT, env=env, check=True, capture_output=True
        )
        timings[" ".join(step)] = time.monotonic() - started
    return timings


def make_citizens(env: dict[str, str], n: int) -> tuple[list[tuple[str, str]], list[int]]:
    """Citizens made through the accounts service (as registration would), and the open
    consultations they comment on."""
    os.environ.update({k: v for k, v in env.items() if k.startswith("LISTENING_STATE_")})
    from listening_state import create_app
    from listening_state.extensions import db
    from listening_state.models import Consultation
    from listening_state.services import accounts

    app = create_app()
    password = secrets.token_urlsafe(16)
    citizens = []
    with app.app_context():
        for i in range(n):
            email = f"load-citizen-{i}@bench.example.kz"
            accounts.register_citizen(
                email=email, display_name=f"Citizen {i}", password=password, language="en"
            )
            citizens.append((email, password))
        open_ids = [c.id for c in db.session.scalars(db.select(Consultation)) if c.is_open()]
        db.engine.dispose()
    return citizens, open_ids


def start_server(
    args: argparse.Namespace, env: dict[str, str], log: Path
) -> subprocess.Popen[bytes]:
    """`gunicorn wsgi:app` on PORT, once it accepts connections; its output goes to `log`."""
    command = [str(BIN / "gunicorn"), "-w", str(args.workers), "-b", f"127.0.0.1:{PORT}"]
    if args.threads > 1:
        command += ["--threads", str(args.threads)]
    with log.open("wb") as output:
        server = subprocess.Popen(  # noqa: S603 - this venv's gunicorn, fixed arguments
            [*command, "wsgi:app"], cwd=ROOT, env=env, stdout=output, stderr=output
        )
    if not wait_for_port("127.0.0.1", PORT, 60):
        server.kill()
        raise RuntimeError(f"gunicorn did not start:\n{log.read_text()}")
    return server


def start_worker(
    command: list[str], env: dict[str, str], log: Path, nice: int = 0
) -> subprocess.Popen[bytes]:
    """A `flask jobs ...` process (under `nice -n N` when `nice` is set); its output goes to
    `log`."""
    niced = ["nice", "-n", str(nice)] if nice else []
    with log.open("wb") as output:
        return subprocess.Popen(  # noqa: S603 - this venv's flask, fixed arguments
            [*niced, str(BIN / "flask"), *command], cwd=ROOT, env=env, stdout=output, stderr=output
        )

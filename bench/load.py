"""Load and faults: gunicorn + PostgreSQL under concurrent citizens; a table, then one JSON line.

    .venv/bin/python bench/load.py [--pg-url postgresql://postgres@127.0.0.1:5432/load_bench]
        [--seconds 60] [--trivial-seconds 60] [--rounds 3] [--clients 50] [--workers 2]
        [--threads 1] [--fault none|postgres-restart|model-removed|redis-stopped]
        [--fault-hold 10] [--intake in-request|deferred] [--worker-nice 0]

The database named by --pg-url is emptied (its public schema dropped) and rebuilt by the real
steps of `make run`: `flask db upgrade`, `flask demo load`, `flask router bootstrap`. Citizens
are created through the accounts service, then `gunicorn wsgi:app` starts with ENV_NAME
production. Each simulated citizen signs in through the real login form (CSRF token parsed from
the page) and, for --seconds, posts real Pol.is comments (CC BY 4.0, ../shared/data/polis) to
the open demo consultations through the real comment form, one after another on its own
keep-alive connection. The same visitors also GET a trivial endpoint for --trivial-seconds:
/static/css/print.css, served by Flask itself (through the WSGI app, its before/after-request
hooks and security headers, but no database, template or session read). /healthz is not the
ceiling: it queries the database and Redis. Afterwards every accepted submission (a 302 to its
confirmation page) is looked up in the database by its reference code. The two kinds of load
alternate in --rounds rounds (three of 20 s each by default), so that whatever else runs on the
machine weighs on both: the ratio between them is the figure to compare between machines.

The rate limits are raised through the environment (LISTENING_STATE_SUBMISSION_RATE_LIMIT,
..._LOGIN_RATE_LIMIT): they count per client address and all the simulated citizens come from
127.0.0.1, so the production limits would turn the bench into a test of the limiter. Raising
them, rather than switching the limiter off, keeps its cost in the figures.

--intake deferred runs the site with LISTENING_STATE_INTAKE_DEFERRED=true: the comment request
only stores the comment, and one `flask jobs work` process (JOB_BACKEND table) routes, hints and
themes it. After each submission phase the bench waits until that worker has routed every
accepted comment, before the trivial phase starts (so the worker never competes with it), and
reports the whole rate as well: accepted comments over the submission phases plus those waits.
That `processed_per_s` is the figure that does not count deferred work as done. With
--worker-nice N the worker runs under `nice -n N`, as a worker sharing a host with the web
processes should: requests come first, and it catches up when they let it.

Faults, injected at 30% of the run (they touch services other people may be using: each is
short, and the services are running again when the bench ends):
- postgres-restart: `service postgresql restart`; requests fail with 503 while it is down.
- model-removed: the active router file is deleted and each worker is stopped (SIGTERM; the
  master starts a new one, as after a crash), so the new workers must load it from disk:
  submissions go to triage. (Not SIGHUP: gunicorn's reload leaves some requests in flight
  unanswered, benoitc/gunicorn#3394, which would measure gunicorn rather than the app.)
- redis-stopped: gunicorn runs with LISTENING_STATE_REDIS_URL (rate limits in Redis); Redis is
  stopped for --fault-hold seconds, then started again. Not with --intake deferred: its jobs
  run from the database table, and the Redis job worker this fault tests would not start.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _db_counts import count_rows, psycopg_url, wait_until_routed  # noqa: E402
from _http_load import Result, Visitor, csrf_token, wait_for_port  # noqa: E402
from _load_faults import FAULTS, Fault, job_after_outage  # noqa: E402
from sqlalchemy import URL, create_engine, text  # noqa: E402

BIN = Path(sys.executable).parent
SHARED_DATA = ROOT.parent / "shared" / "data"
PORT = 8765
TRIVIAL_PATH = "/static/css/print.css"
STANCES = ("support", "oppose", "mixed", "no_position")
RAISED_LIMIT = "1000000 per minute"
REDIS_URL = "redis://127.0.0.1:6379/14"
SEED = 0


def real_comments() -> list[str]:
    """Every comment the facilitators of the Pol.is conversations accepted (10 to 2000 chars)."""
    comments = []
    for path in sorted((SHARED_DATA / "polis").glob("*/comments.csv")):
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                body = row["comment-body"].strip()
                if row["moderated"] == "1" and 10 <= len(body) <= 2000:
                    comments.append(body)
    return comments


@dataclass
class Run:
    """What the visitors saw, in order of sending."""

    results: list[Result] = field(default_factory=list)
    accepted: list[tuple[str, float]] = field(default_factory=list)  # (reference, sent at)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, result: Result, reference: str | None) -> None:
        with self.lock:
            self.results.append(result)
            if reference:
                self.accepted.append((reference, result.started))


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def app_env(args: argparse.Namespace, model_dir: Path) -> dict[str, str]:
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


def sign_in(citizen: tuple[str, str], consultation_id: int) -> tuple[Visitor, str]:
    visitor = Visitor("127.0.0.1", PORT)
    _, page = visitor.request("GET", "/login")
    email, password = citizen
    form = {"csrf_token": csrf_token(page), "email": email, "password": password}
    result, _ = visitor.request("POST", "/login", form)
    if result.status != 302:
        raise RuntimeError(f"sign-in of {email} answered {result.status}")
    _, page = visitor.request("GET", f"/consultations/{consultation_id}/comment")
    return visitor, csrf_token(page)


def run_clients(
    visitors: list[tuple[Visitor, str]], seconds: float, one: Callable[[Visitor, str, int], None]
) -> None:
    deadline = time.monotonic() + seconds

    def loop(index: int) -> None:
        visitor, token = visitors[index]
        while time.monotonic() < deadline:
            one(visitor, token, index)

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(len(visitors))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def submitter(
    run: Run, comments: Iterator[str], consultation_ids: list[int]
) -> Callable[..., None]:
    lock = threading.Lock()
    rng = random.Random(SEED)

    def one(visitor: Visitor, token: str, index: int) -> None:
        with lock:
            body, consultation_id, stance = (
                next(comments),
                rng.choice(consultation_ids),
                rng.choice(STANCES),
            )
        form = {"csrf_token": token, "section_id": "", "stance": stance, "body": body}
        result, _ = visitor.request("POST", f"/consultations/{consultation_id}/comment", form)
        accepted = result.status == 302 and result.location.endswith("/confirmation")
        run.add(result, result.location.rstrip("/").split("/")[-2] if accepted else None)
        if not accepted:  # a person would not resend at once; neither does the bench
            time.sleep(0.5)

    return one


def fetcher(run: Run) -> Callable[..., None]:
    def one(visitor: Visitor, token: str, index: int) -> None:
        result, _ = visitor.request("GET", TRIVIAL_PATH)
        run.add(result, None)

    return one


def summarise(run: Run, seconds: float, ok: Callable[[Result], bool]) -> dict[str, Any]:
    good = [r.seconds * 1000 for r in run.results if ok(r)]
    statuses = Counter(r.status for r in run.results)
    return {
        "requests": len(run.results),
        "ok": len(good),
        "per_s": round(len(good) / seconds, 1),
        "p50_ms": round(percentile(good, 50), 1),
        "p95_ms": round(percentile(good, 95), 1),
        "p99_ms": round(percentile(good, 99), 1),
        "mean_ms": round(statistics.fmean(good), 1) if good else float("nan"),
        "errors": len(run.results) - len(good),
        "status_5xx": sum(n for s, n in statuses.items() if s >= 500),
        "status_503": statuses.get(503, 0),
        "no_answer": statuses.get(0, 0),
        "statuses": dict(sorted(statuses.items())),
        "no_answer_kinds": dict(Counter(r.error for r in run.results if r.status == 0)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/load_bench")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--trivial-seconds", type=float, default=None, help="default: --seconds")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    parser.add_argument(
        "--rounds", type=int, default=3, help="submission and trivial phases alternate this often"
    )
    parser.add_argument(
        "--fault", default="none", choices=("none", *FAULTS), help="inject one fault"
    )
    parser.add_argument("--fault-hold", type=float, default=10.0, help="seconds Redis is down")
    parser.add_argument(
        "--intake",
        default="in-request",
        choices=("in-request", "deferred"),
        help="where comments are routed: in their request, or by a worker afterwards",
    )
    parser.add_argument(
        "--worker-nice",
        type=int,
        default=0,
        help="with --intake deferred, the worker's nice value (10: the web processes come first)",
    )
    args = parser.parse_args()
    if args.fault == "redis-stopped" and args.intake == "deferred":
        parser.error(
            "--fault redis-stopped needs --intake in-request: deferred intake runs jobs from the "
            "database table (JOB_BACKEND=table), so the Redis job worker the fault tests cannot "
            "start"
        )
    trivial_seconds = args.seconds if args.trivial_seconds is None else args.trivial_seconds

    workdir = Path(tempfile.mkdtemp(prefix="load-bench-"))
    model_dir = workdir / "models"
    env = app_env(args, model_dir)
    print(f"load average before: {os.getloadavg()}  workdir: {workdir}", flush=True)
    setup = prepare_database(args, env)
    citizens, consultation_ids = make_citizens(env, args.clients)
    server = start_server(args, env, workdir / "gunicorn.log")
    workers: list[subprocess.Popen[bytes]] = []
    if args.fault == "redis-stopped":  # the jobs that must resume when Redis is back
        workers.append(start_worker(["jobs", "worker"], env, workdir / "worker.log"))
    if args.intake == "deferred":  # finishes the comments the web processes only stored
        log = workdir / "intake-worker.log"
        workers.append(start_worker(["jobs", "work"], env, log, args.worker_nice))
    fault: Fault | None = None
    fault_figures: dict[str, object] = {}
    try:
        with ThreadPoolExecutor(8) as pool:
            visitors = list(pool.map(lambda c: sign_in(c, consultation_ids[0]), citizens))
        comments = itertools.cycle(random.Random(SEED).sample(real_comments(), k=5000))
        submissions = Run()
        if args.fault != "none":
            fault = FAULTS[args.fault](args, model_dir, server.pid, env, consultation_ids[0])
            fault.start()
        # Fault runs keep one long submission phase; otherwise the two kinds alternate in
        # rounds, so that load from other programs on the machine weighs on both alike.
        rounds = 1 if fault is not None or trivial_seconds <= 0 else args.rounds
        submit_one = submitter(submissions, comments, consultation_ids)
        trivial, load_seconds, trivial_elapsed, drain_seconds = Run(), 0.0, 0.0, 0.0
        for _ in range(rounds):
            started = time.monotonic()
            run_clients(visitors, args.seconds / rounds, submit_one)
            load_seconds += time.monotonic() - started
            if args.intake == "deferred":
                references = [reference for reference, _ in submissions.accepted]
                drain_seconds += wait_until_routed(args.pg_url, references)
            if fault is not None:
                fault.join()
                fault_figures = fault.figures(submissions.results, submissions.accepted)
            if trivial_seconds > 0:
                started = time.monotonic()
                run_clients(visitors, trivial_seconds / rounds, fetcher(trivial))
                trivial_elapsed += time.monotonic() - started
        for visitor, _ in visitors:
            visitor.close()
        if fault is not None and fault.job_id is not None:
            fault_figures.update(job_after_outage(args.pg_url, fault.job_id, fault.restored_wall))
    finally:
        # Every process is signalled before any is waited for, so that one slow to stop
        # cannot leave the others running.
        for process in (server, *workers):
            process.send_signal(signal.SIGTERM)
        for process in (server, *workers):
            process.wait(timeout=60)
    if args.intake == "deferred":
        fault_figures["drain_seconds"] = round(drain_seconds, 1)
        fault_figures["processed_per_s"] = round(
            len(submissions.accepted) / (load_seconds + drain_seconds), 1
        )
    report(args, setup, submissions, load_seconds, trivial, trivial_elapsed, fault_figures)


def start_worker(
    command: list[str], env: dict[str, str], log: Path, nice: int = 0
) -> subprocess.Popen[bytes]:
    niced = ["nice", "-n", str(nice)] if nice else []
    with log.open("wb") as output:
        return subprocess.Popen(  # noqa: S603 - this venv's flask, fixed arguments
            [*niced, str(BIN / "flask"), *command], cwd=ROOT, env=env, stdout=output, stderr=output
        )


def report(
    args: argparse.Namespace,
    setup: dict[str, float],
    submissions: Run,
    load_seconds: float,
    trivial: Run,
    trivial_seconds: float,
    fault_report: dict[str, object],
) -> None:
    sub = summarise(submissions, load_seconds, lambda r: r.status == 302)
    stored = count_rows(args.pg_url, [ref for ref, _ in submissions.accepted])
    row: dict[str, object] = {
        "submissions_per_s": sub["per_s"],
        "p50_ms": sub["p50_ms"],
        "p95_ms": sub["p95_ms"],
        "p99_ms": sub["p99_ms"],
        "errors": sub["errors"],
        "status_5xx": sub["status_5xx"],
        "status_503": sub["status_503"],
        "accepted": len(submissions.accepted),
        **stored,
    }
    print(f"\nsetup: {', '.join(f'{k} {v:.1f} s' for k, v in setup.items())}")
    print(
        f"gunicorn -w {args.workers} --threads {args.threads}, {args.clients} citizens, "
        f"{load_seconds:.1f} s of submissions, {trivial_seconds:.1f} s of the trivial endpoint, "
        f"fault: {args.fault}\n"
    )
    print(f"{'':22}{'per s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}{'5xx':>6}")
    print(
        f"{'submissions (POST)':22}{sub['per_s']:>8}{sub['p50_ms']:>9}{sub['p95_ms']:>9}"
        f"{sub['p99_ms']:>9}{sub['errors']:>8}{sub['status_5xx']:>6}"
    )
    if trivial.results:
        triv = summarise(trivial, trivial_seconds, lambda r: r.status == 200)
        print(
            f"{'trivial ' + TRIVIAL_PATH:22}{triv['per_s']:>8}{triv['p50_ms']:>9}"
            f"{triv['p95_ms']:>9}{triv['p99_ms']:>9}{triv['errors']:>8}{triv['status_5xx']:>6}"
        )
        row["trivial_per_s"] = triv["per_s"]
        row["trivial_p50_ms"] = triv["p50_ms"]
        row["ratio"] = (
            round(float(sub["per_s"]) / float(triv["per_s"]), 3) if triv["per_s"] else None
        )
        if "processed_per_s" in fault_report:
            processed = float(fault_report["processed_per_s"])  # type: ignore[arg-type]
            row["processed_ratio"] = (
                round(processed / float(triv["per_s"]), 3) if triv["per_s"] else None
            )
    print(f"\nsubmission statuses: {sub['statuses']}, no answer: {sub['no_answer_kinds']}")
    print(
        f"accepted {row['accepted']}, stored {row['stored']} (of the bench citizens), "
        f"lost {row['lost']}, stored without a confirmation {row['stored_unconfirmed']}"
    )
    for key, value in fault_report.items():
        print(f"{key:32} {value}")
    row.update({k: v for k, v in fault_report.items() if not isinstance(v, list)})
    row.update({"fault": args.fault, "clients": args.clients, "workers": args.workers})
    row["intake"] = args.intake
    row["seconds"] = round(load_seconds, 1)
    row["load_average"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(row))


if __name__ == "__main__":
    main()

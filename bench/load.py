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
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _db_counts import wait_until_routed  # noqa: E402
from _http_load import Visitor, csrf_token  # noqa: E402
from _load_faults import FAULTS, Fault, job_after_outage  # noqa: E402
from _load_report import Run, report  # noqa: E402
from _load_setup import (  # noqa: E402
    PORT,
    SHARED_DATA,
    TRIVIAL_PATH,
    app_env,
    make_citizens,
    prepare_database,
    start_server,
    start_worker,
)

STANCES = ("support", "oppose", "mixed", "no_position")
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


if __name__ == "__main__":
    main()

"""Faults for bench/load.py, injected from a thread while the citizens submit, and the
figures that say how the site went through them."""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path

from _db_counts import engine_for
from _http_load import Result
from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
START_SHARE = 0.3  # the fault starts at 30% of the run, so there is load before and after


def _run(
    *command: str, check: bool = True, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a system command (service, pg_isready...) by its full path, from this script only."""
    executable = shutil.which(command[0]) or command[0]
    return subprocess.run(  # noqa: S603 - fixed commands of this bench, no outside input
        [executable, *command[1:]], capture_output=True, text=True, check=check, env=env, cwd=ROOT
    )


def _wait(*command: str, seconds: float = 120.0) -> float:
    """Run `command` until it succeeds; the moment it first did."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if _run(*command, check=False).returncode == 0:
            return time.monotonic()
        time.sleep(0.2)
    raise RuntimeError(f"{' '.join(command)} did not succeed in {seconds} s")


def routing_of(pg_url: str, references: list[str]) -> dict[str, int]:
    """How these submissions were routed: by a model version, or to triage without one."""
    if not references:
        return {}
    engine = engine_for(pg_url)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT coalesce(d.model_version, d.reason) FROM routing_decision d "
                "JOIN submission s ON s.id = d.submission_id WHERE s.reference = ANY(:refs)"
            ),
            {"refs": references},
        )
        counts = Counter(str(value) for (value,) in rows)
    engine.dispose()
    return dict(counts)


def job_after_outage(
    pg_url: str, job_id: int, back_wall: float, seconds: float = 180.0
) -> dict[str, object]:
    """Wait for the job queued during the outage to finish: its status, and how long after
    Redis was started again it finished (from the row's finished_at)."""
    engine = engine_for(pg_url)
    deadline = time.monotonic() + seconds
    status, finished = "unknown", None
    try:
        while time.monotonic() < deadline:
            with engine.connect() as connection:
                row = connection.execute(
                    text("SELECT status, finished_at FROM background_job WHERE id = :id"),
                    {"id": job_id},
                ).one()
            status, finished = str(row.status), row.finished_at
            if status.lower() in ("done", "failed"):
                break
            time.sleep(0.5)
    finally:
        engine.dispose()
    after = round(finished.timestamp() - back_wall, 1) if finished is not None else None
    return {"job_status": status, "job_finished_s_after_redis_start": after}


class Fault(threading.Thread):
    """Waits for its moment, injects the fault, and puts it right."""

    name_ = "fault"

    def __init__(
        self,
        args: argparse.Namespace,
        model_dir: Path,
        server_pid: int,
        env: dict[str, str],
        consultation_id: int,
    ) -> None:
        super().__init__(daemon=True)
        self.args, self.model_dir, self.server_pid = args, model_dir, server_pid
        self.env, self.consultation_id = env, consultation_id
        self.job_id: int | None = None  # a background job queued during the fault
        self.at = args.seconds * START_SHARE
        self.began = 0.0  # time.monotonic() of the injection
        self.restored = 0.0  # when the broken part was back (0: never broken for long)
        self.restored_wall = 0.0  # wall clock when the restart was issued, to compare with rows
        self.notes: dict[str, object] = {}

    def run(self) -> None:
        time.sleep(self.at)
        self.began = time.monotonic()
        self.inject()

    def inject(self) -> None:
        raise NotImplementedError

    def figures(
        self, results: list[Result], accepted: list[tuple[str, float]]
    ) -> dict[str, object]:
        """What the visitors saw from the fault on: failures, and when service came back."""
        # Answered from the fault on: those sent later, and those in flight when it began.
        after = [r for r in results if r.started + r.seconds >= self.began]
        failed = [r for r in after if r.status != 302]
        last_failure = max((r.started + r.seconds for r in failed), default=None)
        recovered = None
        if last_failure is not None:
            recovered = min(
                (
                    r.started + r.seconds
                    for r in after
                    if r.status == 302 and r.started >= last_failure
                ),
                default=None,
            )
        retry_after = Counter(r.retry_after for r in after if r.status == 503)
        return {
            "fault_at_s": round(self.at, 1),
            "statuses_after_fault": dict(sorted(Counter(r.status for r in after).items())),
            "failed_after_fault": len(failed),
            "first_failure_s": round(min(r.started + r.seconds for r in failed) - self.began, 2)
            if failed
            else None,
            "last_failure_s": round(last_failure - self.began, 2) if last_failure else None,
            "recovered_s": round(recovered - self.began, 2) if recovered else None,
            "broken_part_back_s": round(self.restored - self.began, 2) if self.restored else None,
            "retry_after_values": dict(retry_after),
            **self.notes,
        }


class PostgresRestart(Fault):
    def inject(self) -> None:
        _run("service", "postgresql", "restart")
        self.restored = _wait("pg_isready", "-h", "127.0.0.1", "-q")


class ModelRemoved(Fault):
    def inject(self) -> None:
        removed = [path.name for path in self.model_dir.glob("*.joblib")]
        for path in self.model_dir.glob("*.joblib"):
            path.unlink()
        # Workers keep the model they loaded; restarted ones (a crash, --max-requests) must
        # read the file again and find it gone. Each worker is stopped; the master replaces it.
        workers = _run("pgrep", "-P", str(self.server_pid)).stdout.split()
        for pid in workers:
            os.kill(int(pid), signal.SIGTERM)
        self.notes["workers_restarted"] = len(workers)
        self.notes["model_files_removed"] = removed

    def figures(
        self, results: list[Result], accepted: list[tuple[str, float]]
    ) -> dict[str, object]:
        figures = super().figures(results, accepted)
        with urllib.request.urlopen("http://127.0.0.1:8765/healthz", timeout=10) as response:
            figures["healthz_after"] = response.read().decode()
        before = [ref for ref, started in accepted if started < self.began]
        after = [ref for ref, started in accepted if started >= self.began + 5]
        figures["routing_before_fault"] = routing_of(self.args.pg_url, before)
        figures["routing_from_5s_after_fault"] = routing_of(self.args.pg_url, after)
        return figures


# Redis is stopped and started as .ci/run starts it: on these machines it was not started by
# its init script, so `service redis-server stop` finds no pid file and stops nothing.
REDIS_STOP = ("redis-cli", "-h", "127.0.0.1", "shutdown", "nosave")
REDIS_START = (
    "redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379",
    "--save", "", "--appendonly", "no",
)  # fmt: skip


class RedisStopped(Fault):
    def inject(self) -> None:
        _run(*REDIS_STOP, check=False)
        if _run("redis-cli", "-h", "127.0.0.1", "ping", check=False).returncode == 0:
            raise RuntimeError("Redis still answers after shutdown: the fault would test nothing")
        time.sleep(self.args.fault_hold / 2)
        # A theme rebuild queued while Redis is down: its push fails, the row stays QUEUED
        # and the worker's sweep must push it again once Redis is back.
        flask = str(BIN / "flask")
        consultation = str(self.consultation_id)
        queued = _run(
            flask, "themes", "rebuild", "--consultation", consultation, check=False, env=self.env
        )
        found = re.search(r"Job (\d+)", queued.stdout)
        self.job_id = int(found.group(1)) if found else None
        self.notes["job_queued_during_outage"] = queued.stdout.strip() or queued.stderr[-300:]
        time.sleep(self.args.fault_hold / 2)
        self.restored_wall = time.time()  # jobs are timed from the moment Redis is started
        _run(*REDIS_START)
        self.restored = _wait("redis-cli", "ping")


FAULTS: dict[str, type[Fault]] = {
    "postgres-restart": PostgresRestart,
    "model-removed": ModelRemoved,
    "redis-stopped": RedisStopped,
}

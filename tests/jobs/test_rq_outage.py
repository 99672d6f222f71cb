"""Redis stopped under a running worker: the worker keeps trying and runs the queued jobs once
Redis is back. The outage is a local relay to the real Redis that is not listening at first."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import socketserver
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from flask import Flask

from listening_state.extensions import db
from listening_state.models import BackgroundJob, JobStatus
from listening_state.services import rq_worker
from tests.jobs.conftest import closed_port, queue_digest

REDIS_ADDRESS = ("127.0.0.1", 6379)


class _Relay(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        upstream = socket.create_connection(REDIS_ADDRESS)

        def pump(source: socket.socket, target: socket.socket) -> None:
            try:
                while data := source.recv(65536):
                    target.sendall(data)
            except OSError:
                pass
            finally:
                for end in (source, target):
                    with contextlib.suppress(OSError):
                        end.shutdown(socket.SHUT_RDWR)

        back = threading.Thread(target=pump, args=(upstream, self.request), daemon=True)
        back.start()
        pump(self.request, upstream)
        back.join(timeout=5)
        upstream.close()


class _RelayServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


@pytest.fixture
def redis_back_later() -> Iterator[tuple[int, Callable[[], None]]]:
    """A port where Redis is unreachable until `bring_back()` starts relaying it."""
    port = closed_port()
    servers: list[_RelayServer] = []

    def bring_back() -> None:
        server = _RelayServer(("127.0.0.1", port), _Relay)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)

    yield port, bring_back
    for server in servers:
        server.shutdown()
        server.server_close()


def test_a_worker_outlives_a_redis_outage_and_runs_the_queued_job_after_it(
    rq_app_with: Callable[..., Flask], redis_back_later: tuple[int, Callable[[], None]]
) -> None:
    port, bring_back = redis_back_later
    with rq_app_with().app_context():
        job_id = queue_digest().id  # pushed while Redis was up
    worker_app = rq_app_with(REDIS_URL=f"redis://127.0.0.1:{port}/14", JOB_POLL_SECONDS=0.5)
    printed: list[str] = []
    finished = threading.Event()

    def outage_then_stop() -> None:
        time.sleep(1.5)
        bring_back()
        with worker_app.app_context():
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                db.session.rollback()
                job = db.session.get(BackgroundJob, job_id)
                if job is not None and job.status is JobStatus.DONE:
                    finished.set()
                    break
                time.sleep(0.1)
        os.kill(os.getpid(), signal.SIGTERM)  # as a supervisor stops the worker

    watcher = threading.Thread(target=outage_then_stop)
    watcher.start()
    with worker_app.app_context():
        ran = rq_worker.work(app=worker_app, echo=printed.append)
    watcher.join()
    assert finished.is_set()
    assert ran == 1
    assert any(line.startswith("Redis unreachable") for line in printed), printed

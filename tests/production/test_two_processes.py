"""Two web processes on one PostgreSQL share everything a visitor needs: sessions, data and
the active router (its file in the shared MODEL_DIR), so any number can serve behind a load
balancer. The processes are real gunicorn servers, reached over HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from listening_state.authz import SYSTEM
from listening_state.extensions import db
from listening_state.ml.routing import RouterSettings, train_router
from listening_state.models import Consultation, Role, RouterVersion, RoutingDecision, Submission
from listening_state.services import router_versions
from listening_state.services.router_registry import model_dir
from tests.factories import PASSWORD, make_consultation, make_ministry, make_user
from tests.production.web_client import WebSession, csrf_token
from tests.real_text import polis_comments
from tests.routing.conftest import DEPARTMENTS, petition_examples

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
START_SECONDS = 60


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path


def _start(name: str, app: Flask, tmp_path: Path) -> Server:
    port = _free_port()
    env = {
        **os.environ,
        "LISTENING_STATE_ENV_NAME": "testing",
        "LISTENING_STATE_SECRET_KEY": app.config["SECRET_KEY"],
        # The test's database, as a plain URL: what an operator would write.
        "LISTENING_STATE_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "LISTENING_STATE_MODEL_DIR": str(model_dir()),
        "LISTENING_STATE_SHARED_DATA_DIR": app.config["SHARED_DATA_DIR"],
    }
    log = tmp_path / f"{name}.log"
    command = [str(GUNICORN), "-w", "1", "-b", f"127.0.0.1:{port}", "wsgi:app"]
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=output)
    return Server(url=f"http://127.0.0.1:{port}", process=process, log=log)


def _wait_until_serving(server: Server) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"{server.url} exited:\n{server.log.read_text()}")
        try:
            health = f"{server.url}/healthz"
            with urllib.request.urlopen(health, timeout=5) as response:  # noqa: S310 - http://
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    pytest.fail(f"{server.url} did not start:\n{server.log.read_text()}")


@pytest.fixture
def servers(app: Flask, tmp_path: Path) -> Iterator[tuple[Server, Server]]:
    """Process A and process B: same database, same MODEL_DIR, same secret key."""
    pair = (_start("a", app, tmp_path), _start("b", app, tmp_path))
    try:
        for server in pair:
            _wait_until_serving(server)
        yield pair
    finally:
        for server in pair:
            server.process.terminate()
        for server in pair:
            server.process.wait(timeout=30)


def _train_small_router(per_department: int) -> RouterVersion:
    """A real router trained on UK petitions, saved to MODEL_DIR, not yet active."""
    texts, labels = petition_examples()
    seen: Counter[str] = Counter()
    kept = []
    for text, label in zip(texts, labels, strict=True):
        seen[label] += 1
        if seen[label] <= per_department:
            kept.append((text, label))
    model, report = train_router(
        [text for text, _ in kept], [label for _, label in kept], RouterSettings(cv_folds=3)
    )
    return router_versions.save_version(model=model, report=report, n_human_examples=0)


@pytest.fixture
def consultation(app: Flask) -> Consultation:
    ministries = {code: make_ministry(code) for code in DEPARTMENTS.values()}
    return make_consultation(ministries["MT"])


def _comment(browser: WebSession, server: Server, consultation: Consultation, body: str) -> str:
    """Send a comment through a server's real form; returns its reference code."""
    page = browser.request(f"{server.url}/consultations/{consultation.id}/comment")
    assert page.status == 200, page.text
    form = {"csrf_token": csrf_token(page.text), "section_id": "", "stance": "support"}
    sent = browser.request(
        f"{server.url}/consultations/{consultation.id}/comment", {**form, "body": body}
    )
    assert sent.status == 302, sent.text
    return sent.headers["location"].rstrip("/").split("/")[-2]


def _sign_in(browser: WebSession, server: Server, email: str) -> None:
    page = browser.request(f"{server.url}/login")
    form = {"csrf_token": csrf_token(page.text), "email": email, "password": PASSWORD}
    signed_in = browser.request(f"{server.url}/login", form)
    assert signed_in.status == 302, signed_in.text


def _model_version_of(reference: str) -> str | None:
    db.session.expire_all()  # the rows were written by the servers, not by this session
    submission = db.session.scalar(select(Submission).where(Submission.reference == reference))
    assert submission is not None
    decision = db.session.scalar(
        select(RoutingDecision).where(RoutingDecision.submission_id == submission.id)
    )
    assert decision is not None
    return decision.model_version


def test_a_comment_sent_through_one_process_is_read_through_the_other(
    servers: tuple[Server, Server], consultation: Consultation
) -> None:
    a, b = servers
    citizen = make_user(email="citizen-two-processes@example.kz")
    browser = WebSession()
    _sign_in(browser, a, citizen.email)
    body = polis_comments(min_length=40)[0]
    reference = _comment(browser, a, consultation, body)

    # The session cookie A signed is valid on B (same secret key, nothing kept in a process).
    seen = browser.request(f"{b.url}/submissions/{reference}")
    assert seen.status == 200, seen.text
    assert reference in seen.text
    mine = browser.request(f"{b.url}/my/submissions")
    assert reference in mine.text


def test_a_router_activated_through_one_process_is_used_by_the_other(
    servers: tuple[Server, Server], consultation: Consultation
) -> None:
    a, b = servers
    comments = polis_comments(min_length=40)
    first = _train_small_router(per_department=20)
    router_versions.activate_version(actor=SYSTEM, version=first.version)
    second = _train_small_router(per_department=30)
    assert second.sha256 != first.sha256

    citizen = make_user(email="citizen-router@example.kz")
    browser = WebSession()
    _sign_in(browser, b, citizen.email)
    before = _comment(browser, b, consultation, comments[1])
    assert _model_version_of(before) == first.version  # B has loaded the first version

    admin = make_user(Role.ADMIN, email="admin-router@example.kz")
    admin_browser = WebSession()
    _sign_in(admin_browser, a, admin.email)
    router_page = admin_browser.request(f"{a.url}/admin/router")
    assert router_page.status == 200, router_page.text
    activated = admin_browser.request(
        f"{a.url}/admin/router/{second.version}/activate",
        {"csrf_token": csrf_token(router_page.text)},
    )
    assert activated.status == 302, activated.text

    after = _comment(browser, b, consultation, comments[2])
    assert _model_version_of(after) == second.version  # B switched without a restart

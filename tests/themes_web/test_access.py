"""Who reads the themes, who rebuilds and publishes them, and the rebuild's progress."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from listening_state.extensions import db
from listening_state.models import AuditEntry, BackgroundJob, JobStatus, ThemeBuild, User
from listening_state.services import theme_publication
from listening_state.services.errors import PermissionDenied
from tests.factories import PASSWORD, login
from tests.themes_web.conftest import Heard, write_build


def _pages(h: Heard) -> list[str]:
    base = f"/consultations/{h.consultation.id}/themes"
    theme_id = h.build.themes[0].id
    return [
        base,
        f"{base}/{theme_id}",
        f"{base}/other",
        f"{base}.csv",
        f"{base}.xlsx",
        f"/ministries/{h.ministry.code}/themes",
        f"/ministries/{h.ministry.code}/themes.csv",
    ]


def _user(h: Heard, role: str) -> User:
    return {
        "citizen": h.citizen,
        "other_officer": h.other_officer,
        "other_member": h.other_member,
        "officer": h.officer,
        "member": h.member,
        "admin": h.admin,
    }[role]


def test_anonymous_visitors_are_sent_to_sign_in(client: FlaskClient, heard: Heard) -> None:
    for url in _pages(heard):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["citizen", "other_officer", "other_member"])
def test_others_get_403_on_every_page(client: FlaskClient, heard: Heard, role: str) -> None:
    login(client, _user(heard, role))
    for url in _pages(heard):
        assert client.get(url).status_code == 403, url
    base = f"/consultations/{heard.consultation.id}/themes"
    assert client.post(f"{base}/rebuild").status_code == 403
    assert client.post(f"{base}/publish", data={"build": heard.build.id}).status_code == 403


@pytest.mark.parametrize("role", ["officer", "member", "admin"])
def test_the_ministry_its_council_and_admins_read_every_page(
    client: FlaskClient, heard: Heard, role: str
) -> None:
    login(client, _user(heard, role))
    for url in _pages(heard):
        if "/ministries/" in url and url.endswith(".csv"):
            assert client.get(url).status_code == 404, url  # no ministry build yet
            continue
        assert client.get(url).status_code == 200, url


def test_council_members_read_but_do_not_rebuild_or_publish(
    client: FlaskClient, heard: Heard
) -> None:
    login(client, heard.member)
    base = f"/consultations/{heard.consultation.id}/themes"
    page = client.get(base).get_data(as_text=True)
    assert "Rebuild the themes" not in page
    assert "Publish these themes" not in page
    assert client.post(f"{base}/rebuild").status_code == 403
    assert client.post(f"{base}/publish", data={"build": heard.build.id}).status_code == 403
    assert db.session.scalar(select(BackgroundJob.id)) is None
    with pytest.raises(PermissionDenied):
        theme_publication.publish_build(actor=heard.member, build=heard.build)


def test_officer_queues_a_rebuild_and_follows_its_progress(
    client: FlaskClient, heard: Heard
) -> None:
    login(client, heard.officer)
    base = f"/consultations/{heard.consultation.id}/themes"
    response = client.post(f"{base}/rebuild")
    assert response.status_code == 302
    job = db.session.scalars(select(BackgroundJob)).one()
    assert (job.kind, job.subject_key, job.status) == (
        "themes.rebuild",
        f"consultation:{heard.consultation.id}",
        JobStatus.QUEUED,
    )
    page = client.get(base).get_data(as_text=True)
    assert f'data-job-url="/jobs/{job.id}.json"' in page
    assert "Rebuild the themes" not in page  # one rebuild at a time
    job.status, job.progress = JobStatus.RUNNING, 0.4
    db.session.commit()
    assert client.get(f"/jobs/{job.id}.json").get_json() == {
        "id": job.id,
        "status": "running",
        "progress": 0.4,
        "finished": False,
    }
    assert 'value="0.4"' in client.get(base).get_data(as_text=True)


def test_a_failed_rebuild_is_reported_and_the_themes_stay(
    client: FlaskClient, heard: Heard
) -> None:
    db.session.add(
        BackgroundJob(
            kind="themes.rebuild",
            subject_key=f"consultation:{heard.consultation.id}",
            status=JobStatus.FAILED,
            error="engine failed",
        )
    )
    db.session.commit()
    login(client, heard.officer)
    page = client.get(f"/consultations/{heard.consultation.id}/themes").get_data(as_text=True)
    assert "The last rebuild failed" in page
    assert heard.build.themes[0].label in page


def test_job_progress_is_refused_to_others_as_json(client: FlaskClient, heard: Heard) -> None:
    job = BackgroundJob(kind="themes.rebuild", subject_key=f"consultation:{heard.consultation.id}")
    db.session.add(job)
    db.session.commit()
    login(client, heard.other_officer)
    response = client.get(f"/jobs/{job.id}.json")
    assert response.status_code == 403
    assert response.get_json() == {"error": "forbidden"}
    assert client.get("/jobs/999999.json").status_code == 404
    member = client.application.test_client()
    login(member, heard.member)
    assert member.get(f"/jobs/{job.id}.json").get_json()["status"] == "queued"


def test_officer_publishes_the_build_they_saw_and_it_is_audited(
    client: FlaskClient, heard: Heard
) -> None:
    login(client, heard.officer)
    base = f"/consultations/{heard.consultation.id}/themes"
    assert f'name="build" type="hidden" value="{heard.build.id}"' in client.get(base).get_data(
        as_text=True
    )
    assert client.post(f"{base}/publish", data={}).status_code == 400
    assert client.post(f"{base}/publish", data={"build": heard.build.id}).status_code == 302
    build = db.session.get(ThemeBuild, heard.build.id)
    assert build is not None
    db.session.refresh(build)
    assert build.published_at is not None
    assert build.published_by_id == heard.officer.id
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "themes.publish")
    ).one()
    assert (entry.target_type, entry.target_id, entry.actor_id) == (
        "theme_build",
        build.id,
        heard.officer.id,
    )
    assert client.post(f"{base}/publish", data={"build": build.id}).status_code == 409


def test_an_older_build_is_not_published(client: FlaskClient, heard: Heard) -> None:
    newer = ThemeBuild(consultation_id=heard.consultation.id, inputs=0)
    db.session.add(newer)
    db.session.commit()
    login(client, heard.officer)
    base = f"/consultations/{heard.consultation.id}/themes"
    assert client.post(f"{base}/publish", data={"build": heard.build.id}).status_code == 409
    build = db.session.get(ThemeBuild, heard.build.id)
    assert build is not None
    db.session.refresh(build)
    assert build.published_at is None


def test_a_ministrys_themes_are_read_by_its_council_not_by_another(
    client: FlaskClient, heard: Heard
) -> None:
    build = write_build(heard.submissions, ministry=heard.ministry)
    url = f"/ministries/{heard.ministry.code}/themes"
    login(client, heard.member)
    page = client.get(url)
    assert page.status_code == 200
    assert build.themes[0].label in page.get_data(as_text=True)
    assert "Publish these themes" not in page.get_data(as_text=True)  # only consultations'
    rows = list(csv.reader(io.StringIO(client.get(f"{url}.csv").get_data(as_text=True))))
    assert len(rows) == 1 + len(heard.submissions) - 1  # the header; spam left out
    other = client.application.test_client()
    login(other, heard.other_member)
    assert other.get(url).status_code == 403
    assert other.get(f"{url}/{build.themes[0].id}").status_code == 403


def test_rebuilds_and_exports_are_rate_limited(
    app_with: Callable[..., Flask], heard: Heard
) -> None:
    client = app_with(RATELIMIT_ENABLED=True, THEMES_RATE_LIMIT="2 per minute").test_client()
    login(client, heard.officer)
    base = f"/consultations/{heard.consultation.id}/themes"
    assert [client.get(f"{base}.csv").status_code for _ in range(3)] == [200, 200, 429]
    assert [client.post(f"{base}/rebuild").status_code for _ in range(3)] == [302, 302, 429]


def test_theme_actions_need_a_csrf_token(app_with: Callable[..., Flask], heard: Heard) -> None:
    client = app_with(WTF_CSRF_ENABLED=True).test_client()
    login_response = client.get("/login")  # the sign-in form carries its own token
    assert login_response.status_code == 200
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_response.text)
    assert token is not None
    signed_in = client.post(
        "/login",
        data={"email": heard.officer.email, "password": PASSWORD, "csrf_token": token.group(1)},
    )
    assert signed_in.status_code == 302
    base = f"/consultations/{heard.consultation.id}/themes"
    assert client.post(f"{base}/rebuild").status_code == 400
    assert client.post(f"{base}/publish", data={"build": heard.build.id}).status_code == 400
    assert db.session.scalar(select(BackgroundJob.id)) is None

"""The audit log: written with every decision, never rewritten, readable by administrators."""

from __future__ import annotations

import csv
import io
from functools import partial

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DatabaseError

from listening_state.extensions import db
from listening_state.models import AuditEntry, ModerationReason, Role
from listening_state.models.audit import AppendOnlyViolation
from listening_state.services import accounts, audit, moderation, spreadsheets
from listening_state.services.audit import AuditFilter
from listening_state.services.errors import PermissionDenied
from tests.factories import login, make_consultation, make_submission, make_user
from tests.moderation.conftest import Cast
from tests.real_text import POLIS_SPAM, polis_comments
from tests.served import served_get


def rejected(cast: Cast) -> AuditEntry:
    submission = make_submission(cast.consultation, cast.citizen, body=POLIS_SPAM)
    moderation.reject(actor=cast.member, submission=submission, reason=ModerationReason.SPAM)
    return db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.action == "submission.reject")
    ).one()


def test_no_code_path_updates_an_entry(cast: Cast) -> None:
    entry = rejected(cast)
    entry.reason = "rewritten"
    with pytest.raises(AppendOnlyViolation):
        db.session.commit()
    db.session.rollback()
    with pytest.raises(AppendOnlyViolation):
        db.session.execute(update(AuditEntry).values(reason="rewritten"))
    db.session.rollback()
    assert db.session.get(AuditEntry, entry.id).reason == "spam"  # type: ignore[union-attr]


def test_no_code_path_deletes_an_entry(cast: Cast) -> None:
    entry = rejected(cast)
    db.session.delete(entry)
    with pytest.raises(AppendOnlyViolation):
        db.session.commit()
    db.session.rollback()
    with pytest.raises(AppendOnlyViolation):
        db.session.execute(delete(AuditEntry))
    db.session.rollback()
    assert db.session.get(AuditEntry, entry.id) is not None


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_entry SET reason = 'rewritten'", "DELETE FROM audit_entry"]
)
def test_the_database_refuses_raw_sql_too(cast: Cast, statement: str) -> None:
    entry = rejected(cast)
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(text(statement))
    db.session.rollback()
    assert db.session.get(AuditEntry, entry.id).reason == "spam"  # type: ignore[union-attr]


def test_role_changes_and_routing_are_recorded(cast: Cast) -> None:
    user = make_user()
    accounts.grant_role(actor=cast.admin, user=user, role=Role.COUNCIL_MEMBER, council=cast.council)
    entry = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "role.grant")).one()
    assert entry.actor_label == cast.admin.email
    assert entry.after == {
        "role": "council_member",
        "ministry_id": None,
        "council_id": cast.council.id,
    }


def test_consultation_state_changes_are_recorded(cast: Cast) -> None:
    actions = set(db.session.scalars(db.select(AuditEntry.action)))
    assert {"consultation.create", "consultation.publish"} <= actions


def test_only_administrators_read_or_export(cast: Cast) -> None:
    rejected(cast)
    for actor in (cast.member, cast.officer, cast.citizen, None):
        with pytest.raises(PermissionDenied):
            audit.search(actor=actor, filters=AuditFilter())
        with pytest.raises(PermissionDenied):
            next(audit.export_csv(actor=actor, filters=AuditFilter()))


def test_admin_filters_the_log_and_exports_csv(client: FlaskClient, cast: Cast) -> None:
    submission = make_submission(cast.consultation, cast.citizen, body=polis_comments()[0])
    moderation.reject(
        actor=cast.member,
        submission=submission,
        reason=ModerationReason.OFF_TOPIC,
        note='=HYPERLINK("http://example.com")',
    )
    login(client, cast.admin)
    page = client.get("/admin/audit?action=submission.reject")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert submission.reference in body
    assert "consultation.publish" in body  # offered as a filter choice
    export = client.get("/admin/audit.csv?action=submission.reject")
    assert export.status_code == 200
    assert export.mimetype == "text/csv"
    assert "attachment" in export.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True))))
    assert [r["target"] for r in rows] == [submission.reference]
    assert rows[0]["actor"] == cast.member.email
    assert rows[0]["reason"].startswith("off_topic")
    assert rows[0]["ip"] == ""  # decided outside a request

    unfiltered = client.get("/admin/audit.csv").get_data(as_text=True)
    assert "consultation.create" in unfiltered


def test_csv_streams_after_the_request_has_closed_its_session(
    app: Flask, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Batches of two entries and small chunks, so that most batches are fetched while a
    # server sends the file, after the request is over.
    monkeypatch.setattr(audit, "export_csv", partial(audit.export_csv, batch=2))
    monkeypatch.setattr(spreadsheets, "CSV_CHUNK_CHARS", 500)
    for index in range(6):
        make_consultation(cast.ministry, title=f"Draft law {index}")
    logged = list(db.session.scalars(db.select(AuditEntry.id)))
    assert len(logged) > 10
    response = served_get(app, cast.admin, "/admin/audit.csv")
    assert response.status_code == 200
    rows = csv.DictReader(io.StringIO(response.get_data(as_text=True)))
    assert sorted(int(row["id"]) for row in rows) == sorted(logged)


def test_formula_cells_are_quoted_in_the_export(cast: Cast) -> None:
    # A title an officer typed becomes the target's label: a spreadsheet must not run it.
    make_consultation(cast.ministry, title='=HYPERLINK("http://example.com","open")')
    rows = list(
        csv.DictReader(
            io.StringIO("".join(audit.export_csv(actor=cast.admin, filters=AuditFilter())))
        )
    )
    labels = [r["target"] for r in rows if r["action"] == "consultation.create"]
    assert '\'=HYPERLINK("http://example.com","open")' in labels
    assert not any(cell.startswith("=") for row in rows for cell in row.values())


def test_decisions_made_through_pages_record_the_address(client: FlaskClient, cast: Cast) -> None:
    submission = make_submission(cast.consultation, cast.citizen, body=polis_comments()[2])
    client.environ_base["REMOTE_ADDR"] = "10.1.2.3"  # sign-in is bound to the address
    login(client, cast.member)
    response = client.post("/moderation", data={"approve_one": submission.id})
    assert response.status_code == 302
    entry = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.action == "submission.approve")
    ).one()
    assert entry.ip == "10.1.2.3"


def test_bad_filters_get_a_400_not_an_error(client: FlaskClient, cast: Cast) -> None:
    login(client, cast.admin)
    assert client.get("/admin/audit?since=not-a-date").status_code == 400
    assert client.get("/admin/audit?target_id=-4").status_code == 400
    login_other = make_user()
    client.post("/logout")
    login(client, login_other)
    assert client.get("/admin/audit").status_code == 403
    assert client.get("/admin/audit.csv").status_code == 403


def test_a_citizen_is_named_by_number_and_found_by_e_mail(client: FlaskClient, cast: Cast) -> None:
    """A citizen's e-mail never enters the log (it would outlive their account), yet the
    administrator's actor filter still finds their entries by it; staff stay named by e-mail."""
    others = make_submission(cast.consultation, body=polis_comments()[1])
    moderation.approve(actor=cast.member, submission=others)  # pre-moderated: publish it first
    moderation.flag_submission(
        actor=cast.citizen, submission=others, reason=ModerationReason.OFF_TOPIC
    )
    [entry] = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.action == "submission.flag")
    ).all()
    assert entry.actor_label == f"account #{cast.citizen.id}"
    assert entry.actor_id == cast.citizen.id
    login(client, cast.admin)
    export = client.get(f"/admin/audit.csv?actor={cast.citizen.email.upper()}")
    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True))))
    assert [r["action"] for r in rows] == ["submission.flag"]
    assert cast.citizen.email not in export.get_data(as_text=True)
    by_member = client.get(f"/admin/audit.csv?actor={cast.member.email}").get_data(as_text=True)
    assert cast.member.email in by_member  # staff: the label itself

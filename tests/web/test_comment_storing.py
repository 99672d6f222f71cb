"""Storing a comment: its reference, and what the request asks of the database to store it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.exc import IntegrityError

from listening_state.extensions import db
from listening_state.models import Submission
from listening_state.services import submissions
from tests.factories import login, make_consultation, make_submission, make_user
from tests.statements import recorded_statements


def draws(monkeypatch: pytest.MonkeyPatch, references: Iterator[str]) -> None:
    monkeypatch.setattr(submissions, "new_reference", lambda: next(references))


def test_a_reference_already_taken_is_drawn_again(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    consultation = make_consultation()
    first = make_submission(consultation)
    draws(monkeypatch, iter([first.reference, "LS-NEWC-ODE1"]))
    second = make_submission(consultation)
    db.session.expire_all()  # what the database holds, not what the session remembers
    assert second.reference == "LS-NEWC-ODE1"
    assert db.session.scalar(db.select(db.func.count()).select_from(Submission)) == 2


def test_drawing_stops_after_a_few_clashes_and_stores_nothing(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    consultation = make_consultation()
    first = make_submission(consultation)
    taken = first.reference
    draws(monkeypatch, iter([taken] * submissions.REFERENCE_ATTEMPTS))
    with pytest.raises(IntegrityError):
        make_submission(consultation)
    db.session.rollback()
    assert db.session.scalars(db.select(Submission.reference)).all() == [taken]


def test_the_comment_request_stores_without_reading_anything_back(
    app: Flask, client: FlaskClient
) -> None:
    # With intake deferred, storing is all the request does: it loads the signed-in user
    # (roles joined in), the consultation, inserts and commits, and reads nothing back.
    app.config["INTAKE_DEFERRED"] = True
    consultation = make_consultation()
    login(client, make_user())
    url = f"/consultations/{consultation.id}/comment"
    db.session.close()  # the request starts with nothing loaded, as in production
    with recorded_statements() as statements:
        response = client.post(
            url,
            data={
                "section_id": "",
                "stance": "support",
                "body": "Publish the fares a month ahead.",
            },
        )
    assert response.status_code == 302
    reference = response.headers["Location"].rstrip("/").split("/")[-2]
    stored = db.session.scalar(db.select(Submission).where(Submission.reference == reference))
    assert stored is not None
    assert stored.body == "Publish the fares a month ahead."
    kinds = [s.lstrip().split(None, 1)[0].upper() for s in statements]
    assert kinds == ["SELECT", "SELECT", "INSERT", "COMMIT"], statements
    assert "role_grant" in statements[0]  # the user's roles come with the user

"""`flask moderation bootstrap`: the first risk model from real decisions, then every hint."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskCliRunner

from listening_state.extensions import db
from listening_state.models import ModerationReason, Submission
from listening_state.services import moderation, moderation_hints
from listening_state.services.router_registry import model_dir
from tests.factories import make_submission
from tests.moderation.conftest import Cast
from tests.real_text import POLIS_SPAM, duplicate_petition_pairs, polis_comments


def test_bootstrap_trains_once_and_fills_in_hints(
    app: Flask, runner: FlaskCliRunner, cast: Cast
) -> None:
    original, duplicate = duplicate_petition_pairs()[0]
    stored = [
        make_submission(cast.consultation, cast.citizen, body=text[:5000])
        for text in (original, duplicate, POLIS_SPAM, *polis_comments()[:20])
    ]
    moderation.reject(actor=cast.member, submission=stored[2], reason=ModerationReason.SPAM)
    assert [e.reason for e in moderation_hints.human_decisions()] == ["spam"]

    first = runner.invoke(args=["moderation", "bootstrap"])
    assert first.exit_code == 0, first.output
    assert "training the first one" in first.output
    assert "Risk hints added to 23 submissions." in first.output
    assert len(list(model_dir().glob("moderation-*.npz"))) == 1

    db.session.expire_all()
    hinted = [db.session.get(Submission, s.id) for s in stored]
    assert all(s is not None and s.risk_score is not None for s in hinted)
    assert hinted[1] is not None
    assert hinted[1].duplicate_of_id == stored[0].id

    second = runner.invoke(args=["moderation", "bootstrap"])
    assert second.exit_code == 0
    assert "A moderation model is in place." in second.output
    assert "Risk hints added to 0 submissions." in second.output

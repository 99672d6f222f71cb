"""New submissions join the current themes at once, through intake; a missing or tampered
model file is refused and logged, and the citizen's comment is saved all the same."""

from __future__ import annotations

import logging

import pytest
from flask import Flask
from sqlalchemy import select

from listening_state.extensions import db
from listening_state.models import (
    Campaign,
    Stance,
    Submission,
    Theme,
    ThemeBuild,
    ThemeMember,
)
from listening_state.services import intake, theme_assignment, theme_builds, theme_models
from listening_state.services.router_registry import model_dir
from tests.factories import make_consultation, make_submission
from tests.real_text import polis_comments
from tests.statements import recorded_statements
from tests.themes.conftest import Heard, build_of, rebuild


@pytest.fixture(autouse=True)
def _no_models_in_memory() -> None:
    """Each test loads model files from its own MODEL_DIR."""
    theme_models.forget_loaded_models()


def _comment(heard: Heard, body: str) -> Submission:
    return intake.receive_feedback(
        actor=heard.author, consultation=heard.consultation, body=body, stance=Stance.OPPOSE
    )


def _membership(build_id: int, submission: Submission) -> ThemeMember | None:
    return db.session.get(ThemeMember, (build_id, submission.id))


def test_a_new_comment_joins_the_theme_the_stored_model_chooses(heard: Heard) -> None:
    rebuild(heard.consultation)
    build = build_of(heard.consultation)
    body = polis_comments("15-per-hour-seattle")[20]  # not among the rebuild's comments
    submission = _comment(heard, body)
    member = _membership(build.id, submission)
    assert member is not None, "assigned at once, before any rebuild"
    [position] = theme_models.load(build).themes.assign([body])
    expected = db.session.scalar(
        select(Theme.id).where(Theme.build_id == build.id, Theme.position == position)
    )
    assert expected is not None, "a comment on minimum wages is near a theme of them"
    assert member.theme_id == expected
    assert member.campaign_id is None


def test_a_copy_of_a_campaign_joins_that_campaign_and_its_theme(heard: Heard) -> None:
    letter = polis_comments("scoop-hivemind.affordable-housing")[3]
    for ending in ("", " Thank you.", " Please act.", " Regards.", " Thanks!"):
        make_submission(heard.consultation, body=letter + ending)
    rebuild(heard.consultation)
    build = build_of(heard.consultation)
    [campaign] = db.session.scalars(select(Campaign).where(Campaign.build_id == build.id))
    member = _membership(build.id, _comment(heard, letter + " Best wishes."))
    assert member is not None
    assert member.campaign_id == campaign.id
    assert member.theme_id == campaign.theme_id


def test_a_tampered_model_file_is_refused_logged_and_the_comment_saved(
    heard: Heard, caplog: pytest.LogCaptureFixture
) -> None:
    rebuild(heard.consultation)
    build = build_of(heard.consultation)
    path = model_dir() / build.model_file
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with caplog.at_level(logging.WARNING, logger="listening_state.services.theme_assignment"):
        submission = _comment(heard, polis_comments("football-concussions")[30])
    assert db.session.get(Submission, submission.id) is not None
    assert _membership(build.id, submission) is None
    assert "not assigned to themes" in caplog.text
    assert "refused" in caplog.text
    assert "SHA-256" in caplog.text


def test_a_missing_model_file_skips_the_assignment(
    heard: Heard, caplog: pytest.LogCaptureFixture
) -> None:
    rebuild(heard.consultation)
    build = build_of(heard.consultation)
    (model_dir() / build.settings[theme_models.INDEX_FILE]).unlink()
    with caplog.at_level(logging.WARNING, logger="listening_state.services.theme_assignment"):
        submission = _comment(heard, polis_comments("football-concussions")[30])
    assert _membership(build.id, submission) is None
    assert "cannot be read" in caplog.text


def test_without_themes_a_comment_is_simply_saved(heard: Heard) -> None:
    submission = _comment(heard, polis_comments("football-concussions")[30])
    assert theme_assignment.assign_new_submission(submission) == 0
    assert db.session.scalars(select(ThemeMember)).all() == []


def test_a_comment_joins_its_consultations_and_its_ministrys_themes(heard: Heard) -> None:
    rebuild(heard.consultation)
    rebuild(ministry=heard.ministry)
    ministry_build = theme_builds.latest_build(theme_builds.Scope(ministry_id=heard.ministry.id))
    assert ministry_build is not None
    submission = _comment(heard, polis_comments("scoop-hivemind.biodiversity")[40])
    assert _membership(build_of(heard.consultation).id, submission) is not None
    assert _membership(ministry_build.id, submission) is not None
    assert theme_assignment.assign_new_submission(submission) == 0, "a member once only"


def test_the_latest_build_of_each_scope_comes_in_one_query(heard: Heard) -> None:
    rebuild(heard.consultation)
    rebuild(ministry=heard.ministry)
    rebuild(heard.consultation)  # the consultation's second build replaces its first
    scopes = [
        theme_builds.Scope(consultation_id=heard.consultation.id),
        theme_builds.Scope(ministry_id=heard.ministry.id),
        theme_builds.Scope(consultation_id=make_consultation(heard.ministry).id),  # no build
    ]
    one_by_one = [theme_builds.latest_build(scope) for scope in scopes]
    assert one_by_one[0] is not None
    assert one_by_one[1] is not None
    assert one_by_one[2] is None
    with recorded_statements() as statements:
        together = theme_builds.latest_builds(scopes)
    assert len(statements) == 1
    assert sorted(build.id for build in together) == sorted([one_by_one[0].id, one_by_one[1].id])
    assert len(db.session.scalars(select(ThemeBuild)).all()) == 3


def test_another_consultations_themes_are_not_touched(heard: Heard) -> None:
    rebuild(heard.consultation)
    other = make_consultation(heard.ministry, title="Another draft")
    submission = intake.receive_feedback(
        actor=heard.author,
        consultation=other,
        body=polis_comments("football-concussions")[30],
        stance=Stance.SUPPORT,
    )
    assert _membership(build_of(heard.consultation).id, submission) is None


def test_loaded_models_are_kept_per_hash_and_the_oldest_dropped(app: Flask, heard: Heard) -> None:
    rebuild(heard.consultation)
    build = build_of(heard.consultation)
    first = theme_models.load(build)
    assert theme_models.load(build) is first
    (model_dir() / build.model_file).unlink()  # served from memory now
    assert theme_models.load(build) is first
    theme_models.forget_loaded_models()
    with pytest.raises(theme_models.ThemeModelUnavailable):
        theme_models.load(build)


def test_an_assignment_failure_never_reaches_the_citizen(
    heard: Heard, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    rebuild(heard.consultation)

    def broken(build: object, submission: object) -> bool:
        raise RuntimeError("unexpected")

    monkeypatch.setattr(theme_assignment, "_assign", broken)
    submission = _comment(heard, polis_comments("football-concussions")[30])
    assert submission.id is not None
    assert "theme assignment of submission" in caplog.text
    assert db.session.get(Submission, submission.id) is not None

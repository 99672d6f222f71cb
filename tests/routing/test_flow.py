"""Each submission is stored first, then routed; any router failure sends it to triage."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from listening_state.extensions import db
from listening_state.models import (
    Consultation,
    Ministry,
    RouterVersion,
    RoutingDecision,
    RoutingSource,
    Stance,
    Submission,
    SubmissionStatus,
)
from listening_state.services import intake
from listening_state.services.router_registry import model_dir
from tests.factories import login, make_consultation, make_user
from tests.routing.conftest import held_out_petition

# A sentence with no ministry's subject matter: FLORES-200 (CC BY-SA 4.0), sib200 eng test #6.
UNSURE = "Since moving to the Catalan-capital, Vidal had played 49 games for the club."


@pytest.fixture
def consultation(ministries: dict[str, Ministry]) -> Consultation:
    return make_consultation(ministries["MT"], title="Draft rules for public transport fares")


def _submit(consultation: Consultation, body: str | None = None) -> Submission:
    body = body or held_out_petition("MT")  # a real transport petition the model never saw
    return intake.receive_feedback(
        actor=make_user(), consultation=consultation, body=body, stance=Stance.SUPPORT
    )


def test_confident_prediction_routes_to_the_ministry_with_a_stored_decision(
    active_router: RouterVersion, consultation: Consultation, ministries: dict[str, Ministry]
) -> None:
    submission = _submit(consultation)
    assert submission.status is SubmissionStatus.ROUTED
    assert submission.ministry_id == ministries["MT"].id
    decision = submission.routing_history[-1]
    assert decision.source is RoutingSource.MODEL
    assert decision.model_version == active_router.version
    assert decision.confidence is not None
    assert decision.confidence >= active_router.threshold
    assert decision.suggestions is not None
    assert decision.suggestions[0]["code"] == "MT"
    assert len(decision.suggestions) == 3
    assert decision.suggestions[0]["explanation"], (
        "the top suggestion says which terms weighed most"
    )


def test_below_threshold_waits_in_triage_with_three_suggestions(
    active_router: RouterVersion, consultation: Consultation
) -> None:
    # A comment with no subject matter: no ministry can be predicted with confidence.
    neutral = make_consultation(consultation.ministry)  # a title that names no subject either
    submission = _submit(neutral, body=UNSURE)
    decision = submission.routing_history[-1]
    assert decision.confidence is not None
    if decision.confidence >= active_router.threshold:
        pytest.fail(
            f"expected an unsure prediction, got {decision.confidence} >= {active_router.threshold}"
        )
    assert submission.status is SubmissionStatus.NEEDS_TRIAGE
    assert submission.ministry_id is None
    assert decision.to_ministry_id is None
    assert decision.suggestions is not None
    assert len(decision.suggestions) == 3


def _break(version: RouterVersion, how: str) -> None:
    path = model_dir() / version.file_name
    if how == "missing":
        path.unlink()
    elif how == "tampered":  # one byte changed: the recorded SHA-256 no longer matches
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0xFF
        path.write_bytes(bytes(data))
    elif how == "corrupt":  # garbage whose hash is recorded, so only loading can fail
        from listening_state.ml.routing import sha256_hex

        path.write_bytes(b"this is not a model")
        version.sha256 = sha256_hex(b"this is not a model")
        db.session.commit()


@pytest.mark.parametrize("how", ["missing", "tampered", "corrupt"])
def test_broken_model_file_sends_the_submission_to_triage_and_logs(
    client: FlaskClient,
    active_router: RouterVersion,
    consultation: Consultation,
    caplog: pytest.LogCaptureFixture,
    how: str,
) -> None:
    _break(active_router, how)
    citizen = make_user()
    login(client, citizen)
    with caplog.at_level(logging.WARNING, logger="listening_state.services"):
        response = client.post(
            f"/consultations/{consultation.id}/comment",
            data={"stance": "support", "body": held_out_petition("MT")},
        )
    assert response.status_code == 302  # the citizen still sees success
    assert "/confirmation" in response.headers["Location"]
    submission = db.session.scalar(db.select(Submission))
    assert submission is not None
    assert submission.body == held_out_petition("MT")
    assert submission.status is SubmissionStatus.NEEDS_TRIAGE
    assert "router unavailable" in caplog.text
    if how == "tampered":
        assert "refused" in caplog.text


def test_no_active_router_means_triage(consultation: Consultation) -> None:
    submission = _submit(consultation)
    assert submission.status is SubmissionStatus.NEEDS_TRIAGE
    assert submission.routing_history[-1].reason == "router unavailable"


def test_a_model_that_raises_while_predicting_leaves_the_submission_saved(
    active_router: RouterVersion,
    consultation: Consultation,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from listening_state.services import router_registry

    loaded = router_registry.active_router()

    def explode(text: str) -> None:
        raise RuntimeError("prediction failed")

    monkeypatch.setattr(loaded.model, "predict_one", explode)
    with caplog.at_level(logging.ERROR):
        submission = _submit(consultation)
    assert submission.id is not None
    assert submission.status is SubmissionStatus.NEEDS_TRIAGE
    assert "prediction failed" in caplog.text


def test_a_newly_activated_version_is_used_without_a_restart(
    app: Flask, active_router: RouterVersion, consultation: Consultation, small_router: object
) -> None:
    from listening_state.services import router_versions

    first = _submit(consultation)
    assert first.routing_history[-1].model_version == active_router.version
    model, report = small_router  # type: ignore[misc]
    newer = router_versions.save_version(model=model, report=report, n_human_examples=0)
    # As another process would: flip the active row in the database only.
    db.session.execute(db.update(RouterVersion).values(is_active=RouterVersion.id == newer.id))
    db.session.commit()
    second = _submit(consultation)
    assert second.routing_history[-1].model_version == newer.version


def test_routing_history_is_shown_to_the_citizen(
    client: FlaskClient, active_router: RouterVersion, consultation: Consultation
) -> None:
    citizen = make_user()
    submission = intake.receive_feedback(
        actor=citizen, consultation=consultation, body=held_out_petition("MT"), stance=Stance.OPPOSE
    )
    login(client, citizen)
    page = client.get(f"/submissions/{submission.reference}").get_data(as_text=True)
    assert "Routing history" in page
    assert "Routed automatically to Ministry MT" in page
    assert "Responsible ministry now" in page


def test_every_decision_is_kept(active_router: RouterVersion, consultation: Consultation) -> None:
    _submit(consultation)
    _submit(consultation, body=held_out_petition("MF", 4))
    assert db.session.scalar(db.select(db.func.count(RoutingDecision.id))) == 2


def test_model_dir_defaults_to_the_instance_folder(app: Flask, tmp_path: Path) -> None:
    app.config["MODEL_DIR"] = ""
    assert model_dir() == Path(app.instance_path) / "models"

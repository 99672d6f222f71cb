"""Moderators' hints: computed after the comment is stored, and never at its expense."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from flask import Flask

from listening_state.extensions import db
from listening_state.ml.moderation import (
    ModerationSettings,
    load_real_decisions,
    train_moderation_model,
)
from listening_state.models import (
    ModerationHintKind,
    ModerationMode,
    ModerationReason,
    Stance,
    Submission,
    Visibility,
)
from listening_state.services import intake, moderation, moderation_hints
from listening_state.services.moderation import QueueFilter, moderation_queue
from listening_state.services.router_registry import model_dir
from tests.factories import make_consultation
from tests.moderation.conftest import Cast
from tests.real_text import (
    POLIS_SPAM,
    SHARED_DATA,
    duplicate_petition_pairs,
    original_with_duplicates,
    polis_comments,
)


def send(cast: Cast, body: str) -> Submission:
    return intake.receive_feedback(
        actor=cast.citizen, consultation=cast.consultation, body=body, stance=Stance.NO_POSITION
    )


def test_a_real_duplicate_names_its_original(app: Flask, cast: Cast) -> None:
    app.config["DUPLICATE_HINT_MIN_SCORE"] = 0.4
    original_text, duplicate_text = duplicate_petition_pairs()[0]
    others = [send(cast, text[:5000]) for text in polis_comments()[:5]]
    original = send(cast, original_text[:5000])
    duplicate = send(cast, duplicate_text[:5000])
    assert duplicate.duplicate_of_id == original.id
    assert duplicate.duplicate_candidates[0]["reference"] == original.reference
    assert duplicate.duplicate_score is not None
    assert duplicate.duplicate_score >= 0.4
    assert others[0].duplicate_candidates == []  # nothing came before it
    flagged = moderation_queue(
        actor=cast.member, filters=QueueFilter(hint=ModerationHintKind.DUPLICATE)
    )
    assert [s.reference for s in flagged.items] == [duplicate.reference]


def test_only_earlier_comments_of_the_same_consultation_count(cast: Cast) -> None:
    original_text, duplicate_text = duplicate_petition_pairs()[1]
    elsewhere = make_consultation(cast.ministry, moderation_mode=ModerationMode.PRE)
    intake.receive_feedback(
        actor=cast.citizen, consultation=elsewhere, body=original_text[:5000], stance=Stance.SUPPORT
    )
    duplicate = send(cast, duplicate_text[:5000])
    assert duplicate.duplicate_of_id is None
    assert duplicate.duplicate_candidates == []


def test_each_process_keeps_the_windows_of_the_last_consultations_only(
    app: Flask, cast: Cast
) -> None:
    app.config["DUPLICATE_HINT_WINDOWS_KEPT"] = 1
    original_text, duplicate_text = duplicate_petition_pairs()[1]
    other = make_consultation(cast.ministry, moderation_mode=ModerationMode.PRE)
    send(cast, original_text[:5000])
    intake.receive_feedback(
        actor=cast.citizen, consultation=other, body=polis_comments()[0], stance=Stance.SUPPORT
    )
    intake.receive_feedback(
        actor=cast.citizen, consultation=other, body=polis_comments()[1], stance=Stance.SUPPORT
    )
    assert list(moderation_hints._windows) == [other.id]
    # The consultation's window was dropped: the next comment analyses it again, same hint.
    duplicate = send(cast, duplicate_text[:5000])
    assert duplicate.duplicate_of_id is not None
    assert list(moderation_hints._windows) == [cast.consultation.id]


def test_windows_over_the_memory_budget_are_dropped_least_recently_used_first(
    app: Flask, cast: Cast
) -> None:
    comments = polis_comments()
    consultations = [make_consultation(cast.ministry) for _ in range(3)]
    for consultation in consultations:
        for body in comments[:3]:
            intake.receive_feedback(
                actor=cast.citizen, consultation=consultation, body=body, stance=Stance.SUPPORT
            )
    assert list(moderation_hints._windows)[-3:] == [c.id for c in consultations]
    two_windows = sum(
        moderation_hints._windows[c.id].nbytes for c in consultations[1:]
    )  # both hold the same rows
    app.config["DUPLICATE_HINT_WINDOWS_MB"] = (two_windows + 1) / 1e6
    intake.receive_feedback(
        actor=cast.citizen, consultation=consultations[1], body=comments[3], stance=Stance.SUPPORT
    )
    # The last two used fit the budget with the one growing; the oldest went.
    assert list(moderation_hints._windows) == [consultations[2].id, consultations[1].id]


def test_without_a_risk_model_the_comment_is_stored_without_a_risk_hint(cast: Cast) -> None:
    submission = send(cast, POLIS_SPAM)
    assert submission.risk_score is None
    assert submission.visibility is Visibility.PENDING


def test_a_failing_hint_loses_nothing(
    cast: Cast, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise MemoryError("simulated")

    monkeypatch.setattr(moderation_hints, "_window", broken)
    send(cast, polis_comments()[0])
    with caplog.at_level(logging.ERROR):
        submission = send(cast, polis_comments()[1])
    assert "duplicate hint failed" in caplog.text
    db.session.expire_all()
    stored = db.session.get(Submission, submission.id)
    assert stored is not None
    assert stored.body == polis_comments()[1]


@pytest.fixture(scope="session")
def small_risk_model_bytes() -> bytes:
    """A moderation model trained on a real slice: two Pol.is conversations and petitions."""
    examples = load_real_decisions(SHARED_DATA)
    polis = [e for e in examples if e.group in ("15-per-hour-seattle", "bg2050-volunteers")]
    petitions = [e for e in examples if e.source == "uk-petitions"][:600]
    model = train_moderation_model([*polis, *petitions], settings=ModerationSettings(cv_folds=3))
    return model.dumps()


def test_the_risk_model_scores_new_comments(
    app: Flask, cast: Cast, small_risk_model_bytes: bytes
) -> None:
    from listening_state.ml.moderation import loads
    from listening_state.ml.storage import sha256_hex

    model = loads(small_risk_model_bytes, expected_sha256=sha256_hex(small_risk_model_bytes))
    path = moderation_hints.save_risk_model(model)
    assert path.parent == model_dir()
    submission = send(cast, POLIS_SPAM)
    assert submission.risk_score is not None
    assert 0.0 <= submission.risk_score <= 1.0


def test_a_tampered_risk_model_is_refused(
    app: Flask, cast: Cast, small_risk_model_bytes: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    from listening_state.ml.storage import sha256_hex

    tampered = bytearray(small_risk_model_bytes)
    tampered[len(tampered) // 2] ^= 0xFF
    name = f"moderation-{sha256_hex(small_risk_model_bytes)}.npz"
    Path(model_dir(), name).write_bytes(bytes(tampered))
    moderation_hints.forget_risk_model()
    with caplog.at_level(logging.INFO):
        submission = send(cast, POLIS_SPAM)
    assert submission.risk_score is None
    assert "was refused" in caplog.text
    assert db.session.get(Submission, submission.id) is not None


def test_a_confirmed_duplicate_leads_later_copies_to_the_original(cast: Cast) -> None:
    # A real case where the second copy reads more like the first copy than like the original.
    original_text, copies = original_with_duplicates()[1]
    first_copy, second_copy = copies[:2]
    for text in polis_comments()[:15]:
        send(cast, text)
    original = send(cast, original_text[:5000])
    first = send(cast, first_copy[:5000])
    assert first.duplicate_of_id == original.id
    moderation.reject(actor=cast.member, submission=first, reason=ModerationReason.DUPLICATE)
    second = send(cast, second_copy[:5000])
    assert second.duplicate_of_id == original.id
    assert first.reference not in [c["reference"] for c in second.duplicate_candidates]

"""Moderation rules in the services: who decides, what the public and the ministry then see."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from listening_state.authz import SYSTEM
from listening_state.extensions import db
from listening_state.models import (
    AuditEntry,
    ModerationHintKind,
    ModerationMode,
    ModerationReason,
    Stance,
    SubmissionStatus,
    Visibility,
)
from listening_state.services import moderation, routing, submissions
from listening_state.services.errors import InvalidTransition, PermissionDenied, ValidationFailed
from listening_state.services.moderation import QueueFilter, QueueState
from tests.factories import make_consultation, make_submission
from tests.moderation.conftest import Cast
from tests.real_text import POLIS_SPAM, polis_comments


def comment(cast: Cast, body: str | None = None) -> submissions.Submission:
    return make_submission(cast.consultation, cast.citizen, body=body or polis_comments()[0])


def queue_refs(cast: Cast, actor: object, **filters: object) -> list[str]:
    page = moderation.moderation_queue(actor=actor, filters=QueueFilter(**filters))  # type: ignore[arg-type]
    return [s.reference for s in page.items]


def test_pre_moderation_keeps_new_comments_from_the_public(cast: Cast) -> None:
    submission = comment(cast)
    assert submission.visibility is Visibility.PENDING
    public = submissions.published_submissions(consultation=cast.consultation)
    assert public.total == 0


def test_post_moderation_publishes_at_once(cast: Cast) -> None:
    consultation = make_consultation(cast.ministry, moderation_mode=ModerationMode.POST)
    submission = make_submission(consultation, cast.citizen, body=polis_comments()[1])
    assert submission.visibility is Visibility.PUBLISHED


def test_new_consultations_are_pre_moderated_by_default(cast: Cast) -> None:
    assert cast.consultation.moderation_mode is ModerationMode.PRE
    from listening_state.services.consultations import ConsultationInput

    assert ConsultationInput.__dataclass_fields__["moderation_mode"].default is ModerationMode.PRE


def test_queue_is_oldest_first_and_only_for_the_councils_consultations(cast: Cast) -> None:
    first, second = comment(cast, polis_comments()[2]), comment(cast, polis_comments()[3])
    elsewhere = make_consultation(moderation_mode=ModerationMode.PRE)
    make_submission(elsewhere, cast.citizen, body=polis_comments()[4])
    assert queue_refs(cast, cast.member) == [first.reference, second.reference]
    assert len(queue_refs(cast, cast.admin)) == 3
    assert queue_refs(cast, cast.other_member) == []
    for outsider in (cast.citizen, cast.officer, None):
        with pytest.raises(PermissionDenied):
            queue_refs(cast, outsider)


def test_member_approves_and_the_public_sees_it(cast: Cast) -> None:
    submission = comment(cast)
    moderation.approve(actor=cast.member, submission=submission)
    assert submission.visibility is Visibility.PUBLISHED
    assert submission.moderated_by_id == cast.member.id
    assert submissions.published_submissions(consultation=cast.consultation).total == 1
    assert queue_refs(cast, cast.member) == []
    assert queue_refs(cast, cast.member, state=QueueState.PUBLISHED) == [submission.reference]


def test_reject_needs_a_member_of_this_council(cast: Cast) -> None:
    submission = comment(cast)
    for outsider in (cast.other_member, cast.officer, cast.citizen, None):
        with pytest.raises(PermissionDenied):
            moderation.reject(
                actor=outsider, submission=submission, reason=ModerationReason.OFF_TOPIC
            )
    assert submission.visibility is Visibility.PENDING
    moderation.reject(
        actor=cast.admin, submission=submission, reason=ModerationReason.OFF_TOPIC, note="x" * 20
    )
    assert submission.visibility is Visibility.HIDDEN
    assert submission.moderation_reason is ModerationReason.OFF_TOPIC


def test_rejected_comment_still_reaches_the_ministry_but_spam_does_not(cast: Cast) -> None:
    off_topic, spam = comment(cast), comment(cast, POLIS_SPAM)
    for submission in (off_topic, spam):
        submission.status = SubmissionStatus.NEEDS_TRIAGE
    db.session.commit()
    moderation.reject(actor=cast.member, submission=off_topic, reason=ModerationReason.OFF_TOPIC)
    moderation.reject(actor=cast.member, submission=spam, reason=ModerationReason.SPAM)
    waiting = routing.triage_queue(actor=cast.admin)
    assert [s.reference for s in waiting.items] == [off_topic.reference]
    assert not off_topic.is_spam
    assert spam.is_spam


def test_bulk_decisions_are_all_or_nothing(cast: Cast) -> None:
    mine = [comment(cast, text) for text in polis_comments()[5:8]]
    foreign = make_submission(
        make_consultation(moderation_mode=ModerationMode.PRE), cast.citizen, body=POLIS_SPAM
    )
    with pytest.raises(PermissionDenied):
        moderation.decide_many(
            actor=cast.member, submissions=[*mine, foreign], reason=ModerationReason.SPAM
        )
    assert {s.visibility for s in mine} == {Visibility.PENDING}
    assert moderation.decide_many(actor=cast.member, submissions=mine, reason=None) == 3
    assert {s.visibility for s in mine} == {Visibility.PUBLISHED}
    with pytest.raises(ValidationFailed):
        moderation.decide_many(actor=cast.member, submissions=[], reason=None)


def test_a_note_longer_than_the_limit_is_refused(cast: Cast) -> None:
    submission = comment(cast)
    with pytest.raises(ValidationFailed) as error:
        moderation.reject(
            actor=cast.member,
            submission=submission,
            reason=ModerationReason.ABUSIVE,
            note=" ".join(polis_comments()) * 3,
        )
    assert "note" in error.value.errors
    assert submission.visibility is Visibility.PENDING


def test_every_decision_is_audited(cast: Cast) -> None:
    submission = comment(cast)
    moderation.reject(
        actor=cast.member, submission=submission, reason=ModerationReason.DUPLICATE, note="again"
    )
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "submission.reject")
    ).one()
    assert entry.actor_id == cast.member.id
    assert entry.target_type == "submission"
    assert entry.target_id == submission.id
    assert entry.before["visibility"] == "pending"
    assert entry.after == {"visibility": "hidden", "reason": "duplicate", "open_flags": 0}
    assert entry.reason == "duplicate again"


# -- flags -------------------------------------------------------------------------------------


def published(cast: Cast, body: str) -> submissions.Submission:
    submission = comment(cast, body)
    moderation.approve(actor=cast.member, submission=submission)
    return submission


def test_reports_hide_a_comment_at_the_threshold(app: Flask, cast: Cast) -> None:
    app.config["FLAG_HIDE_THRESHOLD"] = 2
    submission = published(cast, polis_comments("15-per-hour-seattle", moderated="-1")[1])
    moderation.flag_submission(
        actor=cast.reader, submission=submission, reason=ModerationReason.SPAM
    )
    assert submission.visibility is Visibility.PUBLISHED
    assert submission.open_flag_count == 1
    moderation.flag_submission(
        actor=cast.officer, submission=submission, reason=ModerationReason.ABUSIVE, note="rude"
    )
    assert submission.visibility is Visibility.PENDING
    flagged = queue_refs(cast, cast.member, hint=ModerationHintKind.FLAGGED)
    assert flagged == [submission.reference]
    flags = moderation.open_flags([submission])[submission.id]
    assert [f.reason for f in flags] == [ModerationReason.SPAM, ModerationReason.ABUSIVE]

    moderation.approve(actor=cast.member, submission=submission)
    assert submission.visibility is Visibility.PUBLISHED
    assert submission.open_flag_count == 0
    assert moderation.open_flags([submission])[submission.id] == []


def test_each_user_reports_a_comment_once(cast: Cast) -> None:
    submission = published(cast, polis_comments()[8])
    moderation.flag_submission(
        actor=cast.reader, submission=submission, reason=ModerationReason.OFF_TOPIC
    )
    with pytest.raises(InvalidTransition):
        moderation.flag_submission(
            actor=cast.reader, submission=submission, reason=ModerationReason.OFF_TOPIC
        )
    assert submission.open_flag_count == 1
    assert moderation.has_flagged(actor=cast.reader, submission_ids=[submission.id]) == {
        submission.id
    }


def test_only_signed_in_readers_report_published_comments_of_others(cast: Cast) -> None:
    pending = comment(cast, polis_comments()[9])
    with pytest.raises(PermissionDenied):  # not public, so nothing to report
        moderation.flag_submission(
            actor=cast.reader, submission=pending, reason=ModerationReason.SPAM
        )
    submission = published(cast, polis_comments()[10])
    for actor in (None, SYSTEM, cast.citizen):  # anonymous, no account, its own author
        with pytest.raises(PermissionDenied):
            moderation.flag_submission(
                actor=actor, submission=submission, reason=ModerationReason.SPAM
            )


# -- the author's second chance ----------------------------------------------------------------


def test_author_edits_a_rejected_comment_once(cast: Cast) -> None:
    submission = comment(cast, POLIS_SPAM)
    moderation.reject(actor=cast.member, submission=submission, reason=ModerationReason.SPAM)
    assert moderation.can_resubmit(cast.citizen, submission)
    assert not moderation.can_resubmit(cast.reader, submission)
    with pytest.raises(ValidationFailed):
        moderation.resubmit(actor=cast.citizen, submission=submission, body="short")
    assert submission.body == POLIS_SPAM  # a refused edit loses nothing
    corrected = polis_comments()[11]
    moderation.resubmit(actor=cast.citizen, submission=submission, body=corrected)
    assert submission.body == corrected
    assert submission.visibility is Visibility.PENDING
    assert submission.reference in queue_refs(cast, cast.member)
    moderation.reject(actor=cast.member, submission=submission, reason=ModerationReason.OFF_TOPIC)
    assert not moderation.can_resubmit(cast.citizen, submission)
    with pytest.raises(InvalidTransition):
        moderation.resubmit(actor=cast.citizen, submission=submission, body=corrected)


def test_nobody_else_resubmits(cast: Cast) -> None:
    submission = comment(cast)
    moderation.reject(actor=cast.member, submission=submission, reason=ModerationReason.ABUSIVE)
    from listening_state.services.errors import NotFound

    for actor in (cast.reader, cast.member, cast.admin, None):
        with pytest.raises(NotFound):
            moderation.resubmit(actor=actor, submission=submission, body=polis_comments()[12])


def test_only_rejected_comments_can_be_resubmitted(cast: Cast) -> None:
    submission = comment(cast)
    with pytest.raises(InvalidTransition):
        moderation.resubmit(actor=cast.citizen, submission=submission, body=polis_comments()[13])


def test_stance_is_kept_and_hint_filters_work(cast: Cast) -> None:
    submission = make_submission(
        cast.consultation, cast.citizen, body=polis_comments()[14], stance=Stance.OPPOSE
    )
    assert submission.stance is Stance.OPPOSE
    assert queue_refs(cast, cast.member, hint=ModerationHintKind.PERSONAL_DATA) == []
    assert queue_refs(cast, cast.member, hint=ModerationHintKind.DUPLICATE) == []
    assert queue_refs(cast, cast.member, hint=ModerationHintKind.RISK) == []
    assert queue_refs(cast, cast.member, consultation_id=cast.consultation.id) == [
        submission.reference
    ]
    assert moderation.pending_count(actor=cast.member) == 1
    assert moderation.pending_count(actor=cast.citizen) == 0


def test_the_language_hint_is_stored_with_each_comment(cast: Cast) -> None:
    from tests.factories import KAZAKH_SENTENCE

    kazakh = make_submission(cast.consultation, cast.citizen, body=KAZAKH_SENTENCE)
    english = make_submission(cast.consultation, cast.citizen, body=polis_comments()[20])
    assert kazakh.language == "kk"
    assert english.language == "en"

"""Each event of a submission's handling queues one e-mail to its author, in their language, in
the same commit as the change; opted-out and authorless submissions queue nothing."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import event

from listening_state.authz import SYSTEM
from listening_state.extensions import db
from listening_state.models import (
    Ministry,
    ModerationMode,
    ModerationReason,
    OutboxStatus,
    RouterVersion,
    Stance,
    SubmissionStatus,
    Visibility,
)
from listening_state.services import (
    accounts,
    answers,
    deadlines,
    intake,
    moderation,
    routing,
    submissions,
)
from listening_state.services.errors import ValidationFailed
from listening_state.services.notifications import Kind
from tests.factories import (
    KAZAKH_SENTENCE,
    make_consultation,
    make_routed_submission,
    make_submission,
    make_user,
)
from tests.notifications.conftest import Cast, government_answers, messages, translated
from tests.routing.conftest import held_out_petition
from tests.statements import recorded_statements

MUST_ANSWER = "The ministry must answer by %(date)s."
REASON = "The question concerns public transport fares, which the transport ministry sets."


def test_routing_by_triage_tells_the_author_in_kazakh(cast: Cast) -> None:
    author = make_user(language="kk")
    submission = make_routed_submission(cast.consultation, cast.ministry, author=author)
    [message] = messages()
    assert (message.kind, message.language) == (Kind.ROUTED, "kk")
    assert (message.recipient_id, message.to_address) == (author.id, author.email)
    assert message.submission_id == submission.id
    assert message.status is OutboxStatus.PENDING
    assert cast.ministry.name_kk in message.subject
    assert cast.ministry.name_kk in message.body_text
    with_date = translated("kk", MUST_ANSWER, date="").split("—")[0].strip()
    assert with_date
    assert with_date not in MUST_ANSWER, "the Kazakh catalog has this sentence"
    assert with_date in message.body_text
    assert f"/submissions/{submission.reference}" in message.body_text
    assert "http://127.0.0.1:5000/submissions/" in message.body_text


def test_routing_by_the_model_tells_the_author_and_triage_says_nothing(
    active_router: RouterVersion, ministries: dict[str, Ministry]
) -> None:
    consultation = make_consultation(ministries["MT"], title="Draft rules for public fares")
    author = make_user(language="ru")
    routed = intake.receive_feedback(
        actor=author, consultation=consultation, body=held_out_petition("MT"), stance=Stance.OPPOSE
    )
    assert routed.status is SubmissionStatus.ROUTED
    unsure = intake.receive_feedback(
        actor=make_user(),
        consultation=consultation,
        body="Since moving to the Catalan-capital, Vidal had played 49 games for the club.",
        stance=Stance.SUPPORT,
    )
    assert unsure.status is SubmissionStatus.NEEDS_TRIAGE
    [message] = messages()
    assert (message.kind, message.language, message.submission_id) == ("routed", "ru", routed.id)
    assert ministries["MT"].name_ru in message.body_text


def test_forwarding_names_the_new_ministry_and_the_three_day_rule(cast: Cast) -> None:
    author = make_user(language="en")
    submission = make_routed_submission(cast.consultation, cast.ministry, author=author)
    routing.reroute_submission(
        actor=cast.officer, submission=submission, ministry=cast.other_ministry, reason=REASON
    )
    routed, forwarded = messages()
    assert routed.kind == Kind.ROUTED
    assert forwarded.kind == Kind.FORWARDED
    assert cast.other_ministry.name_en in forwarded.subject
    assert REASON in forwarded.body_text
    assert "within 3 working days" in forwarded.body_text
    assert submission.due_on is not None
    assert submission.due_on.strftime("%B") in forwarded.body_text


def test_a_bulk_answer_tells_every_author_with_the_answer_text(cast: Cast) -> None:
    authors = [make_user(language=lang) for lang in ("kk", "ru", "en")]
    chosen = [make_routed_submission(cast.consultation, cast.ministry, author=a) for a in authors]
    text = government_answers()[0]
    answers.answer_submissions(actor=cast.officer, submissions=chosen, body=text)
    answered = messages(Kind.ANSWERED)
    assert sorted((m.recipient_id, m.language) for m in answered) == sorted(
        (a.id, a.preferred_language) for a in authors
    )
    assert all(text in m.body_text for m in answered)
    by_language = {m.language: m for m in answered}
    assert cast.ministry.name_kk in by_language["kk"].subject
    assert cast.ministry.name_ru in by_language["ru"].subject


def test_an_extension_gives_the_new_date_and_the_reason(cast: Cast) -> None:
    submission = make_routed_submission(cast.consultation, cast.ministry, author=cast.citizen)
    latest = deadlines.latest_extension_date(submission)
    deadlines.extend_deadline(
        actor=cast.officer, submission=submission, new_due_on=latest, reason=REASON
    )
    [extended] = messages(Kind.EXTENDED)
    assert REASON in extended.body_text
    assert latest is not None
    assert f"{latest:%B} {latest.day}, {latest.year}" in extended.body_text


def test_moderation_tells_published_and_rejected_with_the_reason_label(cast: Cast) -> None:
    consultation = make_consultation(
        cast.ministry, moderation_mode=ModerationMode.PRE, title="Pre-moderated draft"
    )
    kk_author = make_user(language="kk")
    waiting = [make_submission(consultation, kk_author) for _ in range(2)]
    assert all(s.visibility is Visibility.PENDING for s in waiting)
    moderation.approve(actor=cast.member, submission=waiting[0])
    moderation.reject(
        actor=cast.member, submission=waiting[1], reason=ModerationReason.OFF_TOPIC, note=""
    )
    published, rejected = messages()
    assert (published.kind, published.submission_id) == (Kind.PUBLISHED, waiting[0].id)
    assert (rejected.kind, rejected.submission_id) == (Kind.REJECTED, waiting[1].id)
    off_topic = translated("kk", "Off-topic")
    assert off_topic != "Off-topic"
    assert off_topic in rejected.body_text
    assert "/moderation-rules#rule-off_topic" in rejected.body_text


def test_approving_a_comment_that_was_already_public_says_nothing(cast: Cast) -> None:
    submission = make_submission(cast.consultation, cast.citizen)  # post-moderated: public
    moderation.approve(actor=cast.member, submission=submission)
    assert messages() == []


def test_bulk_moderation_loads_all_authors_in_one_query(app: Flask, cast: Cast) -> None:
    consultation = make_consultation(cast.ministry, moderation_mode=ModerationMode.PRE)
    ids = [make_submission(consultation, make_user()).id for _ in range(12)]
    chosen = submissions.get_many(ids)
    assert cast.member.council_ids()  # the moderator is loaded before counting
    with recorded_statements() as statements:
        moderation.decide_many(actor=cast.member, submissions=chosen, reason=None)
    user_reads = [s for s in statements if s.lstrip().startswith("SELECT") and "user_account" in s]
    assert len(user_reads) == 1
    assert len(messages(Kind.PUBLISHED)) == 12


def test_an_author_who_opted_out_gets_nothing(cast: Cast) -> None:
    author = make_user(language="kk")
    accounts.update_settings(actor=author, user=author, notify_by_email=False, language="kk")
    submission = make_routed_submission(cast.consultation, cast.ministry, author=author)
    answers.answer_submissions(
        actor=cast.officer, submissions=[submission], body=government_answers()[1]
    )
    assert messages() == []


def test_a_submission_without_an_author_queues_nothing(cast: Cast) -> None:
    submission = make_submission(cast.consultation, cast.citizen, body=KAZAKH_SENTENCE)
    submission.author_id = None  # as imported demonstration comments are
    db.session.commit()
    routing.route_new_submission(submission)
    routing.assign_from_triage(actor=SYSTEM, submissions=[submission], ministry=cast.ministry)
    answers.answer_submissions(
        actor=cast.officer, submissions=[submission], body=government_answers()[2]
    )
    assert submission.status is SubmissionStatus.ANSWERED
    assert messages() == []


def test_no_message_survives_a_failed_commit(cast: Cast) -> None:
    submission = make_routed_submission(cast.consultation, cast.ministry, author=cast.citizen)
    assert len(messages()) == 1
    session = db.session()

    def refuse(_session: object) -> None:
        event.remove(session, "before_commit", refuse)
        raise RuntimeError("the database went away")

    event.listen(session, "before_commit", refuse)
    with pytest.raises(RuntimeError):
        answers.answer_submissions(
            actor=cast.officer, submissions=[submission], body=government_answers()[3]
        )
    db.session.rollback()
    assert submission.status is SubmissionStatus.ROUTED
    assert [m.kind for m in messages()] == [Kind.ROUTED]


def test_a_refused_change_queues_nothing(cast: Cast) -> None:
    submission = make_routed_submission(cast.consultation, cast.ministry, author=cast.citizen)
    with pytest.raises(ValidationFailed):
        deadlines.extend_deadline(
            actor=cast.officer, submission=submission, new_due_on=None, reason="?"
        )
    db.session.rollback()
    assert [m.kind for m in messages()] == [Kind.ROUTED]

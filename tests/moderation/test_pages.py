"""The moderation pages: the queue, the rules, reports, corrections and masked personal data."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from listening_state.extensions import db
from listening_state.models import ModerationMode, ModerationReason, Stance, Submission, Visibility
from listening_state.services import moderation
from tests.factories import login, make_consultation, make_submission, make_user
from tests.html_ids import repeated_ids
from tests.moderation.conftest import Cast
from tests.real_text import POLIS_SPAM, polis_comments


def test_rules_page_lists_every_reason_in_three_languages(client: FlaskClient) -> None:
    expected = {
        "en": ("Moderation rules", "Spam or advertising"),
        "ru": ("Правила модерации", "Спам или реклама"),
        "kk": ("Модерация ережелері", "Спам немесе жарнама"),
    }
    for language, (heading, spam) in expected.items():
        page = client.get("/moderation-rules", headers={"Accept-Language": language})
        text = page.get_data(as_text=True)
        assert page.status_code == 200
        assert heading in text
        assert spam in text
        for reason in ModerationReason:
            assert f'id="rule-{reason.value}"' in text


def test_queue_is_for_moderators_only(client: FlaskClient, cast: Cast) -> None:
    assert client.get("/moderation").status_code == 302  # to sign in
    for outsider in (cast.citizen, cast.officer):
        login(client, outsider)
        assert client.get("/moderation").status_code == 403
        client.post("/logout")


def test_member_sees_hints_and_approves_one(client: FlaskClient, cast: Cast) -> None:
    body = polis_comments()[0] + " Call me on +7 701 234 56 78."
    submission = make_submission(cast.consultation, cast.citizen, body=body)
    login(client, cast.member)
    page = client.get("/moderation").get_data(as_text=True)
    assert submission.reference in page
    assert "+7 701 234 56 78" in page  # moderators read the original
    assert "Contains personal data" in page
    response = client.post("/moderation", data={"approve_one": submission.id})
    assert response.status_code == 302
    db.session.refresh(submission)
    assert submission.visibility is Visibility.PUBLISHED

    public = client.get(f"/consultations/{cast.consultation.id}").get_data(as_text=True)
    assert "[phone removed]" not in public  # the member may read it...
    anonymous = cast_client(client).get(f"/consultations/{cast.consultation.id}")
    text = anonymous.get_data(as_text=True)
    assert "+7 701 234 56 78" not in text  # ...the public may not
    assert "[phone removed]" in text


def cast_client(client: FlaskClient) -> FlaskClient:
    client.post("/logout")
    return client


def test_member_of_another_council_gets_403(client: FlaskClient, cast: Cast) -> None:
    submission = make_submission(cast.consultation, cast.citizen, body=polis_comments()[1])
    login(client, cast.other_member)
    assert submission.reference not in client.get("/moderation").get_data(as_text=True)
    response = client.post(
        "/moderation", data={"reject_one": submission.id, f"reason_{submission.id}": "spam"}
    )
    assert response.status_code == 403
    db.session.refresh(submission)
    assert submission.visibility is Visibility.PENDING


def test_bulk_reject_with_a_reason_and_the_author_sees_it(
    app: Flask, client: FlaskClient, cast: Cast
) -> None:
    items = [
        make_submission(cast.consultation, cast.citizen, body=text)
        for text in polis_comments("15-per-hour-seattle", moderated="-1")[:2]
    ]
    login(client, cast.member)
    ids = [s.id for s in items]
    missing_reason = client.post("/moderation", data={"submission_ids": ids, "reject_selected": 1})
    assert missing_reason.status_code == 302
    assert {db.session.get(Submission, i).visibility for i in ids} == {Visibility.PENDING}  # type: ignore[union-attr]
    client.post(
        "/moderation",
        data={"submission_ids": ids, "reject_selected": 1, "reason": "spam", "note": "bulk"},
    )
    for submission in items:
        db.session.refresh(submission)
        assert submission.visibility is Visibility.HIDDEN
        assert submission.moderation_reason is ModerationReason.SPAM

    author = app.test_client()
    login(author, cast.citizen)
    page = author.get(f"/submissions/{items[0].reference}").get_data(as_text=True)
    assert "Spam or advertising" in page
    assert "bulk" in page
    assert "Correct and send again" in page


def test_filters_narrow_the_queue(client: FlaskClient, cast: Cast) -> None:
    waiting = make_submission(cast.consultation, cast.citizen, body=polis_comments()[2])
    decided = make_submission(cast.consultation, cast.citizen, body=polis_comments()[3])
    moderation.approve(actor=cast.member, submission=decided)
    login(client, cast.member)
    pending = client.get("/moderation?state=pending").get_data(as_text=True)
    assert waiting.reference in pending
    assert decided.reference not in pending
    published = client.get("/moderation?state=published").get_data(as_text=True)
    assert decided.reference in published
    flagged = client.get("/moderation?state=all&hint=flagged").get_data(as_text=True)
    assert waiting.reference not in flagged
    other = client.get(f"/moderation?consultation={cast.consultation.id + 1000}")
    assert other.status_code == 200


def test_a_report_returns_the_reader_to_the_same_page_and_section(
    app: Flask, client: FlaskClient, cast: Cast
) -> None:
    app.config["PAGE_SIZE"] = 1
    consultation = make_consultation(cast.ministry, moderation_mode=ModerationMode.POST)
    first, second = (make_submission(consultation, cast.citizen, section_index=0) for _ in "ab")
    section = consultation.sections[0].id
    login(client, cast.reader)
    page = client.get(f"/consultations/{consultation.id}?section={section}&page=2")
    html = page.get_data(as_text=True)
    # Newest first: page 2 holds the first comment, and its form says where it was sent from.
    action = f"/submissions/{first.reference}/flag?page=2&amp;section={section}"
    assert f'action="{action}"' in html
    assert second.reference not in html
    response = client.post(action.replace("&amp;", "&"), data={"reason": "spam"})
    assert response.headers["Location"] == (
        f"/consultations/{consultation.id}?page=2&section={section}#comment-{first.reference}"
    )


def test_report_forms_do_not_repeat_an_element_id(
    app: Flask, client: FlaskClient, cast: Cast
) -> None:
    consultation = make_consultation(cast.ministry, moderation_mode=ModerationMode.POST)
    for _ in range(3):
        make_submission(consultation, cast.citizen)
    login(client, cast.reader)
    app.config["WTF_CSRF_ENABLED"] = True  # the token field is the one every form carries
    html = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert html.count('name="csrf_token"') >= 3
    assert repeated_ids(html) == []


def test_reader_reports_through_the_page(app: Flask, client: FlaskClient, cast: Cast) -> None:
    consultation = make_consultation(cast.ministry, moderation_mode=ModerationMode.POST)
    submission = make_submission(consultation, cast.citizen, body=POLIS_SPAM)
    login(client, cast.reader)
    page = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert "Report this comment" in page
    response = client.post(
        f"/submissions/{submission.reference}/flag", data={"reason": "spam", "note": "advert"}
    )
    assert response.status_code == 302
    assert f"#comment-{submission.reference}" in response.headers["Location"]
    db.session.refresh(submission)
    assert submission.open_flag_count == 1
    again = client.post(f"/submissions/{submission.reference}/flag", data={"reason": "spam"})
    assert again.status_code == 302
    assert "You reported this comment" in client.get(f"/consultations/{consultation.id}").get_data(
        as_text=True
    )
    bad = client.post(f"/submissions/{submission.reference}/flag", data={"reason": "nonsense"})
    assert bad.status_code == 302
    db.session.refresh(submission)
    assert submission.open_flag_count == 1


def test_reporting_a_hidden_comment_is_not_found(client: FlaskClient, cast: Cast) -> None:
    submission = make_submission(cast.consultation, cast.citizen, body=polis_comments()[4])
    login(client, cast.reader)
    assert (
        client.post(
            f"/submissions/{submission.reference}/flag", data={"reason": "spam"}
        ).status_code
        == 404
    )


def test_author_corrects_a_rejected_comment_through_the_page(
    client: FlaskClient, cast: Cast
) -> None:
    submission = make_submission(cast.consultation, cast.citizen, body=POLIS_SPAM)
    moderation.reject(actor=cast.member, submission=submission, reason=ModerationReason.SPAM)
    login(client, cast.citizen)
    url = f"/submissions/{submission.reference}/edit"
    form = client.get(url)
    assert form.status_code == 200
    assert POLIS_SPAM in form.get_data(as_text=True)
    too_short = client.post(url, data={"body": "short"})
    assert too_short.status_code == 400
    corrected = polis_comments()[5]
    assert client.post(url, data={"body": corrected}).status_code == 302
    db.session.refresh(submission)
    assert submission.body == corrected
    assert submission.visibility is Visibility.PENDING
    again = client.get(url)
    assert again.status_code == 302  # only once


def test_someone_else_cannot_open_the_correction_form(client: FlaskClient, cast: Cast) -> None:
    submission = make_submission(cast.consultation, cast.citizen, body=POLIS_SPAM)
    moderation.reject(actor=cast.member, submission=submission, reason=ModerationReason.SPAM)
    login(client, make_user())
    assert client.get(f"/submissions/{submission.reference}/edit").status_code == 404


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_markers_follow_the_readers_language(
    client: FlaskClient, cast: Cast, language: str
) -> None:
    consultation = make_consultation(cast.ministry, moderation_mode=ModerationMode.POST)
    make_submission(
        consultation, cast.citizen, body=polis_comments()[6] + " Write to me: ivanov@mail.kz"
    )
    page = client.get(f"/consultations/{consultation.id}", headers={"Accept-Language": language})
    text = page.get_data(as_text=True)
    assert "ivanov@mail.kz" not in text
    assert {"kk": "[e-mail жасырылды]", "ru": "[e-mail скрыт]"}[language] in text


def test_the_queue_quotes_the_likely_original(client: FlaskClient, cast: Cast) -> None:
    from listening_state.services import intake
    from tests.real_text import duplicate_petition_pairs

    original, copy = duplicate_petition_pairs()[0]
    for text in (*polis_comments()[:5], original[:5000], copy[:5000]):
        intake.receive_feedback(
            actor=cast.citizen, consultation=cast.consultation, body=text, stance=Stance.SUPPORT
        )
    login(client, cast.member)
    page = client.get("/moderation?hint=duplicate").get_data(as_text=True)
    assert 'class="comment-body quoted"' in page
    assert original.splitlines()[0] in page

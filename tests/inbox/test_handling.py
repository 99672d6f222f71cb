"""Review, assignment, answers (single and bulk), closing, templates: and what is refused."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from listening_state.extensions import db
from listening_state.limits import MAX_ID
from listening_state.models import Answer, AnswerTemplate, AuditEntry, SubmissionStatus
from listening_state.services import answers, inbox
from listening_state.services.errors import InvalidTransition, PermissionDenied, ValidationFailed
from tests.factories import login, make_routed_submission
from tests.inbox.conftest import Cast, government_answers
from tests.real_text import polis_comments


def _actions(reference: str) -> list[str]:
    stmt = select(AuditEntry.action).where(AuditEntry.target_label == reference)
    return list(db.session.scalars(stmt.order_by(AuditEntry.id)))


def test_review_then_answer_writes_audit_and_citizen_sees_it(
    client: FlaskClient, cast: Cast
) -> None:
    submission = make_routed_submission(cast.consultation, cast.ministry, author=cast.citizen)
    code, ref = cast.ministry.code, submission.reference
    login(client, cast.officer)
    assert client.post(f"/ministries/{code}/inbox/{ref}/review").status_code == 302
    db.session.refresh(submission)
    assert submission.status is SubmissionStatus.IN_REVIEW
    text = government_answers()[0]
    assert (
        client.post(f"/ministries/{code}/inbox/{ref}/answer", data={"body": text}).status_code
        == 302
    )
    db.session.refresh(submission)
    assert submission.status is SubmissionStatus.ANSWERED
    assert submission.answered_at is not None
    assert submission.answer is not None
    assert submission.answer.author_id == cast.officer.id
    assert _actions(ref)[-2:] == ["submission.status", "submission.answer"]
    client.post("/logout")
    login(client, cast.citizen)
    page = client.get(f"/submissions/{ref}").get_data(as_text=True)
    assert text in page
    assert f"Answer from {cast.ministry.name_en}" in page


def test_refused_transitions(client: FlaskClient, cast: Cast) -> None:
    answered = make_routed_submission(cast.consultation, cast.ministry)
    closed = make_routed_submission(cast.consultation, cast.ministry)
    answers.answer_submissions(
        actor=cast.officer, submissions=[answered], body=government_answers()[1]
    )
    inbox.close_without_answer(
        actor=cast.officer, submission=closed, reason="Outside the draft's scope"
    )
    assert closed.status is SubmissionStatus.CLOSED
    assert _actions(closed.reference)[-1] == "submission.close"
    with pytest.raises(InvalidTransition):
        answers.answer_submissions(
            actor=cast.officer, submissions=[closed], body=government_answers()[2]
        )
    with pytest.raises(InvalidTransition):
        inbox.close_without_answer(actor=cast.officer, submission=answered, reason="Too late now")
    with pytest.raises(InvalidTransition):
        inbox.start_review(actor=cast.officer, submission=answered)
    with pytest.raises(InvalidTransition):
        inbox.assign(actor=cast.officer, submissions=[closed], officer=cast.colleague)
    login(client, cast.officer)
    url = f"/ministries/{cast.ministry.code}/inbox/{closed.reference}/answer"
    assert client.post(url, data={"body": government_answers()[2]}).status_code == 409


def test_review_twice_is_refused(cast: Cast) -> None:
    submission = make_routed_submission(cast.consultation, cast.ministry)
    inbox.start_review(actor=cast.officer, submission=submission)
    with pytest.raises(InvalidTransition):
        inbox.start_review(actor=cast.officer, submission=submission)


def test_closing_needs_a_reason(client: FlaskClient, cast: Cast) -> None:
    submission = make_routed_submission(cast.consultation, cast.ministry)
    with pytest.raises(ValidationFailed):
        inbox.close_without_answer(actor=cast.officer, submission=submission, reason="  ")
    login(client, cast.officer)
    url = f"/ministries/{cast.ministry.code}/inbox/{submission.reference}/close"
    response = client.post(url, data={"reason": ""})
    assert response.status_code == 400
    assert "Please give the reason." in response.get_data(as_text=True)
    assert submission.status is SubmissionStatus.ROUTED


def test_assignment_only_to_officers_of_the_ministry(client: FlaskClient, cast: Cast) -> None:
    submission = make_routed_submission(cast.consultation, cast.ministry)
    login(client, cast.officer)
    url = f"/ministries/{cast.ministry.code}/inbox/{submission.reference}/assign"
    assert client.post(url, data={"officer": cast.colleague.id}).status_code == 302
    db.session.refresh(submission)
    assert submission.assigned_to_id == cast.colleague.id
    assert _actions(submission.reference)[-1] == "submission.assign"
    for outsider in (cast.other_officer, cast.citizen, cast.admin):
        response = client.post(url, data={"officer": outsider.id})
        assert response.status_code == 400
        assert "Choose an officer of the responsible ministry." in response.get_data(as_text=True)
    db.session.refresh(submission)
    assert submission.assigned_to_id == cast.colleague.id


def test_assign_to_me_button_and_filter(client: FlaskClient, cast: Cast) -> None:
    mine = make_routed_submission(cast.consultation, cast.ministry, body=polis_comments()[0])
    other = make_routed_submission(cast.consultation, cast.ministry, body=polis_comments()[1])
    login(client, cast.officer)
    url = f"/ministries/{cast.ministry.code}/inbox"
    assert client.post(url, data={"assign_me": mine.id}).status_code == 302
    page = client.get(url, query_string={"assigned": "me"}).get_data(as_text=True)
    assert mine.reference in page
    assert other.reference not in page
    page = client.get(url, query_string={"assigned": "unassigned"}).get_data(as_text=True)
    assert other.reference in page
    assert mine.reference not in page


def test_bulk_answer_links_one_answer_to_each(client: FlaskClient, cast: Cast) -> None:
    chosen = [
        make_routed_submission(cast.consultation, cast.ministry, section_index=0, body=body)
        for body in polis_comments()[:3]
    ]
    left = make_routed_submission(cast.consultation, cast.ministry, body=polis_comments()[3])
    login(client, cast.officer)
    response = client.post(
        f"/ministries/{cast.ministry.code}/inbox",
        data={
            "answer_selected": "1",
            "submission_ids": [s.id for s in chosen],
            "body": government_answers()[3],
        },
    )
    assert response.status_code == 302
    assert db.session.scalar(select(db.func.count(Answer.id))) == 1
    for submission in chosen:
        db.session.refresh(submission)
        assert submission.status is SubmissionStatus.ANSWERED
        assert submission.answer is not None
        assert submission.answer.body == government_answers()[3]
        assert _actions(submission.reference)[-1] == "submission.answer"
    db.session.refresh(left)
    assert left.status is SubmissionStatus.ROUTED


def test_bulk_answer_is_all_or_nothing(cast: Cast) -> None:
    open_one = make_routed_submission(cast.consultation, cast.ministry)
    closed = make_routed_submission(cast.consultation, cast.ministry)
    elsewhere = make_routed_submission(cast.consultation, cast.other_ministry)
    inbox.close_without_answer(
        actor=cast.officer, submission=closed, reason="Outside the draft's scope"
    )
    with pytest.raises(InvalidTransition):
        answers.answer_submissions(
            actor=cast.officer, submissions=[open_one, closed], body=government_answers()[4]
        )
    with pytest.raises(PermissionDenied):
        answers.answer_submissions(
            actor=cast.officer, submissions=[open_one, elsewhere], body=government_answers()[4]
        )
    db.session.rollback()
    assert open_one.status is SubmissionStatus.ROUTED
    assert db.session.scalar(select(db.func.count(Answer.id))) == 0


def test_answer_text_is_sanitised_and_limited(cast: Cast) -> None:
    submission = make_routed_submission(cast.consultation, cast.ministry)
    with pytest.raises(ValidationFailed) as error:
        answers.answer_submissions(actor=cast.officer, submissions=[submission], body="<b>ok</b>")
    assert "10 to 10000" in error.value.errors["body"][0]
    with pytest.raises(ValidationFailed):
        answers.answer_submissions(actor=cast.officer, submissions=[submission], body="x" * 10_001)
    answer = answers.answer_submissions(
        actor=cast.officer,
        submissions=[submission],
        body=f"<script>alert(1)</script>{government_answers()[5]}",
    )
    assert "<script>" not in answer.body
    assert answer.body.endswith(government_answers()[5])


def test_templates_crud_and_prefill(client: FlaskClient, cast: Cast) -> None:
    submission = make_routed_submission(cast.consultation, cast.ministry)
    login(client, cast.officer)
    base = f"/ministries/{cast.ministry.code}/answer-templates"
    data = {"title": "Ancient trees", "language": "en", "body": government_answers()[6]}
    assert client.post(base, data=data).status_code == 302
    assert client.post(base, data=data).status_code == 400  # the title is taken
    template = db.session.scalars(select(AnswerTemplate)).one()
    page = client.get(
        f"/ministries/{cast.ministry.code}/inbox/{submission.reference}",
        query_string={"template": template.id},
    ).get_data(as_text=True)
    assert government_answers()[6][:60] in page
    edited = {**data, "body": government_answers()[7]}
    assert client.post(f"{base}/{template.id}", data=edited).status_code == 302
    db.session.refresh(template)
    assert template.body == government_answers()[7]
    assert client.post(f"{base}/{template.id}/delete").status_code == 302
    assert db.session.scalars(select(AnswerTemplate)).first() is None
    actions = list(
        db.session.scalars(
            select(AuditEntry.action).where(AuditEntry.target_type == "answer_template")
        )
    )
    assert actions == ["answer_template.create", "answer_template.update", "answer_template.delete"]


@pytest.mark.parametrize("number", [MAX_ID + 1, 10**23])
def test_a_template_number_past_any_id_is_ignored_on_the_item_page(
    client: FlaskClient, cast: Cast, number: int
) -> None:
    submission = make_routed_submission(cast.consultation, cast.ministry)
    login(client, cast.officer)
    page = client.get(
        f"/ministries/{cast.ministry.code}/inbox/{submission.reference}",
        query_string={"template": number},
    )
    assert page.status_code == 200
    assert "Publish the answer" in page.get_data(as_text=True)


def test_an_answer_with_a_template_number_past_any_id_is_refused(
    client: FlaskClient, cast: Cast
) -> None:
    submission = make_routed_submission(cast.consultation, cast.ministry)
    login(client, cast.officer)
    response = client.post(
        f"/ministries/{cast.ministry.code}/inbox/{submission.reference}/answer",
        data={"body": government_answers()[0], "template": str(10**23)},
    )
    assert response.status_code == 400
    db.session.refresh(submission)
    assert submission.answer is None


def test_templates_of_another_ministry_are_out_of_reach(client: FlaskClient, cast: Cast) -> None:
    theirs = answers.create_template(
        actor=cast.other_officer,
        ministry=cast.other_ministry,
        title="Theirs",
        body=government_answers()[8],
        language="en",
    )
    login(client, cast.officer)
    own = f"/ministries/{cast.ministry.code}/answer-templates/{theirs.id}"
    assert client.get(own).status_code == 404
    assert client.post(f"{own}/delete").status_code == 404
    other = f"/ministries/{cast.other_ministry.code}/answer-templates/{theirs.id}"
    assert client.post(f"{other}/delete").status_code == 403
    assert db.session.get(AnswerTemplate, theirs.id) is not None


@pytest.mark.parametrize("language", ["kk", "en"])
def test_a_new_template_starts_in_the_officers_language(
    client: FlaskClient, cast: Cast, language: str
) -> None:
    login(client, cast.officer)
    client.post(f"/language/{language}")
    page = client.get(f"/ministries/{cast.ministry.code}/answer-templates").get_data(as_text=True)
    assert re.search(rf'<option selected value="{language}">', page)

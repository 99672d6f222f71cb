"""A citizen follows their own submissions; nobody else can look them up."""

from flask.testing import FlaskClient

from listening_state.models import Role
from tests.factories import login, make_consultation, make_submission, make_user


def test_my_submissions_lists_only_mine_with_consultation_section_and_status(
    client: FlaskClient,
) -> None:
    consultation = make_consultation(title="Civil service mobility rules")
    me, other = make_user(), make_user()
    mine = make_submission(consultation, me, section_index=1)
    theirs = make_submission(consultation, other)
    login(client, me)
    page = client.get("/my/submissions").get_data(as_text=True)
    assert mine.reference in page
    assert theirs.reference not in page
    assert "Civil service mobility rules" in page
    assert "2. Scope" in page
    assert "Received" in page


def test_lookup_by_reference_opens_my_submission(client: FlaskClient) -> None:
    submission = make_submission(make_consultation())
    login(client, submission.author)  # type: ignore[arg-type]
    response = client.get(f"/my/submissions?reference={submission.reference.lower()}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/submissions/{submission.reference}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert submission.body in page


def test_malformed_reference_gets_a_form_error(client: FlaskClient) -> None:
    login(client, make_user())
    page = client.get("/my/submissions").get_data(as_text=True)
    assert "aria-describedby" not in page  # no error to point at ("None" was written once)
    response = client.get("/my/submissions?reference=12345")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "A reference code looks like LS-7KQ2-M9XD." in page
    assert 'aria-describedby="reference-errors"' in page
    assert 'id="reference-errors"' in page


def test_someone_elses_reference_is_not_found(client: FlaskClient) -> None:
    submission = make_submission(make_consultation())
    login(client, make_user())
    assert client.get(f"/submissions/{submission.reference}").status_code == 404
    assert client.get(f"/submissions/{submission.reference}/confirmation").status_code == 404
    assert client.get("/submissions/LS-AAAA-BBBB").status_code == 404


def test_anonymous_lookup_is_sent_to_sign_in(client: FlaskClient) -> None:
    submission = make_submission(make_consultation())
    response = client.get(f"/submissions/{submission.reference}")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_officer_of_the_ministry_can_open_the_record_but_not_another_ministry(
    client: FlaskClient,
) -> None:
    consultation = make_consultation()
    submission = make_submission(consultation)
    login(client, make_user(Role.MINISTRY_OFFICER, ministry=consultation.ministry))
    assert client.get(f"/submissions/{submission.reference}").status_code == 200
    assert client.get(f"/submissions/{submission.reference}/confirmation").status_code == 404
    client.post("/logout")
    other = make_consultation()
    login(client, make_user(Role.MINISTRY_OFFICER, ministry=other.ministry))
    assert client.get(f"/submissions/{submission.reference}").status_code == 404


def test_published_comment_appears_on_the_consultation_page(client: FlaskClient) -> None:
    consultation = make_consultation()
    submission = make_submission(consultation, body="Please publish the impact assessment too.")
    page = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert "Please publish the impact assessment too." in page
    assert submission.author.display_name in page  # type: ignore[union-attr]

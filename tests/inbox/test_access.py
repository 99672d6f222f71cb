"""Who may open a ministry's inbox: its officers and administrators, nobody else."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from listening_state.authz import SYSTEM
from listening_state.models import ModerationReason, User
from listening_state.services import moderation
from tests.factories import login, make_routed_submission
from tests.inbox.conftest import Cast
from tests.real_text import POLIS_SPAM, polis_comments


def _urls(cast: Cast, reference: str) -> list[str]:
    code = cast.ministry.code
    return [
        f"/ministries/{code}/inbox",
        f"/ministries/{code}/inbox/{reference}",
        f"/ministries/{code}/inbox.csv",
        f"/ministries/{code}/inbox.xlsx",
        f"/ministries/{code}/answer-templates",
    ]


def test_anonymous_visitors_are_sent_to_sign_in(client: FlaskClient, cast: Cast) -> None:
    submission = make_routed_submission(cast.consultation, cast.ministry)
    for url in [*_urls(cast, submission.reference), "/inbox"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["citizen", "member", "other_officer"])
def test_other_roles_get_403_everywhere(client: FlaskClient, cast: Cast, role: str) -> None:
    submission = make_routed_submission(cast.consultation, cast.ministry)
    user: User = getattr(cast, role)
    login(client, user)
    for url in _urls(cast, submission.reference):
        assert client.get(url).status_code == 403, url
    code, ref = cast.ministry.code, submission.reference
    for url, data in (
        (f"/ministries/{code}/inbox", {"review_one": submission.id}),
        (f"/ministries/{code}/inbox/{ref}/review", {}),
        (f"/ministries/{code}/inbox/{ref}/answer", {"body": polis_comments()[0]}),
        (f"/ministries/{code}/inbox/{ref}/close", {"reason": "Not for us at all"}),
        (f"/ministries/{code}/inbox/{ref}/assign", {"officer": user.id}),
        (f"/ministries/{code}/answer-templates", {"title": "T", "body": polis_comments()[0]}),
    ):
        assert client.post(url, data=data).status_code == 403, url


def test_other_officer_cannot_act_through_own_inbox(client: FlaskClient, cast: Cast) -> None:
    submission = make_routed_submission(cast.consultation, cast.ministry)
    login(client, cast.other_officer)
    own = f"/ministries/{cast.other_ministry.code}/inbox"
    assert client.get(own).status_code == 200
    assert submission.reference not in client.get(own).get_data(as_text=True)
    assert client.get(f"{own}/{submission.reference}").status_code == 404
    assert client.post(own, data={"review_one": submission.id}).status_code == 403


def test_officer_and_admin_open_the_inbox(client: FlaskClient, cast: Cast) -> None:
    submission = make_routed_submission(cast.consultation, cast.ministry)
    for user in (cast.officer, cast.admin):
        login(client, user)
        for url in _urls(cast, submission.reference):
            assert client.get(url).status_code == 200, url
        client.post("/logout")


def test_inbox_link_goes_to_the_officers_only_ministry(client: FlaskClient, cast: Cast) -> None:
    login(client, cast.officer)
    assert 'href="/inbox"' in client.get("/").get_data(as_text=True)
    response = client.get("/inbox")
    assert response.headers["Location"].endswith(f"/ministries/{cast.ministry.code}/inbox")


def test_admin_chooses_among_all_inboxes(client: FlaskClient, cast: Cast) -> None:
    login(client, cast.admin)
    page = client.get("/inbox").get_data(as_text=True)
    assert f"/ministries/{cast.ministry.code}/inbox" in page
    assert f"/ministries/{cast.other_ministry.code}/inbox" in page


def test_citizen_has_no_inbox(client: FlaskClient, cast: Cast) -> None:
    login(client, cast.citizen)
    assert 'href="/inbox"' not in client.get("/").get_data(as_text=True)
    assert client.get("/inbox").status_code == 403


def test_spam_is_not_in_the_inbox_nor_its_exports(client: FlaskClient, cast: Cast) -> None:
    kept = make_routed_submission(cast.consultation, cast.ministry, body=polis_comments()[0])
    spam = make_routed_submission(cast.consultation, cast.ministry, body=POLIS_SPAM)
    moderation.reject(actor=SYSTEM, submission=spam, reason=ModerationReason.SPAM)
    login(client, cast.officer)
    code = cast.ministry.code
    page = client.get(f"/ministries/{code}/inbox").get_data(as_text=True)
    assert kept.reference in page
    assert spam.reference not in page
    assert spam.reference not in client.get(f"/ministries/{code}/inbox.csv").get_data(as_text=True)
    assert client.get(f"/ministries/{code}/inbox/{spam.reference}").status_code == 404

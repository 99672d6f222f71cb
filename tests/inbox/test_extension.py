"""Extending an answer deadline from the inbox: once, with a reason, within the maximum."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from listening_state.extensions import db
from listening_state.services import deadlines
from tests.factories import login, make_routed_submission
from tests.html_ids import repeated_ids
from tests.inbox.conftest import Cast, government_answers


def test_officer_extends_once_and_the_citizen_sees_why(
    app: Flask, client: FlaskClient, cast: Cast
) -> None:
    submission = make_routed_submission(cast.consultation, cast.ministry, author=cast.citizen)
    assert submission.due_on is not None  # the clock started when it was routed
    url = f"/ministries/{cast.ministry.code}/inbox/{submission.reference}"
    latest = deadlines.latest_extension_date(submission)
    assert latest is not None
    reason = government_answers()[0][:300]

    login(client, cast.other_officer)
    assert client.post(
        f"{url}/extend", data={"new_due_on": str(latest), "reason": reason}
    ).status_code in (403, 404)
    client.post("/logout")

    login(client, cast.officer)
    page = client.get(url).get_data(as_text=True)
    assert "Extend the deadline" in page
    assert repeated_ids(page) == []  # the extension and the closing form both ask a reason
    too_far = latest.replace(year=latest.year + 1)
    refused = client.post(f"{url}/extend", data={"new_due_on": str(too_far), "reason": reason})
    assert refused.status_code == 400
    db.session.refresh(submission)
    assert submission.extended_at is None
    done = client.post(f"{url}/extend", data={"new_due_on": str(latest), "reason": reason})
    assert done.status_code == 302
    db.session.refresh(submission)
    assert submission.due_on == latest
    assert submission.extended_at is not None
    again = client.post(f"{url}/extend", data={"new_due_on": str(latest), "reason": reason})
    assert again.status_code == 302  # refused with a message: once only
    assert "Extend the deadline" not in client.get(url).get_data(as_text=True)
    client.post("/logout")

    login(client, cast.citizen)
    mine = client.get(f"/submissions/{submission.reference}").get_data(as_text=True)
    assert "The deadline was extended" in mine

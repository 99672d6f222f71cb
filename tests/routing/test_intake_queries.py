"""What a comment's request asks of the database after storing it: routing, hints and themes
go on with the comment as they wrote it, without reading it back after each commit."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from listening_state.extensions import db
from listening_state.models import Ministry, RouterVersion, Submission
from tests.factories import login, make_consultation, make_user
from tests.routing.conftest import held_out_petition
from tests.statements import recorded_statements

# A SELECT of one submission by its id: how the session reloads a row a commit expired.
RELOAD = re.compile(r"^\s*SELECT\s.*\sFROM submission\s+WHERE submission\.id = ", re.DOTALL)


def test_the_comment_is_routed_without_being_read_back(
    client: FlaskClient, ministries: dict[str, Ministry], active_router: RouterVersion
) -> None:
    consultation = make_consultation(ministries["MT"], title="Draft rules for public transport")
    login(client, make_user())
    url = f"/consultations/{consultation.id}/comment"
    db.session.close()  # the request starts with nothing loaded, as in production
    with recorded_statements() as statements:
        response = client.post(
            url, data={"section_id": "", "stance": "support", "body": held_out_petition("MT")}
        )
    assert response.status_code == 302
    reference = response.headers["Location"].rstrip("/").split("/")[-2]
    stored = db.session.scalar(db.select(Submission).where(Submission.reference == reference))
    assert stored is not None
    assert stored.routing_history  # routed in the request
    assert statements.count("COMMIT") >= 2  # stored, then routed: each its own commit
    assert [s for s in statements if RELOAD.match(s)] == []

"""People route what the model could not: the triage queue, re-routing, and what it teaches."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from listening_state.extensions import db
from listening_state.models import (
    Consultation,
    Ministry,
    Role,
    RouterVersion,
    RoutingSource,
    Stance,
    Submission,
    SubmissionStatus,
)
from listening_state.services import intake, router_versions
from tests.factories import login, make_consultation, make_user
from tests.routing.conftest import held_out_petition

# Real petitions the small router never saw, one per ministry (UK Parliament, OGL v3.0).
BODIES = [held_out_petition("MT", 3), held_out_petition("MH", 2), held_out_petition("MF", 4)]


@pytest.fixture
def waiting(ministries: dict[str, Ministry]) -> list[Submission]:
    """Three submissions in triage (no router is active), oldest first."""
    consultation = make_consultation(ministries["MT"])
    return [
        intake.receive_feedback(
            actor=make_user(), consultation=consultation, body=body, stance=Stance.MIXED
        )
        for body in BODIES
    ]


def test_triage_queue_is_for_administrators_only(
    client: FlaskClient, waiting: list[Submission], ministries: dict[str, Ministry]
) -> None:
    assert client.get("/triage").status_code == 302
    for user in (make_user(), make_user(Role.MINISTRY_OFFICER, ministry=ministries["MT"])):
        login(client, user)
        assert client.get("/triage").status_code == 403
        assert (
            client.post(
                "/triage", data={"submission_ids": [waiting[0].id], "ministry": ministries["MT"].id}
            ).status_code
            == 403
        )
        client.post("/logout")
    assert all(s.status is SubmissionStatus.NEEDS_TRIAGE for s in waiting)


def test_triage_lists_oldest_first(client: FlaskClient, waiting: list[Submission]) -> None:
    login(client, make_user(Role.ADMIN))
    page = client.get("/triage").get_data(as_text=True)
    positions = [page.index(s.reference) for s in waiting]
    assert positions == sorted(positions)
    assert "3 submissions waiting" in page
    # The note goes into the routing history, which the authors read.
    assert "Note for the citizens (optional; they see it with the routing)" in page


def test_assign_one_from_its_row(
    client: FlaskClient, waiting: list[Submission], ministries: dict[str, Ministry]
) -> None:
    admin = make_user(Role.ADMIN)
    login(client, admin)
    target = waiting[1]
    response = client.post(
        "/triage", data={"assign_one": target.id, f"ministry_{target.id}": ministries["MH"].id}
    )
    assert response.status_code == 302
    db.session.refresh(target)
    assert target.status is SubmissionStatus.ROUTED
    assert target.ministry_id == ministries["MH"].id
    decision = target.routing_history[-1]
    assert (decision.source, decision.actor_id, decision.to_ministry_id) == (
        RoutingSource.TRIAGE,
        admin.id,
        ministries["MH"].id,
    )
    assert waiting[0].status is SubmissionStatus.NEEDS_TRIAGE


def test_bulk_assign_several(
    client: FlaskClient, waiting: list[Submission], ministries: dict[str, Ministry]
) -> None:
    login(client, make_user(Role.ADMIN))
    ids = [waiting[0].id, waiting[2].id]
    response = client.post(
        "/triage", data={"submission_ids": ids, "ministry": ministries["MF"].id, "reason": "tax"}
    )
    assert response.status_code == 302
    for submission in (waiting[0], waiting[2]):
        db.session.refresh(submission)
        assert submission.ministry_id == ministries["MF"].id
    db.session.refresh(waiting[1])
    assert waiting[1].status is SubmissionStatus.NEEDS_TRIAGE


def test_assigning_an_already_assigned_submission_is_refused(
    client: FlaskClient, waiting: list[Submission], ministries: dict[str, Ministry]
) -> None:
    login(client, make_user(Role.ADMIN))
    client.post(
        "/triage",
        data={"assign_one": waiting[0].id, f"ministry_{waiting[0].id}": ministries["MH"].id},
    )
    response = client.post(
        "/triage",
        data={"submission_ids": [waiting[0].id, waiting[1].id], "ministry": ministries["MF"].id},
        follow_redirects=True,
    )
    assert "already assigned" in response.get_data(as_text=True)
    db.session.refresh(waiting[0])
    db.session.refresh(waiting[1])
    assert waiting[0].ministry_id == ministries["MH"].id
    assert waiting[1].status is SubmissionStatus.NEEDS_TRIAGE


def test_bulk_assign_without_a_ministry_explains(
    client: FlaskClient, waiting: list[Submission]
) -> None:
    login(client, make_user(Role.ADMIN))
    response = client.post(
        "/triage", data={"submission_ids": [waiting[0].id], "ministry": 0}, follow_redirects=True
    )
    assert "Select at least one submission and a ministry." in response.get_data(as_text=True)


def _routed_to(ministry: Ministry) -> Submission:
    consultation: Consultation = make_consultation(ministry)
    submission = intake.receive_feedback(
        actor=make_user(), consultation=consultation, body=BODIES[0], stance=Stance.SUPPORT
    )
    from listening_state.authz import SYSTEM
    from listening_state.services import routing

    routing.assign_from_triage(actor=SYSTEM, submissions=[submission], ministry=ministry)
    return submission


def test_officer_forwards_with_a_reason_and_the_citizen_sees_it(
    client: FlaskClient, ministries: dict[str, Ministry]
) -> None:
    submission = _routed_to(ministries["MF"])
    officer = make_user(Role.MINISTRY_OFFICER, ministry=ministries["MF"])
    login(client, officer)
    page = client.get(f"/submissions/{submission.reference}").get_data(as_text=True)
    assert "Not your ministry" in page
    for authors_words in ("Your comment", "Your position", "All my submissions"):
        assert authors_words not in page  # the officer reads someone else's comment
    response = client.post(
        f"/submissions/{submission.reference}/reroute",
        data={"ministry": ministries["MT"].id, "reason": "Bus timetables are transport."},
    )
    assert response.status_code == 302
    db.session.refresh(submission)
    assert submission.ministry_id == ministries["MT"].id
    assert submission.status is SubmissionStatus.FORWARDED
    decision = submission.routing_history[-1]
    assert (decision.source, decision.from_ministry_id, decision.reason) == (
        RoutingSource.REROUTE,
        ministries["MF"].id,
        "Bus timetables are transport.",
    )
    client.post("/logout")
    login(client, submission.author)  # type: ignore[arg-type]
    citizen_page = client.get(f"/submissions/{submission.reference}").get_data(as_text=True)
    assert "Forwarded from Ministry MF to Ministry MT" in citizen_page
    assert "Bus timetables are transport." in citizen_page
    assert "Not your ministry" not in citizen_page
    assert "Your comment" in citizen_page


def test_forwarding_needs_a_reason_and_another_ministry(
    client: FlaskClient, ministries: dict[str, Ministry]
) -> None:
    submission = _routed_to(ministries["MF"])
    login(client, make_user(Role.MINISTRY_OFFICER, ministry=ministries["MF"]))
    no_reason = client.post(
        f"/submissions/{submission.reference}/reroute",
        data={"ministry": ministries["MT"].id, "reason": ""},
    )
    assert no_reason.status_code == 400
    # No ministry is chosen for the officer: the first on the list was sent to by mistake.
    page = client.get(f"/submissions/{submission.reference}").get_data(as_text=True)
    assert re.search(r'<select[^>]*id="ministry"[^>]*><option value="0">—</option>', page)
    no_ministry = client.post(
        f"/submissions/{submission.reference}/reroute",
        data={"ministry": "0", "reason": "Bus timetables are transport."},
    )
    assert no_ministry.status_code == 400
    assert "Choose another ministry." in no_ministry.get_data(as_text=True)
    db.session.refresh(submission)
    assert submission.ministry_id == ministries["MF"].id


def test_only_the_responsible_ministry_can_forward(
    client: FlaskClient, ministries: dict[str, Ministry]
) -> None:
    submission = _routed_to(ministries["MF"])
    # The consultation belongs to MF too; an MH officer can neither see nor forward it.
    login(client, make_user(Role.MINISTRY_OFFICER, ministry=ministries["MH"]))
    response = client.post(
        f"/submissions/{submission.reference}/reroute",
        data={"ministry": ministries["MH"].id, "reason": "We would like it."},
    )
    assert response.status_code in (403, 404)
    db.session.refresh(submission)
    assert submission.ministry_id == ministries["MF"].id


def test_human_decisions_become_training_data(ministries: dict[str, Ministry]) -> None:
    submission = _routed_to(ministries["MH"])
    texts, labels = router_versions.human_examples()
    assert labels == ["MH"]
    assert submission.body in texts[0]


def test_router_page_shows_the_active_version_and_recent_figures(
    client: FlaskClient, active_router: RouterVersion, ministries: dict[str, Ministry]
) -> None:
    consultation = make_consultation(ministries["MT"])
    intake.receive_feedback(
        actor=make_user(),
        consultation=consultation,
        body=BODIES[0],
        stance=Stance.SUPPORT,
    )
    login(client, make_user(Role.ADMIN))
    page = client.get("/admin/router").get_data(as_text=True)
    assert active_router.version in page
    assert "Confusion matrix" in page
    assert "Submissions the router saw" in page
    for code in ("MT", "MF", "MH"):
        assert f">{code}<" in page
    login_as_citizen = make_user()
    client.post("/logout")
    login(client, login_as_citizen)
    assert client.get("/admin/router").status_code == 403


def test_rollback_is_activating_an_older_version(
    client: FlaskClient, active_router: RouterVersion, small_router: object
) -> None:
    model, report = small_router  # type: ignore[misc]
    newer = router_versions.save_version(model=model, report=report, n_human_examples=0)
    login(client, make_user(Role.ADMIN))
    assert client.post(f"/admin/router/{newer.version}/activate").status_code == 302
    db.session.refresh(active_router)
    assert not active_router.is_active
    assert client.post(f"/admin/router/{active_router.version}/activate").status_code == 302
    db.session.refresh(active_router)
    assert active_router.is_active


def test_router_page_without_a_version_says_how_to_train_one(client: FlaskClient) -> None:
    login(client, make_user(Role.ADMIN))
    page = client.get("/admin/router").get_data(as_text=True)
    assert "No router version is active" in page
    assert "No versions yet." in page


def test_empty_triage_queue_says_so(client: FlaskClient) -> None:
    login(client, make_user(Role.ADMIN))
    assert "Nothing is waiting" in client.get("/triage").get_data(as_text=True)


def test_activation_needs_a_csrf_token(app_with: object, active_router: RouterVersion) -> None:
    app = app_with(WTF_CSRF_ENABLED=True)  # type: ignore[operator]
    client = app.test_client()
    admin = make_user(Role.ADMIN)
    with client.session_transaction() as session:
        session["_user_id"] = admin.get_id()
        session["_fresh"] = True
    assert client.post(f"/admin/router/{active_router.version}/activate").status_code == 400

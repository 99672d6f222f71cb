"""Anyone reads consultations, sections, published comments, published themes and ministries;
every response matches the OpenAPI document."""

from __future__ import annotations

from flask.testing import FlaskClient
from schemathesis.specs.openapi.schemas import OpenApiSchema

from listening_state.authz import SYSTEM
from listening_state.extensions import db
from listening_state.models import ModerationMode, ModerationReason
from listening_state.services import moderation, theme_publication
from tests.api.conftest import People, conforms
from tests.factories import make_consultation, make_submission
from tests.real_text import polis_comments
from tests.themes_web.conftest import PHONE, Heard
from tests.themes_web.conftest import heard as heard  # the themes tests' fixture, reused


def test_ministries_are_listed_by_code(
    client: FlaskClient, api_doc: OpenApiSchema, people: People
) -> None:
    response = client.get("/api/v1/ministries")
    conforms(api_doc, response)
    codes = [m["code"] for m in response.json["items"]]
    assert codes == sorted([people.ministry.code, people.other_ministry.code])


def test_consultations_list_only_published_ones_with_filters(
    client: FlaskClient, api_doc: OpenApiSchema, people: People
) -> None:
    make_consultation(people.ministry, title="Draft order kept as a draft", state="draft")
    closed = make_consultation(people.other_ministry, title="Closed draft law", state="closed")
    response = client.get("/api/v1/consultations")
    conforms(api_doc, response)
    assert {c["id"] for c in response.json["items"]} == {people.consultation.id, closed.id}
    assert response.json["total"] == 2

    by_status = client.get("/api/v1/consultations?status=closed")
    conforms(api_doc, by_status)
    assert [c["id"] for c in by_status.json["items"]] == [closed.id]
    by_ministry = client.get(f"/api/v1/consultations?ministry={people.ministry.code}")
    assert [c["id"] for c in by_ministry.json["items"]] == [people.consultation.id]
    assert by_ministry.json["items"][0]["opens_at"].endswith("Z")  # ISO 8601 in UTC


def test_pages_are_capped_and_stable(
    client: FlaskClient, api_doc: OpenApiSchema, people: People
) -> None:
    for n in range(3):
        make_consultation(people.ministry, title=f"Draft regulation number {n + 1}")
    first = client.get("/api/v1/consultations?sort=title&per_page=2")
    second = client.get("/api/v1/consultations?sort=title&per_page=2&page=2")
    conforms(api_doc, first)
    seen = [c["id"] for c in first.json["items"] + second.json["items"]]
    assert len(seen) == len(set(seen)) == 4
    assert first.json["pages"] == 2
    too_many = client.get("/api/v1/consultations?per_page=101")
    conforms(api_doc, too_many)
    assert too_many.status_code == 400
    assert "per_page" in too_many.json["error"]["fields"]


def test_a_consultation_has_its_sections_and_drafts_are_not_found(
    client: FlaskClient, api_doc: OpenApiSchema, people: People
) -> None:
    make_submission(people.consultation, section_index=1)
    response = client.get(f"/api/v1/consultations/{people.consultation.id}")
    conforms(api_doc, response)
    sections = response.json["sections"]
    assert [s["heading"] for s in sections] == ["1. Purpose", "2. Scope"]
    assert [s["comment_count"] for s in sections] == [0, 1]
    draft = make_consultation(people.ministry, state="draft")
    hidden = client.get(f"/api/v1/consultations/{draft.id}")
    conforms(api_doc, hidden)
    assert hidden.status_code == 404
    # Its ministry's officer sees the draft with a token, as on the pages.
    assert (
        client.get(f"/api/v1/consultations/{draft.id}", headers=people.officer_auth).json["status"]
        == "draft"
    )


def test_only_published_comments_are_listed_with_personal_data_masked(
    client: FlaskClient, api_doc: OpenApiSchema, people: People
) -> None:
    text = polis_comments()[0]
    shown = make_submission(people.consultation, body=f"{text} Call me on +7 701 234 56 78.")
    rejected = make_submission(people.consultation)
    moderation.reject(actor=SYSTEM, submission=rejected, reason=ModerationReason.OFF_TOPIC)
    response = client.get(f"/api/v1/consultations/{people.consultation.id}/submissions")
    conforms(api_doc, response)
    assert [s["reference"] for s in response.json["items"]] == [shown.reference]
    body = response.json["items"][0]["body"]
    assert "+7 701 234 56 78" not in body
    assert body == f"{text} Call me on [phone removed]."


def test_pre_moderated_comments_wait_before_they_are_listed(
    client: FlaskClient, people: People
) -> None:
    pre = make_consultation(people.ministry, moderation_mode=ModerationMode.PRE)
    make_submission(pre)
    response = client.get(f"/api/v1/consultations/{pre.id}/submissions")
    assert response.json["items"] == []


def test_comments_filter_by_section_of_the_same_consultation(
    client: FlaskClient, api_doc: OpenApiSchema, people: People
) -> None:
    on_scope = make_submission(people.consultation, section_index=1)
    make_submission(people.consultation)
    section = people.consultation.sections[1].id
    url = f"/api/v1/consultations/{people.consultation.id}/submissions"
    response = client.get(f"{url}?section_id={section}")
    assert [s["reference"] for s in response.json["items"]] == [on_scope.reference]
    other = make_consultation(people.ministry)
    wrong = client.get(f"{url}?section_id={other.sections[0].id}")
    conforms(api_doc, wrong)
    assert wrong.status_code == 400
    assert "section_id" in wrong.json["error"]["fields"]


def test_themes_are_empty_until_published_then_quote_masked_text(
    client: FlaskClient, api_doc: OpenApiSchema, heard: Heard
) -> None:
    url = f"/api/v1/consultations/{heard.consultation.id}/themes"
    before = client.get(url)
    conforms(api_doc, before)
    assert before.json == {"published_at": None, "total": 0, "other": 0, "themes": []}
    theme_publication.publish_build(actor=heard.officer, build=heard.build)
    after = client.get(url)
    conforms(api_doc, after)
    labels = {t["label"] for t in after.json["themes"]}
    assert labels <= {t.label for t in heard.build.themes}
    assert labels
    db.session.refresh(heard.build)
    shown = theme_publication.public_themes(heard.consultation)
    assert shown is not None
    assert after.json["total"] == shown.total  # published comments only
    assert PHONE not in after.get_data(as_text=True)

"""The audit log's filters: a refused filter never stands for "the whole log"."""

from __future__ import annotations

import csv
import io
import re

import pytest
from flask.testing import FlaskClient

from listening_state.models import ModerationReason, Role
from listening_state.services import accounts, audit, moderation
from listening_state.services.audit import AuditFilter
from tests.factories import login, make_submission, make_user
from tests.moderation.conftest import Cast
from tests.real_text import polis_comments

BAD_FILTERS = ["since=notadate", "target_id=abc", "action=bogus", "target_type=bogus"]
ID_RANGE_MESSAGE = "Give a whole number from 1 to 2147483647."
# A count such as "3 entries", and the table: either means entries were listed.
LISTED = re.compile(r'\d+ entr(?:y|ies)|class="audit"')


def exported_actions(client: FlaskClient, query: str) -> list[str]:
    export = client.get(f"/admin/audit.csv?{query}")
    assert export.status_code == 200
    return [row["action"] for row in csv.DictReader(io.StringIO(export.get_data(as_text=True)))]


@pytest.mark.parametrize("query", BAD_FILTERS)
def test_a_refused_filter_shows_its_error_and_no_entries(
    client: FlaskClient, cast: Cast, query: str
) -> None:
    login(client, cast.admin)
    assert LISTED.search(client.get("/admin/audit").get_data(as_text=True))  # the log has some
    page = client.get(f"/admin/audit?{query}")
    body = page.get_data(as_text=True)
    assert page.status_code == 400
    assert 'class="errors"' in body
    assert not LISTED.search(body)


def test_a_refused_filter_keeps_what_was_typed(client: FlaskClient, cast: Cast) -> None:
    login(client, cast.admin)
    body = client.get("/admin/audit?since=notadate&target_id=abc&actor=ops").get_data(as_text=True)
    assert 'value="notadate"' in body
    assert 'value="abc"' in body
    assert 'value="ops"' in body


@pytest.mark.parametrize("query", BAD_FILTERS)
def test_the_export_refuses_a_bad_filter_and_sends_no_file(
    client: FlaskClient, cast: Cast, query: str
) -> None:
    login(client, cast.admin)
    export = client.get(f"/admin/audit.csv?{query}")
    body = export.get_data(as_text=True)
    assert export.status_code == 400
    assert export.mimetype == "text/html"  # the page with its errors, reached by its link
    assert "Content-Disposition" not in export.headers
    assert 'class="errors"' in body
    assert not LISTED.search(body)
    assert "consultation.create," not in body  # no CSV row either


def test_the_refused_export_filters_again_on_the_page(client: FlaskClient, cast: Cast) -> None:
    login(client, cast.admin)
    body = client.get("/admin/audit.csv?since=notadate").get_data(as_text=True)
    assert 'action="/admin/audit"' in body  # not back to the CSV, which would download a file


@pytest.mark.parametrize("url", ["/admin/audit", "/admin/audit.csv"])
def test_a_bad_filter_from_a_non_administrator_is_refused_not_shown(
    client: FlaskClient, cast: Cast, url: str
) -> None:
    login(client, cast.member)
    assert client.get(f"{url}?since=notadate").status_code == 403


@pytest.mark.parametrize("url", ["/admin/audit", "/admin/audit.csv"])
def test_an_end_before_the_start_is_a_form_error(client: FlaskClient, cast: Cast, url: str) -> None:
    login(client, cast.admin)
    response = client.get(f"{url}?since=2024-05-02&until=2024-05-01")
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The end date cannot precede the start date." in body
    assert not LISTED.search(body)


def test_the_same_day_for_start_and_end_is_accepted(client: FlaskClient, cast: Cast) -> None:
    login(client, cast.admin)
    assert client.get("/admin/audit?since=2024-05-01&until=2024-05-01").status_code == 200


@pytest.mark.parametrize("actor", ["%", "%%", "_"])
def test_like_wildcards_in_the_actor_filter_match_only_themselves(cast: Cast, actor: str) -> None:
    assert audit.search(actor=cast.admin, filters=AuditFilter()).total > 0
    assert audit.search(actor=cast.admin, filters=AuditFilter(actor=actor)).total == 0


def test_an_underscore_in_the_actor_filter_is_a_character_of_the_label(cast: Cast) -> None:
    granting, lookalike = (
        make_user(Role.ADMIN, email="ops_lead@example.kz"),
        make_user(Role.ADMIN, email="opsxlead@example.kz"),
    )
    for actor in (granting, lookalike):
        accounts.grant_role(actor=actor, user=make_user(), role=Role.ADMIN)
    found = audit.search(actor=cast.admin, filters=AuditFilter(actor="ops_lead")).items
    assert {e.actor_label for e in found} == {granting.email}


@pytest.mark.parametrize("escape", ["/", "\\"])
def test_an_escape_character_in_the_actor_filter_is_a_character_too(
    cast: Cast, escape: str
) -> None:
    """Escaping must not let a typed escape character turn the next one into a wildcard."""
    granting = make_user(Role.ADMIN, email=f"ops{escape}_lead@example.kz")
    lookalike = make_user(Role.ADMIN, email=f"ops{escape}xlead@example.kz")
    for actor in (granting, lookalike):
        accounts.grant_role(actor=actor, user=make_user(), role=Role.ADMIN)
    wanted = AuditFilter(actor=f"ops{escape}_lead")
    assert {e.actor_label for e in audit.search(actor=cast.admin, filters=wanted).items} == {
        granting.email
    }


def test_an_underscore_finds_a_citizen_by_that_e_mail_only(cast: Cast) -> None:
    """Citizens are found through their current e-mail, not the label: the same escaping."""
    flagging = make_user(email="first_last@example.kz")
    lookalike = make_user(email="firstxlast@example.kz")
    submission = make_submission(cast.consultation, body=polis_comments()[1])
    moderation.approve(actor=cast.member, submission=submission)
    for citizen in (flagging, lookalike):
        moderation.flag_submission(
            actor=citizen, submission=submission, reason=ModerationReason.OFF_TOPIC
        )
    found = audit.search(actor=cast.admin, filters=AuditFilter(actor="first_last")).items
    assert [e.actor_id for e in found] == [flagging.id]


@pytest.mark.parametrize("url", ["/admin/audit", "/admin/audit.csv"])
@pytest.mark.parametrize(
    "target_id",
    ["99999999999999999999999", str(2**31), "9" * 5000],
    ids=["too-large-for-a-64-bit-column", "2**31", "5000-digits"],
)
def test_a_target_id_beyond_the_id_column_is_a_field_error(
    client: FlaskClient, cast: Cast, url: str, target_id: str
) -> None:
    login(client, cast.admin)
    response = client.get(f"{url}?target_id={target_id}")
    body = response.get_data(as_text=True)  # read first: a CSV stream must be consumed
    assert response.status_code == 400
    assert 'class="errors"' in body


def test_the_id_range_is_named_in_the_error(client: FlaskClient, cast: Cast) -> None:
    login(client, cast.admin)
    body = client.get(f"/admin/audit?target_id={2**31}").get_data(as_text=True)
    assert ID_RANGE_MESSAGE in body


def test_the_largest_id_is_a_valid_filter(client: FlaskClient, cast: Cast) -> None:
    login(client, cast.admin)
    assert exported_actions(client, f"target_id={2**31 - 1}") == []


def test_the_lower_bound_reads_at_least_one_in_russian(client: FlaskClient, cast: Cast) -> None:
    """WTForms' own Russian message says "greater than 1" for a rule that admits 1."""
    login(client, make_user(Role.ADMIN, language="ru"))
    body = client.get("/admin/audit?target_id=-1").get_data(as_text=True)
    assert "Укажите целое число от 1 до 2147483647." in body
    assert "больше" not in body

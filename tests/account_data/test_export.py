"""The signed-in citizen downloads everything the platform holds about them, and only that."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pyotp
from flask import Flask
from flask.testing import FlaskClient

from listening_state.authz import SYSTEM
from listening_state.extensions import db
from listening_state.models import Role
from listening_state.models.sealed import SealedSecret
from listening_state.services import account_data, accounts, recovery_codes
from listening_state.services.account_data import USER_REFERENCES, user_reference_columns
from listening_state.services.errors import PermissionDenied
from tests.account_data.conftest import Scene, flag_note
from tests.factories import KAZAKH_SENTENCE, login, make_user
from tests.inbox.conftest import government_answers


def download(client: FlaskClient) -> tuple[dict[str, Any], str, Any]:
    response = client.get("/account/export")
    assert response.status_code == 200, response.get_data(as_text=True)
    raw = response.get_data(as_text=True)
    return json.loads(raw), raw, response


def test_every_reference_to_an_account_has_a_decision(app: Flask) -> None:
    columns = {f"{c.table.name}.{c.name}" for c in user_reference_columns()}
    assert columns == set(USER_REFERENCES)


def test_export_holds_the_citizens_submissions_and_not_another_citizens(
    client: FlaskClient, scene: Scene
) -> None:
    login(client, scene.citizen)
    document, raw, _response = download(client)
    by_reference = {s["reference"]: s for s in document["submissions"]}
    assert set(by_reference) == {scene.answered.reference, scene.waiting.reference}
    answered = by_reference[scene.answered.reference]
    assert answered["text"] == scene.answered.body
    assert answered["section"] == scene.consultation.sections[1].heading
    assert answered["consultation"]["title"] == scene.consultation.title
    assert answered["status"] == "answered"
    assert answered["visibility"] == "published"
    assert answered["responsible_ministry"]["code"] == scene.ministry.code
    assert answered["answer"]["text"] == government_answers()[0]
    assert [
        step["to_ministry"]["code"] for step in answered["routing_history"] if step["to_ministry"]
    ] == [scene.ministry.code]
    waiting = by_reference[scene.waiting.reference]
    assert (waiting["section"], waiting["answer"], waiting["responsible_ministry"]) == (
        None,
        None,
        None,
    )
    # The citizen reported the other's comment: its reference is there, its text and author not.
    assert [flag["submission"] for flag in document["flags"]] == [scene.others.reference]
    assert document["flags"][0]["note"] == flag_note()
    assert scene.others.body not in raw
    assert scene.other.email not in raw
    assert scene.other.display_name not in raw


def test_export_holds_the_account_roles_messages_and_tokens(
    client: FlaskClient, scene: Scene
) -> None:
    login(client, scene.citizen)
    document, _raw, _response = download(client)
    account = document["account"]
    assert (account["id"], account["email"]) == (scene.citizen.id, scene.citizen.email)
    assert account["display_name"] == scene.citizen.display_name
    assert account["second_factor"] == {
        "enabled": False,
        "enabled_at": None,
        "recovery_codes": {"unused": 0, "used": 0},
    }
    assert [role["role"] for role in document["roles"]] == ["citizen"]
    kinds = sorted(m["kind"] for m in document["messages"])
    assert kinds == ["answered", "routed"]
    assert {m["to"] for m in document["messages"]} == {scene.citizen.email}
    assert {m["status"] for m in document["messages"]} == {"sent", "pending"}
    [token] = document["api_tokens"]
    assert (token["name"], token["prefix"]) == ("Home laptop", scene.token.prefix)
    assert [entry["action"] for entry in document["audit"]["by_you"]] == ["submission.flag"]
    assert document["references"]["submission.author_id"] == 2
    assert document["references"]["submission_flag.user_id"] == 1


def test_export_leaves_out_every_secret_but_says_a_second_factor_is_on(
    client: FlaskClient, scene: Scene
) -> None:
    user = scene.citizen
    login(client, user)  # before the second factor is on, to need no code at sign-in
    totp_secret = SealedSecret.of(pyotp.random_base32())
    user.totp_secret = totp_secret
    user.totp_enabled_at = user.created_at
    user.totp_last_step = 58_000_000
    codes = recovery_codes.replace(user)
    assert recovery_codes.use_code(user, codes[0])
    db.session.commit()
    secrets = (
        user.password_hash,
        totp_secret.open(),
        totp_secret.stored,
        scene.token.token_sha256,
        scene.token_secret,
    )
    kept = [recovery_codes.code_hash(code) for code in codes]
    document, raw, _response = download(client)
    for secret in (*secrets, *codes, *kept):
        assert secret not in raw
    assert "58000000" not in raw
    assert not re.search(r"password|sha256|totp|hash", raw)
    second_factor = document["account"]["second_factor"]
    assert second_factor["enabled"] is True
    assert second_factor["recovery_codes"] == {"unused": 9, "used": 1}


def test_audit_entries_about_the_account_do_not_name_the_administrator(
    client: FlaskClient, scene: Scene
) -> None:
    admin = make_user(Role.ADMIN)
    accounts.grant_role(actor=admin, user=scene.citizen, role=Role.ADMIN)
    accounts.revoke_role(actor=admin, user=scene.citizen, role=Role.ADMIN)
    login(client, scene.citizen)
    document, raw, _response = download(client)
    assert [e["action"] for e in document["audit"]["about_you"]] == ["role.grant", "role.revoke"]
    assert admin.email not in raw
    assert all("from_address" not in e for e in document["audit"]["about_you"])
    # The administrator's own export lists the grant without the citizen's address.
    raw_admin = account_data.export_json(account_data.export_account(actor=admin, user=admin))
    assert b"role.grant" in raw_admin
    assert scene.citizen.email.encode() not in raw_admin


def test_the_file_is_a_json_attachment_no_cache_may_keep(client: FlaskClient, scene: Scene) -> None:
    login(client, scene.citizen)
    _document, _raw, response = download(client)
    assert response.mimetype == "application/json"
    assert re.fullmatch(
        rf'attachment; filename="listening-state-{scene.citizen.id}-\d{{4}}-\d\d-\d\d\.json"',
        response.headers["Content-Disposition"],
    )
    assert response.headers["Cache-Control"] == "no-store"


def test_kazakh_text_is_written_as_letters_not_escapes(client: FlaskClient, scene: Scene) -> None:
    scene.citizen.display_name = "Айгерім Сәрсенбаева"
    db.session.commit()
    login(client, scene.citizen)
    _document, raw, _response = download(client)
    assert KAZAKH_SENTENCE in raw  # the routed submission's text (factories' default)
    assert "Айгерім Сәрсенбаева" in raw


def test_anonymous_visitors_are_sent_to_sign_in(client: FlaskClient, scene: Scene) -> None:
    response = client.get("/account/export")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_only_the_account_holder_exports(scene: Scene) -> None:
    for actor in (scene.other, scene.officer, SYSTEM, None):
        try:
            account_data.export_account(actor=actor, user=scene.citizen)
        except PermissionDenied:
            continue
        raise AssertionError(f"{actor!r} exported someone else's data")


def test_downloads_are_rate_limited_per_account(
    app_with: Callable[..., Flask], scene: Scene
) -> None:
    limited = app_with(RATELIMIT_ENABLED=True, ACCOUNT_EXPORT_RATE_LIMIT="2 per hour")
    client = limited.test_client()
    login(client, scene.citizen)
    statuses = [client.get("/account/export").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    other = limited.test_client()
    login(other, scene.other)
    assert other.get("/account/export").status_code == 200


def test_settings_page_offers_the_download_and_the_deletion(
    client: FlaskClient, scene: Scene
) -> None:
    login(client, scene.citizen)
    page = client.get("/account/settings").get_data(as_text=True)
    assert 'href="/account/export"' in page
    assert 'href="/account/delete"' in page

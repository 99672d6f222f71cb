"""API tokens: made and shown once, stored only as a hash, listed and revoked by their owner
on /account/tokens, and their last use noted at most once a minute."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from listening_state.extensions import db
from listening_state.models import ApiToken
from listening_state.models.base import utcnow
from listening_state.services import api_tokens
from listening_state.services.errors import NotFound, PermissionDenied, ValidationFailed
from tests.factories import login, make_user


def test_a_token_is_shown_once_and_stored_as_its_hash(app: Flask) -> None:
    user = make_user()
    made = api_tokens.create_token(actor=user, user=user, name="Reporting script")
    assert made.secret.startswith("ls_")
    assert len(made.secret) > 40
    stored = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert stored is not None
    assert stored.token_sha256 == hashlib.sha256(made.secret.encode()).hexdigest()
    assert made.secret not in (stored.name, stored.prefix)
    assert made.secret.startswith(stored.prefix)
    assert api_tokens.authenticate(made.secret) == user


def test_only_the_owner_manages_tokens(app: Flask) -> None:
    owner, other = make_user(), make_user()
    made = api_tokens.create_token(actor=owner, user=owner, name="laptop")
    with pytest.raises(PermissionDenied):
        api_tokens.create_token(actor=other, user=owner, name="sneaky")
    with pytest.raises(PermissionDenied):
        api_tokens.list_tokens(actor=None, user=owner)
    with pytest.raises(NotFound):
        api_tokens.revoke_token(actor=other, user=other, token_id=made.token.id)
    assert api_tokens.authenticate(made.secret) == owner


def test_a_token_needs_a_name(app: Flask) -> None:
    user = make_user()
    with pytest.raises(ValidationFailed) as error:
        api_tokens.create_token(actor=user, user=user, name="  <b></b> ")
    assert set(error.value.errors) == {"name"}


def test_last_use_is_written_at_most_once_a_minute(app: Flask) -> None:
    user = make_user()
    made = api_tokens.create_token(actor=user, user=user, name="laptop")
    api_tokens.authenticate(made.secret)
    first = made.token.last_used_at
    assert first is not None
    api_tokens.authenticate(made.secret)
    assert made.token.last_used_at == first
    made.token.last_used_at = utcnow() - timedelta(minutes=2)
    db.session.commit()
    api_tokens.authenticate(made.secret)
    assert made.token.last_used_at > first


def test_the_page_makes_lists_and_revokes_tokens(client: FlaskClient) -> None:
    user = make_user()
    login(client, user)
    assert client.get("/account/tokens").status_code == 200
    response = client.post("/account/tokens", data={"name": "Reporting script"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert token is not None
    secret = page.split('<code id="new-token">')[1].split("</code>")[0]
    assert hashlib.sha256(secret.encode()).hexdigest() == token.token_sha256
    # Listed afterwards by name and prefix only, never in full.
    listed = client.get("/account/tokens").get_data(as_text=True)
    assert "Reporting script" in listed
    assert token.prefix in listed
    assert secret not in listed

    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 302
    db.session.refresh(token)
    assert token.revoked_at is not None
    assert api_tokens.authenticate(secret) is None


def test_an_empty_name_is_refused_on_the_page(client: FlaskClient) -> None:
    login(client, make_user())
    response = client.post("/account/tokens", data={"name": ""})
    assert response.status_code == 400
    assert db.session.scalar(select(ApiToken)) is None


def test_the_page_needs_a_signed_in_user(client: FlaskClient) -> None:
    response = client.get("/account/tokens")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_another_users_token_cannot_be_revoked_from_the_page(client: FlaskClient) -> None:
    owner = make_user()
    made = api_tokens.create_token(actor=owner, user=owner, name="laptop")
    login(client, make_user())
    assert client.post(f"/account/tokens/{made.token.id}/revoke").status_code == 404
    db.session.refresh(made.token)
    assert made.token.revoked_at is None

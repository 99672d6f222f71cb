"""Configuration: defaults, environment variables and the secret key rule."""

from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from listening_state import create_app
from listening_state.config import ConfigError

PRODUCTION = {"ENV_NAME": "production", "SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": "sqlite://"}


def test_embedded_default_is_a_sqlite_file_in_the_instance_folder() -> None:
    app = create_app({"ENV_NAME": "testing", "SECRET_KEY": "x"})
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    assert uri.startswith("sqlite:///")
    assert uri.endswith("instance/listening_state.sqlite")


def test_database_url_from_the_environment_switches_to_postgresql(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LISTENING_STATE_DATABASE_URL", "postgresql://u@db.example/ls")
    monkeypatch.setenv("LISTENING_STATE_SECRET_KEY", "from-env")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.example/ls"
    assert app.config["SECRET_KEY"] == "from-env"


def test_secret_key_is_required_outside_development() -> None:
    with pytest.raises(ConfigError, match="LISTENING_STATE_SECRET_KEY"):
        create_app({"ENV_NAME": "production", "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_development_key_is_generated_once_and_kept_in_instance(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import listening_state

    monkeypatch.setattr(listening_state, "ROOT", tmp_path)
    first = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    second = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    key_file = tmp_path / "instance" / "secret_key"
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"] == key_file.read_text()
    assert len(first.config["SECRET_KEY"]) == 64
    assert key_file.stat().st_mode & 0o077 == 0


def test_production_cookies_are_https_only() -> None:
    app = create_app({**PRODUCTION, "TOTP_ENCRYPTION_KEYS": Fernet.generate_key().decode()})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True


def test_totp_encryption_keys_are_required_outside_development() -> None:
    with pytest.raises(ConfigError, match="LISTENING_STATE_TOTP_ENCRYPTION_KEYS must be set"):
        create_app(PRODUCTION)


def test_totp_encryption_keys_come_comma_separated_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    new, old = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    monkeypatch.setenv("LISTENING_STATE_TOTP_ENCRYPTION_KEYS", f"{new}, {old}")
    assert create_app(PRODUCTION).config["TOTP_ENCRYPTION_KEYS"] == (new, old)


def test_a_malformed_totp_encryption_key_is_refused_without_being_repeated() -> None:
    good, bad = Fernet.generate_key().decode(), "not-a-fernet-key"
    with pytest.raises(ConfigError, match="key 2 is not a Fernet key") as refused:
        create_app({**PRODUCTION, "TOTP_ENCRYPTION_KEYS": f"{good},{bad}"})
    assert bad not in str(refused.value)


def test_development_derives_the_totp_key_from_the_secret_key() -> None:
    def keys(secret_key: str) -> tuple[str, ...]:
        settings = {"SECRET_KEY": secret_key, "SQLALCHEMY_DATABASE_URI": "sqlite://"}
        return tuple(create_app(settings).config["TOTP_ENCRYPTION_KEYS"])

    assert keys("one") == keys("one") != keys("two")
    [key] = keys("one")
    Fernet(key)  # a well-formed key

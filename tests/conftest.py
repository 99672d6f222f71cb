"""Fixtures: an app per test on a real database (SQLite always, PostgreSQL when configured)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import Connection, Table, create_engine, text
from werkzeug.test import TestResponse

from listening_state import create_app
from listening_state.extensions import db
from tests.factories import restart_real_comments

PG_ENV = "LISTENING_STATE_TEST_DATABASE_URL"


def _backends() -> list[str]:
    if os.environ.get(PG_ENV):
        return ["sqlite", "postgresql"]
    if os.environ.get("CI") == "true":
        raise pytest.UsageError(f"CI requires PostgreSQL: set {PG_ENV}")
    return ["sqlite"]


def pg_url() -> str:
    url = os.environ[PG_ENV]
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked `postgres` check what only PostgreSQL does: they are not run on SQLite
    (deselected rather than skipped, so that a skip in CI always means something is wrong)."""
    kept, dropped = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_sqlite = callspec is not None and callspec.params.get("database_url") == "sqlite"
        (dropped if on_sqlite and item.get_closest_marker("postgres") else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(scope="session", params=_backends())
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """One database per backend for the session; the schema is built once, rows reset per test."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
    url = pg_url()
    engine = create_engine(url)
    with engine.begin() as connection:  # start from an empty public schema
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


class FreshContextClient(FlaskClient):
    """Each request gets its own app context, as in production.

    The `app` fixture keeps an app context open for the test body; without this, requests
    would share its `g` (and so the signed-in user and the chosen language) with each other.
    """

    def open(self, *args: Any, **kwargs: Any) -> TestResponse:  # type: ignore[override]
        with self.application.app_context():
            return super().open(*args, **kwargs)


def make_app(database_url: str, tmp_path: Path, **extra: Any) -> Flask:
    overrides = {
        "TESTING": True,
        "ENV_NAME": "testing",
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # fast hashing keeps the suite quick
        "SHARED_DATA_DIR": str(Path(__file__).resolve().parents[2] / "shared" / "data"),
        "MODEL_DIR": str(tmp_path / "models"),
        # Nothing runs behind a test's back, even in a test that turns TESTING off: jobs wait
        # in their table until the test runs them.
        "JOB_BACKEND": "table",
    }
    overrides.update(extra)
    app = create_app(overrides)
    app.test_client_class = FreshContextClient
    return app


def _empty_append_only(connection: Connection, table: Table) -> None:
    """The audit log refuses DELETE by trigger; tests start each case with an empty one."""
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"TRUNCATE {table.name}"))
    else:
        table.drop(connection)
        table.create(connection)


def _reset(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                if table.name == "audit_entry":
                    _empty_append_only(connection, table)
                else:
                    connection.execute(table.delete())
        db.engine.dispose()


@pytest.fixture(scope="session")
def _schema(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    app = make_app(database_url, tmp_path_factory.mktemp("schema"))
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    return database_url


@pytest.fixture
def app(_schema: str, tmp_path: Path) -> Iterator[Flask]:
    """A fresh app on empty tables, inside an app context."""
    app = make_app(_schema, tmp_path)
    restart_real_comments()
    with app.app_context():
        yield app
    _reset(app)


@pytest.fixture
def app_with(app: Flask, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """Build another app on the same database with extra settings (rate limits, CSRF...)."""
    built: list[Flask] = []

    def build(**extra: Any) -> Flask:
        built.append(make_app(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path, **extra))
        return built[-1]

    yield build
    for other in built:  # close their pooled connections, or they leak into later tests
        with other.app_context():
            db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()

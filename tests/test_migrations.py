"""Migrations build exactly the models' schema from empty, on SQLite and PostgreSQL."""

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from listening_state.extensions import db
from tests.conftest import PG_ENV, make_app, pg_url

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"
BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(params=BACKENDS)
def empty_database_url(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite'}"
        return
    if not os.environ.get(PG_ENV):
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI requires PostgreSQL: set {PG_ENV}")
        pytest.skip(f"set {PG_ENV} to test migrations on PostgreSQL")
    server = create_engine(pg_url(), isolation_level="AUTOCOMMIT")
    # Unique per run, so that two runs against one server never drop each other's database.
    name = f"ls_migrations_test_{os.getpid()}_{secrets.token_hex(4)}"
    with server.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        connection.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield make_url(pg_url()).set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        server.dispose()


def test_upgrade_from_empty_matches_the_models_and_downgrades(
    empty_database_url: str, tmp_path: Path
) -> None:
    app = make_app(empty_database_url, tmp_path)
    with app.app_context():
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        assert differences == []
        flask_migrate.downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def test_migrations_have_a_single_head() -> None:
    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1

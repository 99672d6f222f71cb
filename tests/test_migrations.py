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
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError

from listening_state.extensions import db
from listening_state.models import AuditEntry, Role
from tests.conftest import PG_ENV, make_app, pg_url
from tests.factories import make_ministry, make_user

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


def test_citizens_addresses_leave_the_audit_log(empty_database_url: str, tmp_path: Path) -> None:
    """b7d41c2e9a10 erases the addresses the log held of citizens (acting, or as the account an
    anonymous request was about); officials' stay, and the log is append-only again after."""
    app = make_app(empty_database_url, tmp_path)
    with app.app_context():
        flask_migrate.upgrade(revision="005ae7dc0444")
        citizen = make_user()
        officer = make_user(Role.MINISTRY_OFFICER, ministry=make_ministry())
        entries = {
            "by the citizen": (citizen.id, "submission", "10.0.0.1"),
            "on the citizen": (None, "user_account", "10.0.0.2"),
            "by the officer": (officer.id, "submission", "10.0.0.3"),
            "on the officer": (None, "user_account", "10.0.0.4"),
        }
        for action, (actor_id, target_type, ip) in entries.items():
            target_id = officer.id if action == "on the officer" else citizen.id
            db.session.add(
                AuditEntry(
                    actor_id=actor_id,
                    action=action,
                    target_type=target_type,
                    target_id=target_id,
                    ip=ip,
                )
            )
        db.session.commit()
        flask_migrate.upgrade()
        ips = {
            row.action: row.ip
            for row in db.session.execute(select(AuditEntry.action, AuditEntry.ip))
        }
        assert {action: ips[action] for action in entries} == {
            "by the citizen": "",
            "on the citizen": "",
            "by the officer": "10.0.0.3",
            "on the officer": "10.0.0.4",
        }
        db.session.rollback()
        with pytest.raises(DatabaseError, match="append-only"):
            db.session.execute(text("UPDATE audit_entry SET ip = 'x'"))
        db.session.rollback()
        flask_migrate.downgrade(revision="base")
        db.engine.dispose()

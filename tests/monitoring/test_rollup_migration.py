"""The migration that adds the monitoring rollup fills it from the submissions already stored,
with the same counts the app keeps and recounts."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import flask_migrate
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from listening_state.authz import SYSTEM
from listening_state.extensions import db
from listening_state.models import ModerationReason, Role
from listening_state.models.base import utcnow
from listening_state.services import monitoring_rollup
from tests.conftest import PG_ENV, make_app, pg_url
from tests.factories import make_consultation, make_ministry, make_user
from tests.monitoring.conftest import answer, close, reject_as, route, today
from tests.monitoring.rollup_check import kept_rows

BEFORE_THE_ROLLUP = "e6a9644b34da"


@pytest.fixture(params=["sqlite", "postgresql"])
def migrated_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of its own (on PostgreSQL, named after the configured test one)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'rollup-migration.sqlite'}"
        return
    if not os.environ.get(PG_ENV):
        pytest.skip(f"set {PG_ENV} to test the migration on PostgreSQL")
    url = make_url(pg_url())
    name = f"{url.database}_rollup_migration"
    server = create_engine(url, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        connection.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        server.dispose()


def test_the_migration_fills_the_rollup_from_stored_submissions(
    migrated_database_url: str, tmp_path: Path
) -> None:
    app = make_app(migrated_database_url, tmp_path)
    with app.app_context():
        flask_migrate.upgrade()
        ministry, other = make_ministry("MA"), make_ministry("MB")
        consultation = make_consultation(ministry)
        officer = make_user(Role.MINISTRY_OFFICER, ministry=ministry)
        admin = make_user(Role.ADMIN)
        now = utcnow()
        for days in (1, 4, 4, 11):
            submission = route(
                consultation, ministry, routed_at=now - timedelta(days=days + 20), due_on=today()
            )
            answer(officer, submission, at=now - timedelta(days=20))
        route(consultation, ministry, due_on=today() - timedelta(days=2))  # overdue
        close(officer, route(consultation, ministry))
        reject_as(admin, route(consultation, ministry), ModerationReason.SPAM)
        route(make_consultation(other), other)
        kept = kept_rows()
        assert all(kept.values())
        db.session.remove()  # its open transaction would hold the tables the migration drops

        flask_migrate.downgrade(revision=BEFORE_THE_ROLLUP)
        flask_migrate.upgrade()
        assert kept_rows() == kept  # the migration's data step
        monitoring_rollup.rebuild_rollup(actor=SYSTEM)
        assert kept_rows() == kept
        db.session.remove()
        db.engine.dispose()

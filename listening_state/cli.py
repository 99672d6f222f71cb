"""Flask command groups: demo content and user accounts."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from listening_state.models import Role
from listening_state.services import accounts, councils, ministries
from listening_state.services.errors import NotFound, ValidationFailed

demo_cli = AppGroup("demo", help="Demonstration content.")
users_cli = AppGroup("users", help="User accounts.")


@demo_cli.command("load")
def demo_load() -> None:
    """Load demo ministries, councils, consultations and accounts (safe to run again)."""
    from listening_state.demo.loader import load_demo

    shared = current_app.config.get("SHARED_DATA_DIR")
    report = load_demo(Path(shared) if shared else None)
    click.echo(report.summary())


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--name", "display_name", default="", help="Display name (defaults to the e-mail).")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.CITIZEN.value)
@click.option("--ministry", "ministry_code", help="Ministry code, for a ministry officer.")
@click.option("--council", "council_id", type=int, help="Council id, for a council member.")
@click.option("--language", type=click.Choice(accounts.LANGUAGES), default="kk")
def users_create(
    email: str,
    password: str,
    display_name: str,
    role: str,
    ministry_code: str | None,
    council_id: int | None,
    language: str,
) -> None:
    """Create an account with one role."""
    try:
        ministry = ministries.get_by_code(ministry_code) if ministry_code else None
        council = councils.get_council(council_id) if council_id else None
        user = accounts.create_user(
            email=email,
            display_name=display_name or email.split("@")[0],
            password=password,
            language=language,
            roles=[(Role(role), ministry, council)],
        )
    except (ValidationFailed, NotFound) as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Created user {user.id} <{user.email}> with role {role}.")


def register(app: Flask) -> None:
    app.cli.add_command(demo_cli)
    app.cli.add_command(users_cli)

"""Commands for the site's content: demo content, accounts, the working calendar."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from listening_state.authz import SYSTEM
from listening_state.models import Role
from listening_state.services import accounts, councils, ministries
from listening_state.services.errors import NotFound, ValidationFailed

demo_cli = AppGroup("demo", help="Demonstration content.")
users_cli = AppGroup("users", help="User accounts.")
calendar_cli = AppGroup("calendar", help="The working calendar: public holidays, day transfers.")


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


@calendar_cli.command("seed")
@click.option(
    "--year",
    "years",
    type=int,
    multiple=True,
    help="Repeat for several years (default: this year and next).",
)
def calendar_seed(years: tuple[int, ...]) -> None:
    """Add the shipped public holidays not yet in the calendar (safe to run again)."""
    from listening_state.services import calendar
    from listening_state.services.deadlines import today

    this_year = today().year
    try:
        result = calendar.seed_calendar(actor=SYSTEM, years=years or (this_year, this_year + 1))
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Calendar days added: {result.added}")
    for year in result.kurban_ait_missing:
        click.echo(f"No Kurban Ait date shipped for {year}: add it on the calendar page.")

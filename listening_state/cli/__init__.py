"""Flask command groups: demo content, accounts, the router, themes, background jobs, council
roles, one module per area; `register` adds them all to the app."""

from __future__ import annotations

from flask import Flask

from listening_state.cli.content import calendar_cli, demo_cli, users_cli
from listening_state.cli.models import moderation_cli, router_cli
from listening_state.cli.operations import (
    councils_cli,
    jobs_cli,
    monitoring_cli,
    outbox_cli,
    security_cli,
)
from listening_state.cli.themes import themes_cli


def register(app: Flask) -> None:
    for group in (
        security_cli,
        jobs_cli,
        monitoring_cli,
        themes_cli,
        outbox_cli,
        councils_cli,
        calendar_cli,
        moderation_cli,
        demo_cli,
        users_cli,
        router_cli,
    ):
        app.cli.add_command(group)

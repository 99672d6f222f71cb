"""What several commands print the same way."""

from __future__ import annotations

import click


def print_progress(fraction: float, message: str) -> None:
    click.echo(f"{fraction:7.1%}  {message}")


def last_line(text: str) -> str:
    return (text.strip().splitlines() or [""])[-1]

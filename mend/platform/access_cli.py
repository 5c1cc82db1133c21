"""`flask --app wsgi access verify`: walk the access log's chain from its first row."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

access = AppGroup("access", help="The access log: who read what.")


@access.command("verify")
def verify() -> None:
    """Check every row's link; report the first broken one, or that all N rows hold.

    Keep the head it prints somewhere outside the database: a log cut short at its end
    still holds together, and only a head written down earlier shows what is missing.
    """
    verdict = current_app.extensions["mend"].access_log.verify()
    if verdict.holds:
        click.echo(f"access log: all {verdict.rows} rows hold; head {verdict.head}")
        return
    broken = verdict.broken
    raise click.ClickException(
        f"access log: row {broken.seq} does not hold ({broken.reason}); expected hash "
        f"{broken.expected}, found {broken.found}; the {verdict.rows} rows before it hold")

"""`flask --app wsgi history statement [--out FILE]` signs a statement of the history's head;
`flask --app wsgi history verify [--statement FILE]` walks the whole chain and checks it
against a statement. Verify exits with status 1 when anything does not hold."""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from mend.projections.history.statements import (
    SigningKeyMissing,
    Statement,
    StatementUnreadable,
    read_statement,
    store_identity,
)
from mend.projections.history.walk import BrokenLink, Verdict, walk
from mend.workers.history_statements import statement_of

history = AppGroup("history", help="The event store's tamper-evident history.")

WHAT_BROKE = {
    "altered": "the stored event no longer gives the link stored for it",
    "unlinked": "the event has no link stored for it",
    "missing": "a link is stored for an event that is not there (deleted)",
}


@history.command("statement")
@click.option("--out", type=click.Path(dir_okay=False, writable=True),
              help="Write the statement to FILE instead of printing it.")
def statement_command(out: str | None) -> None:
    """Sign a statement of the history's head as it is now; keep it outside the database."""
    try:
        statement = statement_of(current_app.extensions["mend"])
    except SigningKeyMissing as missing:
        raise click.ClickException(str(missing)) from None
    if out is None:
        click.echo(statement.to_json(), nl=False)
        return
    Path(out).write_text(statement.to_json(), encoding="utf-8")
    click.echo(f"history: statement of {statement.events} events (up to notification id"
               f" {statement.last_notification_id}, head {statement.head_hash}) written to {out}")


@history.command("verify")
@click.option("--statement", "statement_file", type=click.Path(dir_okay=False),
              help="A statement made earlier: its signature, and that the chain still has its"
                   " head at its notification id.")
@click.option("--public-key", help="Also require the statement to be signed by this key"
                                   " (64 hex digits, as statements print it).")
def verify_command(statement_file: str | None, public_key: str | None) -> None:
    """Walk the whole chain and report the first broken link, or that all events hold."""
    mend = current_app.extensions["mend"]
    statement = None
    if statement_file is not None:
        try:
            statement = read_statement(statement_file)
        except StatementUnreadable as unreadable:
            raise click.ClickException(f"{statement_file}: {unreadable}") from None
    started = time.monotonic()
    verdict = walk(mend.store.recorder, statement)
    took = time.monotonic() - started
    if verdict.broken is None:
        click.echo(f"history: all {verdict.events} events hold (up to notification id"
                   f" {verdict.last_notification_id}, head {verdict.head.hex()}) [{took:.1f}s]")
    else:
        _report_break(verdict, verdict.broken)
    failed = verdict.broken is not None
    if statement is not None:
        problem = verdict.statement_problem or _key_problem(statement, public_key)
        _report_statement(statement, problem, store_identity(mend.settings.database_url))
        failed = failed or problem is not None
    if failed:
        raise SystemExit(1)


def _report_break(verdict: Verdict, broken: BrokenLink) -> None:
    click.echo(f"history: BROKEN at notification id {broken.notification_id}:"
               f" {WHAT_BROKE[broken.kind]}")
    if broken.originator_id is not None:
        click.echo(f"  event:    originator {broken.originator_id}, version"
                   f" {broken.originator_version}, topic {broken.topic}")
    click.echo(f"  expected: {broken.expected.hex() if broken.expected else '(no event)'}")
    click.echo(f"  found:    {broken.found.hex() if broken.found else '(no link)'}")
    click.echo(f"  the {verdict.events} events before it hold (up to notification id"
               f" {verdict.last_notification_id})")


def _key_problem(statement: Statement, public_key: str | None) -> str | None:
    if public_key is None or public_key.strip().lower() == statement.public_key.lower():
        return None
    return f"it is signed by the key {statement.public_key}, not by the key given"


def _report_statement(statement: Statement, problem: str | None, here: str) -> None:
    made = (f"made {statement.made_at}: {statement.events} events up to notification id"
            f" {statement.last_notification_id}, head {statement.head_hash}")
    if problem is None:
        click.echo(f"statement: holds ({made}; signed by {statement.public_key})")
    else:
        click.echo(f"statement: FAILS: {problem} ({made})")
    if statement.store != here:
        click.echo(f"  note: the statement speaks of {statement.store}; this store is {here}")

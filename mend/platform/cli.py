"""Command-line tools: `flask --app wsgi demo seed` and `flask --app wsgi projections run`."""

from __future__ import annotations

import signal
import time

import click
from flask import Flask, current_app
from flask.cli import AppGroup

demo = AppGroup("demo", help="The demo tenant.")
projections = AppGroup("projections", help="The read models.")


@demo.command("seed")
def seed() -> None:
    """Create the demo tenants and cases when the store is empty; print the sign-ins."""
    from mend.demo import demo_sign_ins, holds_demo, seed_demo

    mend = current_app.extensions["mend"]
    seeded = seed_demo(mend)
    mend.runner.catch_up()
    url = mend.settings.public_url
    if not seeded and not holds_demo(mend):
        click.echo(f"The store holds data of its own; sign in at {url}/login as before.")
        return
    click.echo(f"Demo data is {'ready' if seeded else 'here from an earlier start'}."
               f" Open {url}/login and sign in as any of these"
               f"{'' if seeded else ' (unless a password was changed since)'}:")
    for email, role, password in demo_sign_ins():
        click.echo(f"  {role:<13} {email:<32} password: {password}")
    click.echo(f"Staff land on their caseload; API clients: POST {url}/api/v1/auth/tokens.")


@projections.command("run")
def run() -> None:
    """Follow the event store and keep every read model up to date until stopped."""
    mend = current_app.extensions["mend"]
    signal.signal(signal.SIGTERM, lambda *_: mend.runner.stop())
    click.echo("projections: following the event store (Ctrl-C to stop)")
    mend.runner.start()
    try:
        while mend.runner._thread and mend.runner._thread.is_alive():
            mend.runner._thread.join(timeout=1.0)
    except KeyboardInterrupt:
        mend.runner.stop()


@projections.command("rebuild")
@click.argument("name", required=False, default="casebook")
@click.option("--grace", default=2.0, show_default=True,
              help="Seconds the old tables stay for queries still reading them.")
def rebuild_command(name: str, grace: float) -> None:
    """Replay every event into fresh tables and swap them in while the old ones serve.

    NAME is the read model; "casebook" holds them all (timelines, case directory and
    caseload figures, activity), so a changed metric definition rolls out this way.
    """
    from mend.projections.runner import rebuild

    if name != "casebook":
        raise click.BadParameter("the only read model is 'casebook'", param_hint="NAME")
    mend = current_app.extensions["mend"]
    started = time.monotonic()
    generation = rebuild(mend.store, mend.casebook, grace_seconds=grace)
    click.echo(f"projections: casebook rebuilt as generation {generation}"
               f" in {time.monotonic() - started:.1f}s; {mend.runner.lag()}")


@projections.command("catch-up")
def catch_up() -> None:
    """Apply every event not yet projected, then exit."""
    mend = current_app.extensions["mend"]
    mend.runner.catch_up()
    click.echo(f"projections: {mend.runner.lag()}")


def init_app(app: Flask) -> None:
    app.cli.add_command(demo)
    app.cli.add_command(projections)

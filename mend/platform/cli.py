"""Command-line tools: `flask --app wsgi demo seed`, `flask --app wsgi projections run`, and
`flask --app wsgi tenant export SLUG FILE` / `tenant import FILE` to move a tenant between Mends;
the `history` group (statements and verify) lives in history_cli.py."""

from __future__ import annotations

import signal
import time

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from mend.platform.history_cli import history
from mend.platform.keys_cli import keys

demo = AppGroup("demo", help="The demo tenant.")
projections = AppGroup("projections", help="The read models.")
tenant = AppGroup("tenant", help="Moving a tenant's whole history between Mends.")


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


@tenant.command("export")
@click.argument("slug")
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
def export_command(slug: str, file: str) -> None:
    """Write the tenant's whole history to FILE (gzip'd JSON lines), to import elsewhere.

    The file holds every record of the tenant in the clear, whatever MEND_CIPHER_KEY is:
    keep it as safe as the database. The export shows in the tenant's audit feed.
    """
    from mend.domain.tenancy import SLUGS
    from mend.workers.exports import export_tenant

    mend = current_app.extensions["mend"]
    tenant_id = mend.store.lookup(SLUGS, slug)
    if tenant_id is None:
        raise click.BadParameter(f"no tenant has the slug {slug!r}", param_hint="SLUG")
    started = time.monotonic()
    with open(file, "wb") as out:
        header = export_tenant(mend, tenant_id, out)
    streams = ", ".join(f"{kind.replace('_', ' ')}: {n}" for kind, n in header["streams"].items())
    click.echo(f"tenant {slug}: {header['events']} events ({streams}) written to {file}"
               f" in {time.monotonic() - started:.1f}s")


@tenant.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def import_command(file: str) -> None:
    """Import a tenant's history from FILE into this Mend, which must not hold the tenant.

    Everything or nothing is written; the views are caught up before the command returns.
    """
    from mend.workers.exports import ImportRefused, import_tenant

    mend = current_app.extensions["mend"]
    started = time.monotonic()
    with open(file, "rb") as source:
        data = source.read()
    try:
        imported = import_tenant(mend, data)
    except ImportRefused as refused:
        raise click.ClickException(f"not imported: {refused}") from None
    mend.runner.catch_up()
    streams = ", ".join(f"{kind.replace('_', ' ')}: {n}" for kind, n in imported.streams.items())
    kept = (f"; {imported.kept_accounts} people already had an account here, kept as it is"
            if imported.kept_accounts else "")
    click.echo(f"tenant {imported.slug}: {imported.events} events imported ({streams}){kept}"
               f" in {time.monotonic() - started:.1f}s; {mend.runner.lag()}")


def init_app(app: Flask) -> None:
    app.cli.add_command(demo)
    app.cli.add_command(projections)
    app.cli.add_command(tenant)
    app.cli.add_command(history)
    app.cli.add_command(keys)

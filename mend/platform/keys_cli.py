"""`flask --app wsgi keys new` and `keys rotate`: the master key that wraps every data
subject's key (see the README, "Erasure")."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from mend.domain.keyring import master_id, new_master_key

keys = AppGroup("keys", help="The master key that wraps the data subjects' keys.")


@keys.command("new")
def new_command() -> None:
    """Print a new master key (base64 of 32 random bytes) for MEND_MASTER_KEY."""
    click.echo(new_master_key())


@keys.command("rotate")
def rotate_command() -> None:
    """Wrap every subject's key with MEND_MASTER_KEY, unwrapping those still wrapped by one of
    MEND_MASTER_KEY_PREVIOUS. Afterwards the previous keys can be destroyed: every backup
    taken before then becomes unreadable with them, erased keys and all."""
    keyring = current_app.extensions["mend"].store.keyring
    rewrapped = keyring.rotate()
    click.echo(f"{rewrapped} keys wrapped again with master key"
               f" {master_id(keyring.masters.current)}; every key is now wrapped by it")

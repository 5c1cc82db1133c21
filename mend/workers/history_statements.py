"""The day's signed statement of the history's head, written to MEND_HISTORY_STATEMENTS.

The scheduler enqueues one job a day, with the day in its job id; the job writes
``statement-YYYY-MM-DD.json`` only if that file is not there yet, and creates it whole or not
at all, so two schedulers, or the job run twice, leave one statement a day.
"""

from __future__ import annotations

import logging
import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from mend.projections.history.statements import (
    SigningKeyMissing,
    make_statement,
    signing_key,
    store_identity,
)
from mend.workers.context import current
from mend.workers.queue import job

log = logging.getLogger(__name__)


def statement_of(mend: Any, now: datetime | None = None) -> Any:
    """A signed statement of this Mend's history head now (SigningKeyMissing in production
    without a key)."""
    settings = mend.settings
    key = signing_key(settings.history_signing_key, production=settings.is_production)
    return make_statement(mend.store.recorder, store_identity(settings.database_url), key, now)


def write_daily_statement(mend: Any, day: str, now: datetime | None = None) -> str:
    folder = Path(mend.settings.history_statements)
    path = folder / f"statement-{day}.json"
    if path.exists():
        return f"{path} was written already"
    try:
        statement = statement_of(mend, now)
    except SigningKeyMissing as missing:
        log.error("history: no statement for %s: %s", day, missing)
        return f"not signed: {missing}"
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=folder, prefix=".statement-", delete=False) as out:
        out.write(statement.to_json())
    try:
        os.link(out.name, path)  # whole, and only if no other run got there first
    except FileExistsError:
        return f"{path} was written already"
    finally:
        os.unlink(out.name)
    log.info("history: statement of %d events (notification id %d) written to %s",
             statement.events, statement.last_notification_id, path)
    return f"{path}: {statement.events} events"


@job
def make_daily_statement(day: str) -> str:
    return write_daily_statement(current(), day)


def enqueue_daily_statement(mend: Any, now: datetime, last_day: str | None) -> str:
    """Enqueue the day's statement once per day of this scheduler; returns the day."""
    day = now.astimezone(timezone.utc).date().isoformat()
    if day != last_day:
        mend.jobs.enqueue(make_daily_statement, day, job_id=f"history-statement-{day}")
    return day

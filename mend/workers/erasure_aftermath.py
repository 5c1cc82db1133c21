"""After an erasure: the copies of the erased words outside the event store go too.

The store forgets at once (keys deleted, snapshots and cached copies dropped: see
``mend.domain.erasure``). What this job clears is everything made from the events while the
words could still be read:

* the read models: rebuilt from the first event into fresh tables and swapped in, so every
  row derived from the erased words is remade with "(erased)", and every other row is as it
  was (the old tables are dropped; an SQLite file is vacuumed so no freed page keeps them);
* report and export files of the practice made before the erasure (a case report, the
  caseload and outcome files, a whole-practice export, the person's own data export);
* the erased person's address in the outbox, their reminder and alert settings, and the
  check-in clocks that would remind the erased case or person again.

It is a job (queued with a deterministic id, so asking twice runs it once) because a rebuild
takes as long as the store is large; it is safe to run again, and ``erase`` runs it in the
request when there is no Redis (the embedded default).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from mend.domain.erasure import Shredded
from mend.projections.runner import rebuild
from mend.workers.context import current
from mend.workers.queue import LONG_JOB_TIMEOUT, job

log = logging.getLogger(__name__)


def after_erasure(mend: Any, shredded: Shredded) -> None:
    """Queue the clearing-up of an erasure (or, with no Redis, do it now)."""
    cases = ",".join(str(c) for c in shredded.case_ids)
    person = str(shredded.person_id) if shredded.person_id else ""
    mend.jobs.enqueue(clear_after_erasure, str(shredded.tenant_id), cases, person,
                      str(int(shredded.saved.recorded_at.timestamp() * 1_000_000)),
                      job_id=f"erasure-{shredded.saved.event_id}", timeout=LONG_JOB_TIMEOUT)


@job
def clear_after_erasure(tenant_id: str, case_ids: str, person_id: str, erased_us: str) -> str:
    mend = current()
    cases = [c for c in case_ids.split(",") if c]
    clear_outside_the_store(mend, tenant_id, cases, person_id or None, int(erased_us))
    generation = rebuild(mend.store, mend.casebook, grace_seconds=2.0)
    if not mend.ledger.postgres:
        with mend.casebook.datastore.transaction(commit=False) as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        _vacuum_sqlite(mend)
    log.info("erasure cleared: views rebuilt into generation %s", generation)
    return "cleared"


def clear_outside_the_store(mend: Any, tenant_id: str, case_ids: list[str],
                            person_id: str | None, erased_us: int) -> None:
    """Files, addresses, settings and clocks that hold or would use the erased words."""
    statements: list[tuple[str, dict[str, Any]]] = [
        # Every file of the practice made until now may quote the erased words: a case
        # report, the caseload and outcome files, an export of the whole practice.
        ("DELETE FROM mend_runs WHERE tenant_id = :tenant AND created_us <= :until",
         {"tenant": tenant_id, "until": erased_us + 1_000_000}),
    ]
    for case_id in case_ids:
        if person_id is None:  # the case itself went: nobody is reminded of it again
            statements.append(("DELETE FROM mend_check_in_clock WHERE case_id = :case",
                               {"case": case_id}))
    if person_id is not None:
        statements += [
            ("DELETE FROM mend_runs WHERE requested_by = :person OR subject_id = :person",
             {"person": person_id}),
            ("UPDATE mend_outbox SET address = '', subject = '', body = ''"
             " WHERE recipient_id = :person", {"person": person_id}),
            ("DELETE FROM mend_check_in_clock WHERE account_id = :person",
             {"person": person_id}),
            ("DELETE FROM mend_reminder_settings WHERE account_id = :person",
             {"person": person_id}),
            ("DELETE FROM mend_alert_settings WHERE account_id = :person",
             {"person": person_id}),
        ]
    mend.ledger.run(statements)
    if mend.ledger.postgres:
        # Deleted rows keep their bytes until a vacuum reclaims their space.
        with mend.casebook.datastore.get_connection() as conn:
            for table in ("mend_runs", "mend_outbox"):
                conn.execute(f"VACUUM {table}")


def _vacuum_sqlite(mend: Any) -> None:
    """Rewrite the views' file without the pages of the dropped tables."""
    datastore = mend.casebook.datastore
    for attempt in range(5):
        try:
            with datastore.transaction(commit=False) as cursor:
                cursor.execute("COMMIT")  # VACUUM cannot run inside the library's transaction
                cursor.execute("VACUUM")
            return
        except Exception as error:  # a reader holding the file: try again shortly
            log.info("vacuum of the views deferred (%s)", type(error).__name__)
            time.sleep(0.5 * (attempt + 1))


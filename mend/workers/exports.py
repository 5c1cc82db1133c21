"""Exports made by jobs: a tenant's whole history (owners, to move it to another Mend) and a
client's own data of a case (the portal's "Download my data"); and importing a history.

A page starts a run (a row of ``mend_runs``) and queues ``run_export`` with its id. The job
claims the run, so a job run twice makes one file, and it acts as the person who asked, as
they are when it runs: an owner demoted since, or a client who left, gets no file. Who may
start a run and who may follow it and take its file is decided here, once, for every page.
"""

from __future__ import annotations

import io
import logging
from typing import Any, BinaryIO
from uuid import UUID

from mend.domain import authorization as authz
from mend.domain.authorization import Actor
from mend.domain.errors import Forbidden, NotAuthenticated, NotFound
from mend.workers.context import current
from mend.workers.history_file import ImportRefused
from mend.workers.queue import LONG_JOB_TIMEOUT, job
from mend.workers.runs import Run
from mend.workers.tenant_history import Progress, write_history
from mend.workers.tenant_import import Imported, import_history

__all__ = ["CLIENT", "TENANT", "ImportRefused", "export_tenant", "import_tenant",
           "readable_run", "run_export", "start_client_export", "start_tenant_export",
           "tenant_exports"]

log = logging.getLogger(__name__)

TENANT = "export.tenant"
CLIENT = "export.client"


def export_tenant(mend: Any, tenant_id: UUID, out: BinaryIO, actor: Actor | None = None,
                  progress: Progress | None = None) -> dict[str, Any]:
    """Audit the export (an owner's, or the operator's with no actor), then write the whole
    history, that audit entry included; returns the file's header."""
    mend.membership.record_tenant_export(tenant_id, actor)
    return write_history(mend.store, tenant_id, out, progress)


def import_tenant(mend: Any, data: bytes) -> Imported:
    """Import a history into this Mend, or refuse (ImportRefused) and write nothing."""
    return import_history(mend.store, data)


def start_tenant_export(mend: Any, actor: Actor) -> str:
    authz.require_owner(actor, "export the whole practice")
    return _start(mend, actor, TENANT, None)


def tenant_exports(mend: Any, actor: Actor, limit: int = 10) -> list[Run]:
    """The tenant's latest whole exports, newest first, for its owners."""
    authz.require_owner(actor, "move the practice")
    return mend.runs.of(actor.tenant_id, kind=TENANT, limit=limit)


def start_client_export(mend: Any, actor: Actor, case_id: UUID) -> str:
    mend.reader.case(actor, case_id)  # not found unless the case is theirs to see
    return _start(mend, actor, CLIENT, case_id)


def _start(mend: Any, actor: Actor, kind: str, subject_id: UUID | None) -> str:
    run_id = mend.runs.start(tenant_id=actor.tenant_id, kind=kind,
                             requested_by=actor.account_id, subject_id=subject_id)
    try:
        mend.jobs.enqueue(run_export, run_id, job_id=f"run-{run_id}", timeout=LONG_JOB_TIMEOUT)
    except Exception as error:  # the queue away: the run stays queued and the sweeper queues it
        log.warning("export run %s stays queued: %s", run_id, type(error).__name__)
    return run_id


def readable_run(mend: Any, actor: Actor, run_id: UUID, kind: str,
                 case_id: UUID | None = None) -> Run:
    """The run, for someone who may follow it and take its file: a tenant's export for any
    of its owners (Forbidden to the rest of its staff), a client's data for that client on
    that case alone. Any other run, or another tenant's, is not found."""
    run = mend.runs.get(str(run_id), actor.tenant_id)
    if run is None or run.kind != kind:
        raise NotFound(f"No export {run_id}.")
    if kind == TENANT:
        authz.require_owner(actor, "download the whole practice")
    elif run.requested_by != str(actor.account_id) or run.subject_id != str(case_id):
        raise NotFound(f"No export {run_id}.")
    return run


@job
def run_export(run_id: str) -> str:
    """Make the run's file; safe to run twice (a run already claimed is left alone)."""
    mend = current()
    run = mend.runs.claim(run_id)
    if run is None:
        return "not queued: made or being made already"
    make = MAKERS.get(run.kind)
    try:
        if make is None:
            raise NotFound(run.kind)
        file_name, content_type, content = make(mend, run)
    except (NotFound, Forbidden, NotAuthenticated):
        mend.runs.fail(run_id, "The person who asked may not have this export now.")
        return "refused"
    except Exception as error:  # the reason in Mend's words; the error's own may quote records
        log.warning("export run %s failed: %s", run_id, type(error).__name__)
        mend.runs.fail(run_id, "The export stopped on an error on our side; start it again.")
        return "failed"
    mend.runs.finish(run_id, file_name=file_name, content_type=content_type, content=content)
    return "done"


def _asker(mend: Any, run: Run) -> Actor:
    """The person who asked, as they are in the run's tenant now."""
    tenant_id = UUID(run.tenant_id)
    return mend.membership.actor_for(UUID(run.requested_by),
                                     mend.membership.tenant_slug(tenant_id))


def _tenant_file(mend: Any, run: Run) -> tuple[str, str, bytes]:
    owner = _asker(mend, run)
    out = io.BytesIO()
    header = export_tenant(mend, owner.tenant_id, out, owner,
                           lambda done, total: mend.runs.progress(run.run_id, done, total))
    day = header["exported_at"][:10]
    return f"mend-{header['tenant']['slug']}-{day}.jsonl.gz", "application/gzip", out.getvalue()


def _client_file(mend: Any, run: Run) -> tuple[str, str, bytes]:
    # The platform's schemas shape the file, so it is the portal's download to the byte
    # (its time of taking aside); imported here, as the job runs, not by every worker.
    from mend.platform.my_data import client_data

    case_id = UUID(run.subject_id or "")
    return f"mend-{case_id}.json", "application/json", client_data(mend.reader,
                                                                    _asker(mend, run), case_id)


MAKERS = {TENANT: _tenant_file, CLIENT: _client_file}

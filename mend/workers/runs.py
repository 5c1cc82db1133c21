"""Reports and exports made by jobs: a row per request, its progress, then its file.

A page asks for a report, gets a run id at once and shows the run's progress until the file
is ready. The request writes the row before it queues the job, so a run whose job was lost
(Redis away, a worker killed) is still there, queued, and the sweeper queues it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

from mend.workers.ledger import Ledger, now_us
from mend.workers.queue import LONG_JOB_TIMEOUT

#: Runs still queued after this long are queued again by the sweeper (their job was lost).
STALE_US = 120 * 1_000_000
#: A run "running" this long after it was asked for outlived any job's timeout.
DEAD_US = (LONG_JOB_TIMEOUT + 120) * 1_000_000


@dataclass(frozen=True)
class Run:
    run_id: str
    tenant_id: str
    kind: str
    subject_id: str | None
    requested_by: str
    state: str  # queued, running, done, failed
    done: int
    total: int
    file_name: str | None
    content_type: str | None
    reason: str
    created_us: int
    finished_us: int | None

    @property
    def percent(self) -> int:
        if self.state == "done":
            return 100
        return int(100 * self.done / self.total) if self.total else 0


_COLUMNS = ("run_id, tenant_id, kind, subject_id, requested_by, state, done, total, file_name,"
            " content_type, reason, created_us, finished_us")


class Runs:
    def __init__(self, ledger: Ledger):
        self.ledger = ledger

    def start(self, *, tenant_id: UUID, kind: str, requested_by: UUID,
              subject_id: UUID | None = None) -> str:
        run_id = str(uuid4())
        self.ledger.run([(
            "INSERT INTO mend_runs (run_id, tenant_id, kind, subject_id, requested_by, state,"
            " created_us) VALUES (:run_id, :tenant_id, :kind, :subject_id, :requested_by,"
            " 'queued', :now)",
            {"run_id": run_id, "tenant_id": str(tenant_id), "kind": kind,
             "subject_id": str(subject_id) if subject_id else None,
             "requested_by": str(requested_by), "now": now_us()},
        )])
        return run_id

    def get(self, run_id: str, tenant_id: UUID | str | None = None) -> Run | None:
        """The run, or None; given a tenant, only that tenant's run."""
        sql = f"SELECT {_COLUMNS} FROM mend_runs WHERE run_id = :run_id"
        params: dict[str, Any] = {"run_id": run_id}
        if tenant_id is not None:
            sql += " AND tenant_id = :tenant_id"
            params["tenant_id"] = str(tenant_id)
        rows = self.ledger.rows(sql, params)
        return Run(**rows[0]) if rows else None

    def of(self, tenant_id: UUID, *, kind: str | None = None, subject_id: UUID | None = None,
           requested_by: UUID | None = None, limit: int = 20) -> list[Run]:
        sql = f"SELECT {_COLUMNS} FROM mend_runs WHERE tenant_id = :tenant_id"
        params: dict[str, Any] = {"tenant_id": str(tenant_id), "limit": limit}
        for column, value in (("kind", kind), ("subject_id", subject_id),
                              ("requested_by", requested_by)):
            if value is not None:
                sql += f" AND {column} = :{column}"
                params[column] = str(value)
        rows = self.ledger.rows(sql + " ORDER BY created_us DESC LIMIT :limit", params)
        return [Run(**row) for row in rows]

    def claim(self, run_id: str) -> Run | None:
        """Mark a queued run as running; None when it is already running, done or failed."""
        with self.ledger.transaction() as cursor:
            changed = cursor.execute(
                "UPDATE mend_runs SET state = 'running' WHERE run_id = :run_id"
                " AND state = 'queued'", {"run_id": run_id})
        return self.get(run_id) if changed else None

    def progress(self, run_id: str, done: int, total: int) -> None:
        self.ledger.run([("UPDATE mend_runs SET done = :done, total = :total"
                          " WHERE run_id = :run_id",
                          {"run_id": run_id, "done": done, "total": total})])

    def finish(self, run_id: str, *, file_name: str, content_type: str,
               content: bytes) -> None:
        self.ledger.run([(
            "UPDATE mend_runs SET state = 'done', done = total, file_name = :file_name,"
            " content_type = :content_type, content = :content, finished_us = :now"
            " WHERE run_id = :run_id",
            {"run_id": run_id, "file_name": file_name, "content_type": content_type,
             "content": content, "now": now_us()},
        )])

    def fail(self, run_id: str, reason: str) -> None:
        """Record why a run failed: a short reason of Mend's own words, never case text."""
        self.ledger.run([(
            "UPDATE mend_runs SET state = 'failed', reason = :reason, finished_us = :now"
            " WHERE run_id = :run_id", {"run_id": run_id, "reason": reason[:200], "now": now_us()},
        )])

    def requeue(self, run_id: str) -> None:
        """A running run whose worker died goes back to queued, to be claimed again."""
        self.ledger.run([("UPDATE mend_runs SET state = 'queued' WHERE run_id = :run_id"
                          " AND state = 'running'", {"run_id": run_id})])

    def content(self, run_id: str, tenant_id: UUID | str) -> bytes | None:
        rows = self.ledger.rows(
            "SELECT content FROM mend_runs WHERE run_id = :run_id AND tenant_id = :tenant_id"
            " AND state = 'done'", {"run_id": run_id, "tenant_id": str(tenant_id)})
        return bytes(rows[0]["content"]) if rows and rows[0]["content"] is not None else None

    def stale_kinds(self, older_than_us: int = STALE_US) -> list[tuple[str, str]]:
        """Runs (id, kind) queued for longer than that: their job may have been lost. A run
        still "running" past the longest a job may run lost its worker: it is queued again."""
        self.ledger.run([(
            "UPDATE mend_runs SET state = 'queued' WHERE state = 'running'"
            " AND created_us < :before", {"before": now_us() - DEAD_US})])
        rows = self.ledger.rows(
            "SELECT run_id, kind FROM mend_runs WHERE state = 'queued' AND created_us < :before",
            {"before": now_us() - older_than_us})
        return [(row["run_id"], row["kind"]) for row in rows]

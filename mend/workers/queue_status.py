"""What the job queue is doing, read from rq's registries in Redis: how many jobs wait, run,
failed, are scheduled, deferred or finished; the latest failures in one line each; the
workers. Read only, and never a job's arguments or a traceback.

The queue is the deployment's, shared by every practice it serves, so a failure's line has
ids and email addresses blanked out: they may be another practice's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from mend.workers.queue import Jobs

#: The registries counted, in the order the page lists them.
COUNTED = ("queued", "started", "failed", "scheduled", "deferred", "finished")
FAILED_SHOWN = 20
_IDS = re.compile(r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?"
                  r"[0-9a-fA-F]{12}")
_EMAILS = re.compile(r"[^\s@<>()\"']+@[^\s@<>()\"']+")


@dataclass(frozen=True)
class FailedJob:
    id: str
    function: str
    failed_at: datetime | None
    error: str


@dataclass(frozen=True)
class WorkerLine:
    name: str
    state: str
    job_id: str | None


@dataclass(frozen=True)
class QueueStatus:
    """``configured`` False: no Redis, jobs run inside the web process. ``answering`` False:
    Redis is configured but did not answer, and nothing else is known."""

    configured: bool
    answering: bool
    name: str
    counts: dict[str, int] = field(default_factory=dict)
    failed: list[FailedJob] = field(default_factory=list)
    workers: list[WorkerLine] = field(default_factory=list)


def last_line(exc_string: str | None) -> str:
    """The exception's type and message: the last line of a traceback, blanked of ids."""
    lines = [line.strip() for line in (exc_string or "").splitlines() if line.strip()]
    line = lines[-1] if lines else ""
    return _EMAILS.sub("…", _IDS.sub("…", line))[:200]


def look(jobs: Jobs, failed_shown: int = FAILED_SHOWN) -> QueueStatus:
    queue = jobs.queue
    if queue is None:
        return QueueStatus(configured=False, answering=False, name=jobs.queue_name)
    if not jobs.redis_ok():
        return QueueStatus(configured=True, answering=False, name=jobs.queue_name)
    try:
        return QueueStatus(configured=True, answering=True, name=queue.name,
                           counts=_counts(queue), failed=_failed(queue, failed_shown),
                           workers=_workers(queue))
    except Exception:  # Redis went away between the ping and the reads: it is not answering
        return QueueStatus(configured=True, answering=False, name=jobs.queue_name)


def _counts(queue: Any) -> dict[str, int]:
    registries = {
        "started": queue.started_job_registry, "failed": queue.failed_job_registry,
        "scheduled": queue.scheduled_job_registry, "deferred": queue.deferred_job_registry,
        "finished": queue.finished_job_registry,
    }
    # cleanup=False: looking must not change anything (the workers tidy the registries).
    return {"queued": queue.count,
            **{name: r.get_job_count(cleanup=False) for name, r in registries.items()}}


def _failed(queue: Any, shown: int) -> list[FailedJob]:
    from rq.job import Job
    from rq.serializers import JSONSerializer

    # The registry is ordered by when each failure expires: the last to expire failed last.
    ids = queue.failed_job_registry.get_job_ids(0, shown - 1, desc=True, cleanup=False)
    found = Job.fetch_many(ids, connection=queue.connection, serializer=JSONSerializer)
    return [_failure(job_id, job) for job_id, job in zip(ids, found)]


def _failure(job_id: str, job: Any) -> FailedJob:
    if job is None:
        return FailedJob(job_id, "", None, "The job's record has expired.")
    try:
        function = job.func_name or ""
    except Exception:  # written by something else than Mend's JSON serializer
        function = "(unreadable)"
    result = job.latest_result()
    when = result.created_at if result is not None else job.ended_at
    if when is not None and when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)  # rq keeps UTC without saying so
    return FailedJob(job.id, function, when,
                     last_line(result.exc_string if result is not None else None))


def _workers(queue: Any) -> list[WorkerLine]:
    from rq import Worker
    from rq.serializers import JSONSerializer

    workers = Worker.all(queue=queue, serializer=JSONSerializer)
    lines = []
    for worker in workers:
        state = worker.get_state()
        lines.append(WorkerLine(worker.name, str(getattr(state, "value", state)),
                                worker.get_current_job_id()))
    return sorted(lines, key=lambda line: line.name)

"""The check-in reminder job on a real rq worker over Redis, and in-process without Redis."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import zlib
from base64 import b64decode
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from uuid import UUID, uuid4

import pytest
import redis

from mend.bootstrap import Mend, bootstrap
from mend.config import Settings
from mend.domain.authorization import Actor
from mend.workers import context
from mend.workers.queue import Jobs
from mend.workers.reminders import send_checkin_reminder
from tests.conftest import REDIS_URL

JOB = "mend.workers.reminders.send_checkin_reminder"


@pytest.fixture
def redis_settings(settings, redis_prefix) -> Settings:
    return dataclasses.replace(settings, redis_url=REDIS_URL, redis_prefix=redis_prefix)


@pytest.fixture
def app(redis_settings) -> Iterator[Mend]:
    instance = bootstrap(redis_settings, start_runner=False)
    yield instance
    instance.close()


@pytest.fixture
def jobs(redis_settings) -> Iterator[Jobs]:
    """The queue under test; afterwards every rq key its jobs and workers left is deleted.

    The redis_prefix fixture removes the keys named after the queue (which carries the
    prefix); rq also keys jobs, results and executions by job id, and workers by name.
    """
    queue = Jobs(redis_settings)
    enqueued: list[str] = []
    original = queue.enqueue

    def enqueue(job, *args):
        rq_job = original(job, *args)
        enqueued.append(rq_job.id)
        return rq_job

    queue.enqueue = enqueue  # type: ignore[method-assign]
    yield queue
    client = redis.Redis.from_url(REDIS_URL)
    for job_id in enqueued:
        for key in client.scan_iter(f"rq:*{job_id}*"):
            client.delete(key)
    for key in client.scan_iter("rq:worker:*"):
        if queue.queue_name in (client.hget(key, "queues") or b"").decode():
            client.srem("rq:workers", key)
            client.delete(key)
    client.srem("rq:queues", f"rq:queue:{queue.queue_name}")
    client.close()
    queue.close()


def owner() -> Actor:
    return Actor(account_id=uuid4(), tenant_id=uuid4(), role="owner")


def open_case(mend: Mend, *, days_ago: int, cadence_days: int = 7) -> UUID:
    saved = mend.casework.open_case(
        owner(),
        kind="couple",
        title="After the move",
        approach="therapy_guided",
        breach_category="dishonesty",
        breach_summary="Kept the new job secret for months.",
        cadence_days=cadence_days,
        occurred_at=datetime.now(timezone.utc) - timedelta(days=days_ago),
    )
    return saved.originator_id


def reminders(mend: Mend, case_id: UUID) -> list:
    return [e for e in mend.store.events.get(case_id) if type(e).__name__ == "CheckInReminderSent"]


def run_worker(settings: Settings) -> subprocess.CompletedProcess:
    """A real `python -m mend.workers.worker --burst`, configured only by its environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEND_")}
    env.update(
        DATABASE_URL=settings.database_url,
        REDIS_URL=settings.redis_url,
        MEND_REDIS_PREFIX=settings.redis_prefix,
    )
    finished = subprocess.run(
        [sys.executable, "-m", "mend.workers.worker", "--burst"],
        env=env, capture_output=True, text=True, timeout=60,
    )
    assert finished.returncode == 0, finished.stderr
    return finished


@pytest.mark.redis
def test_a_worker_records_the_reminder_of_an_overdue_case(app, jobs, redis_settings):
    case_id = open_case(app, days_ago=10)

    job = jobs.enqueue(send_checkin_reminder, str(case_id))
    run_worker(redis_settings)

    assert len(reminders(app, case_id)) == 1
    job.refresh()
    assert job.get_status() == "finished"
    assert job.return_value().startswith("reminded")
    with redis.Redis.from_url(REDIS_URL) as client:  # the result travelled as JSON too
        [(_, result)] = client.xrevrange(f"rq:results:{job.id}", count=1)
    assert json.loads(b64decode(result[b"return_value"])) == job.return_value()


@pytest.mark.redis
def test_a_job_travels_as_json_carrying_only_the_case_id(app, jobs):
    case_id = open_case(app, days_ago=10)

    job = jobs.enqueue(send_checkin_reminder, str(case_id))

    with redis.Redis.from_url(REDIS_URL) as client:
        stored = zlib.decompress(client.hget(f"rq:job:{job.id}", "data"))
        queued = client.lrange(f"rq:queue:{jobs.queue_name}", 0, -1)
    assert not stored.startswith(b"\x80")  # every pickle of protocol 2 or later starts so
    assert json.loads(stored) == [JOB, None, [str(case_id)], {}]
    assert queued == [job.id.encode()]


@pytest.mark.redis
def test_running_the_job_twice_records_one_reminder(app, jobs, redis_settings):
    case_id = open_case(app, days_ago=10)

    first = jobs.enqueue(send_checkin_reminder, str(case_id))
    second = jobs.enqueue(send_checkin_reminder, str(case_id))
    run_worker(redis_settings)

    assert len(reminders(app, case_id)) == 1
    first.refresh()
    second.refresh()
    assert second.get_status() == "finished"
    assert second.return_value().startswith("skipped: Participants were already reminded")


@pytest.mark.redis
def test_a_case_not_yet_due_records_nothing(app, jobs, redis_settings):
    case_id = open_case(app, days_ago=2)

    job = jobs.enqueue(send_checkin_reminder, str(case_id))
    run_worker(redis_settings)

    assert reminders(app, case_id) == []
    job.refresh()
    assert job.get_status() == "finished"
    assert job.return_value() == "skipped: No check-in is due yet."


@pytest.fixture
def embedded(settings, monkeypatch) -> Iterator[Mend]:
    """A Mend with no Redis, installed as the one in-process jobs use."""
    assert settings.redis_url is None
    instance = bootstrap(settings, start_runner=False)
    monkeypatch.setattr(context, "_current", context._current)  # restored afterwards
    context.install(instance)
    yield instance
    instance.close()


def test_without_redis_the_job_runs_in_process_at_once(embedded, settings):
    case_id = open_case(embedded, days_ago=10)
    jobs = Jobs(settings)
    assert not jobs.uses_redis

    result = jobs.enqueue(send_checkin_reminder, str(case_id))

    assert result.startswith("reminded")
    assert len(reminders(embedded, case_id)) == 1
    assert jobs.enqueue(send_checkin_reminder, str(case_id)).startswith("skipped")
    assert len(reminders(embedded, case_id)) == 1


def test_without_redis_a_job_for_no_such_case_says_so(embedded, settings):
    assert Jobs(settings).enqueue(send_checkin_reminder, str(uuid4())) == "no such case"

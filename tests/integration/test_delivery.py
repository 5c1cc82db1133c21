"""Delivery of the outbox by a real rq worker over Redis to a real SMTP server on loopback,
and to the console in the embedded default."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
import redis

from mend.bootstrap import Mend, bootstrap
from mend.config import Settings
from mend.domain import commands as cmd
from mend.workers import context
from mend.workers.delivery import deliver
from mend.workers.notices import follow
from mend.workers.outbox import Outbox
from mend.workers.scheduler import sweep
from mend.workers.tick import enqueue_deliveries
from tests.conftest import REDIS_URL
from tests.integration.test_notices import World
from tests.mailbox import SMTPServer

UTC = timezone.utc


@pytest.fixture
def smtp() -> Iterator[SMTPServer]:
    with SMTPServer() as server:
        yield server


@pytest.fixture
def delivering(postgres_settings, redis_prefix, smtp) -> Settings:
    return dataclasses.replace(
        postgres_settings, redis_url=REDIS_URL, redis_prefix=redis_prefix,
        smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_security="none",
        mail_from="Repair Practice via Mend <mend@repair.example>")


@pytest.fixture
def app(delivering) -> Iterator[Mend]:
    instance = bootstrap(delivering, start_runner=False)
    yield instance
    instance.close()


def worker_env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEND_")}
    env.update(DATABASE_URL=settings.database_url, REDIS_URL=settings.redis_url,
               MEND_REDIS_PREFIX=settings.redis_prefix, MEND_SMTP_HOST=settings.smtp_host,
               MEND_SMTP_PORT=str(settings.smtp_port), MEND_SMTP_SECURITY="none",
               MEND_MAIL_FROM=settings.mail_from)
    return env


def run_worker(settings: Settings) -> str:
    finished = subprocess.run([sys.executable, "-m", "mend.workers.worker", "--burst"],
                              env=worker_env(settings), capture_output=True, text=True,
                              timeout=120)
    assert finished.returncode == 0, finished.stderr
    return finished.stderr


def safety_alert(app: Mend, slug: str) -> tuple[World, list[str]]:
    world = World(app, slug)
    p = world.practice
    case_id = world.open_case(datetime.now(UTC) - timedelta(days=1), p.clients[:1])
    p.casework.record(p.practitioner, case_id, cmd.RaiseRedFlag(code="abuse_history"))
    return world, follow(app, datetime.now(UTC))


@pytest.mark.redis
@pytest.mark.postgres
def test_a_worker_sends_each_alert_once_with_its_own_message_id(app, delivering, smtp):
    world, queued = safety_alert(app, "postbox")
    assert len(queued) == 2

    enqueue_deliveries(app, queued)
    enqueue_deliveries(app, queued)  # a doubled enqueue, as two schedulers would
    run_worker(delivering)

    ids = smtp.mailbox.ids()
    assert sorted(ids) == sorted(f"<{m}@repair.example>" for m in queued)
    assert set(ids.values()) == {1}
    assert {m.to for m in smtp.mailbox.received} == {
        "pat@postbox.example", "sam@postbox.example"}
    assert Outbox(app.ledger).counts(str(world.practice.tenant_id)) == {
        "queued": 0, "sending": 0, "sent": 2, "failed": 0}
    print(f"\ndelivery: sent {len(ids)}, duplicates {sum(ids.values()) - len(ids)}, lost 0")


@pytest.mark.redis
@pytest.mark.postgres
def test_a_refused_send_is_retried_after_its_pause_and_then_sent(app, delivering, smtp):
    world, queued = safety_alert(app, "refusals")
    smtp.mailbox.refuse = 2  # both first attempts
    enqueue_deliveries(app, queued)
    run_worker(delivering)

    assert smtp.mailbox.ids() == {}
    rows = app.ledger.rows("SELECT state, attempts, reason FROM mend_outbox"
                           " WHERE tenant_id = :t", {"t": str(world.practice.tenant_id)})
    assert [(r["state"], r["attempts"]) for r in rows] == [("queued", 1)] * 2
    assert {r["reason"] for r in rows} == {"the mail server refused it (451)"}

    assert sweep(app, datetime.now(UTC)) == 0  # the pause (30 s) is not over
    assert sweep(app, datetime.now(UTC) + timedelta(seconds=31)) == 2
    run_worker(delivering)

    assert sorted(smtp.mailbox.ids()) == sorted(f"<{m}@repair.example>" for m in queued)
    assert Outbox(app.ledger).counts(str(world.practice.tenant_id))["sent"] == 2


@pytest.mark.redis
def test_the_failed_job_record_holds_no_words_of_the_case(app, delivering):
    """A job that fails leaves its type of failure in Redis, never the values it met."""
    job = app.jobs.enqueue(deliver, "not-a-message-id", "not a time: Ana's secret")
    run_worker(delivering)
    job.refresh()
    assert job.get_status() == "failed"
    assert "secret" not in (job.latest_result().exc_string or "")
    assert "JobFailed: ValueError" in job.latest_result().exc_string


@pytest.fixture
def embedded(sqlite_settings, monkeypatch) -> Iterator[Mend]:
    instance = bootstrap(sqlite_settings, start_runner=False)
    monkeypatch.setattr(context, "_current", context._current)
    context.install(instance)
    yield instance
    instance.close()


def test_without_smtp_the_message_is_printed_and_marked_sent(embedded, capsys):
    world, queued = safety_alert(embedded, "console")

    enqueue_deliveries(embedded, queued)  # runs in this process: no Redis here

    printed = capsys.readouterr().out
    assert printed.count("--- email (console; set MEND_SMTP_HOST to send) ---") == 2
    assert "Subject: Repair Practice: a safety concern was raised" in printed
    for message_id in queued:
        assert f"Message-ID: <{message_id}@localhost>" in printed
    assert Outbox(embedded.ledger).counts()["sent"] == 2
    assert deliver(queued[0]) == "nothing to send"


@pytest.mark.redis
@pytest.mark.postgres
def test_two_schedulers_and_a_doubled_tick_deliver_each_reminder_once(app, delivering, smtp):
    """Two scheduler processes take the same turn at once; each enqueues the minute's tick,
    and the worker runs it twice over: every client still gets one reminder."""
    world = World(app, "two-schedulers")
    p = world.practice
    due = (datetime.now(UTC) - timedelta(days=1)).replace(hour=12, minute=0, second=0,
                                                          microsecond=0)
    world.open_case(due - timedelta(days=7), p.clients)
    at = (due + timedelta(hours=7)).isoformat()  # 19:00 UTC the day it fell due
    env = {**worker_env(delivering), "MEND_PUBLIC_URL": "http://127.0.0.1:5000"}

    schedulers = [subprocess.Popen([sys.executable, "-m", "mend.workers.scheduler", "--once",
                                    "--at", at], env=env, stderr=subprocess.PIPE, text=True)
                  for _ in range(2)]
    for scheduler in schedulers:
        assert scheduler.wait(timeout=120) == 0, scheduler.stderr.read()
    queued = redis.Redis.from_url(REDIS_URL).lrange(f"rq:queue:{app.jobs.queue_name}", 0, -1)
    assert len([j for j in queued if b"-tick-" in j]) == 2  # the same tick, twice
    run_worker(delivering)
    run_worker(delivering)  # the deliveries the ticks enqueued, if any are left

    ids = smtp.mailbox.ids()
    reminders = [m for m in smtp.mailbox.received if "check-in is due" in m.subject]
    assert sorted(m.to for m in reminders) == sorted(
        f"client{i}@two-schedulers.example" for i in range(3))
    assert set(ids.values()) == {1}
    print(f"\ntwo schedulers: sent {len(reminders)}, duplicates"
          f" {sum(ids.values()) - len(ids)}, lost {3 - len(reminders)}")

"""Delivery under faults, against real processes: an rq worker (and its work-horse, when it
forks one) killed mid-send, Redis stopped for half a minute, PostgreSQL crashed and started
again.

Every message is counted by its Message-ID at a real SMTP server on loopback. Lost means an
expected Message-ID never arrived; a duplicate is the same Message-ID arriving again. SMTP
cannot promise fewer than that: a sender killed after the server took the message but before
it recorded so sends it again, recognisably, under the same Message-ID. What must never
happen is a message lost, or one message under two Message-IDs.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis
import requests
from rq import Queue
from rq.serializers import JSONSerializer

from mend.bootstrap import Mend, bootstrap
from mend.config import Settings
from mend.domain import commands as cmd
from mend.workers.alerting import alert_id_for
from mend.workers.notices import follow
from mend.workers.outbox import Outbox, message_id_for
from mend.workers.scheduler import sweep
from mend.workers.tick import enqueue_deliveries
from tests.conftest import REDIS_URL
from tests.e2e.api_client import ApiClient
from tests.e2e.conftest import BIN, ROOT, free_port, wait_healthy
from tests.e2e.private_postgres import PrivatePostgres
from tests.integration.test_notices import World
from tests.mailbox import SMTPServer

pytestmark = [pytest.mark.redis, pytest.mark.postgres]

DOMAIN = "faults.example"
MAIL_FROM = f"Faults via Mend <mend@{DOMAIN}>"
PASSWORD = "a passphrase for the faults"
#: A sweep this far ahead finds every lease run out and every queued message overdue.
PAST_LEASE = timedelta(seconds=61)


# ------------------------------------------------------------------ counting


def address(message_id: str) -> str:
    return f"<{message_id}@{DOMAIN}>"


def tally(smtp: SMTPServer, expected: set[str]) -> tuple[int, int, int, str]:
    """(sent, duplicates, lost, the line to print) of what the mailbox holds."""
    ids = smtp.mailbox.ids()
    sent = len(expected & set(ids))
    duplicates = sum(n - 1 for n in ids.values())
    lost = len(expected - set(ids))
    line = f"sent {sent}, duplicates {duplicates}, lost {lost}"
    strangers = set(ids) - expected
    if strangers:
        line += f", unexpected Message-IDs {len(strangers)}"
    return sent, duplicates, lost, line


def wait_for_all(smtp: SMTPServer, expected: set[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not expected <= set(smtp.mailbox.ids()):
        time.sleep(0.2)


def check_one_id_per_message(smtp: SMTPServer, expected: set[str]) -> None:
    """No message under two Message-IDs: every id that came is one the outbox was given
    (with none lost, each message then came under its own id and no other)."""
    ids = set(smtp.mailbox.ids())
    assert ids <= expected, f"Message-IDs nobody queued: {sorted(ids - expected)[:5]}"


def outbox_rows(database_url: str, smtp: SMTPServer, expected: set[str]) -> str:
    """The outbox rows of the messages lost or sent twice, to say where they went wrong."""
    ids = smtp.mailbox.ids()
    odd = [m for m in expected if ids[m] != 1]
    if not odd:
        return ""
    import psycopg

    with psycopg.connect(database_url, connect_timeout=5) as conn:
        rows = conn.execute(
            "SELECT message_id, state, attempts, created_us, sent_us, reason FROM mend_outbox"
            " WHERE message_id = ANY(%s) ORDER BY created_us",
            [[m.strip("<>").split("@")[0] for m in odd]]).fetchall()
    return "\noutbox rows of the odd ones (id, state, attempts, created, sent, reason):\n" + (
        "\n".join(f"  {row} arrived {ids[address(row[0])]}x" for row in rows))


# ------------------------------------------------------------------ processes


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def work_horse(worker_pid: int, timeout: float = 1.0) -> int | None:
    """The worker's child running a job, if it forks one. rq's horse calls setpgrp, so it
    leads a process group of its own; rq's scheduler, the worker's other child, does not.
    None when the worker runs jobs in its own process (rq's SimpleWorker)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for child in children(worker_pid):
            try:
                if os.getpgid(child) == child:
                    return child
            except ProcessLookupError:
                pass
        time.sleep(0.02)
    return None


class Service:
    """One process of Mend, in a session (process group) of its own, logging to a file."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], logs: Path):
        self.name, self.log = name, logs / f"{name}.log"
        with open(self.log, "ab") as log:  # the child keeps its own copy open
            self.process = subprocess.Popen(argv, cwd=ROOT, env=env, start_new_session=True,
                                            stdout=log, stderr=subprocess.STDOUT)

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def tail(self, chars: int = 3000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.alive():
            try:
                os.killpg(self.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        # Whatever is left of its group (a horse leads its own: kill the children too).
        for pid in [*children(self.pid), self.pid]:
            for kill in (os.killpg, os.kill):
                try:
                    kill(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass


def mend_env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("MEND_") and k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(PYTHONUNBUFFERED="1", MEND_SMTP_SECURITY="none", MEND_MAIL_FROM=MAIL_FROM,
               SECRET_KEY="faults-secret-key-for-this-run", MEND_SCHEDULER="external")
    env.update(values)
    return env


def start_worker(env: dict[str, str], logs: Path, name: str = "worker") -> Service:
    return Service(name, [sys.executable, "-m", "mend.workers.worker"], env, logs)


def start_scheduler(env: dict[str, str], logs: Path) -> Service:
    return Service("scheduler", [sys.executable, "-m", "mend.workers.scheduler"], env, logs)


def start_web(env: dict[str, str], logs: Path, port: int) -> Service:
    return Service("web", [str(BIN / "gunicorn"), "--workers", "1", "--threads", "4",
                           "--timeout", "120", "--bind", f"127.0.0.1:{port}", "wsgi:app"],
                   env, logs)


def logs_of(*services: Service) -> str:
    return "".join(f"\n--- {s.name} (pid {s.pid}) ---\n{s.tail()}" for s in services)


# ------------------------------------------------------------------ 1. a killed sender


@pytest.fixture
def smtp() -> Iterator[SMTPServer]:
    with SMTPServer() as server:
        yield server


@pytest.fixture
def delivering(pg_databases, redis_prefix, smtp) -> Iterator[Settings]:
    yield Settings(database_url=pg_databases(), redis_url=REDIS_URL, redis_prefix=redis_prefix,
                   smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_security="none",
                   mail_from=MAIL_FROM)


@pytest.fixture
def app(delivering) -> Iterator[Mend]:
    instance = bootstrap(delivering, start_runner=False)
    yield instance
    instance.close()


def settings_env(settings: Settings) -> dict[str, str]:
    return mend_env(DATABASE_URL=settings.database_url, REDIS_URL=settings.redis_url,
                    MEND_REDIS_PREFIX=settings.redis_prefix, MEND_SMTP_HOST=settings.smtp_host,
                    MEND_SMTP_PORT=str(settings.smtp_port))


def queue_alerts(app: Mend, slug: str, flags: int) -> list[str]:
    """Safety flags on a case with two practitioners: two messages a flag, in the outbox."""
    world = World(app, slug)
    p = world.practice
    case_id = world.open_case(datetime.now(UTC) - timedelta(days=1), p.clients[:1])
    for _ in range(flags):
        p.casework.record(p.practitioner, case_id, cmd.RaiseRedFlag(code="abuse_history"))
    queued = follow(app, datetime.now(UTC))
    assert len(queued) == 2 * flags
    return queued


def wait_drained(app: Mend, smtp: SMTPServer, timeout: float = 30) -> None:
    """Until the queue is empty and the job in hand is done: a late duplicate would show."""
    with redis.Redis.from_url(REDIS_URL) as connection:
        queue = Queue(app.jobs.queue_name, connection=connection, serializer=JSONSerializer)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and queue.count:
            time.sleep(0.2)
    time.sleep(smtp.mailbox.delay + 1.5)


def kill_mid_send(app: Mend, delivering: Settings, smtp: SMTPServer, logs: Path,
                  *, whole_worker: bool) -> str:
    smtp.mailbox.delay = 2.0
    queued = queue_alerts(app, "killed-worker" if whole_worker else "killed-horse", flags=2)
    expected = {address(m) for m in queued}
    env = settings_env(delivering)
    workers = [start_worker(env, logs)]
    try:
        enqueue_deliveries(app, queued)
        assert smtp.mailbox.data_started.wait(30), "no send began" + logs_of(*workers)
        worker = workers[0]
        horse = work_horse(worker.pid)
        if horse is not None and not whole_worker:
            os.kill(horse, signal.SIGKILL)
            time.sleep(0.5)
            assert worker.alive(), "the worker died with its horse" + logs_of(*workers)
            killed = "the work-horse"
        else:
            # A worker that runs jobs in its own process (rq's SimpleWorker) has no horse:
            # the process sending is the worker itself, and a new worker takes over.
            if horse is not None:
                os.kill(horse, signal.SIGKILL)
            if whole_worker:
                os.killpg(worker.pid, signal.SIGKILL)  # with rq's scheduler child
            else:
                os.kill(worker.pid, signal.SIGKILL)
            worker.process.wait(timeout=10)
            workers.append(start_worker(env, logs, "worker-2"))
            killed = ("the worker" + (" and its work-horse" if horse else "")
                      + (" (its whole process group)" if whole_worker else ""))
        # The killed send is 'sending' until its lease runs out; the sweep a minute on
        # queues it again (and, harmlessly, every other message not yet sent).
        assert sweep(app, datetime.now(UTC) + PAST_LEASE) >= 1
        wait_for_all(smtp, expected, timeout=60)
        wait_drained(app, smtp)
        _, duplicates, lost, line = tally(smtp, expected)
        print(f"\nkill -9 of {killed} mid-send: {line}")
        check_one_id_per_message(smtp, expected)
        assert lost == 0, line + outbox_rows(delivering.database_url, smtp, expected) + (
            logs_of(*workers))
        # One send was cut off: at most that one may come twice, under its one Message-ID.
        assert duplicates <= 1, line + outbox_rows(delivering.database_url, smtp, expected)
        assert Outbox(app.ledger).counts() == {
            "queued": 0, "sending": 0, "sent": len(expected), "failed": 0}, line
        return line
    finally:
        for worker in workers:
            worker.stop()


def test_the_process_sending_killed_mid_send_leaves_its_message_to_the_sweep(
        app, delivering, smtp, tmp_path):
    kill_mid_send(app, delivering, smtp, tmp_path, whole_worker=False)


def test_a_worker_killed_with_its_process_group_mid_send_loses_nothing(
        app, delivering, smtp, tmp_path):
    kill_mid_send(app, delivering, smtp, tmp_path, whole_worker=True)


# ------------------------------------------------------------------ 2 and 3: a whole Mend


class Deployment:
    """A web server, a scheduler and a worker on one store and one Redis, and a practice
    with two practitioners on a case with a boundary, signed up through the API."""

    def __init__(self, stack: ExitStack, env: dict[str, str], logs: Path, smtp: SMTPServer):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {**env, "MEND_PUBLIC_URL": self.base, "MEND_SMTP_HOST": "127.0.0.1",
                    "MEND_SMTP_PORT": str(smtp.port)}
        # The tables once, before three processes start at the same time.
        subprocess.run([str(BIN / "flask"), "--app", "wsgi", "projections", "catch-up"],
                       cwd=ROOT, env=self.env, check=True, capture_output=True, timeout=120)
        self.web = start_web(self.env, logs, self.port)
        stack.callback(self.web.stop)
        self.scheduler = start_scheduler(self.env, logs)
        stack.callback(self.scheduler.stop)
        self.worker = start_worker(self.env, logs)
        stack.callback(self.worker.stop)
        wait_healthy(self.base, self.web.process)

    def services(self) -> tuple[Service, ...]:
        return self.web, self.scheduler, self.worker

    def logs_tail(self) -> str:
        return logs_of(*self.services())

    def open_case(self, slug: str) -> None:
        anonymous = ApiClient(self.base)
        anonymous.sign_up(slug, f"owner@{slug}.test", PASSWORD, "Olga Owner")
        self.owner = anonymous.as_token(f"owner@{slug}.test", PASSWORD)
        self.practitioners = [
            self.owner.invite_and_accept(f"{name.lower()}@{slug}.test", name, "practitioner",
                                         PASSWORD) for name in ("Pat", "Sam")]
        opened = self.owner.post("/api/v1/cases", {
            "kind": "couple", "title": "Under faults", "approach": "therapy_guided",
            "breach": {"category": "dishonesty", "summary": "A hidden account."}})
        assert opened.status_code == 201, opened.text
        self.case_id = opened.json()["case_id"]
        for account_id in self.practitioners:
            assigned = self.owner.post(f"/api/v1/cases/{self.case_id}/practitioners",
                                       {"account_id": account_id})
            assert assigned.status_code == 201, assigned.text
        boundary = self.owner.post(f"/api/v1/cases/{self.case_id}/boundaries",
                                   {"text": "No calls after ten."})
        assert boundary.status_code == 201, boundary.text
        self.boundary_id = boundary.json()["boundary_id"]
        # A request that waits out a store outage must be answered, not cut off here.
        self.owner.timeout = 60

    def cross(self, n: int) -> tuple[int, str | None]:
        """Record a crossing; (status, its event id when recorded), status 0 for no answer."""
        try:
            answer = self.owner.post(
                f"/api/v1/cases/{self.case_id}/boundaries/{self.boundary_id}/cross",
                {"note": f"crossing {n}"})
        except requests.RequestException:  # no answer at all: the test reports it
            return 0, None
        return answer.status_code, answer.json()["id"] if answer.status_code == 201 else None

    def messages_of(self, event_id: str) -> set[str]:
        """The Message-IDs a crossing's alert must be sent under, one per practitioner."""
        alert = alert_id_for(self.case_id, "boundary_crossed", event_id)
        return {address(message_id_for(f"alert:{alert}:{p}")) for p in self.practitioners}

    def recorded_crossings(self) -> set[str]:
        """The crossings the store holds, as the case's timeline shows them."""
        self.owner.wait_for_projections()
        answer = self.owner.get(f"/api/v1/cases/{self.case_id}/timeline",
                                type="boundary_crossed", limit=500)
        assert answer.status_code == 200, answer.text
        return {event["id"] for event in answer.json()["events"]}


def record_crossings(deployment: Deployment, seconds: float, every: float,
                     faults: dict[float, Callable[[], None]]) -> tuple[list[int], list[str]]:
    """Cross the boundary every ``every`` s for ``seconds`` while ``faults`` run at their
    times (seconds from the start) beside it, so a request waiting out an outage does not
    put the next fault off. Returns every status and the event ids answered 201."""
    statuses, recorded = [], []
    started = time.monotonic()
    failures: list[BaseException] = []

    def inject() -> None:
        for at, fault in sorted(faults.items()):
            time.sleep(max(0.0, started + at - time.monotonic()))
            try:
                fault()
            except BaseException as error:  # noqa: BLE001 (raised in the test below)
                failures.append(error)

    injector = threading.Thread(target=inject, name="faults")
    injector.start()
    try:
        n = 0
        while time.monotonic() - started < seconds:
            status, event_id = deployment.cross(n)
            statuses.append(status)
            if event_id:
                recorded.append(event_id)
            n += 1
            time.sleep(max(0.0, started + n * every - time.monotonic()))
    finally:
        injector.join()
    if failures:
        raise failures[0]
    return statuses, recorded


class PrivateRedis:
    """A redis-server of the test's own that keeps nothing: stopped, its queue is gone."""

    def __init__(self, directory: Path):
        self.directory, self.port = directory, free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.directory / "redis.log", "ab") as log:
            self.process = subprocess.Popen(
                ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                 "--appendonly", "no", "--dir", str(self.directory)],
                stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while True:
            try:
                with redis.Redis.from_url(self.url, socket_connect_timeout=1) as client:
                    client.ping()
                return
            except redis.ConnectionError:
                assert time.monotonic() < deadline, "the private Redis did not start"
                time.sleep(0.05)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


def test_redis_away_for_half_a_minute_loses_no_message(pg_databases, smtp, tmp_path):
    directory = Path(tempfile.mkdtemp(prefix="mend-redis-"))
    store = PrivateRedis(directory)
    with ExitStack() as stack:
        stack.callback(shutil.rmtree, directory, ignore_errors=True)
        stack.callback(store.kill)
        store.start()
        env = mend_env(DATABASE_URL=pg_databases(), REDIS_URL=store.url,
                       MEND_REDIS_PREFIX="faults")
        mend = Deployment(stack, env, tmp_path, smtp)
        mend.open_case("redis-away")
        worker_pid = mend.worker.pid

        def kill_mid_job() -> None:
            # Jobs take milliseconds: hold one at the SMTP server so Redis goes away under a
            # job in hand, not only under a worker waiting for one (which rq rides out).
            smtp.mailbox.data_started.clear()
            smtp.mailbox.delay = 2.0
            mid_job = smtp.mailbox.data_started.wait(5)
            store.kill()
            smtp.mailbox.delay = 0.0
            assert mid_job, "no send began before Redis was stopped"

        started = time.monotonic()
        statuses, recorded = record_crossings(mend, seconds=50, every=0.5, faults={
            5: kill_mid_job, 35: store.start})
        back = started + 35

        expected = set().union(*(mend.messages_of(e) for e in recorded))
        # Messages noticed while Redis was away wait in the outbox; the sweeper queues them
        # once they are a minute overdue, so the last of them go about a minute after Redis
        # is back.
        wait_for_all(smtp, expected, timeout=max(10.0, back + 90 - time.monotonic()))
        time.sleep(3)  # a late duplicate would arrive now
        _, duplicates, lost, line = tally(smtp, expected)
        print(f"\nRedis away 30 s, {len(recorded)} crossings x 2 practitioners: {line}"
              f" (last message {time.monotonic() - back:.0f} s after Redis came back)")
        errors = [s for s in statuses if s >= 500 or s == 0]
        assert not errors, f"{len(errors)} requests failed: {errors[:5]}" + mend.logs_tail()
        assert len(recorded) == len(statuses), statuses
        assert mend.worker.alive() and mend.worker.pid == worker_pid, (
            "the worker did not outlive the outage" + mend.logs_tail())
        assert mend.scheduler.alive(), "the scheduler did not outlive the outage"
        assert set(recorded) == mend.recorded_crossings()
        check_one_id_per_message(smtp, expected)
        assert lost == 0 and duplicates == 0, line + outbox_rows(
            mend.env["DATABASE_URL"], smtp, expected) + mend.logs_tail()


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    database = PrivatePostgres(Path(tempfile.mkdtemp(prefix="mend-pg-")), free_port())
    try:
        database.create()
        yield database
    finally:
        database.destroy()


def test_postgres_crashed_mid_run_sends_every_recorded_alert_once(
        private_postgres, redis_prefix, smtp, tmp_path):
    database = private_postgres
    with ExitStack() as stack:
        env = mend_env(DATABASE_URL=database.url, REDIS_URL=REDIS_URL,
                       MEND_REDIS_PREFIX=redis_prefix)
        mend = Deployment(stack, env, tmp_path, smtp)
        mend.open_case("store-crash")
        pids = {s.name: s.pid for s in (mend.scheduler, mend.worker)}

        def crash() -> None:
            database.crash()

        def start() -> None:
            database.start()
            database.wait_ready()

        statuses, recorded = record_crossings(mend, seconds=25, every=0.5, faults={
            5: crash, 10: start})
        back = time.monotonic()
        # Every fact the store holds must be sent: the 201s, and any whose answer was
        # lost in the crash although it was recorded.
        facts = mend.recorded_crossings()
        expected = set().union(*(mend.messages_of(e) for e in facts))
        wait_for_all(smtp, expected, timeout=10)
        if not expected <= set(smtp.mailbox.ids()):
            # A job that failed while the store was away leaves its message queued or
            # 'sending': the sweep a minute on (the lease, the overdue mark) queues it.
            subprocess.run([sys.executable, "-m", "mend.workers.scheduler", "--once",
                            "--at", (datetime.now(UTC) + PAST_LEASE).isoformat()],
                           cwd=ROOT, env=mend.env, check=True, capture_output=True,
                           timeout=60)
            wait_for_all(smtp, expected, timeout=30)
        time.sleep(3)  # a late duplicate would arrive now
        _, duplicates, lost, line = tally(smtp, expected)
        counted = {s: statuses.count(s) for s in sorted(set(statuses))}
        print(f"\nPostgreSQL crashed for 5 s, {len(recorded)} crossings answered 201"
              f" ({len(facts)} recorded; answers {counted}) x 2 practitioners: {line}"
              f" (all in {time.monotonic() - back:.0f} s after it came back)")
        assert all(s in (201, 503) for s in statuses), f"answers: {counted}" + (
            mend.logs_tail())
        assert set(recorded) <= facts
        for service in (mend.scheduler, mend.worker):
            assert service.alive() and service.pid == pids[service.name], (
                f"the {service.name} did not outlive the outage" + mend.logs_tail())
        check_one_id_per_message(smtp, expected)
        # Exactly once: "sent" is flushed on commit, and a mark the crash took from its
        # transaction is made again by the worker before its next delivery, so a crash
        # forgets no delivery. (Only a worker that died too, between the SMTP server's 250
        # and that commit, could leave one to be sent twice, under its one Message-ID.)
        assert lost == 0 and duplicates == 0, line + outbox_rows(
            database.url, smtp, expected) + mend.logs_tail()

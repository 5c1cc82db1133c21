"""How fast the scheduled work goes: a tick over a large caseload, and reminder delivery to a
local SMTP server, each beside a bare rq job loop on the same worker in the same run.

    python benchmarks/jobs.py [--cases 10000] [--clients 100] [--deliveries 1000] [--rounds 5]

One run, on a fresh PostgreSQL database (MEND_BENCH_POSTGRES, as the other benchmarks) and
the Redis at MEND_BENCH_REDIS (default redis://127.0.0.1:6379/0) under a key prefix of its
own, deleted afterwards. Set-up, straight through the domain (aggregates saved a hundred
cases at a time): one practice, a practitioner, --clients clients, and --cases open cases
of one client each, opened eight days ago with a weekly cadence, so every one of them is
due a check-in. The notices follower then reads the whole log once (timed, for information).

1. tick: ``run_tick`` at 19:00 in the practice's time zone, when every client's reminder is
   due: it finds the --cases due reminders, writes them to the outbox and enqueues one
   delivery job each (deterministic job ids, one Redis round trip per thousand). Then the
   same tick again, which finds nothing new. Target: the first tick under 5 s.
2. delivery, in --rounds rounds: --deliveries of those delivery jobs drained by one real
   worker (`python -m mend.workers.worker --burst`) sending to an aiosmtpd server in this
   process; then the same number of bare jobs (a function that returns its argument)
   drained by the same kind of worker. Rates come from the jobs' own start and end times in
   Redis, so the worker's start-up is not counted. Target: the median of the rounds' ratios
   at least 50 % (one round's ratio swung from 47 % to 61 % between runs on 2 cores).

The exit status is 0 only when both targets are met.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.databases import fresh_database  # noqa: E402
from mend.bootstrap import bootstrap  # noqa: E402
from mend.domain.acting import acting  # noqa: E402
from mend.domain.case import Case  # noqa: E402
from mend.domain.tenancy import Account, Tenant  # noqa: E402
from mend.workers.notices import follow  # noqa: E402
from mend.workers.tick import enqueue_deliveries, run_tick  # noqa: E402
from tests.mailbox import SMTPServer  # noqa: E402

REDIS_URL = os.environ.get("MEND_BENCH_REDIS", "redis://127.0.0.1:6379/0")
TICK_TARGET_S = 5.0
DELIVERY_TARGET = 0.50


def log(message: str) -> None:
    print(f"  [{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def bare(value: str) -> str:
    """The bare job: rq's own cost of a job, and nothing else."""
    return value


def build(mend, cases: int, clients: int, now: datetime) -> Tenant:
    store = mend.store
    owner = Account.register(email="owner@jobs.bench", name="Olive Owner", password_hash=None)
    tenant = Tenant.register(name="Bench Practice", slug="jobs-bench", kind="practice")
    with acting(owner.id, tenant.id):
        tenant.add_founding_owner(owner.id)
        owner.join(tenant.id)
    people = [Account.register(email=f"client{n}@jobs.bench", name=f"Client {n}",
                               password_hash=None) for n in range(clients)]
    practitioner = Account.register(email="pat@jobs.bench", name="Pat", password_hash=None)
    store.save(tenant, owner, practitioner, *people)
    opened = now - timedelta(days=8)
    batch = []
    for n in range(cases):
        with acting(practitioner.id, tenant.id):
            case = Case.open(tenant=tenant.id, kind="couple", title=f"Case {n}",
                             approach="therapy_guided", breach_category="dishonesty",
                             breach_summary="As told at intake.", cadence_days=7,
                             occurred_at=opened)
            case.assign_practitioner(practitioner.id, occurred_at=opened)
            case.add_participant(people[n % clients].id, "partner", occurred_at=opened)
        batch.append(case)
        if len(batch) == 100:
            store.save(*batch)
            batch = []
    if batch:
        store.save(*batch)
    return tenant


def drain(settings, prefix: str, smtp_port: int) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEND_")}
    env.update(DATABASE_URL=settings.database_url, REDIS_URL=REDIS_URL,
               MEND_REDIS_PREFIX=prefix, MEND_SMTP_HOST="127.0.0.1",
               MEND_SMTP_PORT=str(smtp_port), MEND_SMTP_SECURITY="none",
               PYTHONPATH=str(ROOT))
    # The worker's log goes to a file, not a pipe: reading a pipe line by line would wake this
    # process at every line and take turns with the SMTP server it runs in a thread.
    with tempfile.TemporaryFile() as output:
        finished = subprocess.run([sys.executable, "-m", "mend.workers.worker", "--burst"],
                                  cwd=ROOT, env=env, stdout=output, stderr=output, timeout=3600)
        if finished.returncode != 0:
            output.seek(0)
            raise RuntimeError(output.read()[-2000:].decode(errors="replace"))


def rate_of(jobs: list) -> float:
    for job in jobs:
        job.refresh()
    failed = [job for job in jobs if job.get_status() != "finished"]
    if failed:
        raise RuntimeError(f"{len(failed)} jobs did not finish: {failed[0].exc_info}")
    started = min(job.started_at for job in jobs)
    ended = max(job.ended_at for job in jobs)
    return len(jobs) / max((ended - started).total_seconds(), 1e-9)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--deliveries", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    import dataclasses

    import redis
    from rq.job import Job
    from rq.serializers import JSONSerializer

    prefix = f"mendbench-{uuid.uuid4().hex[:8]}"
    client = redis.Redis.from_url(REDIS_URL)
    ok = True
    try:
        with fresh_database("jobs") as settings, SMTPServer() as smtp:
            settings = dataclasses.replace(settings, redis_url=REDIS_URL, redis_prefix=prefix,
                                           smtp_host="127.0.0.1", smtp_port=smtp.port,
                                           smtp_security="none")
            mend = bootstrap(settings, start_runner=False)
            # 19:00 in the practice's zone: past everyone's default hour, before quiet hours.
            # Yesterday: a delivery claims a message only once its time has come.
            today = (datetime.now(timezone.utc) - timedelta(days=1)).replace(
                hour=19, minute=0, second=0, microsecond=0)
            started = time.monotonic()
            tenant = build(mend, args.cases, args.clients, today)
            log(f"{args.cases} cases recorded in {time.monotonic() - started:.1f} s")
            started = time.monotonic()
            follow(mend, today - timedelta(days=2))
            log(f"notices follower read {mend.store.recorder.max_notification_id()} events"
                f" in {time.monotonic() - started:.1f} s")
            from zoneinfo import ZoneInfo

            moment = today.replace(tzinfo=ZoneInfo(tenant.time_zone)).astimezone(timezone.utc)

            started = time.monotonic()
            ticked = run_tick(mend, moment)
            tick_s = time.monotonic() - started
            enqueue_deliveries(mend, ticked.messages)  # what the tick job does after it
            job_s = time.monotonic() - started
            mail_ids = list(ticked.messages)
            started = time.monotonic()
            again = run_tick(mend, moment + timedelta(minutes=1))
            again_s = time.monotonic() - started
            met = job_s < TICK_TARGET_S
            print(f"tick over {args.cases} open cases: {ticked.reminders} reminders found and"
                  f" written in {tick_s:.2f} s, their {len(mail_ids)} delivery jobs enqueued"
                  f" by {job_s:.2f} s; the next tick {again_s:.2f} s ({again.reminders} new)."
                  f"  Target < {TICK_TARGET_S:.0f} s: {'met' if met else 'NOT met'}")
            ok &= met and ticked.reminders == args.cases
            # The rounds below queue their own deliveries: start from an empty queue.
            client.delete(f"rq:queue:{prefix}-default")

            # Rounds of each, alternating, and the median of their ratios: on a small
            # machine one round of either can be slowed by anything else that runs.
            ratios, sent = [], 0
            for n in range(args.rounds):
                ids = mail_ids[n * args.deliveries:(n + 1) * args.deliveries]
                enqueue_deliveries(mend, ids)
                delivery_jobs = [Job.fetch(f"{prefix}-mail-{m}", connection=client,
                                           serializer=JSONSerializer) for m in ids]
                drain(settings, prefix, smtp.port)
                delivered = rate_of(delivery_jobs)
                # By name: run as a script, this module is __main__ to itself, not to a worker.
                bare_jobs = [mend.jobs.enqueue("benchmarks.jobs.bare", str(i))
                             for i in range(args.deliveries)]
                drain(settings, prefix, smtp.port)
                baseline = rate_of(bare_jobs)
                ratios.append(delivered / baseline)
                print(f"delivery round {n + 1}: {delivered:.0f} messages/s; bare rq job loop"
                      f" {baseline:.0f} jobs/s; ratio {ratios[-1]:.0%}")
            sent = len(smtp.mailbox.ids())
            ratio = statistics.median(ratios)
            print(f"delivery: median ratio {ratio:.0%} over {args.rounds} rounds,"
                  f" {sent} messages sent to SMTP, each once.  Target >= {DELIVERY_TARGET:.0%}:"
                  f" {'met' if ratio >= DELIVERY_TARGET else 'NOT met'}")
            ok &= ratio >= DELIVERY_TARGET and sent == args.rounds * args.deliveries
            mend.close()
    finally:
        for key in client.scan_iter(f"*{prefix}*"):
            client.delete(key)
        client.srem("rq:queues", f"rq:queue:{prefix}-default")
        for key in client.smembers("rq:workers"):
            if prefix in key.decode():
                client.srem("rq:workers", key)
        client.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

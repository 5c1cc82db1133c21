"""How fast the read models follow the event store, on PostgreSQL.

    python benchmarks/projections.py [--events 200000] [--cases 2000]
        [--lag-saves 1000] [--lag-runner process|thread|both]
        [--query-cases 10000] [--query-caseload 500] [--query-case-events 10000]
        [--rebuild-events 1000000] [--rebuild-cases 10000]
        [--only catchup,lag,queries,rebuild]

Every phase works in fresh PostgreSQL databases, created here and dropped afterwards, from
the admin URL in MEND_BENCH_POSTGRES (default postgresql://postgres@127.0.0.1:5432/test).
Events are recorded fast and streamed: each case's history is built with the Case aggregate
and saved through the store ~100 events per save, cases interleaved round robin (ten events
of each of ten cases per save), so memory stays bounded by the number of cases, not events.

1. catchup: a ProjectionRunner's ``catch_up()`` over the whole casebook view (timeline, case
   directory, people, accounts, activity, then the stored-metrics refresh, also timed on its
   own) for --events events across --cases cases. Baseline in the same run and database:
   the same number of timeline rows inserted with plain psycopg ``executemany`` in
   transactions of 1,000 rows into a table LIKE the timeline (same columns, key and
   indexes). Target: catch-up >= 25 % of the baseline's rows/s.
2. lag: the runner live (in a subprocess and/or in a thread of this process, woken by
   LISTEN/NOTIFY) over a store of 50 cases and 5,000 events; --lag-saves check-ins saved one
   per save through ``Casework.record_check_in``, round robin over the cases; for each, the
   time from the save returning until ``view.caught_up_with(notification_id)``, polled
   tightly. Target: p99 < 50 ms.
3. queries: a tenant of --query-cases cases; a practitioner with --query-caseload of them;
   one case with --query-case-events events. p50/p95 of the timeline's first page (100) and
   of pages of 100 in its middle and at its end via the cursor, and of caseload pages
   (``cases(viewer, practitioner=..., limit=...)``) seen by the practitioner and by a
   supervisor, 50 (the API's default page), 100 and 200 (its largest). Target: p95 < 20 ms.
   The whole caseload in one page of 500 is timed too, for information.
4. rebuild: ``rebuild(store, view, grace_seconds=0)`` over --rebuild-events events (after the
   live generation has caught up, as in production); events/s. No target is set.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from uuid import UUID


sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.databases import ADMIN_URL, connect, fresh_database  # noqa: E402
from mend.bootstrap import build_casebook  # noqa: E402
from mend.config import Settings  # noqa: E402
from mend.domain import commands as cmd  # noqa: E402
from mend.domain import vocabulary as v  # noqa: E402
from mend.domain.acting import acting  # noqa: E402
from mend.domain.authorization import Actor  # noqa: E402
from mend.domain.case import Case  # noqa: E402
from mend.domain.casework import Casework  # noqa: E402
from mend.domain.store import MendStore  # noqa: E402
from mend.domain.tenancy import Account, Tenant  # noqa: E402
from mend.projections import runner as runner_module  # noqa: E402
from mend.projections.runner import ProjectionRunner, rebuild  # noqa: E402
from mend.projections.tables import names  # noqa: E402

PHASES = ("catchup", "lag", "queries", "rebuild")

CATCHUP_TARGET = 0.25  # of the baseline's rows/s
LAG_P99_TARGET_MS = 50.0
QUERY_P95_TARGET_MS = 20.0

PER_SAVE = 100  # events per save when recording
PER_ROUND = 10  # events of one case per round (cases interleave in the log)


def log(message: str) -> None:
    print(f"  [{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def verdict(met: bool) -> str:
    return "met" if met else "NOT met"


# ---------------------------------------------------------------------- databases
@contextmanager
def opened(settings: Settings) -> Iterator[tuple[MendStore, Any]]:
    store = MendStore(env=settings.store_env())
    view = build_casebook(settings)
    try:
        yield store, view
    finally:
        view.datastore.close()
        store.close()


# ---------------------------------------------------------------------- recording histories
@dataclass
class Practice:
    tenant: Tenant
    owner: UUID
    supervisor: UUID
    practitioners: list[UUID]


@dataclass
class CaseLife:
    """One case being written: its aggregate and where its history stands."""

    case: Case
    tenant_id: UUID
    practitioner: UUID
    clients: list[UUID]
    planned: int  # events after the opening
    done: int = 0
    open_flags: list[UUID] = field(default_factory=list)
    boundaries: list[UUID] = field(default_factory=list)


@dataclass
class Population:
    practices: list[Practice]
    cases: list[CaseLife]
    events: int  # notifications written


NOTES = (
    "We talked after dinner; it was calmer than last week.",
    "Hard conversation about the messages. Both stayed in the room.",
    "Short check-in, tired, but we kept the promise to talk.",
    "The transparency hour went well; a few old questions came back.",
    "",
    "",
)


def _account(email: str, name: str, tenant: Tenant, role: str, now: datetime) -> Account:
    """An account invited to the tenant under `role` and accepted, as Membership would."""
    account = Account.register(email=email, name=name, password_hash=None)
    with acting(account.id, tenant.id):
        token_hash = uuid.uuid4().hex
        tenant.invite(account_id=account.id, email=email, role=role, token_hash=token_hash,
                      expires_at=now + timedelta(days=7))
        tenant.accept_invitation(account.id, token_hash, now)
        account.join(tenant.id)
    return account


def _pending(*aggregates: Any) -> int:
    return sum(len(a.pending_events) for a in aggregates)


def populate(
    store: MendStore,
    *,
    cases: int,
    tenants: int,
    practitioners: int,
    clients_per_case: int,
    total_events: int | None = None,
    events_of: Callable[[int], int] | None = None,
    seed: int = 7,
    span_days: int = 360,
) -> Population:
    """Write tenants, staff, clients and cases, then the cases' histories round robin.

    With ``total_events`` the histories share what the opening left of that budget evenly,
    so the log holds exactly that many events; otherwise case i gets ``events_of(i)``.
    """
    rng = random.Random(seed)
    now = datetime.now(timezone.utc)
    start = now - timedelta(days=span_days)
    written = 0

    # Tenants and their staff.
    practices = []
    for t in range(tenants):
        owner = Account.register(email=f"owner{t}@bench.example", name=f"Owner {t}",
                                 password_hash=None)
        tenant = Tenant.register(name=f"Practice {t}", slug=f"practice-{t}", kind="practice")
        with acting(owner.id, tenant.id):
            tenant.add_founding_owner(owner.id)
            owner.join(tenant.id)
        staff = [_account(f"sup{t}@bench.example", f"Supervisor {t}", tenant, "supervisor", now)]
        staff += [_account(f"p{t}-{p}@bench.example", f"Practitioner {t}.{p}", tenant,
                           "practitioner", now) for p in range(practitioners)]
        written += _pending(tenant, owner, *staff)
        store.save(tenant, owner, *staff)
        practices.append(Practice(tenant, owner.id, staff[0].id, [a.id for a in staff[1:]]))

    # Cases open over the first sixth of the span, each with its clients and practitioner.
    lives: list[CaseLife] = []
    group: list[Any] = []
    open_window = span_days / 6
    for i in range(cases):
        practice = practices[i % tenants]
        tenant = practice.tenant
        practitioner = practice.practitioners[(i // tenants) % practitioners]
        clients = [_account(f"c{i}-{k}@bench.example", f"Client {i}.{k}", tenant, "client", now)
                   for k in range(clients_per_case)]
        opened_at = start + timedelta(days=open_window * i / max(cases, 1))
        kind = ("couple", "family", "friendship")[i % 3]
        with acting(practitioner, tenant.id):
            case = Case.open(
                tenant=tenant.id, kind=kind, title=f"Case {i}",
                approach=v.APPROACHES[i % len(v.APPROACHES)],
                breach_category=v.BREACH_CATEGORIES[i % len(v.BREACH_CATEGORIES)],
                breach_summary="What happened, as the clients told it at intake.",
                occurred_at=opened_at,
            )
            case.assign_practitioner(practitioner, occurred_at=opened_at)
            for k, client in enumerate(clients):
                case.add_participant(client.id, ("partner", "parent", "friend")[k % 3],
                                     occurred_at=opened_at)
        lives.append(CaseLife(case, tenant.id, practitioner, [c.id for c in clients], 0))
        group += [case, *clients]
        if _pending(*group, *{p.tenant.id: p.tenant for p in practices}.values()) >= PER_SAVE:
            written += _save_group(store, group, practices)
            group = []
    if group:
        written += _save_group(store, group, practices)

    # The histories: how many events each case gets.
    if total_events is not None:
        budget = max(0, total_events - written)
        base, extra = divmod(budget, max(cases, 1))
        for i, life in enumerate(lives):
            life.planned = base + (1 if i < extra else 0)
    else:
        assert events_of is not None
        for i, life in enumerate(lives):
            life.planned = events_of(i)
    planned = sum(life.planned for life in lives)
    log(f"opened {cases} cases in {tenants} tenant(s) ({written} events); "
        f"writing {planned} more")

    # Round robin: ten events of each case, ten cases a save, until every history is written.
    active = [life for life in lives if life.planned]
    reported = 0
    while active:
        per_round = max(PER_ROUND, PER_SAVE // len(active))
        batch: list[Case] = []
        pending = 0
        for life in active:
            for _ in range(min(per_round, life.planned - life.done)):
                _next_event(life, rng, now)
            batch.append(life.case)
            pending += len(life.case.pending_events)
            if pending >= PER_SAVE:
                store.save(*batch)
                written += pending
                batch, pending = [], 0
        if batch:
            store.save(*batch)
            written += pending
        active = [life for life in active if life.done < life.planned]
        if written - reported >= 100_000:
            reported = written
            log(f"recorded {written} events")
    return Population(practices, lives, written)


def _save_group(store: MendStore, group: list[Any], practices: list[Practice]) -> int:
    tenants = [p.tenant for p in practices if p.tenant.pending_events]
    count = _pending(*group, *tenants)
    store.save(*tenants, *group)
    return count


def _next_event(life: CaseLife, rng: random.Random, now: datetime) -> None:
    """Trigger the case's next event: check-ins mostly, some of everything else."""
    case = life.case
    life.done += 1
    progress = life.done / (life.planned + 1)
    # Spread the history from the opening to an hour ago, in order.
    occurred_at = case.opened_at + (now - timedelta(hours=1) - case.opened_at) * progress
    staff, tenant = life.practitioner, life.tenant_id
    stages = v.STAGES
    if v.STAGES.index(case.stage) < min(3, int(progress * 4)):
        with acting(staff, tenant):
            case.advance_stage(stages[stages.index(case.stage) + 1], reason="Ready for it.",
                               occurred_at=occurred_at)
        return
    roll = rng.random()
    client = rng.choice(life.clients) if life.clients else None
    if roll < 0.64 or client is None and roll < 0.74:
        trust = max(0, min(10, round(3 + 5 * progress + rng.gauss(0, 1.5))))
        with acting(client or staff, tenant):
            case.record_check_in(
                participant_id=client, trust=trust,
                emotional_safety=max(0, min(10, trust + rng.randint(-2, 2))),
                communication_ease=max(0, min(10, trust + rng.randint(-2, 2))),
                conflicts=rng.choice((0, 0, 0, 1, 1, 2, 3)), note=rng.choice(NOTES),
                occurred_at=occurred_at,
            )
    elif roll < 0.74:
        with acting(client, tenant):
            case.write_journal(text="Wrote down what I could not say in the session. " * 3,
                               visibility=rng.choice(v.JOURNAL_VISIBILITIES),
                               occurred_at=occurred_at)
    elif roll < 0.82 and v.RITUALS_BY_KIND[case.kind]:
        with acting(staff, tenant):
            case.practice_ritual(rng.choice(v.RITUALS_BY_KIND[case.kind]),
                                 note="Done together this week.", occurred_at=occurred_at)
    elif roll < 0.90:
        with acting(staff, tenant):
            case.note_session("Session: worked on the timeline of the breach; homework given. "
                              * 2, occurred_at=occurred_at)
    elif roll < 0.94:
        with acting(staff, tenant):
            case.record_setback(rng.randint(1, 3), "An old argument came back.",
                                occurred_at=occurred_at)
    elif roll < 0.96:
        with acting(staff, tenant):
            case.make_agreement("Phones stay on the kitchen table after 9pm.",
                                occurred_at=occurred_at)
    elif roll < 0.97:
        with acting(staff, tenant):
            life.boundaries.append(case.set_boundary("No contact with the third person.",
                                                     occurred_at=occurred_at))
    elif roll < 0.98:
        with acting(staff, tenant):
            case.reach_milestone("First honest month", occurred_at=occurred_at)
    elif life.open_flags:
        with acting(staff, tenant):
            case.resolve_red_flag(life.open_flags.pop(), note="Addressed in session.",
                                  occurred_at=occurred_at)
    else:
        with acting(staff, tenant):
            life.open_flags.append(case.raise_red_flag(
                rng.choice(v.RED_FLAGS), note="Noticed in session.", occurred_at=occurred_at))


# ---------------------------------------------------------------------- statistics
def percentile(samples: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def timed_calls(run: Callable[[], Any], repeat: int, warmup: int = 20) -> list[float]:
    for _ in range(warmup):
        run()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


# ---------------------------------------------------------------------- 1. catch-up
def phase_catchup(args: argparse.Namespace) -> bool:
    print(f"\n== 1. catch-up: {args.events} events, {args.cases} cases ==")
    with fresh_database("catchup") as settings, opened(settings) as (store, view):
        started = time.perf_counter()
        population = populate(store, cases=args.cases, tenants=max(1, args.cases // 200),
                              practitioners=10, clients_per_case=2, total_events=args.events)
        recording = time.perf_counter() - started
        events = store.recorder.max_notification_id() or 0
        print(f"recorded {events} events ({population.events} counted) in {recording:.1f} s "
              f"({events / recording:.0f} events/s, ~{PER_SAVE} events per save)")

        catch_up, refresh, refreshed = timed_catch_up(store, view)
        projecting = catch_up - refresh
        rate = events / catch_up
        timeline_rows = count(view, f"{names(1)}timeline")
        print(f"catch-up, all read models:   {catch_up:8.1f} s  {rate:8.0f} events/s")
        print(f"  of which events -> views:  {projecting:8.1f} s  {events / projecting:8.0f}"
              f" events/s")
        print(f"  of which metrics refresh:  {refresh:8.1f} s  {refreshed:8d} cases"
              f" ({refreshed / refresh if refresh else 0:.0f} cases/s)")
        print(f"  rows written: {timeline_rows} timeline, "
              f"{count(view, names(1) + 'activity')} activity, "
              f"{count(view, names(1) + 'cases')} cases, "
              f"{count(view, names(1) + 'case_people')} people, "
              f"{count(view, names(1) + 'accounts')} accounts")

        seconds = baseline_insert(settings, f"{names(1)}timeline", events)
        baseline = events / seconds
        print(f"baseline executemany, 1,000 rows per transaction into a table LIKE the "
              f"timeline: {events} rows in {seconds:.1f} s  {baseline:.0f} rows/s")
        ratio = rate / baseline
        met = ratio >= CATCHUP_TARGET
        print(f"RESULT catch-up / baseline = {ratio:.0%} (target >= {CATCHUP_TARGET:.0%}: "
              f"{verdict(met)}); events -> views only: {events / projecting / baseline:.0%}")
        return met


def timed_catch_up(store: MendStore, view: Any) -> tuple[float, float, int]:
    """runner.catch_up(), timing the metrics refresh it ends with on its own."""
    refreshes: list[tuple[float, int]] = []
    original = runner_module.refresh_stale_metrics

    def timed_refresh(*a: Any, **kw: Any) -> int:
        started = time.perf_counter()
        refreshed = original(*a, **kw)
        refreshes.append((time.perf_counter() - started, refreshed))
        return refreshed

    runner_module.refresh_stale_metrics = timed_refresh
    try:
        runner = ProjectionRunner(store, view)
        started = time.perf_counter()
        runner.catch_up()
        total = time.perf_counter() - started
    finally:
        runner_module.refresh_stale_metrics = original
    return total, sum(s for s, _ in refreshes), sum(n for _, n in refreshes)


def count(view: Any, table: str) -> int:
    return view._rows(f"SELECT count(*) AS n FROM {table}", {})[0]["n"]


def baseline_insert(settings: Settings, like: str, rows: int) -> float:
    """Seconds to insert `rows` timeline rows with executemany, 1,000 rows per transaction."""
    with connect(settings.database_url) as source, connect(settings.database_url) as target:
        target.execute(f"CREATE TABLE bench_baseline (LIKE {like} INCLUDING ALL)")
        target.commit()
        columns = len(source.execute(f"SELECT * FROM {like} LIMIT 0").description)
        insert = f"INSERT INTO bench_baseline VALUES ({', '.join(['%s'] * columns)})"
        inserted, spent, copy = 0, 0.0, 0
        while inserted < rows:
            with source.cursor(name=f"rows{copy}") as rows_of:
                rows_of.execute(f"SELECT * FROM {like}")
                while inserted < rows:
                    chunk = rows_of.fetchmany(min(1000, rows - inserted))
                    if not chunk:
                        break
                    if copy:  # the table is smaller than the log: insert it again, new keys
                        chunk = [(f"{r[0]}/{copy}", *r[1:]) for r in chunk]
                    started = time.perf_counter()
                    with target.cursor() as curs:
                        curs.executemany(insert, chunk)
                    target.commit()
                    spent += time.perf_counter() - started
                    inserted += len(chunk)
            source.commit()
            copy += 1
        return spent


# ---------------------------------------------------------------------- 2. lag
def phase_lag(args: argparse.Namespace) -> bool:
    modes = ("process", "thread") if args.lag_runner == "both" else (args.lag_runner,)
    print(f"\n== 2. save -> visible lag: {args.lag_saves} saves, one check-in each ==")
    all_met = True
    for mode in modes:
        with fresh_database("lag") as settings, opened(settings) as (store, view):
            population = populate(store, cases=50, tenants=1, practitioners=5,
                                  clients_per_case=2, total_events=5_000)
            samples = measure_lag(settings, store, view, population, args.lag_saves, mode)
        p50, p99 = percentile(samples, 50), percentile(samples, 99)
        met = p99 < LAG_P99_TARGET_MS
        all_met &= met
        print(f"RESULT lag, runner in a {mode:<7}: p50 {p50:6.1f} ms  p99 {p99:6.1f} ms  "
              f"max {max(samples):6.1f} ms  (target p99 < {LAG_P99_TARGET_MS:.0f} ms: "
              f"{verdict(met)})")
    return all_met


def measure_lag(settings: Settings, store: MendStore, view: Any, population: Population,
                saves: int, mode: str) -> list[float]:
    casework = Casework(store)
    practice = population.practices[0]
    owner = Actor(practice.owner, practice.tenant.id, "owner")
    child: subprocess.Popen | None = None
    runner: ProjectionRunner | None = None
    if mode == "process":
        child = subprocess.Popen(
            [sys.executable, __file__, "--serve-runner", settings.database_url],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        assert child.stdout is not None
        if child.stdout.readline().strip() != "ready":
            raise RuntimeError("the runner subprocess did not start")
    else:
        runner = ProjectionRunner(store, view)
        runner.start()
    try:
        head = store.recorder.max_notification_id() or 0
        deadline = time.monotonic() + 300
        while not view.caught_up_with(head):
            if time.monotonic() > deadline:
                raise TimeoutError("the runner did not catch up")
            time.sleep(0.05)
        time.sleep(1.0)  # let the first metrics refresh finish
        rng = random.Random(11)
        samples = []
        for i in range(saves + 20):
            life = population.cases[i % len(population.cases)]
            saved = casework.record(owner, life.case.id, cmd.RecordCheckIn(
                participant_id=rng.choice(life.clients),
                trust=rng.randint(0, 10), emotional_safety=rng.randint(0, 10),
                communication_ease=rng.randint(0, 10), conflicts=rng.randint(0, 3),
                note="How the week went.",
            ))
            started = time.perf_counter()
            while not view.caught_up_with(saved.notification_id):
                pass
            if i >= 20:  # warm-up
                samples.append((time.perf_counter() - started) * 1000)
        return samples
    finally:
        if runner is not None:
            stop_runner(runner)
        if child is not None:
            assert child.stdin is not None
            child.stdin.close()
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def stop_runner(runner: ProjectionRunner) -> None:
    """Stop a runner and wait for its LISTEN thread too (it wakes every 0.5 s), so the
    database can be dropped under it without a "connection lost" warning."""
    runner.stop()
    for thread in threading.enumerate():
        if thread.name == "projections-listen":
            thread.join(timeout=5)


def serve_runner(database_url: str) -> None:
    """The runner subprocess of the lag phase: follow the store until stdin closes."""
    settings = Settings(database_url=database_url)
    with opened(settings) as (store, view):
        runner = ProjectionRunner(store, view)
        runner.start()
        print("ready", flush=True)
        sys.stdin.read()
        stop_runner(runner)


# ---------------------------------------------------------------------- 3. queries
def phase_queries(args: argparse.Namespace) -> bool:
    practitioners = max(1, args.query_cases // args.query_caseload)
    print(
        f"\n== 3. queries: a tenant of {args.query_cases} cases, {practitioners} "
        f"practitioners of {args.query_caseload} cases, one case of "
        f"{args.query_case_events} events =="
    )
    with fresh_database("queries") as settings, opened(settings) as (store, view):
        population = populate(
            store,
            cases=args.query_cases,
            tenants=1,
            practitioners=practitioners,
            clients_per_case=1,
            events_of=lambda i: args.query_case_events - 4 if i == 0 else 3,
        )
        started = time.perf_counter()
        ProjectionRunner(store, view).catch_up()
        log(f"caught up {population.events} events in {time.perf_counter() - started:.1f} s")
        with connect(settings.database_url, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")

        big = population.cases[0]
        practice = population.practices[0]
        tenant_id = practice.tenant.id
        practitioner = big.practitioner
        as_practitioner = Actor(practitioner, tenant_id, "practitioner")
        as_supervisor = Actor(practice.supervisor, tenant_id, "supervisor")
        case_id = big.case.id

        entries = count_timeline(view, as_practitioner, case_id)
        deep = view.timeline(as_practitioner, case_id, limit=entries // 2)[-1].cursor
        last = view.timeline(as_practitioner, case_id, limit=entries - 100)[-1].cursor
        caseload = view.cases(as_practitioner, practitioner=practitioner, limit=1000)
        assert len(caseload) == args.query_caseload, len(caseload)
        assert len(view.timeline(as_practitioner, case_id, after=deep)) == 100

        # (label, query, held to the target?) -- the API pages caseloads by 50, at most 200.
        queries: list[tuple[str, Callable[[], Any], bool]] = [
            (
                f"timeline, first page of 100 ({entries} visible entries)",
                lambda: view.timeline(as_practitioner, case_id, limit=100),
                True,
            ),
            (
                f"timeline, page of 100 after entry {entries // 2} (cursor)",
                lambda: view.timeline(as_practitioner, case_id, after=deep, limit=100),
                True,
            ),
            (
                f"timeline, last page (after entry {entries - 100}, cursor)",
                lambda: view.timeline(as_practitioner, case_id, after=last, limit=100),
                True,
            ),
            (
                "caseload, practitioner's own, limit 50 (API default)",
                lambda: view.cases(as_practitioner, practitioner=practitioner, limit=50),
                True,
            ),
            (
                "caseload, practitioner's own, limit 100",
                lambda: view.cases(as_practitioner, practitioner=practitioner, limit=100),
                True,
            ),
            (
                "caseload, supervisor with practitioner=, limit 100",
                lambda: view.cases(as_supervisor, practitioner=practitioner, limit=100),
                True,
            ),
            (
                "caseload, supervisor with practitioner=, limit 200 (API max)",
                lambda: view.cases(as_supervisor, practitioner=practitioner, limit=200),
                True,
            ),
            (
                f"caseload, all {args.query_caseload} in one page (beyond the API's 200)",
                lambda: view.cases(
                    as_practitioner, practitioner=practitioner, limit=args.query_caseload
                ),
                False,
            ),
        ]
        all_met = True
        for label, run, targeted in queries:
            samples = timed_calls(run, args.query_repeat)
            p50, p95 = percentile(samples, 50), percentile(samples, 95)
            met = p95 < QUERY_P95_TARGET_MS
            if targeted:
                all_met &= met
                judged = f"target p95 < {QUERY_P95_TARGET_MS:.0f} ms: {verdict(met)}"
            else:
                judged = "for information, not a page the API serves"
            print(f"RESULT {label:<62} p50 {p50:6.2f} ms  p95 {p95:6.2f} ms  ({judged})")
        return all_met


def count_timeline(view: Any, viewer: Actor, case_id: UUID) -> int:
    entries, after = 0, None
    while True:
        page = view.timeline(viewer, case_id, after=after, limit=1000)
        entries += len(page)
        if len(page) < 1000:
            return entries
        after = page[-1].cursor


# ---------------------------------------------------------------------- 4. rebuild
def phase_rebuild(args: argparse.Namespace) -> bool | None:
    print(f"\n== 4. rebuild: {args.rebuild_events} events, {args.rebuild_cases} cases ==")
    with fresh_database("rebuild") as settings, opened(settings) as (store, view):
        started = time.perf_counter()
        populate(
            store,
            cases=args.rebuild_cases,
            tenants=max(1, args.rebuild_cases // 200),
            practitioners=10,
            clients_per_case=2,
            total_events=args.rebuild_events,
        )
        recording = time.perf_counter() - started
        events = store.recorder.max_notification_id() or 0
        print(f"recorded {events} events in {recording:.1f} s ({events / recording:.0f}/s)")
        catch_up, refresh, refreshed = timed_catch_up(store, view)
        print(
            f"live generation caught up first: {catch_up:.1f} s ({events / catch_up:.0f} "
            f"events/s; metrics refresh of {refreshed} cases {refresh:.1f} s)"
        )
        started = time.perf_counter()
        generation = rebuild(store, view, grace_seconds=0)
        seconds = time.perf_counter() - started
        assert generation == 2 and view.position() == events
        print(
            f"RESULT rebuild into generation {generation}: {seconds:.1f} s  "
            f"{events / seconds:.0f} events/s (no target set)"
        )
        return None


# ---------------------------------------------------------------------- main
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--cases", type=int, default=2_000)
    parser.add_argument("--lag-saves", type=int, default=1_000)
    parser.add_argument("--lag-runner", choices=("process", "thread", "both"), default="both")
    parser.add_argument("--query-cases", type=int, default=10_000)
    parser.add_argument("--query-caseload", type=int, default=500)
    parser.add_argument("--query-case-events", type=int, default=10_000)
    parser.add_argument("--query-repeat", type=int, default=200)
    parser.add_argument("--rebuild-events", type=int, default=1_000_000)
    parser.add_argument("--rebuild-cases", type=int, default=10_000)
    parser.add_argument(
        "--only", default=",".join(PHASES), help="comma-separated phases: " + ",".join(PHASES)
    )
    parser.add_argument("--serve-runner", metavar="DATABASE_URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_runner:
        serve_runner(args.serve_runner)
        return 0
    only = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = set(only) - set(PHASES)
    if unknown:
        parser.error(f"unknown phase(s): {', '.join(sorted(unknown))}")

    print(
        f"PostgreSQL at {ADMIN_URL.rsplit('@', 1)[-1]}; phases: {', '.join(only)}; "
        f"{os.cpu_count()} CPUs; Python {sys.version.split()[0]}"
    )
    runs = {
        "catchup": phase_catchup,
        "lag": phase_lag,
        "queries": phase_queries,
        "rebuild": phase_rebuild,
    }
    results = {phase: runs[phase](args) for phase in PHASES if phase in only}
    print(
        "\nsummary: "
        + ", ".join(
            f"{p} {'reported (no target)' if m is None else verdict(m)}" for p, m in results.items()
        )
    )
    return 0 if all(m is not False for m in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())

"""How fast the application service appends check-ins, next to a bare `eventsourcing` app.

    python benchmarks/append.py [--events 2000] [--cases 4] [--stores sqlite,postgres] [--rounds 10]

For each store (PostgreSQL in a fresh database created and dropped here, from the admin URL
in MEND_BENCH_POSTGRES, default postgresql://postgres@127.0.0.1:5432/test; SQLite in a
temporary file) it times N check-ins recorded:

* service: ``Casework.record_check_in`` by a client on one of a few cases, round robin;
  each command loads the case, checks access and the rules, triggers one event and saves
  (one save per command, as a request would);
* bare load+save: a bare ``eventsourcing`` Application with a minimal aggregate that has one
  ``@event`` method taking the same fields; each command gets the aggregate from the
  repository, triggers the event and saves -- the same loads and saves per command;
* bare save-only (for reference): the same, keeping the aggregate in memory between commands,
  which no stateless web process can do.

Both applications use the same persistence settings (Settings.store_env(): same pool, same
SQLite lock timeout, the library's default durability) and the same snapshot interval (100),
so the loads replay the same number of events. Each variant writes into its own fresh
database or file. The target: service >= 70 % of bare load+save, on each store.

Then Mend's store beside a plain one, on each store kind, in the same run:

* "Mend's store" is whatever ``Settings.store_env()`` configures (the chained recorder, which
  writes a link of the history chain with every event, and the mapper that seals personal
  data); "plain" is the same environment without ``APPLICATION_RECORDER_TOPIC`` and
  ``MAPPER_TOPIC``: the library's own recorder and mapper; "recorder only" is Mend's store
  without ``MAPPER_TOPIC`` (the chain's share of the cost, apart from the mapper's);
* save: a check-in triggered on a case kept in memory and saved (``MendStore.save``), the
  cost of a save alone; service: ``Casework.record`` of the same, as a request runs it;
* the stores are open at once, each on its own fresh database or file, and timed in
  --rounds rounds, each side first in turn, so drift in the machine's speed falls on all;
  a ratio is the median of the rounds'. The target: Mend's save >= 80 % of plain's rate.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.databases import fresh_database  # noqa: E402
from mend.domain import commands as cmd  # noqa: E402
from mend.domain.acting import acting  # noqa: E402
from mend.domain.case import Case  # noqa: E402
from mend.domain.authorization import Actor  # noqa: E402
from mend.domain.casework import Casework  # noqa: E402
from mend.domain.membership import Membership  # noqa: E402
from mend.domain.store import MendStore  # noqa: E402

TARGET = 0.70
CHAINED_TARGET = 0.80
WARMUP = 50
SNAPSHOT_INTERVAL = MendStore.snapshotting_intervals[next(iter(MendStore.snapshotting_intervals))]


# ---------------------------------------------------------------------- the bare application
class CheckIns(Aggregate):
    """The least an aggregate can be that records the same check-in fields."""

    def __init__(self) -> None:
        self.count = 0

    @event("CheckInRecorded")
    def record(
        self,
        participant_id: UUID | None,
        trust: int,
        emotional_safety: int,
        communication_ease: int,
        conflicts: int,
        note: str,
        occurred_at: datetime,
    ) -> None:
        self.count += 1


class Bare(Application[UUID]):
    name = "Bare"
    snapshotting_intervals = {CheckIns: SNAPSHOT_INTERVAL}


# ---------------------------------------------------------------------- stores
def check_in_fields(i: int) -> dict[str, Any]:
    return {
        "trust": i % 11,
        "emotional_safety": (i + 3) % 11,
        "communication_ease": (i + 7) % 11,
        "conflicts": i % 4,
        "note": f"Check-in number {i}: we talked after dinner and it went better.",
    }


def timed(commands: int, run: Callable[[int], Any]) -> float:
    for i in range(WARMUP):
        run(i)
    started = time.perf_counter()
    for i in range(WARMUP, WARMUP + commands):
        run(i)
    return time.perf_counter() - started


# ---------------------------------------------------------------------- the three variants
def bench_service(kind: str, events: int, cases: int) -> float:
    with fresh_database("append", kind) as settings:
        store = MendStore(env=settings.store_env())
        try:
            membership, casework = Membership(store), Casework(store)
            tenant_id, owner_id = membership.sign_up(
                name="Bench Practice", slug="bench", kind="practice",
                owner_email="owner@bench.example", owner_password="bench-owner-password",
                owner_name="Owner",
            ).result
            owner = Actor(owner_id, tenant_id, "owner")
            invitation = membership.invite(
                owner, email="client@bench.example", name="Client", role="client"
            ).result
            membership.accept_invitation(invitation.token, "bench-client-password")
            client = Actor(invitation.account_id, tenant_id, "client")
            case_ids = []
            for n in range(cases):
                case_id = casework.open_case(
                    owner, kind="couple", title=f"Bench case {n}", approach="self_guided",
                    breach_category="dishonesty", breach_summary="For the benchmark.",
                ).result
                casework.record(owner, case_id, cmd.AddParticipant(
                    account_id=client.account_id, relation="partner"))
                case_ids.append(case_id)

            def command(i: int) -> None:
                casework.record(
                    client, case_ids[i % cases], cmd.RecordCheckIn(**check_in_fields(i))
                )

            return timed(events, command)
        finally:
            store.close()


def bench_bare(kind: str, events: int, cases: int, *, load: bool) -> float:
    with fresh_database("append", kind) as settings:
        app = Bare(env=settings.store_env())
        try:
            participant = uuid.uuid4()
            aggregates = [CheckIns() for _ in range(cases)]
            app.save(*aggregates)

            def command(i: int) -> None:
                aggregate = aggregates[i % cases]
                if load:
                    aggregate = app.repository.get(aggregate.id)
                aggregate.record(
                    participant_id=participant,
                    occurred_at=datetime.now(timezone.utc),
                    **check_in_fields(i),
                )
                app.save(aggregate)

            return timed(events, command)
        finally:
            app.close()


# ---------------------------------------------------------------------- Mend's store, plain
def plain_env(env: dict[str, str]) -> dict[str, str]:
    """The same store without Mend's recorder and mapper: the library's own."""
    mends_own = ("APPLICATION_RECORDER_TOPIC", "MAPPER_TOPIC")
    return {k: v for k, v in env.items() if k not in mends_own}


class Writer:
    """A practice on a store with a client on a few cases, saving check-ins one at a time."""

    def __init__(self, env: dict[str, str], cases: int):
        self.store = MendStore(env=env)
        membership, self.casework = Membership(self.store), Casework(self.store)
        self.tenant_id, owner_id = membership.sign_up(
            name="Bench Practice", slug="bench", kind="practice",
            owner_email="owner@bench.example", owner_password="bench-owner-password",
            owner_name="Owner").result
        owner = Actor(owner_id, self.tenant_id, "owner")
        invitation = membership.invite(owner, email="client@bench.example", name="Client",
                                       role="client").result
        membership.accept_invitation(invitation.token, "bench-client-password")
        self.client = Actor(invitation.account_id, self.tenant_id, "client")
        self.case_ids = []
        for n in range(cases):
            case_id = self.casework.open_case(
                owner, kind="couple", title=f"Bench case {n}", approach="self_guided",
                breach_category="dishonesty", breach_summary="For the benchmark.").result
            self.casework.record(owner, case_id, cmd.AddParticipant(
                account_id=self.client.account_id, relation="partner"))
            self.case_ids.append(case_id)
        self.cases = [self.store.get(case_id, Case) for case_id in self.case_ids]
        self.done = 0

    def save(self, i: int) -> None:
        case = self.cases[i % len(self.cases)]
        with acting(self.client.account_id, self.tenant_id):
            case.record_check_in(participant_id=None, **check_in_fields(i))
        self.store.save(case)

    def service(self, i: int) -> None:
        self.casework.record(self.client, self.case_ids[i % len(self.case_ids)],
                             cmd.RecordCheckIn(**check_in_fields(i)))

    def timed(self, run: Callable[[int], Any], count: int) -> float:
        started = time.perf_counter()
        for i in range(self.done, self.done + count):
            run(i)
        self.done += count
        return time.perf_counter() - started


def bench_mend_beside_plain(kind: str, events: int, cases: int, rounds: int
                            ) -> tuple[str, dict[str, dict[str, tuple[float, list[float]]]]]:
    """What Mend's store configures, and per variant, per side: (seconds, each round's rate
    as a fraction of plain's in that round)."""
    with ExitStack() as stack:
        envs = [stack.enter_context(fresh_database("append", kind)).store_env()
                for _ in SIDES]
        mends = envs[0]
        configured = ", ".join(
            f"{key.split('_')[0].lower()} {mends.get(key, 'default').rpartition(':')[2]}"
            for key in ("APPLICATION_RECORDER_TOPIC", "MAPPER_TOPIC"))
        writers = [Writer(SIDES[side](env), cases) for side, env in zip(SIDES, envs)]
        stack.callback(lambda: [writer.store.close() for writer in writers])
        results: dict[str, dict[str, tuple[float, list[float]]]] = {}
        for variant in ("save", "service"):
            for writer in writers:
                writer.timed(getattr(writer, variant), WARMUP)
            seconds = {side: [] for side in SIDES}
            for n in range(rounds):
                turn = n % len(writers)  # each side goes first in turn
                for writer, side in (list(zip(writers, SIDES)) * 2)[turn:turn + len(writers)]:
                    seconds[side].append(writer.timed(getattr(writer, variant), events // rounds))
            results[variant] = {side: (sum(seconds[side]), [p / s for p, s in zip(
                seconds["plain"], seconds[side])]) for side in SIDES}
        return configured, results


#: Each side of the comparison, from Settings.store_env() of its own database.
SIDES: dict[str, Callable[[dict[str, str]], dict[str, str]]] = {
    "Mend's store": lambda env: env,
    "recorder only": lambda env: {k: v for k, v in env.items() if k != "MAPPER_TOPIC"},
    "plain": plain_env,
}


def report_mend_beside_plain(kind: str, events: int, cases: int, rounds: int) -> bool:
    configured, per_variant = bench_mend_beside_plain(kind, events, cases, rounds)
    print(f"{kind:<9} Mend's store: {configured}")
    met = True
    count = events // rounds * rounds
    for variant, sides in per_variant.items():
        for side, (seconds, _) in sides.items():
            print(f"{kind:<9} {variant + ', ' + side:<40} {seconds:>8.2f} {count / seconds:>9.0f}")
        for side in ("Mend's store", "recorder only"):
            ratios = sides[side][1]
            ratio = statistics.median(ratios)
            verdict = ""
            if variant == "save" and side == "Mend's store":
                met = ratio >= CHAINED_TARGET
                verdict = f"; target >= {CHAINED_TARGET:.0%}: {'met' if met else 'NOT met'}"
            print(f"{kind:<9} {variant}: {side} / plain = {ratio:.0%} (median of {rounds}"
                  f" rounds, {min(ratios):.0%}-{max(ratios):.0%}{verdict})")
    return met


# ---------------------------------------------------------------------- report
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=2000, help="check-ins per variant")
    parser.add_argument("--cases", type=int, default=4, help="cases written round robin")
    parser.add_argument("--stores", default="postgres,sqlite", help="postgres,sqlite")
    parser.add_argument("--rounds", type=int, default=10,
                        help="alternating rounds of Mend's store beside plain")
    args = parser.parse_args()

    print(
        f"{args.events} check-ins per variant (after {WARMUP} warm-up), one save per command, "
        f"{args.cases} case(s) round robin, snapshots every {SNAPSHOT_INTERVAL} events"
    )
    print(f"{'store':<9} {'variant':<40} {'seconds':>8} {'events/s':>9}")
    all_met = True
    service_label = "service (Casework.record_check_in)"
    bare_label = "bare load+save (repository.get, save)"
    memory_label = "bare save-only (in memory, reference)"
    for kind in args.stores.split(","):
        runs: dict[str, Callable[[], float]] = {
            service_label: lambda: bench_service(kind, args.events, args.cases),
            bare_label: lambda: bench_bare(kind, args.events, args.cases, load=True),
            memory_label: lambda: bench_bare(kind, args.events, args.cases, load=False),
        }
        rates = {}
        for label, run in runs.items():
            seconds = run()
            rates[label] = args.events / seconds
            print(f"{kind:<9} {label:<40} {seconds:>8.2f} {rates[label]:>9.0f}")
        ratio = rates[service_label] / rates[bare_label]
        met = ratio >= TARGET
        all_met &= met
        print(
            f"{kind:<9} service / bare load+save = {ratio:.0%}  "
            f"(target >= {TARGET:.0%}: {'met' if met else 'NOT met'}); "
            f"service / bare save-only = {rates[service_label] / rates[memory_label]:.0%}"
        )
    print(f"\nMend's store (Settings.store_env()) beside plain (the same without"
          f" APPLICATION_RECORDER_TOPIC and MAPPER_TOPIC), {args.rounds} alternating rounds")
    print(f"{'store':<9} {'variant':<40} {'seconds':>8} {'events/s':>9}")
    for kind in args.stores.split(","):
        all_met &= report_mend_beside_plain(kind, args.events, args.cases, args.rounds)
    return 0 if all_met else 1



if __name__ == "__main__":
    sys.exit(main())

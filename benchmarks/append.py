"""How fast the application service appends check-ins, next to a bare `eventsourcing` app.

    python benchmarks/append.py [--events 2000] [--cases 4] [--stores sqlite,postgres]

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
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.databases import fresh_database  # noqa: E402
from mend.domain import commands as cmd  # noqa: E402
from mend.domain.authorization import Actor  # noqa: E402
from mend.domain.casework import Casework  # noqa: E402
from mend.domain.membership import Membership  # noqa: E402
from mend.domain.store import MendStore  # noqa: E402

TARGET = 0.70
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


# ---------------------------------------------------------------------- report
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=2000, help="check-ins per variant")
    parser.add_argument("--cases", type=int, default=4, help="cases written round robin")
    parser.add_argument("--stores", default="postgres,sqlite", help="postgres,sqlite")
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
    return 0 if all_met else 1


if __name__ == "__main__":
    sys.exit(main())

"""Many writers on one case at once: every check-in lands exactly once, none is refused.

Each command loads the case, decides, and saves the next version; writers that lose the race
for a version get a conflict and re-run on fresh state (MendStore.retrying).
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest

from mend.domain import commands as cmd
from mend.config import Settings
from mend.domain.casework import Casework
from mend.domain.case import Case
from mend.domain.store import MendStore

THREADS = 20
PER_THREAD = 10


@pytest.mark.parametrize("processes", [1, 2], ids=["one-store", "two-stores"])
def test_concurrent_check_ins_on_one_case_are_all_recorded(practice, settings: Settings, processes):
    """20 threads x 10 check-ins; with two stores, half the threads write through a second
    store on the same database, as a second web process would (no shared in-process locks)."""
    pat, client = practice.practitioner, practice.clients[0]
    stores = [practice.store] + [MendStore(env=settings.store_env()) for _ in range(processes - 1)]
    try:
        run_writers(practice, [Casework(s) for s in stores], pat, client)
    finally:
        for store in stores[1:]:
            store.close()


def run_writers(practice, services, pat, client) -> None:
    cw = services[0]
    case_id = cw.open_case(pat, kind="couple", title="Busy case", approach="self_guided",
                           breach_category="broken_promise", breach_summary="Again.").result
    cw.record(pat, case_id, cmd.AddParticipant(account_id=client.account_id))
    start_version = practice.store.get(case_id, Case).version

    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []
    saved_versions: list[int] = []

    def writer(n: int) -> None:
        try:
            start.wait()
            for i in range(PER_THREAD):
                actor = client if i % 2 else pat
                saved = services[n % len(services)].record(actor, case_id, cmd.RecordCheckIn(
                    participant_id=client.account_id, trust=i, emotional_safety=5,
                    communication_ease=5, conflicts=n % 3, note=f"writer {n} check-in {i}",
                ))
                saved_versions.append(saved.version)
        except BaseException as error:  # noqa: BLE001 - every escape is a failure
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a writer hung"
    assert errors == []

    total = THREADS * PER_THREAD
    case = practice.store.get(case_id, Case)
    assert case.check_ins == total
    assert case.version == start_version + total
    # Each command was told a distinct version, and the versions have no gaps.
    assert sorted(saved_versions) == list(range(start_version + 1, start_version + total + 1))

    events = list(practice.store.events.get(case_id))
    assert [e.originator_version for e in events] == list(range(1, case.version + 1))
    check_ins = [e for e in events if isinstance(e, Case.CheckInRecorded)]
    notes = Counter(e.note for e in check_ins)
    expected = {f"writer {n} check-in {i}" for n in range(THREADS) for i in range(PER_THREAD)}
    assert set(notes) == expected and set(notes.values()) == {1}, "a check-in was lost or doubled"

"""Cases of every kind survive the real stores: what is saved is exactly what is loaded back.

Each test runs on SQLite and on PostgreSQL (the ``settings`` fixture). Reloads go through a
second, freshly constructed store, so nothing can come from memory or a cache.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.application import project_aggregate

from mend.domain import commands as cmd
from mend.config import Settings
from mend.domain import vocabulary as v
from mend.domain.acting import acting
from mend.domain.case import Case
from mend.domain.errors import RuleBroken
from mend.domain.store import MendStore

KINDS = ("couple", "family", "friendship", "workplace")
RITUAL_OF = {"couple": "gratitude_note", "family": "family_dinner",
             "friendship": "letter"}  # a workplace's ritual is its program's renewal step


@pytest.fixture
def reopened(settings: Settings) -> Iterator[Callable[[], MendStore]]:
    """Opens further stores on the same database, closing them all afterwards."""
    opened: list[MendStore] = []

    def open_store() -> MendStore:
        opened.append(MendStore(env=settings.store_env()))
        return opened[-1]

    yield open_store
    for store in opened:
        store.close()


def state(aggregate: Any) -> dict[str, Any]:
    return {k: v for k, v in vars(aggregate).items() if k != "_pending_events"}


def assert_same_state(reloaded: Any, expected: Any) -> None:
    assert type(reloaded) is type(expected)
    got, want = state(reloaded), state(expected)
    assert sorted(got) == sorted(want)
    for field in want:
        assert got[field] == want[field], f"field {field!r} differs after reload"
        assert type(got[field]) is type(want[field]), f"field {field!r} changed type"


class History:
    """Runs case methods as a command would (one save each) and remembers what was saved."""

    def __init__(self, store: MendStore, actor_id: UUID, tenant_id: UUID):
        self.store, self.actor_id, self.tenant_id = store, actor_id, tenant_id
        self.events: list[Any] = []
        self.states: dict[int, Any] = {}  # version -> deep copy of the case after that save
        self.case: Case | None = None

    def open(self, **fields: Any) -> Case:
        with acting(self.actor_id, self.tenant_id):
            self.case = Case.open(tenant=self.tenant_id, **fields)
        self._save()
        return self.case

    def do(self, method: str, *args: Any, **kwargs: Any) -> Any:
        with acting(self.actor_id, self.tenant_id):
            result = getattr(self.case, method)(*args, **kwargs)
        self._save()
        return result

    def _save(self) -> None:
        self.events += list(self.case.pending_events)
        self.store.save_changes(self.case)
        self.states[self.case.version] = copy.deepcopy(self.case)


def days_ago(now: datetime, days: float) -> datetime:
    return now - timedelta(days=days)


def play_rich_history(history: History, kind: str) -> Case:
    """Every kind of fact a case can hold, in the order a real case might gather them."""
    now = datetime.now(timezone.utc)
    case = history.open(
        kind=kind, title=f"The {kind} case", approach="therapy_guided",
        breach_category="dishonesty", breach_summary="Hid the debts for two years.",
        cadence_days=7, occurred_at=days_ago(now, 60),
    )
    people = [uuid4() for _ in range(4 if kind == "family" else 3 if kind == "workplace" else 2)]
    for i, person in enumerate(people):
        history.do("add_participant", person, f"relation {i}", occurred_at=days_ago(now, 59))
    if kind == "family":
        history.do("remove_participant", people.pop(), occurred_at=days_ago(now, 58))
    practitioner, supervisor = uuid4(), uuid4()
    history.do("assign_practitioner", practitioner, occurred_at=days_ago(now, 59))
    history.do("assign_practitioner", supervisor, occurred_at=days_ago(now, 59))
    history.do("unassign_practitioner", supervisor, occurred_at=days_ago(now, 58))
    history.do("disclose_breach", "broken_promise", "Missed the agreed meetings.",
               occurred_at=days_ago(now, 57))
    history.do("assess_readiness", {"breach_accepted": True, "external_support": False},
               note="Ready to talk.", occurred_at=days_ago(now, 56))
    history.do("offer_apology", from_id=people[0], to_ids=people[1:], text="I am sorry.",
               names_harm=True, takes_responsibility=True, commits_to_change=False,
               occurred_at=days_ago(now, 55))
    kept = history.do("set_boundary", "No phones at dinner.", occurred_at=days_ago(now, 54))
    dropped = history.do("set_boundary", "Weekly budget review.", occurred_at=days_ago(now, 54))
    history.do("revise_boundary", kept, "No phones at dinner or in bed.",
               occurred_at=days_ago(now, 50))
    history.do("record_boundary_crossed", kept, note="Phone in bed.", occurred_at=days_ago(now, 45))
    history.do("retire_boundary", dropped, note="No longer needed.", occurred_at=days_ago(now, 40))
    history.do("make_agreement", "We talk every Sunday.", occurred_at=days_ago(now, 53))
    for day, (trust, person) in enumerate(zip((3, 4, 5, 6, 7), people * 3)):
        history.do("record_check_in", participant_id=person, trust=trust, emotional_safety=trust,
                   communication_ease=10 - trust, conflicts=day % 3, note=f"check-in {day}",
                   occurred_at=days_ago(now, 50 - 5 * day))
    history.do("record_check_in", participant_id=None, trust=5, emotional_safety=5,
               communication_ease=5, conflicts=0, occurred_at=days_ago(now, 20))
    history.do("remind_check_in", now=now)
    history.do("record_setback", 2, "A relapse into secrecy.", occurred_at=days_ago(now, 30))
    if kind in RITUAL_OF:
        history.do("practice_ritual", RITUAL_OF[kind], note="It helped.",
                   occurred_at=days_ago(now, 29))
    safety = history.do("raise_red_flag", "escalating_conflict", note="Shouting.",
                        occurred_at=days_ago(now, 28))
    history.do("raise_red_flag", "hidden_apps", occurred_at=days_ago(now, 27))
    history.do("resolve_red_flag", safety, note="Calmer now.", occurred_at=days_ago(now, 20))
    history.do("advance_stage", "honest_conversations", reason="Talking.",
               occurred_at=days_ago(now, 25))
    history.do("advance_stage", "restoring", occurred_at=days_ago(now, 15))
    history.do("reach_milestone", "First calm month", note="Well done.",
               occurred_at=days_ago(now, 14))
    history.do("note_session", "Staff only: watch for minimising.", occurred_at=days_ago(now, 13))
    history.do("write_journal", "My private thoughts.", occurred_at=days_ago(now, 12))
    history.do("write_journal", "Shared thoughts.", visibility="shared",
               occurred_at=days_ago(now, 12))
    if kind == "workplace":
        for step in v.PROGRAM_STEPS[:3]:
            history.do("complete_program_step", step, note=f"{step} done",
                       occurred_at=days_ago(now, 11))
        history.do("record_trust_pulse", [4, 5, 6], occurred_at=days_ago(now, 10))
        history.do("record_trust_pulse", [6, 7, 7, 8, 5, 9], occurred_at=days_ago(now, 3))
    else:
        with pytest.raises(RuleBroken):
            case.complete_program_step(v.PROGRAM_STEPS[0])
        assert not case.pending_events
    history.do("change_approach", "self_guided", reason="Doing well.", occurred_at=days_ago(now, 9))
    history.do("close", "reconciled", note="Done.", occurred_at=days_ago(now, 8))
    assert case.status == "closed" and case.outcome == "reconciled"
    history.do("reopen", reason="A new breach.", occurred_at=days_ago(now, 5))
    history.do("record_check_in", participant_id=people[0], trust=2, emotional_safety=3,
               communication_ease=4, conflicts=2, note="Back to square one.",
               occurred_at=days_ago(now, 1))
    return case


@pytest.mark.parametrize("kind", KINDS)
def test_a_case_with_a_rich_history_reloads_field_by_field(store, reopened, kind):
    history = History(store, actor_id=uuid4(), tenant_id=uuid4())
    case = play_rich_history(history, kind)

    # What the case should say, so an empty or default field cannot pass unnoticed.
    assert case.kind == kind and case.status == "open" and case.outcome is None
    assert case.stage == "restoring" and case.approach == "self_guided"
    assert case.check_ins == 7 and len(case.practitioners) == 1
    assert sorted(case.boundaries.values()) == ["active", "retired"]
    assert sorted(f["status"] for f in case.red_flags.values()) == ["open", "resolved"]
    assert case.steps_done == (list(v.PROGRAM_STEPS[:3]) if kind == "workplace" else [])
    assert case.reminded_for is not None
    assert case.version == len(history.events) >= 38

    fresh = reopened()
    assert_same_state(fresh.get(case.id, Case), case)

    stored = list(fresh.events.get(case.id))
    assert [type(e) for e in stored] == [type(e) for e in history.events]
    for got, saved in zip(stored, history.events):
        assert got == saved, f"{type(saved).__name__} v{saved.originator_version} differs"
        assert got.actor_id == history.actor_id and got.tenant_id == history.tenant_id

    # Every saved version of the case can be loaded back as it was then.
    for version, then in history.states.items():
        assert_same_state(fresh.repository.get(case.id, version=version), then)


@pytest.mark.parametrize("kind", KINDS)
def test_cases_recorded_through_casework_reload_in_a_fresh_store(practice, reopened, kind):
    cw, owner, pat = practice.casework, practice.owner, practice.practitioner
    clients = practice.clients[: 3 if kind in ("family", "workplace") else 2]
    case_id = cw.open_case(
        pat, kind=kind, title="Through the service", approach="self_guided",
        breach_category="neglect", breach_summary="Left alone at the worst time.",
    ).result
    for client in clients:
        cw.record(pat, case_id, cmd.AddParticipant(account_id=client.account_id, relation="member"))
    cw.record(
        pat,
        case_id,
        cmd.OfferApology(
            from_id=clients[0].account_id,
            to_ids=[c.account_id for c in clients[1:]],
            text="Sorry.",
            names_harm=True,
            takes_responsibility=True,
            commits_to_change=True,
        ),
    )
    boundary = cw.record(pat, case_id, cmd.SetBoundary(text="Answer within a day.")).result
    for client in clients:
        cw.record(
            client,
            case_id,
            cmd.RecordCheckIn(
                trust=5,
                emotional_safety=6,
                communication_ease=7,
                conflicts=1,
                note=f"from {client.account_id}",
            ),
        )
    cw.record(clients[0], case_id, cmd.WriteJournal(text="Only mine."))
    cw.record(pat, case_id, cmd.RecordSetback(severity=1, description="Late again."))
    if kind in RITUAL_OF:
        cw.record(pat, case_id, cmd.PracticeRitual(ritual=RITUAL_OF[kind]))
    flag = cw.record(pat, case_id, cmd.RaiseRedFlag(code="no_transparency")).result
    cw.record(owner, case_id, cmd.ResolveRedFlag(flag_id=flag))
    cw.record(pat, case_id, cmd.AdvanceStage(stage="honest_conversations"))
    if kind == "workplace":
        cw.record(pat, case_id, cmd.CompleteProgramStep(step="public_acknowledgment"))
        cw.record(pat, case_id, cmd.RecordTrustPulse(scores=[5, 6, 7, 8, 9]))
    cw.record(pat, case_id, cmd.RetireBoundary(boundary_id=boundary))
    cw.record(owner, case_id, cmd.CloseCase(outcome="released"))
    last = cw.record(owner, case_id, cmd.ReopenCase(reason="They came back."))

    fresh = reopened()
    case = fresh.get(case_id, Case)
    assert_same_state(case, store_copy(practice.store, case_id))
    assert case.version == last.version
    assert case.participants == {str(c.account_id): "member" for c in clients}
    assert case.practitioners == [str(pat.account_id)]
    assert case.check_ins == len(clients) and case.stage == "honest_conversations"
    assert list(case.boundaries.values()) == ["retired"]
    assert [f["status"] for f in case.red_flags.values()] == ["resolved"]
    assert case.status == "open" and case.outcome is None
    assert case.steps_done == (["public_acknowledgment"] if kind == "workplace" else [])

    stored = list(fresh.events.get(case_id))
    check_ins = [e for e in stored if isinstance(e, Case.CheckInRecorded)]
    # Each client's check-in is stamped with the client as actor and as participant.
    assert [(e.actor_id, e.participant_id) for e in check_ins] == [
        (c.account_id, c.account_id) for c in clients
    ]
    assert {e.tenant_id for e in stored} == {practice.tenant_id}
    assert type(stored[-2]).__name__ == "CaseClosed" and stored[-2].outcome == "released"


def store_copy(store: MendStore, case_id: UUID) -> Case:
    """The case as the writing store itself loads it."""
    return store.get(case_id, Case)


def test_a_long_case_is_snapshotted_and_reloads_from_the_snapshot(store, reopened):
    history = History(store, actor_id=uuid4(), tenant_id=uuid4())
    now = datetime.now(timezone.utc)
    case = history.open(
        kind="couple",
        title="A long case",
        approach="passive",
        breach_category="other",
        breach_summary="Many small things.",
        occurred_at=now - timedelta(days=400),
    )
    person = uuid4()
    history.do("add_participant", person, "partner")
    for i in range(230):
        history.do(
            "record_check_in",
            participant_id=person,
            trust=i % 11,
            emotional_safety=5,
            communication_ease=5,
            conflicts=i % 4,
            note=f"check-in {i}",
            occurred_at=now - timedelta(days=399 - i),
        )
        if i == 120:
            history.do("advance_stage", "honest_conversations")
    assert case.version == len(history.events) > 200

    assert store.snapshots is not None
    snapshots = list(store.snapshots.get(case.id))
    assert [s.originator_version for s in snapshots] == [100, 200]
    # A snapshot holds the case exactly as it was at its version.
    assert_same_state(snapshots[-1].mutate(None), history.states[200])

    fresh = reopened()
    reloaded = fresh.get(case.id, Case)
    assert_same_state(reloaded, case)
    assert reloaded.check_ins == 230 and reloaded.stage == "honest_conversations"
    # The snapshot and the full replay agree.
    assert_same_state(project_aggregate(None, fresh.events.get(case.id)), case)
    assert_same_state(fresh.repository.get(case.id, version=150), history.states[150])

    # Loading uses the snapshot: only the events after it are read (by a store that has not
    # loaded the case yet: a warm one keeps it in memory and reads only newer events).
    fresh = reopened()
    read: list[int] = []
    original_get = fresh.events.get

    def counting_get(*args: Any, **kwargs: Any) -> Any:
        for stored_event in original_get(*args, **kwargs):
            read.append(stored_event.originator_version)
            yield stored_event

    fresh.repository.event_store.get = counting_get
    try:
        assert_same_state(fresh.get(case.id, Case), case)
    finally:
        fresh.repository.event_store.get = original_get
    assert read == list(range(201, case.version + 1))


def test_a_store_keeping_a_case_in_memory_still_sees_what_other_processes_recorded(store, reopened):
    history = History(store, actor_id=uuid4(), tenant_id=uuid4())
    case = history.open(
        kind="couple",
        title="Shared",
        approach="passive",
        breach_category="other",
        breach_summary="Small things.",
    )
    person = uuid4()
    history.do("add_participant", person, "partner")
    other_process = reopened()
    warm = other_process.get(case.id, Case)
    assert warm.check_ins == 0
    history.do(
        "record_check_in",
        participant_id=person,
        trust=5,
        emotional_safety=5,
        communication_ease=5,
        conflicts=0,
    )
    again = other_process.get(case.id, Case)
    assert again.check_ins == 1 and again.version == case.version
    # What a command does to its copy stays out of the kept one until it is saved.
    again.close(outcome="released")
    assert other_process.get(case.id, Case).status == "open"


def test_processes_starting_together_on_a_new_database_all_come_up(postgres_settings):
    """Web workers, the runner and the job worker create the tables at the same moment."""
    from concurrent.futures import ThreadPoolExecutor

    from mend.bootstrap import bootstrap

    def start(_: int):
        return bootstrap(postgres_settings, start_runner=False)

    with ThreadPoolExecutor(6) as pool:
        started = list(pool.map(start, range(6)))
    try:
        assert all(m.casebook.current_generation() == 1 for m in started)
    finally:
        for m in started:
            m.close()

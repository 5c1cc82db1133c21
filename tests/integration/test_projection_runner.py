"""The projection runner applies every case event exactly once; the timeline shows each viewer
only what they may read."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from itertools import cycle
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import IntegrityError, Tracking

from mend.bootstrap import Mend, bootstrap, build_casebook
from mend.config import Settings
from mend.domain import commands as cmd
from mend.domain.acting import acting
from mend.domain.authorization import Actor
from mend.domain.case import Case
from mend.domain.store import MendStore, event_id
from mend.domain.vocabulary import RITUALS_BY_KIND
from mend.projections.freshness import refresh_stale_metrics
from mend.projections.runner import ProjectionRunner
from mend.projections.tables import names, table_names
from tests.integration.conftest import make_practice, record_pulse

CASE_TOPIC = "mend.domain.case:"


@pytest.fixture
def app(settings) -> Iterator[Mend]:
    """A Mend whose runner is driven by the test, never by a thread."""
    instance = bootstrap(settings, start_runner=False)
    yield instance
    instance.close()


# ---------------------------------------------------------------------- recording events
def owner() -> Actor:
    return Actor(account_id=uuid4(), tenant_id=uuid4(), role="owner")


def open_case(mend: Mend, actor: Actor, **when) -> UUID:
    return mend.casework.open_case(
        actor, kind="family", title="The inheritance", approach="therapy_guided",
        breach_category="broken_promise", breach_summary="The promise about the house.", **when,
    ).originator_id


_STEPS = (
    lambda c, i: c.note_session(f"Session {i}"),
    lambda c, i: c.practice_ritual(RITUALS_BY_KIND[c.kind][0]),
    lambda c, i: c.record_check_in(
        participant_id=None, trust=i % 11, emotional_safety=5, communication_ease=6,
        conflicts=i % 3,
    ),
    lambda c, i: c.make_agreement(f"Agreement {i}"),
    lambda c, i: c.record_setback(1 + i % 3, f"Setback {i}"),
)


def grow(store: MendStore, actor: Actor, case_id: UUID, events: int, per_save: int) -> None:
    """Record `events` more events on a case, `per_save` of them in each save."""
    steps = cycle(_STEPS)
    while events > 0:
        case = store.get(case_id, Case)
        with acting(actor.account_id, actor.tenant_id):
            for i in range(min(per_save, events)):
                next(steps)(case, i)
        store.save(case)
        events -= per_save


def record_cases(mend: Mend, *, cases: int, events_each: int, per_save: int) -> None:
    actor = owner()
    for n in range(cases):
        case_id = open_case(mend, actor)
        # Single-event commands interleave with batched saves, as in a real store.
        mend.casework.record(actor, case_id, cmd.NoteSession(text=f"First session of case {n}"))
        grow(mend.store, actor, case_id, events_each, per_save)


# ---------------------------------------------------------------------- what to compare
def case_events(store: MendStore) -> list[tuple[int, str, str]]:
    """(notification id, case id, event id) of every case event in the store, in log order."""
    found, start = [], 0
    while page := store.recorder.select_notifications(
        start=start, limit=1000, inclusive_of_start=False
    ):
        found += [
            (n.id, str(n.originator_id), str(event_id(n.originator_id, n.originator_version)))
            for n in page if n.topic.startswith(CASE_TOPIC)
        ]
        start = page[-1].id
    return found


def timeline_rows(view) -> list[tuple[int, str, str]]:
    rows = view._rows(
        f"SELECT position, case_id, event_id FROM {view.prefix()}timeline ORDER BY position", {}
    )
    return [(r["position"], r["case_id"], r["event_id"]) for r in rows]


# ---------------------------------------------------------------------- exactly once
def test_the_runner_applies_every_case_event_once_in_log_order(app):
    record_cases(app, cases=4, events_each=90, per_save=30)
    app.membership.sign_up(  # events of other aggregates pass the timeline by
        name="Harbour Counselling", slug=f"harbour-{uuid4().hex[:8]}", kind="practice",
        owner_email=f"{uuid4().hex[:8]}@example.org", owner_password="a long passphrase",
        owner_name="Olive",
    )
    expected = case_events(app.store)
    assert len(expected) > 350

    app.runner.catch_up()

    assert timeline_rows(app.casebook) == expected
    assert app.runner.lag()["events_behind"] == 0
    app.runner.catch_up()
    assert timeline_rows(app.casebook) == expected


def test_the_timeline_lists_a_cases_events_in_the_order_they_happened(app):
    actor = owner()
    case_id = open_case(app, actor)
    grow(app.store, actor, case_id, 120, per_save=40)
    app.runner.catch_up()

    entries = app.casebook.timeline(viewer(actor), case_id, limit=1000)

    stored = list(app.store.events.get(case_id))
    assert [e.id for e in entries] == [str(event_id(case_id, s.originator_version)) for s in stored]
    assert [e.occurred_at for e in entries] == sorted(e.occurred_at for e in entries)


def test_a_restarted_runner_resumes_from_its_tracking_position(app, settings):
    record_cases(app, cases=3, events_each=100, per_save=25)
    expected = case_events(app.store)
    first = ProjectionRunner(app.store, app.casebook, batch_size=40)
    for _ in range(3):
        first.run_once()
    stopped_at = first.position
    assert 0 < stopped_at < expected[-1][0]
    assert timeline_rows(app.casebook) == [e for e in expected if e[0] <= stopped_at]

    # A new process: a fresh view instance on the same database, knowing nothing in memory.
    fresh_view = build_casebook(settings)
    try:
        second = ProjectionRunner(app.store, fresh_view, batch_size=40)
        assert second.position == stopped_at
        second.catch_up()
        assert timeline_rows(fresh_view) == expected
        assert len({row[2] for row in timeline_rows(fresh_view)}) == len(expected)
    finally:
        fresh_view.datastore.close()


def test_a_batch_applied_twice_is_rejected_whole(app):
    record_cases(app, cases=1, events_each=40, per_save=40)
    app.runner.catch_up()
    before = timeline_rows(app.casebook)
    last = app.store.recorder.select_notifications(start=None, limit=1)[0]
    changes = app.runner.projection.changes_for(app.store.mapper.to_domain_event(last), last.id)

    with pytest.raises(IntegrityError):
        app.casebook.apply(changes, Tracking(app.casebook.tracking_name(), last.id))

    assert timeline_rows(app.casebook) == before


# ---------------------------------------------------------------------- crashes
RUNNER_PROCESS = """
import sys
from mend.bootstrap import build_casebook
from mend.config import Settings
from mend.domain.store import MendStore
from mend.projections.runner import ProjectionRunner
from tests.integration.conftest import make_practice

settings = Settings.from_env()
runner = ProjectionRunner(
    MendStore(env=settings.store_env()), build_casebook(settings), batch_size=int(sys.argv[1])
)
runner.catch_up()
"""


def start_runner_process(settings: Settings, batch_size: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEND_")}
    env["DATABASE_URL"] = settings.database_url
    return subprocess.Popen(
        [sys.executable, "-c", RUNNER_PROCESS, str(batch_size)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


@pytest.mark.postgres
def test_a_runner_killed_again_and_again_still_applies_each_event_once(postgres_settings):
    app = bootstrap(postgres_settings, start_runner=False)
    try:
        record_cases(app, cases=10, events_each=300, per_save=100)
        record_people(app)  # accounts, people on cases and a tenant's activity, for every table
        record_pulse(app.store, f"depot-{uuid4().hex[:8]}")  # and a pulse's tally
        expected = case_events(app.store)
        head = expected[-1][0]
        assert len(expected) > 3000

        kills = []
        for _ in range(4):
            if app.runner.position >= head:
                break  # a quick machine caught up before the fourth kill: nothing left to cut
            process = start_runner_process(postgres_settings, batch_size=10)
            start = app.runner.position
            deadline = time.monotonic() + 30
            while app.runner.position <= start and time.monotonic() < deadline:
                assert process.poll() is None, process.stderr.read().decode()
                time.sleep(0.005)
            time.sleep(random.uniform(0.02, 0.15))  # somewhere mid-stream, often mid-batch
            process.send_signal(signal.SIGKILL)
            assert process.wait(timeout=10) == -signal.SIGKILL
            process.stderr.close()
            kills.append(app.runner.position)

        mid_stream = [position for position in kills if position < head]
        assert kills == sorted(kills) and kills[0] > 0 and len(mid_stream) >= 3, kills
        restarted = start_runner_process(postgres_settings, batch_size=10)
        _, errors = restarted.communicate(timeout=60)
        assert restarted.returncode == 0, errors.decode()

        assert app.runner.position == head
        rows = timeline_rows(app.casebook)
        assert rows == expected
        assert len({row[2] for row in rows}) == len(expected)

        # Every table of the served generation, row by row, equals a rebuild from scratch.
        served = app.casebook.current_generation()
        fresh = served + 1
        app.casebook.create_generation(fresh)
        try:
            ProjectionRunner(app.store, app.casebook, generation=fresh).catch_up()
            now = datetime.now(timezone.utc)
            assert_same_tables(generation_rows(app.casebook, served, now),
                               generation_rows(app.casebook, fresh, now))
        finally:
            app.casebook.drop_generation(fresh)
        assert app.casebook.current_generation() == served
    finally:
        app.close()


def record_people(app: Mend) -> None:
    """A practice whose practitioner opens cases with clients on them, who come and go."""
    practice = make_practice(app.store, slug=f"people-{uuid4().hex[:8]}", clients=2)
    work, pat, (cleo, dan) = practice.casework, practice.practitioner, practice.clients
    for n in range(3):
        case_id = open_case(app, pat)
        for client in (cleo, dan):
            work.record(pat, case_id,
                        cmd.AddParticipant(account_id=client.account_id, relation="sibling"))
        checked_in = work.record(
            cleo,
            case_id,
            cmd.RecordCheckIn(trust=n + 3, emotional_safety=5, communication_ease=4, conflicts=n),
        )
        if n:  # held back from the portal for a while, or until released
            until = datetime.now(timezone.utc) + timedelta(days=n) if n == 2 else None
            work.record(pat, case_id, cmd.HoldBackEntry(entry_id=checked_in.event_id,
                                                        until=until))
        work.record(dan, case_id, cmd.WriteJournal(text=f"Dan's journal {n}"))
        work.record(pat, case_id, cmd.NoteSession(text=f"Session {n}"))
    work.record(pat, case_id, cmd.RemoveParticipant(account_id=dan.account_id))
    work.record(pat, case_id, cmd.CloseCase(outcome="reconciled"))


#: Every table of a casebook generation, with the columns that order its rows.
TABLE_KEYS = {
    "timeline": "event_id",
    "cases": "case_id",
    "case_people": "case_id, account_id, part",
    "accounts": "account_id",
    "activity": "tenant_id, position",
    "holds": "event_id",
    "pulse_tally": "tenant_id, box_id, score",
}


def generation_rows(view, generation: int, now: datetime) -> dict[str, list[dict]]:
    """Every row of every table of a generation, the stored metrics first recomputed as of
    ``now`` (they follow the clock as well as the events, so both sides use one clock).

    The figures stored before are checked first: all fresh, and what the recomputation gives
    (the day they were computed for aside)."""
    prefix = names(generation)
    assert sorted(table_names(generation)) == sorted(prefix + t for t in TABLE_KEYS)

    def cases() -> list[dict]:
        rows = view._rows(f"SELECT * FROM {prefix}cases ORDER BY case_id", {})
        return [{k: v for k, v in dict(r).items() if k != "metrics_day"} for r in rows]

    stored = cases()
    assert all(row["fresh_seq"] == row["touched_seq"] for row in stored)
    view._run([(f"UPDATE {prefix}cases SET fresh_seq = -1", {})])
    refresh_stale_metrics(view, generation, now, new_day=False)
    assert cases() == stored
    return {
        table: [dict(r) for r in view._rows(f"SELECT * FROM {prefix}{table} ORDER BY {key}", {})]
        for table, key in TABLE_KEYS.items()
    }


def assert_same_tables(got: dict[str, list[dict]], want: dict[str, list[dict]]) -> None:
    """Row by row: nothing missing, nothing doubled, nothing different."""
    for table, rows in want.items():
        assert rows, f"{table} is empty"
        assert len(got[table]) == len(rows), f"{table}: {len(got[table])} rows, not {len(rows)}"
        for mine, theirs in zip(got[table], rows):
            assert mine == theirs, table


# ---------------------------------------------------------------------- who sees what
@dataclass(frozen=True)
class Record:
    """A case of a real practice: an owner, a practitioner, and two clients, Cleo and Dan."""

    owner: Actor
    practitioner: Actor
    cleo: Actor
    dan: Actor
    case_id: UUID
    began: datetime
    #: When the record held everything but the late-recorded milestone.
    before_milestone: datetime

    def day(self, n: int) -> datetime:
        return self.began + timedelta(days=n)


def viewer(actor: Actor) -> Actor:
    return actor


@pytest.fixture
def record(app) -> Record:
    """A case that began 30 days ago, with shared, staff-only and private records."""
    practice = make_practice(app.store, clients=2)
    owner, pat, (cleo, dan) = practice.owner, practice.practitioner, practice.clients
    work, began = app.casework, datetime.now(timezone.utc) - timedelta(days=30)
    day = lambda n: began + timedelta(days=n)  # noqa: E731
    case_id = open_case(app, owner, occurred_at=began)
    work.record(
        owner, case_id, cmd.AssignPractitioner(account_id=pat.account_id, occurred_at=day(0))
    )
    work.record(
        owner,
        case_id,
        cmd.AddParticipant(account_id=cleo.account_id, relation="partner", occurred_at=day(0)),
    )
    work.record(
        owner,
        case_id,
        cmd.AddParticipant(account_id=dan.account_id, relation="partner", occurred_at=day(0)),
    )
    work.record(
        cleo,
        case_id,
        cmd.RecordCheckIn(
            trust=4, emotional_safety=5, communication_ease=5, conflicts=1, occurred_at=day(5)
        ),
    )
    work.record(cleo, case_id, cmd.WriteJournal(text="Cleo, to herself", occurred_at=day(6)))
    work.record(
        cleo,
        case_id,
        cmd.WriteJournal(text="Cleo, to all", visibility="shared", occurred_at=day(7)),
    )
    work.record(dan, case_id, cmd.WriteJournal(text="Dan, to himself", occurred_at=day(8)))
    work.record(owner, case_id, cmd.WriteJournal(text="Olive, to herself", occurred_at=day(9)))
    work.record(pat, case_id, cmd.WriteJournal(text="Pat, to himself", occurred_at=day(9)))
    work.record(pat, case_id, cmd.NoteSession(text="Both attended.", occurred_at=day(10)))
    flag_id = work.record(
        pat, case_id, cmd.RaiseRedFlag(code="ongoing_secrecy", occurred_at=day(11))
    ).result
    work.record(pat, case_id, cmd.ResolveRedFlag(flag_id=flag_id, occurred_at=day(12)))
    setback = work.record(
        pat, case_id, cmd.RecordSetback(severity=2, description="An argument", occurred_at=day(20))
    )
    # Recorded last, but it happened on day 3: the record learns of the past late.
    work.record(pat, case_id, cmd.ReachMilestone(title="First honest talk", occurred_at=day(3)))
    app.runner.catch_up()
    return Record(owner, pat, cleo, dan, case_id, began, setback.recorded_at)


def journal_texts(entries) -> list[str]:
    return [e.data["text"] for e in entries if e.type == "journal_entry_written"]


def types(entries) -> list[str]:
    return [e.type for e in entries]


SHARED_TYPES = [
    "case_opened",
    "breach_disclosed",
    "practitioner_assigned",
    "participant_added",
    "participant_added",
    "milestone_reached",
    "check_in_recorded",
]
STAFF_TYPES = ["session_noted", "red_flag_raised", "red_flag_resolved"]


def test_a_client_sees_shared_records_and_only_their_own_private_journal(app, record):
    cleo_sees = app.casebook.timeline(viewer(record.cleo), record.case_id)
    dan_sees = app.casebook.timeline(viewer(record.dan), record.case_id)

    assert journal_texts(cleo_sees) == ["Cleo, to herself", "Cleo, to all"]
    assert journal_texts(dan_sees) == ["Cleo, to all", "Dan, to himself"]
    for entries in (cleo_sees, dan_sees):
        assert not set(STAFF_TYPES) & set(types(entries))
        assert {e.visibility for e in entries} <= {"shared", "private"}
        assert types(entries)[: len(SHARED_TYPES)] == SHARED_TYPES
        assert types(entries)[-1] == "setback_recorded"


def test_staff_see_staff_notes_but_never_another_persons_private_journal(app, record):
    olive_sees = app.casebook.timeline(viewer(record.owner), record.case_id)
    pat_sees = app.casebook.timeline(viewer(record.practitioner), record.case_id)

    assert journal_texts(olive_sees) == ["Cleo, to all", "Olive, to herself"]
    assert journal_texts(pat_sees) == ["Cleo, to all", "Pat, to himself"]
    for entries in (olive_sees, pat_sees):
        assert [t for t in types(entries) if t in STAFF_TYPES] == STAFF_TYPES
        assert [e.summary for e in entries if e.type == "session_noted"] == ["Session note"]


def test_as_of_keeps_what_had_happened_by_then(app, record):
    entries = app.casebook.timeline(viewer(record.owner), record.case_id, as_of=record.day(6))

    assert types(entries) == SHARED_TYPES  # the late-recorded day-3 milestone included
    assert all(e.occurred_at <= record.day(6) for e in entries)


def test_known_at_keeps_what_the_record_held_then(app, record):
    olive, case_id, then = viewer(record.owner), record.case_id, record.before_milestone

    known_then = app.casebook.timeline(olive, case_id, known_at=then)
    known_now = app.casebook.timeline(olive, case_id)
    day_6_as_known_then = app.casebook.timeline(olive, case_id, as_of=record.day(6), known_at=then)

    assert "milestone_reached" not in types(known_then)
    assert len(known_now) == len(known_then) + 1
    assert types(day_6_as_known_then) == [t for t in SHARED_TYPES if t != "milestone_reached"]

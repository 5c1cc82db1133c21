"""The history chain on the real stores: every event recorded through the domain is linked,
and every way of altering the raw tables is caught at the right first link.

Each test runs on SQLite and on PostgreSQL (the ``settings`` fixture). The tables are
changed straight through sqlite3 / psycopg, past the library, as someone holding the
database would; the walk then reads them through the store's own recorder.
"""

from __future__ import annotations

import dataclasses
import io
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent

from mend.config import Settings
from mend.domain import commands as cmd
from mend.domain.casework import Casework
from mend.domain.store import MendStore
from mend.projections.history import chained_postgres, chained_sqlite
from mend.projections.history.chain import CHAIN_TABLE, H0, StoredRow, canonical_id, link
from mend.projections.history.statements import key_from_seed, make_statement
from mend.projections.history.walk import Verdict, walk
from mend.workers import tenant_import
from mend.workers.tenant_history import write_history
from tests.integration.conftest import Practice, make_practice

#: A signing key for the tests' statements (the base64 of 32 bytes, as the setting is).
SEED = "bWVuZC10ZXN0cy1oaXN0b3J5LXNpZ25pbmcta2V5ISE="
#: Pages smaller than the history, so every walk crosses page boundaries.
PAGE = 7


class RawTables:
    """The events and chain tables, read and changed past the library."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.events = "stored_events" if settings.is_sqlite else "mend_events"
        self.id = "rowid" if settings.is_sqlite else "notification_id"

    @contextmanager
    def _connection(self) -> Iterator[Any]:
        if self.settings.is_sqlite:
            conn = sqlite3.connect(self.settings.store_env()["SQLITE_DBNAME"])
            try:
                yield conn
                conn.commit()
            finally:
                conn.close()
        else:
            with psycopg.connect(self.settings.database_url) as conn:
                yield conn

    def run(self, *statements: tuple[str, tuple[Any, ...]]) -> None:
        with self._connection() as conn:
            for sql, params in statements:
                conn.execute(self._sql(sql), params)

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._connection() as conn:
            return [tuple(row) for row in conn.execute(self._sql(sql), params).fetchall()]

    def _sql(self, sql: str) -> str:
        sql = sql.format(events=self.events, id=self.id, chain=CHAIN_TABLE)
        return sql if self.settings.is_sqlite else sql.replace("?", "%s")

    def ids(self) -> list[int]:
        return [r[0] for r in self.rows("SELECT {id} FROM {events} ORDER BY {id}")]

    def stored_row(self, notification_id: int) -> StoredRow:
        [row] = self.rows("SELECT {id}, originator_id, originator_version, topic, state"
                          " FROM {events} WHERE {id} = ?", (notification_id,))
        return StoredRow(row[0], row[1], row[2], row[3], bytes(row[4]))

    def link_of(self, notification_id: int) -> bytes:
        [(digest,)] = self.rows("SELECT hash FROM {chain} WHERE notification_id = ?",
                                (notification_id,))
        return bytes(digest)

    def has_chain(self) -> bool:
        if self.settings.is_sqlite:
            return bool(self.rows("SELECT 1 FROM sqlite_master WHERE name = '{chain}'"))
        return self.rows("SELECT to_regclass('{chain}')")[0][0] is not None

    def links(self) -> int:
        return self.rows("SELECT count(*) FROM {chain}")[0][0]

    def flip_a_byte(self, notification_id: int) -> None:
        state = bytearray(self.stored_row(notification_id).state)
        state[len(state) // 2] ^= 0x01
        self.run(("UPDATE {events} SET state = ? WHERE {id} = ?",
                  (bytes(state), notification_id)))

    def delete_event(self, notification_id: int) -> None:
        self.run(("DELETE FROM {events} WHERE {id} = ?", (notification_id,)))

    def swap(self, first: int, second: int) -> None:
        """Each row takes the other's place in the log (the contents trade places)."""
        move = "UPDATE {events} SET {id} = ? WHERE {id} = ?"
        self.run((move, (-1, first)), (move, (first, second)), (move, (second, -1)))

    def cut_after(self, notification_id: int) -> None:
        self.run(("DELETE FROM {events} WHERE {id} > ?", (notification_id,)),
                 ("DELETE FROM {chain} WHERE notification_id > ?", (notification_id,)))


def record_case(practice: Practice, check_ins: int = 6) -> None:
    """A case with a participant, check-ins and a staff note, recorded as commands would."""
    work, pat, client = practice.casework, practice.practitioner, practice.clients[0]
    case_id = work.open_case(pat, kind="couple", title="Harbor and Lee", approach="self_guided",
                             breach_category="dishonesty", breach_summary="Hidden debts.").result
    work.record(pat, case_id, cmd.AddParticipant(account_id=client.account_id,
                                                 relation="partner"))
    for i in range(check_ins):
        work.record(client, case_id, cmd.RecordCheckIn(
            trust=i % 11, emotional_safety=5, communication_ease=6, conflicts=i % 3,
            note=f"We talked after dinner, evening {i}."))
    work.record(pat, case_id, cmd.NoteSession(text="Both came; the debts are on the table."))


@dataclasses.dataclass
class Recorded:
    store: MendStore
    raw: RawTables
    ids: list[int]

    def walk(self, **kwargs: Any) -> Verdict:
        return walk(self.store.recorder, page=PAGE, **kwargs)

    def statement(self) -> Any:
        return make_statement(self.store.recorder, "test store", key_from_seed(SEED))


@pytest.fixture
def recorded(store: MendStore, settings: Settings) -> Recorded:
    record_case(make_practice(store))
    raw = RawTables(settings)
    return Recorded(store, raw, raw.ids())


# ---------------------------------------------------------------------- a store that holds
def test_every_event_recorded_through_the_domain_has_its_link_and_all_hold(recorded):
    verdict = recorded.walk()
    assert verdict.holds and verdict.broken is None
    assert verdict.events == len(recorded.ids) == recorded.raw.links() > 20
    assert verdict.last_notification_id == recorded.ids[-1]
    assert verdict.head == recorded.raw.link_of(recorded.ids[-1])


def test_each_stored_link_is_the_hash_of_the_link_before_and_the_stored_bytes(recorded):
    raw, previous = recorded.raw, H0
    for notification_id in recorded.ids:
        previous = link(previous, raw.stored_row(notification_id))
        assert raw.link_of(notification_id) == previous


def test_a_walk_in_one_page_or_many_gives_the_same_verdict(recorded):
    assert walk(recorded.store.recorder, page=1) == walk(recorded.store.recorder, page=1000)


def test_a_refused_insert_writes_no_link_and_the_chain_goes_on_past_its_gap(recorded):
    """On PostgreSQL a refused insert spends its notification ids: the chain follows the ids
    there are, not a count."""
    taken = recorded.raw.stored_row(recorded.ids[0])
    duplicate = StoredEvent(taken.originator_id, taken.originator_version, taken.topic, b"x")
    with pytest.raises(IntegrityError):
        recorded.store.recorder.insert_events([duplicate])
    record_case(make_practice(recorded.store, slug="second-practice"), check_ins=1)
    verdict = recorded.walk()
    assert verdict.holds
    assert verdict.events == len(recorded.raw.ids()) == recorded.raw.links()


# ---------------------------------------------------------------------- what tampering leaves
def test_a_flipped_byte_of_a_stored_state_breaks_that_events_link(recorded):
    raw, at = recorded.raw, recorded.ids[len(recorded.ids) // 2]
    before = recorded.ids[recorded.ids.index(at) - 1]
    raw.flip_a_byte(at)

    verdict = recorded.walk()
    broken = verdict.broken
    assert not verdict.holds
    assert (broken.notification_id, broken.kind) == (at, "altered")
    assert broken.found == raw.link_of(at)
    assert broken.expected == link(raw.link_of(before), raw.stored_row(at)) != broken.found
    row = raw.stored_row(at)
    assert (broken.originator_id, broken.originator_version, broken.topic) == (
        canonical_id(row.originator_id), row.originator_version, row.topic)
    assert (verdict.events, verdict.last_notification_id) == (recorded.ids.index(at), before)


def test_a_deleted_event_is_missing_at_its_own_notification_id(recorded):
    raw, at = recorded.raw, recorded.ids[len(recorded.ids) // 3]
    raw.delete_event(at)

    broken = recorded.walk().broken
    assert (broken.notification_id, broken.kind) == (at, "missing")
    assert broken.found == raw.link_of(at) and broken.expected is None


def test_a_deleted_event_and_its_link_break_the_link_of_the_event_after(recorded):
    raw, at = recorded.raw, recorded.ids[len(recorded.ids) // 3]
    after = recorded.ids[recorded.ids.index(at) + 1]
    raw.delete_event(at)
    raw.run(("DELETE FROM {chain} WHERE notification_id = ?", (at,)))

    broken = recorded.walk().broken
    assert (broken.notification_id, broken.kind) == (after, "altered")


def test_two_swapped_rows_break_the_chain_at_the_first_of_them(recorded):
    raw = recorded.raw
    first, second = recorded.ids[5], recorded.ids[-3]
    moved = raw.stored_row(second)
    raw.swap(first, second)
    assert raw.stored_row(first)[1:] == moved[1:]  # the later event now sits in the earlier place

    verdict = recorded.walk()
    assert (verdict.broken.notification_id, verdict.broken.kind) == (first, "altered")
    assert verdict.broken.originator_version == moved.originator_version
    assert verdict.events == 5


def test_a_cut_tail_holds_on_its_own_and_only_the_statement_made_before_tells(recorded):
    statement = recorded.statement()
    kept = recorded.ids[-4]
    recorded.raw.cut_after(kept)

    alone = recorded.walk()
    assert alone.holds and alone.events == len(recorded.ids) - 3
    checked = recorded.walk(statement=statement)
    assert checked.broken is None and not checked.holds
    assert checked.statement_problem.startswith("the store has been cut below it")
    assert f"ends at notification id {kept}" in checked.statement_problem


# ---------------------------------------------------------------------- statements
def test_a_statement_holds_while_the_history_grows_after_it(recorded):
    statement = recorded.statement()
    assert statement.last_notification_id == recorded.ids[-1]
    assert statement.events == len(recorded.ids)
    record_case(make_practice(recorded.store, slug="later-practice"), check_ins=2)
    verdict = recorded.walk(statement=statement)
    assert verdict.holds and verdict.events > statement.events


def test_a_statement_whose_head_the_chain_no_longer_reaches_fails(recorded):
    """Rewriting the chain over an altered event makes the walk hold again; the statement
    made before still tells."""
    statement = recorded.statement()
    raw, at = recorded.raw, recorded.ids[3]
    raw.flip_a_byte(at)
    raw.run(("DELETE FROM {chain} WHERE notification_id >= ?", (at,)))
    recorded.store.recorder.link_unlinked()  # the forger re-links from the altered event on

    verdict = recorded.walk(statement=statement)
    assert verdict.broken is None
    assert verdict.statement_problem.startswith(
        f"the chain at notification id {statement.last_notification_id} has head")


def test_a_statement_altered_after_signing_fails_on_its_signature(recorded):
    statement = dataclasses.replace(recorded.statement(), events=1)
    verdict = recorded.walk(statement=statement)
    assert verdict.broken is None
    assert verdict.statement_problem.startswith("its signature does not hold")


# ---------------------------------------------------------------------- writers and imports
def test_two_writers_at_once_leave_a_chain_that_holds(practice, settings: Settings):
    """Threads on two stores of one database (as two web processes), racing on one case, so
    saves collide, retry and (on PostgreSQL) leave gaps in the notification ids."""
    other = MendStore(env=settings.store_env())
    try:
        services = [practice.casework, Casework(other)]
        pat, client = practice.practitioner, practice.clients[0]
        case_id = services[0].open_case(
            pat, kind="couple", title="Busy", approach="self_guided",
            breach_category="broken_promise", breach_summary="Again.").result
        services[0].record(pat, case_id, cmd.AddParticipant(account_id=client.account_id))
        start, errors = threading.Barrier(6), []

        def writer(n: int) -> None:
            try:
                start.wait()
                for i in range(8):
                    services[n % 2].record(client, case_id, cmd.RecordCheckIn(
                        trust=i, emotional_safety=5, communication_ease=5, conflicts=0))
            except BaseException as error:  # noqa: BLE001 - any escape fails the test
                errors.append(error)

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert errors == []
    finally:
        other.close()
    raw = RawTables(settings)
    verdict = walk(practice.store.recorder, page=PAGE)
    assert verdict.holds
    assert verdict.events == len(raw.ids()) == raw.links()


def test_an_imported_tenant_is_linked_after_the_events_already_here(
        store, settings: Settings, tmp_path, monkeypatch):
    source = MendStore(env=Settings(database_url=f"sqlite:///{tmp_path}/source.sqlite")
                       .store_env())
    try:
        moving = make_practice(source, slug="moving-practice")
        record_case(moving, check_ins=30)
        out = io.BytesIO()
        write_history(source, moving.tenant_id, out)
    finally:
        source.close()
    record_case(make_practice(store, slug="resident-practice"))
    before = len(RawTables(settings).ids())
    # Small chunks, so one import is many statements in its one transaction.
    monkeypatch.setattr(tenant_import, "INSERT_CHUNK", 9)

    imported = tenant_import.import_history(store, out.getvalue())

    raw = RawTables(settings)
    assert imported.events > 4 * 9 and len(raw.ids()) >= before + imported.events
    verdict = walk(store.recorder, page=PAGE)
    assert verdict.holds
    assert verdict.events == len(raw.ids()) == raw.links()


def test_events_stored_before_the_chain_are_linked_when_the_store_opens(
        settings: Settings, monkeypatch):
    plain_env = {k: v for k, v in settings.store_env().items()
                 if k != "APPLICATION_RECORDER_TOPIC"}
    for module in (chained_postgres, chained_sqlite):
        monkeypatch.setattr(module, "CATCH_UP_BATCH", 6)  # several batches
    old = MendStore(env=plain_env)
    try:
        record_case(make_practice(old, slug="older-practice"))
        raw = RawTables(settings)
        assert not raw.has_chain()
        upgraded = MendStore(env=settings.store_env())
        try:
            assert raw.links() == len(raw.ids()) > 20
            assert walk(upgraded.recorder, page=PAGE).holds
            # A process not yet upgraded writes on; the next chained save links its events first.
            record_case(make_practice(old, slug="still-older"), check_ins=1)
            assert raw.links() < len(raw.ids())
            record_case(make_practice(upgraded, slug="upgraded-practice"), check_ins=1)
            verdict = walk(upgraded.recorder, page=PAGE)
            assert verdict.holds and verdict.events == len(raw.ids()) == raw.links()
        finally:
            upgraded.close()
    finally:
        old.close()

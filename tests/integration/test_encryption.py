"""No personal text reaches the database in the clear: every store seals it with the keys
of its data subjects, and MEND_CIPHER_KEY can encrypt whole states on top.

The raw rows are read straight from the database (sqlite3 / psycopg), past the library, on
both real stores. The same scenario through the library's own mapper must show the text, so
the check can fail.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from eventsourcing.cipher import AESCipher

from mend.domain import commands as cmd
from mend.config import Settings
from mend.domain.case import Case
from mend.domain.keyring import new_master_key
from mend.domain.membership import Membership
from mend.domain.store import MendStore
from tests.integration.conftest import make_practice

NOTE = "Quokka-marmalade note: she read my messages at 3am"
JOURNAL = "Zephyr-lantern journal: I still feel watched"
TITLE = "Halvorsen-Okafor household"
SUMMARY = "Periwinkle-ledger: secret credit card"
SLUG = "ciphered-practice"
EMAIL = f"client0@{SLUG}.example"  # an invited client's address, from make_practice
SECRETS = {"check-in note": NOTE, "journal text": JOURNAL, "case title": TITLE,
           "breach summary": SUMMARY, "email": EMAIL}


def raw_store_bytes(settings: Settings) -> tuple[set[str], bytes]:
    """The store's table names, and every value of every row of them, as raw bytes."""
    chunks: list[bytes] = []

    def add(value: object) -> None:
        if isinstance(value, (bytes, bytearray, memoryview)):
            chunks.append(bytes(value))
        elif value is not None:
            chunks.append(str(value).encode())

    if settings.is_sqlite:
        path = settings.store_env()["SQLITE_DBNAME"]
        with sqlite3.connect(path) as conn:
            query = "SELECT name FROM sqlite_master WHERE type='table'"
            tables = {r[0] for r in conn.execute(query)}
            for table in tables:
                for row in conn.execute(f'SELECT * FROM "{table}"'):
                    for value in row:
                        add(value)
        conn.close()
        # The files themselves too, write-ahead log included: no page may hold the text.
        for file in (Path(path), Path(path + "-wal")):
            if file.exists():
                chunks.append(file.read_bytes())
    else:
        with psycopg.connect(settings.database_url) as conn:
            tables = {r[0] for r in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
            )}
            for table in tables:
                for row in conn.execute(f'SELECT * FROM "{table}"'):
                    for value in row:
                        add(value)
    return tables, b"\n".join(chunks)


@pytest.fixture(params=["sealed", "sealed-and-ciphered", "library-mapper"])
def keyed_settings(request, settings: Settings) -> Settings:
    if request.param == "sealed-and-ciphered":
        return dataclasses.replace(settings, cipher_key=AESCipher.create_key(32))
    return settings


def env_of(request, settings: Settings) -> dict[str, str]:
    env = settings.store_env()
    if request.node.callspec.params.get("keyed_settings") == "library-mapper":
        del env["MAPPER_TOPIC"]
    return env


@pytest.fixture
def keyed_store(request, keyed_settings: Settings) -> Iterator[MendStore]:
    store = MendStore(env=env_of(request, keyed_settings))
    yield store
    store.close()


def record_personal_text(store: MendStore):
    practice = make_practice(store, slug=SLUG, clients=1)
    pat, client = practice.practitioner, practice.clients[0]
    cw = practice.casework
    case_id = cw.open_case(pat, kind="family", title=TITLE, approach="therapy_guided",
                           breach_category="dishonesty", breach_summary=SUMMARY).result
    cw.record(pat, case_id, cmd.AddParticipant(account_id=client.account_id, relation="parent"))
    cw.record(
        client,
        case_id,
        cmd.RecordCheckIn(
            trust=4, emotional_safety=3, communication_ease=5, conflicts=2, note=NOTE
        ),
    )
    cw.record(client, case_id, cmd.WriteJournal(text=JOURNAL))
    return practice, client, case_id


def test_personal_text_is_unreadable_in_the_database(request, keyed_settings, keyed_store):
    practice, client, case_id = record_personal_text(keyed_store)

    tables, raw = raw_store_bytes(keyed_settings)
    events_table = "stored_events" if keyed_settings.is_sqlite else "mend_events"
    assert events_table in tables
    assert case_id.hex.encode() in raw or str(case_id).encode() in raw  # ids stay readable
    found = {name for name, text in SECRETS.items() if text.encode() in raw}
    if "MAPPER_TOPIC" in env_of(request, keyed_settings):
        assert found == set(), f"stored in the clear: {sorted(found)}"
    else:
        assert found == set(SECRETS), "the library's mapper shows the text (the check works)"

    # The application reads it all back, through the same store and through a new one.
    reader = MendStore(env=env_of(request, keyed_settings))
    try:
        assert practice.casework.get_case(client, case_id).title == TITLE
        for store in (keyed_store, reader):
            case = store.get(case_id, Case)
            assert case.title == TITLE and case.check_ins == 1
            events = list(store.events.get(case_id))
            assert [e.note for e in events if isinstance(e, Case.CheckInRecorded)] == [NOTE]
            assert [e.text for e in events if isinstance(e, Case.JournalEntryWritten)] == [JOURNAL]
            assert Membership(store).authenticate(EMAIL, "client-long-password").email == EMAIL
    finally:
        reader.close()


def test_a_store_with_another_key_cannot_read_the_events(settings):
    keyed = dataclasses.replace(settings, cipher_key=AESCipher.create_key(32))
    store = MendStore(env=keyed.store_env())
    try:
        _, _, case_id = record_personal_text(store)
    finally:
        store.close()
    other_key = dataclasses.replace(keyed, cipher_key=AESCipher.create_key(32))
    other = MendStore(env=other_key.store_env())
    try:
        with pytest.raises(ValueError):
            other.get(case_id, Case)
    finally:
        other.close()


def test_a_store_with_another_master_key_cannot_open_the_sealed_words(settings):
    store = MendStore(env=settings.store_env())
    try:
        _, _, case_id = record_personal_text(store)
    finally:
        store.close()
    other = dataclasses.replace(settings, master_key=new_master_key())
    stranger = MendStore(env=other.store_env())
    try:
        with pytest.raises(KeyError, match="master key"):
            stranger.get(case_id, Case)
    finally:
        stranger.close()


def test_a_sealed_value_copied_into_another_event_does_not_open(settings):
    store = MendStore(env=settings.store_env())
    try:
        _, _, case_id = record_personal_text(store)
        stored = list(store.recorder.select_events(case_id))
        note = next(e for e in stored if e.topic.endswith("CheckInRecorded"))
        journal = next(e for e in stored if e.topic.endswith("JournalEntryWritten"))
        # The journal's text under the check-in note's place: same case, same shape of value.
        state = store.mapper.transcoder.decode(journal.state)
        state["note"] = state.pop("text")
        moved = dataclasses.replace(note, state=store.mapper.transcoder.encode(
            {**store.mapper.transcoder.decode(note.state), "note": state["note"]}))
        assert store.mapper.to_domain_event(note).note == NOTE
        with pytest.raises(ValueError, match="MAC check failed"):
            store.mapper.to_domain_event(moved)
    finally:
        store.close()

"""The keys of data subjects: one per case, one per person, one per person in a case.

Personal data in stored events is sealed with the key of the subject it belongs to (see
``sealing``), so deleting that key erases the data from every copy of the events at once,
backups of the events included. Keys are kept in their own table of the store's database,
each wrapped (AES-GCM) by the master key from the environment; a backup of that table holds
only wrapped keys, and a key deleted here lives on in backups only as long as they are kept.

Subjects and what erasing them removes:

* ``case:<case>`` -- what a case holds in common (titles, summaries, notes, agreements);
* ``person:<account>`` -- a person's account data (name, email, password hash);
* ``person:<account>:case:<case>`` -- a person's own words in one case (journal entries,
  check-in notes), gone with the case and gone with the person.

An erased subject keeps a row without its key (a tombstone), so that nothing written for it
afterwards is sealed with a new key and readable again.
"""

from __future__ import annotations

import base64
import hashlib
import os
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32
NONCE_BYTES = 12
#: How long a process trusts a key it read: another process's erasure reaches this one's
#: cache within this time (the process that erases forgets at once).
KEY_TTL = 30.0
#: The master key of development stores. A production store refuses to start without its
#: own (config.check); this one only keeps a laptop's demo data readable between runs.
DEVELOPMENT_MASTER_KEY = hashlib.sha256(b"mend development master key").digest()

TABLE = "mend_subject_keys"


def case_subject(case_id: Any) -> str:
    return f"case:{case_id}"


def person_subject(account_id: Any) -> str:
    return f"person:{account_id}"


def person_in_case_subject(account_id: Any, case_id: Any) -> str:
    return f"person:{account_id}:case:{case_id}"


def _parts(subject: str) -> tuple[str | None, str | None]:
    """The person and the case a subject belongs to, as the table's columns keep them."""
    pieces = subject.split(":")
    if pieces[0] == "case":
        return None, pieces[1]
    if len(pieces) == 4:
        return pieces[1], pieces[3]
    return pieces[1], None


def parse_master_keys(value: str | None) -> list[bytes]:
    """MEND_MASTER_KEY (and MEND_MASTER_KEY_PREVIOUS) as keys: base64 of 32 bytes, the first
    one current, the rest still accepted for unwrapping until ``keys rotate`` has run."""
    keys = []
    for part in (value or "").replace(",", " ").split():
        try:
            key = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        except ValueError:
            raise ValueError("a master key must be base64 of 32 random bytes") from None
        if len(key) != KEY_BYTES:
            raise ValueError("a master key must be base64 of 32 random bytes")
        keys.append(key)
    return keys


def new_master_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode().rstrip("=")


def master_id(master: bytes) -> str:
    return hashlib.sha256(master).hexdigest()[:16]


@dataclass
class MasterKeys:
    current: bytes
    previous: tuple[bytes, ...] = ()

    def by_id(self) -> dict[str, bytes]:
        return {master_id(k): k for k in (self.current, *self.previous)}

    def wrap(self, subject: str, key: bytes) -> tuple[bytes, str]:
        nonce = os.urandom(NONCE_BYTES)
        return (nonce + AESGCM(self.current).encrypt(nonce, key, subject.encode()),
                master_id(self.current))

    def unwrap(self, subject: str, wrapped: bytes, wrapped_by: str) -> bytes:
        master = self.by_id().get(wrapped_by)
        if master is None:
            raise KeyError(f"the master key {wrapped_by} that wrapped {subject} is not set")
        try:
            return AESGCM(master).decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:],
                                          subject.encode())
        except InvalidTag:
            raise ValueError(f"the key of {subject} does not open (MAC check failed):"
                             " it was altered, or moved from another subject") from None


class Keyring:
    """Keys by subject, read through a short cache; ``None`` for a subject erased."""

    def __init__(self, table: KeyTable, masters: MasterKeys):
        self.table, self.masters = table, masters
        self._cache: dict[str, tuple[float, bytes | None]] = {}
        self._lock = threading.Lock()

    def key_for_reading(self, subject: str) -> bytes | None:
        """The subject's key, or None when it was erased (or never made: nothing sealed)."""
        now = time.monotonic()
        cached = self._cache.get(subject)
        if cached is not None and now - cached[0] < KEY_TTL:
            return cached[1]
        row = self.table.read([subject]).get(subject)
        key = self._unwrap(subject, row)
        self._remember(subject, key, now)
        return key

    def keys_for_writing(self, subjects: Iterable[str]) -> dict[str, bytes | None]:
        """Each subject's key, made now when it has none; None for a subject erased."""
        now = time.monotonic()
        found: dict[str, bytes | None] = {}
        missing = []
        for subject in subjects:
            cached = self._cache.get(subject)
            if cached is not None and cached[1] is not None and now - cached[0] < KEY_TTL:
                found[subject] = cached[1]
            elif subject not in found:
                missing.append(subject)
        if missing:
            made = {}
            for subject in missing:
                key = os.urandom(KEY_BYTES)
                made[subject] = self.masters.wrap(subject, key)
            rows = self.table.create(made)
            for subject in missing:
                key = self._unwrap(subject, rows.get(subject))
                self._remember(subject, key, now)
                found[subject] = key
        return found

    def erase(self, *, person: str | None = None, case: str | None = None) -> int:
        """Delete the keys of a person or a case (all its people's keys in it too); returns
        how many keys went. Those subjects stay erased: nothing new is sealed for them."""
        erased = self.table.erase(person=person, case=case)
        with self._lock:
            for subject in erased:
                self._cache[subject] = (time.monotonic(), None)
        return len(erased)

    def forget(self) -> None:
        with self._lock:
            self._cache.clear()

    def rotate(self) -> int:
        """Wrap every key with the current master key; returns how many were rewrapped."""
        count = 0
        current = master_id(self.masters.current)
        for subject, wrapped, wrapped_by in self.table.all_wrapped():
            if wrapped_by == current:
                continue
            key = self.masters.unwrap(subject, wrapped, wrapped_by)
            self.table.rewrap(subject, *self.masters.wrap(subject, key))
            count += 1
        return count

    def _unwrap(self, subject: str, row: tuple[bytes | None, str] | None) -> bytes | None:
        if row is None or row[0] is None:
            return None
        return self.masters.unwrap(subject, bytes(row[0]), row[1])

    def _remember(self, subject: str, key: bytes | None, now: float) -> None:
        with self._lock:
            if len(self._cache) > 50_000:
                self._cache.clear()
            self._cache[subject] = (now, key)


class KeyTable:
    """Where wrapped keys are kept; one subclass per kind of store."""

    def read(self, subjects: list[str]) -> dict[str, tuple[bytes | None, str]]:
        raise NotImplementedError

    def create(self, made: dict[str, tuple[bytes, str]]) -> dict[str, tuple[bytes | None, str]]:
        """Insert the keys of subjects that have no row yet; returns every subject's row."""
        raise NotImplementedError

    def erase(self, *, person: str | None, case: str | None) -> list[str]:
        raise NotImplementedError

    def all_wrapped(self) -> list[tuple[str, bytes, str]]:
        raise NotImplementedError

    def rewrap(self, subject: str, wrapped: bytes, wrapped_by: str) -> None:
        raise NotImplementedError


class MemoryKeyTable(KeyTable):
    """The in-memory store's keys (unit tests)."""

    def __init__(self) -> None:
        self.rows: dict[str, tuple[bytes | None, str]] = {}

    def read(self, subjects: list[str]) -> dict[str, tuple[bytes | None, str]]:
        return {s: self.rows[s] for s in subjects if s in self.rows}

    def create(self, made: dict[str, tuple[bytes, str]]) -> dict[str, tuple[bytes | None, str]]:
        for subject, row in made.items():
            self.rows.setdefault(subject, row)
        return self.read(list(made))

    def erase(self, *, person: str | None, case: str | None) -> list[str]:
        erased = [s for s in self.rows if _matches(s, person, case)]
        for subject in erased:
            self.rows[subject] = (None, "")
        return erased

    def all_wrapped(self) -> list[tuple[str, bytes, str]]:
        return [(s, w, by) for s, (w, by) in self.rows.items() if w is not None]

    def rewrap(self, subject: str, wrapped: bytes, wrapped_by: str) -> None:
        self.rows[subject] = (wrapped, wrapped_by)


def _matches(subject: str, person: str | None, case: str | None) -> bool:
    of_person, of_case = _parts(subject)
    return (person is not None and of_person == person) or (
        case is not None and of_case == case)


class SQLKeyTable(KeyTable):
    """Keys in a table of the store's own database, SQLite or PostgreSQL."""

    def __init__(self, datastore: Any, postgres: bool, schema: str = ""):
        self.datastore, self.postgres = datastore, postgres
        self.name = f"{schema}.{TABLE}" if schema else TABLE
        self.mark = "%s" if postgres else "?"
        blob = "BYTEA" if postgres else "BLOB"
        with datastore.transaction(commit=True) as cursor:
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {self.name} (subject TEXT PRIMARY KEY,"
                f" person_id TEXT, case_id TEXT, wrapped {blob}, wrapped_by TEXT NOT NULL,"
                " created_us BIGINT NOT NULL, erased_us BIGINT)")
            for column in ("person_id", "case_id"):
                cursor.execute(f"CREATE INDEX IF NOT EXISTS {TABLE}_by_{column}"
                               f" ON {self.name} ({column})")

    def _marks(self, n: int) -> str:
        return ", ".join([self.mark] * n)

    def read(self, subjects: list[str]) -> dict[str, tuple[bytes | None, str]]:
        found: dict[str, tuple[bytes | None, str]] = {}
        with self.datastore.transaction(commit=False) as cursor:
            for start in range(0, len(subjects), 500):
                chunk = subjects[start:start + 500]
                cursor.execute(f"SELECT subject, wrapped, wrapped_by FROM {self.name}"
                               f" WHERE subject IN ({self._marks(len(chunk))})", chunk)
                for row in cursor.fetchall():
                    found[row["subject"]] = (row["wrapped"], row["wrapped_by"])
        return found

    def create(self, made: dict[str, tuple[bytes, str]]) -> dict[str, tuple[bytes | None, str]]:
        now = int(time.time() * 1_000_000)
        rows = [(s, *_parts(s), wrapped, by, now) for s, (wrapped, by) in made.items()]
        with self.datastore.transaction(commit=True) as cursor:
            cursor.executemany(
                f"INSERT INTO {self.name} (subject, person_id, case_id, wrapped, wrapped_by,"
                f" created_us) VALUES ({self._marks(6)}) ON CONFLICT (subject) DO NOTHING",
                rows)
        return self.read(list(made))

    def erase(self, *, person: str | None, case: str | None) -> list[str]:
        now = int(time.time() * 1_000_000)
        where, params = [], []
        if person is not None:
            where.append(f"person_id = {self.mark}")
            params.append(person)
        if case is not None:
            where.append(f"case_id = {self.mark}")
            params.append(case)
        if not where:
            return []
        with self.datastore.transaction(commit=True) as cursor:
            if not self.postgres:
                # The key's bytes are overwritten in the file, not left in a free slot.
                cursor.execute("PRAGMA secure_delete = ON")
            cursor.execute(f"SELECT subject FROM {self.name} WHERE ({' OR '.join(where)})"
                           " AND wrapped IS NOT NULL", params)
            erased = [row["subject"] for row in cursor.fetchall()]
            cursor.execute(f"UPDATE {self.name} SET wrapped = NULL, erased_us = {self.mark}"
                           f" WHERE ({' OR '.join(where)}) AND wrapped IS NOT NULL",
                           [now, *params])
        if self.postgres:
            # An UPDATE leaves the old row version, key and all, until a vacuum: the table
            # is small, so it is rewritten at once and the key bytes leave the disk.
            with self.datastore.get_connection() as conn:
                conn.execute(f"VACUUM FULL {self.name}")
        else:
            # The page as it was before lives on in the write-ahead log until a checkpoint.
            with self.datastore.transaction(commit=False) as cursor:
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return erased

    def all_wrapped(self) -> list[tuple[str, bytes, str]]:
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(f"SELECT subject, wrapped, wrapped_by FROM {self.name}"
                           " WHERE wrapped IS NOT NULL")
            return [(r["subject"], bytes(r["wrapped"]), r["wrapped_by"])
                    for r in cursor.fetchall()]

    def rewrap(self, subject: str, wrapped: bytes, wrapped_by: str) -> None:
        with self.datastore.transaction(commit=True) as cursor:
            cursor.execute(f"UPDATE {self.name} SET wrapped = {self.mark}, wrapped_by ="
                           f" {self.mark} WHERE subject = {self.mark}",
                           [wrapped, wrapped_by, subject])

"""The access log: one row for every read of a case record and every change of a privilege,
beside the operations tables (the views' database; a rebuild never touches it).

A row holds who (account and role), in which tenant, which case, what kind of data, what they
did and how it ended, from which address and in which request, and when (UTC, microseconds):
ids and closed words only, never clinical content or free text, which ``AccessRow`` refuses.
Rows are chained (``access_chain``) in the transaction that writes them, writers taking turns
(PostgreSQL: an advisory transaction lock; SQLite: its write lock), and the table refuses
UPDATE, DELETE and TRUNCATE by trigger, even for its owner. Nothing in Mend deletes a row:
rows are kept for the retention period (six years for clinical records) and beyond.
"""

from __future__ import annotations

import ipaddress
import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from mend.projections.casebook import Casebook, PostgresCasebook
from mend.workers import access_chain
from mend.workers.access_sending import PostgresSender, SQLiteSender

KINDS = ("case", "timeline", "metrics", "export", "report", "caseload", "outcomes", "audit",
         "alerts", "access_log", "membership", "role", "participants", "practitioners",
         "token", "person")
ACTIONS = ("view", "query", "export", "print", "change", "erase")
OUTCOMES = ("allowed", "denied", "not_found", "refused", "failed")
STAFF_ROLES = ("owner", "supervisor", "practitioner")
#: A request id as Mend makes one or accepts one from a proxy: no spaces, no markup.
REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,99}")
#: Any fixed number no other part of the database uses as an advisory lock.
WRITERS_LOCK = 0x6D656E6441
LOCK_WAIT = "10s"
#: How many times a SQLite batch is tried while another process holds the write lock.
SQLITE_ATTEMPTS = 5


def now_us() -> int:
    return time.time_ns() // 1000


def _uuid_text(value: Any, name: str, optional: bool = True) -> str | None:
    if value is None and optional:
        return None
    try:
        return str(UUID(str(value)))
    except ValueError:
        raise ValueError(f"{name} must be a UUID") from None


@dataclass(frozen=True)
class AccessRow:
    """One row to append; refuses anything that is not an id, a closed word or an address."""

    tenant_id: str
    actor_id: str
    actor_role: str
    kind: str
    action: str
    outcome: str
    case_id: str | None = None
    subject_id: str | None = None
    address: str = ""
    request_id: str = ""
    at_us: int = field(default_factory=now_us)

    def __post_init__(self) -> None:
        for name in ("tenant_id", "actor_id"):
            object.__setattr__(self, name, _uuid_text(getattr(self, name), name, False))
        for name in ("case_id", "subject_id"):
            object.__setattr__(self, name, _uuid_text(getattr(self, name), name))
        for name, allowed in (("kind", KINDS), ("action", ACTIONS), ("outcome", OUTCOMES),
                              ("actor_role", (*STAFF_ROLES, "client"))):
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name} must be one of {', '.join(allowed)}")
        if self.address:
            ipaddress.ip_address(self.address)  # ValueError for anything but an address
        if self.request_id and not REQUEST_ID.fullmatch(self.request_id):
            raise ValueError("request_id must be a plain token")


@dataclass(frozen=True)
class AccessEntry:
    seq: int
    at_us: int
    tenant_id: str
    actor_id: str
    actor_role: str
    case_id: str | None
    subject_id: str | None
    kind: str
    action: str
    outcome: str
    address: str
    request_id: str


def _tables(integer: str) -> tuple[str, ...]:
    return (
        f"""CREATE TABLE IF NOT EXISTS mend_access_log (
            seq {integer} PRIMARY KEY,
            at_us BIGINT NOT NULL,
            tenant_id TEXT NOT NULL,
            actor_id TEXT NOT NULL,
            actor_role TEXT NOT NULL,
            case_id TEXT,
            subject_id TEXT,
            kind TEXT NOT NULL,
            action TEXT NOT NULL,
            outcome TEXT NOT NULL,
            address TEXT NOT NULL,
            request_id TEXT NOT NULL,
            hash TEXT NOT NULL)""",
        "CREATE INDEX IF NOT EXISTS mend_access_log_by_tenant"
        " ON mend_access_log (tenant_id, at_us)",
        "CREATE INDEX IF NOT EXISTS mend_access_log_by_case"
        " ON mend_access_log (tenant_id, case_id, at_us)",
        "CREATE INDEX IF NOT EXISTS mend_access_log_by_actor"
        " ON mend_access_log (tenant_id, actor_id, at_us)",
    )


REFUSAL = "mend_access_log is append-only"
POSTGRES_GUARDS = (
    "CREATE OR REPLACE FUNCTION mend_access_log_refuse() RETURNS trigger LANGUAGE plpgsql AS"
    f" $$ BEGIN RAISE EXCEPTION USING MESSAGE = '{REFUSAL}: ' || TG_OP || ' refused',"
    " ERRCODE = 'insufficient_privilege'; END $$",
    # One statement per batch (one round trip): take the writers' lock, read the chain's
    # head, and chain and insert each row; how it commits is the caller's (access_sending
    # lets go of the lock before the fsync, then waits for the disk). The encoding is
    # access_chain.encode's, built from values that need no escaping (AccessRow's rule), and
    # the walk of ``verify`` checks it row by row against the Python one.
    "CREATE OR REPLACE FUNCTION mend_access_log_append(batch jsonb) RETURNS SETOF bigint"
    " LANGUAGE plpgsql AS $$ DECLARE head_seq bigint; head_hash text; r jsonb; BEGIN"
    # A writer stuck behind the lock gives up after LOCK_WAIT: its read is refused (503).
    f" PERFORM set_config('lock_timeout', '{LOCK_WAIT}', true);"
    f" PERFORM pg_advisory_xact_lock({WRITERS_LOCK});"
    " SELECT seq, hash INTO head_seq, head_hash FROM mend_access_log ORDER BY seq DESC LIMIT 1;"
    " IF NOT FOUND THEN head_seq := 0; head_hash := repeat('0', 64); END IF;"
    " FOR r IN SELECT value FROM jsonb_array_elements(batch) LOOP"
    " head_seq := head_seq + 1;"
    " head_hash := encode(sha256(decode(head_hash, 'hex') || convert_to("
    f"'[{access_chain.FORMAT},' || head_seq || ',' || ((r->>'at_us')::bigint)::text"
    + "".join(f" || ',' || coalesce(to_json(r->>'{name}')::text, 'null')"
              for name in access_chain.FIELDS[2:]) +
    " || ']', 'UTF8')), 'hex');"
    f" INSERT INTO mend_access_log ({', '.join(access_chain.FIELDS)}, hash) VALUES"
    " (head_seq, (r->>'at_us')::bigint"
    + "".join(f", r->>'{name}'" for name in access_chain.FIELDS[2:]) +
    ", head_hash); RETURN NEXT head_seq; END LOOP; END $$",
    # Statement-level, so even a change that matches no row is refused; triggers fire for
    # the table's owner too (only ALTER TABLE ... DISABLE TRIGGER, an owner's DDL, stops them).
    "CREATE OR REPLACE TRIGGER mend_access_log_append_only"
    " BEFORE UPDATE OR DELETE OR TRUNCATE ON mend_access_log"
    " FOR EACH STATEMENT EXECUTE FUNCTION mend_access_log_refuse()",
)
SQLITE_GUARDS = tuple(
    f"CREATE TRIGGER IF NOT EXISTS mend_access_log_no_{name} BEFORE {event} ON mend_access_log"
    f"{when} BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
    for name, event, when in (
        ("update", "UPDATE", ""), ("delete", "DELETE", ""),
        # INSERT OR REPLACE deletes the row it replaces without firing the delete trigger.
        ("replace", "INSERT",
         " WHEN EXISTS (SELECT 1 FROM mend_access_log WHERE seq = NEW.seq)"),
    ))
INSERT = ("INSERT INTO mend_access_log (seq, at_us, tenant_id, actor_id, actor_role, case_id,"
          " subject_id, kind, action, outcome, address, request_id, hash) VALUES (:seq, :at_us,"
          " :tenant_id, :actor_id, :actor_role, :case_id, :subject_id, :kind, :action,"
          " :outcome, :address, :request_id, :hash)")
COLUMNS = ", ".join(access_chain.FIELDS)


class AccessLog:
    """Appending (a batch at once, or a request's rows as its reads are allowed: ``sender``),
    reading back for the reports, and verifying the chain."""

    def __init__(self, casebook: Casebook):
        self.casebook = casebook
        self.postgres = isinstance(casebook, PostgresCasebook)

    # ------------------------------------------------------------------ the table
    def create_tables(self) -> None:
        """Create what is missing. Once the guards exist nothing is run, so a web role that
        does not own the table (README: "Who read what") starts without DDL rights on it."""
        if self._guarded():
            return
        guards = POSTGRES_GUARDS if self.postgres else SQLITE_GUARDS
        statements = _tables("BIGINT" if self.postgres else "INTEGER") + guards
        self.casebook._run([(sql, {}) for sql in statements])

    def _guarded(self) -> bool:
        if self.postgres:  # and the append function as this version writes it
            sql = ("SELECT (SELECT count(*) FROM pg_trigger"
                   " WHERE tgname = 'mend_access_log_append_only') + (SELECT count(*)"
                   " FROM pg_proc WHERE proname = 'mend_access_log_append'"
                   " AND prosrc = :body) AS n")
            body = POSTGRES_GUARDS[1].split("$$")[1]
            return self.casebook._rows(sql, {"body": body})[0]["n"] == 2
        sql = ("SELECT count(*) AS n FROM sqlite_master WHERE type = 'trigger'"
               " AND name LIKE 'mend_access_log_no_%'")
        return self.casebook._rows(sql, {})[0]["n"] == len(SQLITE_GUARDS)

    # ------------------------------------------------------------------ writing
    def sender(self) -> PostgresSender | SQLiteSender:
        """What sends one request's rows as its reads are allowed, and waits for them at
        its end (``access_sending``)."""
        if self.postgres:
            return PostgresSender(self.casebook.datastore)
        return SQLiteSender(self.append)

    def append(self, rows: list[AccessRow]) -> list[int]:
        """Chain and insert the rows in one transaction, in order; their numbers."""
        if self.postgres:
            return self._append_postgres(rows)
        for attempt in range(SQLITE_ATTEMPTS):
            try:
                return self._append_sqlite(rows)
            except Exception as error:  # another process holds the write lock: try again
                if "locked" not in str(error) or attempt == SQLITE_ATTEMPTS - 1:
                    raise
                time.sleep(0.01 * (attempt + 1))
        raise AssertionError("unreachable")

    def _append_postgres(self, rows: list[AccessRow]) -> list[int]:
        batch = json.dumps([vars(row) for row in rows])
        with self.casebook.datastore.get_connection() as conn:  # autocommit: one round trip
            found = conn.execute("SELECT mend_access_log_append(%s::jsonb) AS seq",
                                 (batch,)).fetchall()
        return [row["seq"] for row in found]

    def _append_sqlite(self, rows: list[AccessRow]) -> list[int]:
        with self.casebook.datastore.transaction(commit=True) as curs:
            curs.execute("SELECT seq, hash FROM mend_access_log ORDER BY seq DESC LIMIT 1")
            params = _chained(rows, curs.fetchone())
            curs.executemany(INSERT, params)
        return [p["seq"] for p in params]

    # ------------------------------------------------------------------ reading
    def rows(self, sql: str, params: dict[str, Any]) -> list[AccessEntry]:
        return [AccessEntry(**{k: row[k] for k in access_chain.FIELDS})
                for row in self.casebook._rows(sql, params)]

    def count(self, sql: str, params: dict[str, Any]) -> int:
        return int(self.casebook._rows(sql, params)[0]["n"])

    def verify(self, page: int = 5000) -> access_chain.Verdict:
        """Walk the whole chain from its first row."""
        return access_chain.walk(self._every_row(page))

    def _every_row(self, page: int) -> Iterator[dict[str, Any]]:
        after = 0
        while True:
            batch = self.casebook._rows(
                f"SELECT {COLUMNS}, hash FROM mend_access_log WHERE seq > :after"
                " ORDER BY seq LIMIT :page", {"after": after, "page": page})
            yield from (dict(row) for row in batch)
            if len(batch) < page:
                return
            after = batch[-1]["seq"]


def _chained(rows: list[AccessRow], head: Any) -> list[dict[str, Any]]:
    seq, previous = (head["seq"], head["hash"]) if head else (0, access_chain.GENESIS)
    params = []
    for row in rows:
        seq += 1
        values = {**vars(row), "seq": seq}
        values["hash"] = previous = access_chain.link(previous, values)
        params.append(values)
    return params

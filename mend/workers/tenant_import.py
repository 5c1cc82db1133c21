"""Importing a tenant's history into a Mend that does not hold it: all of it, or nothing.

The file is checked whole before anything is written: its checksum, every stream from its
first version without a gap, every event readable by this Mend's classes, and nothing of the
tenant already here. Then every event goes in one transaction, in the file's order, with
its originator id, version, topic and timestamp as they were, encoded with this Mend's
cipher; the projection runner builds the views from them as from events just recorded.

A person can already have an account here, the same account (a practice they also belong
to moved here before): it is kept as this Mend has it, and the file's copy of it is passed
by. An email that belongs to another account here is a refusal: two people's records cannot
be merged, and the tenant's records name the account by its id.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError, Mapper, StoredEvent

from mend.domain.acting import acting
from mend.domain.store import MendStore, replay
from mend.domain.tenancy import EMAILS, SLUGS, Account, Index, Tenant
from mend.workers.history_file import HistoryLine, ImportRefused, read_history, stored_state

#: The aggregates a history may hold, by the class part of their events' topics.
MOVED = {"Tenant": "tenants", "Case": "cases", "BallotBox": "ballot_boxes",
         "Account": "accounts", "Index": "indexes"}
INSERT_CHUNK = 2_000


@dataclass(frozen=True)
class Imported:
    tenant_id: UUID
    slug: str
    name: str
    events: int
    streams: dict[str, int]
    #: People whose account this Mend already had, kept as it is here.
    kept_accounts: int


def import_history(store: MendStore, data: bytes) -> Imported:
    """Write the file's history into this store, or refuse (ImportRefused) and write none."""
    history = read_history(data)
    tenant_id, slug, name = _tenant_of(history.header)
    plain = Mapper(transcoder=store.mapper.transcoder)
    events = [_readable(plain, line) for line in history.lines]
    kinds = _streams(history.lines, tenant_id, slug, events)
    counts = Counter(kinds.values())
    if counts != Counter(history.header.get("streams") or {}):
        raise ImportRefused("The file is damaged: its records are not those its header counts.")
    kept, their_emails = _kept_accounts(store, tenant_id, slug, kinds, events)
    passed_by = kept | their_emails
    stored = [StoredEvent(line.originator_id, line.version, line.topic,
                          stored_state(store.mapper, line))
              for line in history.lines if line.originator_id not in passed_by]
    stored += _joinings(store, tenant_id, kept)
    try:
        _insert_all(store, stored)
    except IntegrityError:
        raise ImportRefused("Something of this practice was written here while the file was"
                            " being imported; nothing of the file was imported.") from None
    _snapshot_long_streams(store, history.lines, kinds, kept)
    return Imported(tenant_id, slug, name, len(stored), dict(counts), len(kept))


def _insert_all(store: MendStore, stored: list[StoredEvent]) -> None:
    """Every event in one transaction. On PostgreSQL a statement per chunk: one insert of
    tens of thousands of events stalls the driver's pipeline (10,000 went in in 0.5 s here,
    20,000 never returned)."""
    recorder = store.recorder
    if not hasattr(recorder, "_lock_table"):  # SQLite, memory: one statement is fine
        recorder.insert_events(stored)
        return
    with recorder.datastore.transaction(commit=True) as cursor:
        for start in range(0, len(stored), INSERT_CHUNK):
            # The recorder's own statement: it locks the table and notifies the runners.
            recorder._insert_stored_events(cursor, stored[start:start + INSERT_CHUNK])


def _tenant_of(header: dict[str, Any]) -> tuple[UUID, str, str]:
    try:
        tenant = header["tenant"]
        return UUID(tenant["id"]), str(tenant["slug"]), str(tenant["name"])
    except (KeyError, TypeError, ValueError):
        raise ImportRefused("The file's header does not name its tenant.") from None


def _readable(plain: Mapper, line: HistoryLine) -> Any:
    """The line as this Mend's event class: its topic resolves and its state loads."""
    try:
        return plain.to_domain_event(
            StoredEvent(line.originator_id, line.version, line.topic, line.state))
    except Exception:  # an unknown topic, a state of another shape: the words are Mend's
        raise ImportRefused(f"This Mend cannot read an event of the file ({line.topic},"
                            f" version {line.version} of {line.originator_id}).") from None


def _streams(lines: list[HistoryLine], tenant_id: UUID, slug: str,
             events: list[Any]) -> dict[UUID, str]:
    """Each stream's kind, once every stream runs from version 1 without a gap and the
    tenant's opens with its registration under the header's slug."""
    kinds: dict[UUID, str] = {}
    versions: dict[UUID, int] = {}
    for line in lines:
        kind = MOVED.get(line.topic.partition(":")[2].partition(".")[0])
        if kind is None:
            raise ImportRefused(f"The file holds events Mend does not move ({line.topic}).")
        if line.version != versions.get(line.originator_id, 0) + 1:
            raise ImportRefused(f"The file is damaged: the events of {line.originator_id}"
                                " are not whole.")
        versions[line.originator_id] = line.version
        kinds.setdefault(line.originator_id, kind)
    first = next((e for e in events if e.originator_id == tenant_id), None)
    if not isinstance(first, Tenant.TenantRegistered) or first.slug != slug:
        raise ImportRefused("The file's events do not begin its tenant as its header says.")
    return kinds


def _kept_accounts(store: MendStore, tenant_id: UUID, slug: str, kinds: dict[UUID, str],
                   events: list[Any]) -> tuple[set[UUID], set[UUID]]:
    """The accounts already here, to keep, and their email indexes; a refusal when anything
    else of the file is here."""
    if _here(store, tenant_id):
        raise ImportRefused(f"This Mend already holds the practice {slug!r}: it was imported"
                            " before, or never left.")
    if store.lookup(SLUGS, slug) is not None:
        raise ImportRefused(f"The slug {slug!r} is taken here by another practice.")
    kept = {i for i, kind in kinds.items() if kind == MOVED["Account"] and _here(store, i)}
    emails = [e for e in events if isinstance(e, Index.IndexCreated) and e.namespace == EMAILS]
    taken = [e.value for e in emails if store.lookup(EMAILS, e.value) not in (None, e.ref)]
    if taken:
        raise ImportRefused(f"{len(taken)} of the practice's people have an email that belongs"
                            f" to another account here (e.g. {taken[0]}); accounts cannot be"
                            " merged.")
    their_emails = {e.originator_id for e in emails if e.ref in kept}
    others = [i for i in kinds if i not in kept | their_emails and _here(store, i)]
    if others:
        raise ImportRefused(f"This Mend already holds {len(others)} of the file's records;"
                            " nothing was imported.")
    return kept, their_emails


def _here(store: MendStore, originator_id: UUID) -> bool:
    return bool(store.recorder.select_events(originator_id, limit=1))


def _joinings(store: MendStore, tenant_id: UUID, kept: set[UUID]) -> list[StoredEvent]:
    """A kept account that does not list the tenant yet joins it here, with nobody acting:
    it joined at the other Mend after its first practice moved."""
    joined = []
    for account_id in kept:
        account = store.get(account_id, Account)
        with acting(None, tenant_id):
            account.join(tenant_id)
        joined += [store.mapper.to_stored_event(e) for e in account.collect_events()]
    return joined


def _snapshot_long_streams(store: MendStore, lines: list[HistoryLine], kinds: dict[UUID, str],
                           kept: set[UUID]) -> None:
    """Long streams get the snapshot a save would have taken, so loading one stays quick."""
    if store.snapshots is None:
        return
    intervals = {MOVED[cls.__name__]: every
                 for cls, every in store.snapshotting_intervals.items()}
    lengths = Counter(line.originator_id for line in lines)
    for originator_id, events in lengths.items():
        every = intervals.get(kinds[originator_id])
        if every and events >= every and originator_id not in kept:
            store.take_snapshot(originator_id, projector_func=replay)

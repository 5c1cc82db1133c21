"""The event store of every aggregate, and saving with retries when writers collide."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import RecordConflictError

from mend.domain import idempotency
from mend.domain.case import Case
from mend.domain.errors import ConcurrentWrite, NotFound
from mend.domain.idempotency import CommandRecord
from mend.domain.keyring import (
    DEVELOPMENT_MASTER_KEY, Keyring, MasterKeys, MemoryKeyTable, SQLKeyTable, parse_master_keys,
)
from mend.domain.sealing import SealingMapper, SnapshotErased
from mend.domain.tenancy import Account, Index, Tenant

T = TypeVar("T")

#: How often a command is at least tried on fresh state after losing a race to another writer...
SAVE_ATTEMPTS = 8
#: ...and for how many seconds at least it keeps trying: a writer in another process working
#: through a queue of commands on the same case can win many races in a row.
SAVE_PATIENCE = 3.0
#: The randomized pause after a lost race grows from up to BACKOFF_BASE to up to BACKOFF_CAP
#: seconds, so writers from other processes that collided do not collide again in lockstep.
BACKOFF_BASE = 0.002
BACKOFF_CAP = 0.02


def event_id(originator_id: UUID, originator_version: int) -> UUID:
    """A stable public id for a stored event, the same in command answers and timelines."""
    return uuid5(NAMESPACE_URL, f"/mend/event/{originator_id}/{originator_version}")


def replay(aggregate: Any, domain_events: Iterable[Any]) -> Any:
    """The library's project_aggregate without its per-event isinstance check of a Protocol,
    which costs about 40 % of a replay on Python 3.11; every event here is an aggregate event."""
    for domain_event in domain_events:
        aggregate = domain_event.mutate(aggregate)
    return aggregate


@dataclass(frozen=True)
class Saved:
    """What a command recorded: its last event, and where that sits in the store's log."""

    originator_id: UUID
    version: int
    type: str
    occurred_at: datetime | None
    recorded_at: datetime
    notification_id: int | None
    result: Any = None

    @property
    def event_id(self) -> UUID:
        return event_id(self.originator_id, self.version)


INDEX_MEMO_SIZE = 100_000


class MendStore(Application[UUID]):
    """Cases, tenants, accounts and indexes in one store with one notification log."""

    name = "Mend"
    snapshotting_intervals = {Case: 100, Tenant: 100, Account: 100}
    snapshotting_projectors = {Case: replay, Tenant: replay, Account: replay}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Per-aggregate locks of the writers in this process that lost a race: id -> [lock, users].
        self._write_locks: dict[Any, list[Any]] = {}
        self._write_locks_guard = threading.Lock()
        # An index never changes once created (an email, a slug, a token digest points to one
        # aggregate for good), so what it points to is remembered instead of read every time:
        # a bearer request looks its token up on every call.
        self._index_refs: dict[UUID, UUID] = {}
        self.keyring = _keyring_for(self)
        if isinstance(self.mapper, SealingMapper):
            self.mapper.keyring = self.keyring

    def get(self, aggregate_id: UUID, kind: type[T]) -> T:
        """The aggregate as stored now: a copy of its own, free to change and save."""
        return self._get(aggregate_id, kind, copy=True)

    def peek(self, aggregate_id: UUID, kind: type[T]) -> T:
        """The aggregate as stored now, shared with every other caller in this process: only
        for looking up single values (a role, a token), never to change or iterate over, since
        another thread may bring it up to date in place. Saves copying it on every request."""
        return self._get(aggregate_id, kind, copy=False)

    def _get(self, aggregate_id: UUID, kind: type[T], *, copy: bool) -> T:
        try:
            try:
                aggregate = self.repository.get(aggregate_id, projector_func=replay,
                                                deepcopy_from_cache=copy)
            except SnapshotErased:
                # Sealed with a key since deleted: the events tell what is left to know.
                self.forget_snapshots(aggregate_id)
                aggregate = self.repository.get(aggregate_id, projector_func=replay,
                                                deepcopy_from_cache=copy)
        except AggregateNotFoundError:
            raise NotFound(f"No {kind.__name__.lower()} {aggregate_id}.") from None
        if not isinstance(aggregate, kind):
            raise NotFound(f"No {kind.__name__.lower()} {aggregate_id}.")
        return aggregate

    def forget_snapshots(self, *aggregate_ids: UUID) -> int:
        """Delete the snapshots of these aggregates, and drop them from this process's cache
        (an erasure: what a snapshot or a cached copy holds was read with a key now gone)."""
        deleted = 0
        recorder = getattr(self.snapshots, "recorder", None) if self.snapshots else None
        datastore = getattr(recorder, "datastore", None)
        if datastore is not None and aggregate_ids:
            postgres = _is_postgres(datastore)
            table = recorder.events_table_name
            if postgres and "." not in table and getattr(datastore, "schema", ""):
                table = f"{datastore.schema}.{table}"
            mark = "%s" if postgres else "?"
            with datastore.transaction(commit=True) as cursor:
                for aggregate_id in aggregate_ids:
                    cursor.execute(f"DELETE FROM {table} WHERE originator_id = {mark}",
                                   [aggregate_id if postgres else aggregate_id.hex])
                    deleted += max(getattr(cursor, "sqlite_cursor", cursor).rowcount, 0)
        elif recorder is not None:
            index = getattr(recorder, "_stored_events_index", None)
            for aggregate_id in aggregate_ids if isinstance(index, dict) else ():
                deleted += len(index.pop(str(aggregate_id), {}))  # the in-memory store
        cache = getattr(self.repository, "cache", None)
        for aggregate_id in aggregate_ids if cache is not None else ():
            try:
                cache.get(aggregate_id, evict=True)
            except KeyError:
                pass  # not cached here
        return deleted

    def find(self, aggregate_id: UUID, kind: type[T]) -> T | None:
        try:
            return self.get(aggregate_id, kind)
        except NotFound:
            return None

    def lookup(self, namespace: str, value: str) -> UUID | None:
        """The id an index points to, or None when the value is not registered."""
        index_id = Index.id_for(namespace, value)
        ref = self._index_refs.get(index_id)
        if ref is None:
            index = self.find(index_id, Index)
            if index is None:
                return None  # not remembered: it may be registered a moment from now
            if len(self._index_refs) >= INDEX_MEMO_SIZE:
                self._index_refs.clear()
            ref = self._index_refs[index_id] = index.ref
        return ref

    def save_changes(self, *aggregates: Any) -> Saved:
        """Save atomically and describe the last event written."""
        recordings = self.save(*aggregates)
        subjects = [r for r in recordings if _is_subject(r.domain_event)]
        if not subjects:
            raise ValueError("nothing to save")
        last = subjects[-1]
        domain_event = last.domain_event
        return Saved(
            originator_id=domain_event.originator_id,
            version=domain_event.originator_version,
            type=type(domain_event).__name__,
            occurred_at=getattr(domain_event, "occurred_at", None),
            recorded_at=domain_event.timestamp,
            notification_id=getattr(last.notification, "id", None),
        )

    def retrying(self, command: Callable[[], tuple[Sequence[Any], Any]]) -> Saved:
        """Run a load-decide-save command, re-running it on fresh state after a write conflict.

        ``command`` loads what it needs, triggers events, and returns the aggregates to save
        and a result; nothing is ever silently dropped: after SAVE_ATTEMPTS attempts and
        SAVE_PATIENCE seconds of lost races it is a conflict (ConcurrentWrite).

        The first attempt is optimistic and takes no lock. A command that lost a race re-runs
        holding this process's lock of each aggregate it writes, so the writers of one busy
        case in this process queue up instead of failing each other over and over; a command
        that finds such a queue joins it rather than racing it. Collisions with writers in
        other processes are then rare, and after each one the command waits a short random
        while before it tries again.
        """
        give_up_at = time.monotonic() + SAVE_PATIENCE
        remembered = idempotency.current()
        if remembered is not None:
            command = self._remembering(command, remembered)
        aggregates, result = command()
        if not aggregates and isinstance(result, Saved):
            return result  # answered before, under the same idempotency key
        keys = _write_keys(aggregates)
        if not self._queued(keys):
            try:
                saved = self.save_changes(*aggregates)
            except RecordConflictError:
                pass
            else:
                return Saved(**{**saved.__dict__, "result": result})
        with self._writing(keys):
            attempts = 1
            while attempts < SAVE_ATTEMPTS or time.monotonic() < give_up_at:
                attempts += 1
                aggregates, result = command()
                if not aggregates and isinstance(result, Saved):
                    return result
                try:
                    saved = self.save_changes(*aggregates)
                except RecordConflictError:
                    pause = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** min(attempts, 16))
                    time.sleep(random.uniform(0, pause))
                    continue
                return Saved(**{**saved.__dict__, "result": result})
        raise ConcurrentWrite("Others kept changing this record at the same time; try again.")

    def _remembering(self, command: Callable[[], tuple[Sequence[Any], Any]],
                     remembered: idempotency.Idempotency) -> Callable[[], Any]:
        """The command, answering from its record when it already ran under this key."""

        def run() -> tuple[Sequence[Any], Any]:
            record = self.find(remembered.record_id, CommandRecord)
            if record is not None:
                return [], _saved_from(record.replay_for(remembered.request_digest))
            aggregates, result = command()
            answer = _answer_of(aggregates, result)
            record = CommandRecord(
                id=remembered.record_id, request_digest=remembered.request_digest, answer=answer
            )
            return [*aggregates, record], result

        return run

    def _queued(self, keys: list[Any]) -> bool:
        with self._write_locks_guard:
            return any(key in self._write_locks for key in keys)

    @contextmanager
    def _writing(self, keys: list[Any]) -> Iterator[None]:
        """Hold this process's locks of these aggregates (taken in one order: no deadlock)."""
        with self._write_locks_guard:
            entries = [self._write_locks.setdefault(key, [threading.Lock(), 0]) for key in keys]
            for entry in entries:
                entry[1] += 1
        try:
            with ExitStack() as held:
                for lock, _ in entries:
                    held.enter_context(lock)
                yield
        finally:
            with self._write_locks_guard:
                for key, entry in zip(keys, entries):
                    entry[1] -= 1
                    if not entry[1]:
                        del self._write_locks[key]


def _is_postgres(datastore: Any) -> bool:
    return type(datastore).__module__.startswith("eventsourcing.postgres")


def _keyring_for(store: Application[UUID]) -> Keyring:
    """The subject keys, in the store's own database (or in memory for the in-memory store),
    wrapped by the master keys of the environment (MEND_MASTER_KEY)."""
    keys = parse_master_keys(store.env.get("MEND_MASTER_KEYS")) or [DEVELOPMENT_MASTER_KEY]
    masters = MasterKeys(keys[0], tuple(keys[1:]))
    datastore = getattr(store.recorder, "datastore", None)
    if datastore is None:
        return Keyring(MemoryKeyTable(), masters)
    postgres = _is_postgres(datastore)
    schema = getattr(datastore, "schema", "") if postgres else ""
    return Keyring(SQLKeyTable(datastore, postgres, "" if schema == "public" else schema),
                   masters)


def _is_subject(domain_event: Any) -> bool:
    """Index and idempotency records are bookkeeping; a command's answer is about the rest."""
    return not isinstance(domain_event, (Index.Event, CommandRecord.Event))


def _answer_of(aggregates: Sequence[Any], result: Any) -> dict[str, Any]:
    last = [e for a in aggregates for e in a.pending_events if _is_subject(e)][-1]
    occurred_at = getattr(last, "occurred_at", None)
    return {
        "originator_id": str(last.originator_id), "version": last.originator_version,
        "type": type(last).__name__,
        "occurred_at": occurred_at.isoformat() if occurred_at else None,
        "recorded_at": last.timestamp.isoformat(),
        "result": str(result) if result is not None else None,
    }


def _saved_from(answer: dict[str, Any]) -> Saved:
    result = answer["result"]
    try:
        result = UUID(result) if result is not None else None
    except ValueError:
        pass
    occurred_at = answer["occurred_at"]
    return Saved(
        originator_id=UUID(answer["originator_id"]), version=answer["version"],
        type=answer["type"],
        occurred_at=datetime.fromisoformat(occurred_at) if occurred_at else None,
        recorded_at=datetime.fromisoformat(answer["recorded_at"]), notification_id=None,
        result=result,
    )


def _write_keys(objs: Sequence[Any]) -> list[Any]:
    """The ids of the aggregates a command writes, in one global order."""
    ids = {getattr(obj, "id", None) or getattr(obj, "originator_id", None) for obj in objs}
    return sorted((i for i in ids if i is not None), key=str)

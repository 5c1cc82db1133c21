"""The event store of every aggregate, and saving with retries when writers collide."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import RecordConflictError

from mend.domain.case import Case
from mend.domain.errors import ConcurrentWrite, NotFound
from mend.domain.tenancy import Account, Index, Tenant

T = TypeVar("T")

#: How often a command is re-run on fresh state after losing a race to another writer.
SAVE_ATTEMPTS = 8


def event_id(originator_id: UUID, originator_version: int) -> UUID:
    """A stable public id for a stored event, the same in command answers and timelines."""
    return uuid5(NAMESPACE_URL, f"/mend/event/{originator_id}/{originator_version}")


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


class MendStore(Application[UUID]):
    """Cases, tenants, accounts and indexes in one store with one notification log."""

    name = "Mend"
    snapshotting_intervals = {Case: 100, Tenant: 100, Account: 100}

    def get(self, aggregate_id: UUID, kind: type[T]) -> T:
        try:
            aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise NotFound(f"No {kind.__name__.lower()} {aggregate_id}.") from None
        if not isinstance(aggregate, kind):
            raise NotFound(f"No {kind.__name__.lower()} {aggregate_id}.")
        return aggregate

    def find(self, aggregate_id: UUID, kind: type[T]) -> T | None:
        try:
            return self.get(aggregate_id, kind)
        except NotFound:
            return None

    def lookup(self, namespace: str, value: str) -> UUID | None:
        """The id an index points to, or None when the value is not registered."""
        index = self.find(Index.id_for(namespace, value), Index)
        return index.ref if index else None

    def save_changes(self, *aggregates: Any) -> Saved:
        """Save atomically and describe the last event written."""
        recordings = self.save(*aggregates)
        if not recordings:
            raise ValueError("nothing to save")
        last = recordings[-1]
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
        and a result; nothing is ever silently dropped: after SAVE_ATTEMPTS it is a conflict.
        """
        for _ in range(SAVE_ATTEMPTS):
            aggregates, result = command()
            try:
                saved = self.save_changes(*aggregates)
            except RecordConflictError:
                continue
            return Saved(**{**saved.__dict__, "result": result})
        raise ConcurrentWrite("Others kept changing this record at the same time; try again.")

"""Idempotency keys: a retried command answers as the first time and records nothing twice.

A client that lost an answer (a timeout, a dropped connection, or the store's own retry of
an insert whose commit acknowledgement was lost) sends the same command again with the same
``Idempotency-Key``. The first run saves a CommandRecord, keyed by the actor and the key,
atomically with the command's own events; a later run finds it and returns its answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from mend.domain.acting import MendAggregate
from mend.domain.errors import InvalidValue


@dataclass(frozen=True)
class Idempotency:
    record_id: UUID
    request_digest: str


_current: ContextVar[Idempotency | None] = ContextVar("idempotency", default=None)


def record_id_for(account_id: UUID, tenant_id: UUID, key: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"/mend/idempotency/{account_id}/{tenant_id}/{key}")


@contextmanager
def idempotent(account_id: UUID, tenant_id: UUID, key: str | None,
               request_digest: str) -> Iterator[None]:
    """Commands saved inside the block are remembered under this key (none without a key)."""
    if key is not None and not (1 <= len(key) <= 255):
        raise InvalidValue("Idempotency-Key", "must be 1 to 255 characters")
    token = _current.set(
        Idempotency(record_id_for(account_id, tenant_id, key), request_digest) if key else None
    )
    try:
        yield
    finally:
        _current.reset(token)


def current() -> Idempotency | None:
    return _current.get()


class CommandRecord(MendAggregate):
    """The answer given to one idempotent command, kept to give it again."""

    @event("CommandAnswered")
    def __init__(self, id: UUID, request_digest: str, answer: dict[str, Any]) -> None:  # noqa: A002
        self.request_digest = request_digest
        self.answer = answer

    def replay_for(self, request_digest: str) -> dict[str, Any]:
        if request_digest != self.request_digest:
            raise InvalidValue(
                "Idempotency-Key", "was already used for a different request"
            )
        return self.answer

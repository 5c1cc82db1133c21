"""Who is acting: every event records the acting account and tenant from this context."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from uuid import UUID

from eventsourcing.domain import Aggregate

acting_account: ContextVar[UUID | None] = ContextVar("acting_account", default=None)
acting_tenant: ContextVar[UUID | None] = ContextVar("acting_tenant", default=None)


@contextmanager
def acting(account_id: UUID | None, tenant_id: UUID | None) -> Iterator[None]:
    """Stamp the events triggered inside the block with this account and tenant."""
    account_token = acting_account.set(account_id)
    tenant_token = acting_tenant.set(tenant_id)
    try:
        yield
    finally:
        acting_account.reset(account_token)
        acting_tenant.reset(tenant_token)


class MendAggregate(Aggregate):
    """An aggregate whose events carry the acting account and tenant."""

    @dataclass(frozen=True)
    class Event(Aggregate.Event):
        actor_id: UUID | None = field(default_factory=acting_account.get, init=False)
        tenant_id: UUID | None = field(default_factory=acting_tenant.get, init=False)

    @dataclass(frozen=True)
    class Created(Event, Aggregate.Created):
        pass

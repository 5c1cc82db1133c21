"""Fixtures for the integration tests: a bare event store, and a practice with people in it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from uuid import UUID

import pytest

from mend.config import Settings
from mend.domain.authorization import Actor
from mend.domain.casework import Casework
from mend.domain.membership import Membership
from mend.domain.store import MendStore


@pytest.fixture
def store(settings: Settings) -> Iterator[MendStore]:
    """The event store alone (no views, no runner) on each real store in turn."""
    instance = MendStore(env=settings.store_env())
    yield instance
    instance.close()


@dataclass
class Practice:
    """A tenant with an owner, a practitioner and three clients, all active members."""

    store: MendStore
    membership: Membership
    casework: Casework
    tenant_id: UUID
    owner: Actor
    practitioner: Actor
    clients: list[Actor]


def make_practice(store: MendStore, slug: str = "repair-practice", clients: int = 3) -> Practice:
    membership, casework = Membership(store), Casework(store)
    tenant_id, owner_id = membership.sign_up(
        name="Repair Practice", slug=slug, kind="practice",
        owner_email=f"owner@{slug}.example", owner_password="owner-long-password",
        owner_name="Olive Owner",
    ).result
    owner = Actor(owner_id, tenant_id, "owner")

    def join(email: str, name: str, role: str) -> Actor:
        invitation = membership.invite(owner, email=email, name=name, role=role).result
        account_id = membership.accept_invitation(invitation.token, f"{role}-long-password").result
        return Actor(account_id, tenant_id, role)

    practitioner = join(f"pat@{slug}.example", "Pat Practitioner", "practitioner")
    people = [join(f"client{i}@{slug}.example", f"Client {i}", "client") for i in range(clients)]
    return Practice(store, membership, casework, tenant_id, owner, practitioner, people)


@pytest.fixture
def practice(store: MendStore) -> Practice:
    return make_practice(store)

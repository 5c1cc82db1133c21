"""Fixtures for the integration tests, in the flaskr manner.

``app`` is a whole Mend on each real store in turn, ``client`` its test client, and ``auth``
signs people up and in through the API as a person would. ``issue_token`` is the one way a
test gets bearer headers. Below those, a bare event store and a practice built through the
application services, for tests that need no HTTP at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mend.config import Settings
from mend.domain.authorization import Actor
from mend.domain.casework import Casework
from mend.domain.membership import Membership
from mend.domain.store import MendStore
from mend.platform import create_app

API = "/api/v1"
#: The password every owner signed up by ``auth`` has, unless a test gives another.
PASSWORD = "a long harbor passphrase"


@pytest.fixture
def app(settings: Settings) -> Iterator[Flask]:
    """The whole platform on each real store in turn, with its projections following."""
    instance = create_app(settings)
    instance.testing = True
    yield instance
    instance.extensions["mend"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def issue_token(client: FlaskClient, email: str, password: str = PASSWORD,
                tenant: str | None = None) -> dict[str, str]:
    """Bearer headers for a person, as ``POST /auth/tokens`` issues them."""
    body = {"email": email, "password": password} | ({"tenant": tenant} if tenant else {})
    answer = client.post(f"{API}/auth/tokens", json=body)
    assert answer.status_code == 201, answer.json
    return {"Authorization": f"Bearer {answer.json['token']}"}


class Auth:
    """What a person does to get in: sign a practice up, sign in, get a token, sign out."""

    def __init__(self, client: FlaskClient):
        self.client = client

    def sign_up(self, slug: str, email: str, *, name: str = "Ruth",
                password: str = PASSWORD) -> None:
        answer = self.client.post(f"{API}/tenants", json={
            "name": slug.title(), "slug": slug, "kind": "practice",
            "owner": {"email": email, "password": password, "name": name},
        })
        assert answer.status_code == 201, answer.json

    def token(self, email: str, password: str = PASSWORD,
              tenant: str | None = None) -> dict[str, str]:
        return issue_token(self.client, email, password, tenant)

    def sign_in(self, email: str, password: str = PASSWORD) -> Any:
        """A browser sign-in: the session cookie stays on this client."""
        return self.client.post(f"{API}/auth/login", json={"email": email, "password": password})

    def sign_out(self) -> Any:
        return self.client.post(f"{API}/auth/logout")


@pytest.fixture
def auth(client: FlaskClient) -> Auth:
    return Auth(client)


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


def record_pulse(store: MendStore, slug: str) -> UUID:
    """A workplace case of a practice of its own whose five employees answer a pulse, for
    the views' pulse tallies; the pulse is closed, so its results show."""
    from datetime import datetime, timedelta, timezone

    from mend.domain import commands as cmd

    practice = make_practice(store, slug=slug, clients=5)
    work, owner = practice.casework, practice.owner
    case_id = work.open_case(owner, kind="workplace", title="Depot", approach="therapy_guided",
                             breach_category="misconduct", breach_summary="A buried report."
                             ).result
    for person in practice.clients:
        work.record(owner, case_id, cmd.AddParticipant(account_id=person.account_id))
    pulse = work.record(owner, case_id, cmd.OpenPulse(
        question="Do you trust the depot's leads?",
        closes_at=datetime.now(timezone.utc) + timedelta(days=2))).result
    for person, score in zip(practice.clients, (3, 8, 8, 5, 9)):
        work.answer_pulse(person, case_id, pulse, score)
    work.record(owner, case_id, cmd.ClosePulse(pulse_id=pulse))
    return case_id

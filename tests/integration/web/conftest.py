"""Two practices of the same shape, and a browser that signs in through the pages.

Each practice has an owner, a supervisor, a practitioner on its case and one who is not, a
client in the case and one who is not. Everything is recorded through the application
services on one SQLite store; the pages are then driven with the Flask test client, signed in
with a session cookie as a person in a browser is, forms carrying their CSRF token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mend.domain import commands as cmd
from mend.domain.authorization import Actor

PASSWORD = "a long harbor passphrase"
ROLES = ("owner", "supervisor", "practitioner", "practitioner_off", "client", "client_off")
TENANT_ROLE = {"practitioner_off": "practitioner", "client_off": "client"}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    """The pages run the same code on both stores; the store tests cover the rest."""
    from mend.config import Settings

    return Settings(database_url=f"sqlite:///{tmp_path_factory.mktemp('web')}/mend.sqlite")


@pytest.fixture(scope="module")
def app(settings) -> Any:
    from mend.platform import create_app

    instance = create_app(settings)
    instance.testing = True
    yield instance
    instance.extensions["mend"].close()


@dataclass
class Practice:
    slug: str
    people: dict[str, Actor] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)
    case_id: UUID | None = None


def build_practice(app: Flask, slug: str) -> Practice:
    mend = app.extensions["mend"]
    membership, casework = mend.membership, mend.casework
    practice = Practice(slug)
    tenant_id, owner_id = membership.sign_up(
        name=f"{slug.title()} Counselling", slug=slug, kind="practice",
        owner_email=f"owner@{slug}.test", owner_password=PASSWORD, owner_name=f"Olive {slug}",
    ).result
    owner = Actor(owner_id, tenant_id, "owner")
    practice.people["owner"], practice.emails["owner"] = owner, f"owner@{slug}.test"
    for role in ROLES[1:]:
        email = f"{role}@{slug}.test"
        invitation = membership.invite(owner, email=email, name=f"{role.title()} {slug}",
                                       role=TENANT_ROLE.get(role, role)).result
        account_id = membership.accept_invitation(invitation.token, PASSWORD).result
        practice.people[role] = Actor(account_id, tenant_id, TENANT_ROLE.get(role, role))
        practice.emails[role] = email
    practice.case_id = casework.open_case(
        owner, kind="couple", title=f"{slug.title()} couple", approach="therapy_guided",
        breach_category="dishonesty", breach_summary="Hid the debts for a year.",
    ).originator_id
    for command in (cmd.AssignPractitioner(account_id=practice.people["practitioner"].account_id),
                    cmd.AddParticipant(account_id=practice.people["client"].account_id,
                                       relation="partner")):
        casework.record(owner, practice.case_id, command)
    saved = casework.record(owner, practice.case_id, cmd.NoteSession(text="Staff only words."))
    mend.wait_for_projections(saved.notification_id, 10)
    return practice


@pytest.fixture(scope="module")
def practices(app) -> dict[str, Practice]:
    return {"own": build_practice(app, "harbor"), "other": build_practice(app, "willow")}


class Browser:
    """One person's browser: a cookie jar, and forms sent with the page's CSRF token."""

    def __init__(self, client: FlaskClient):
        self.client = client
        self.token = ""

    def get(self, path: str, **kwargs: Any) -> Any:
        response = self.client.get(path, **kwargs)
        found = CSRF.search(response.get_data(as_text=True))
        if found:
            self.token = found.group(1)
        return response

    def post(self, path: str, data: dict[str, Any] | None = None, csrf: bool = True) -> Any:
        if csrf and not self.token:
            self.get("/login")
        body = dict(data or {})
        if csrf:
            body["csrf_token"] = self.token
        return self.client.post(path, data=body)

    def sign_in(self, email: str, password: str = PASSWORD) -> Any:
        self.get("/login")
        answer = self.post("/login", {"email": email, "password": password})
        assert answer.status_code == 302, answer.get_data(as_text=True)[:500]
        # A signed-in page's token: signing in starts a new session.
        self.get("/my-cases", follow_redirects=True)
        return answer


@pytest.fixture
def browser(app) -> Browser:
    return Browser(app.test_client())


@pytest.fixture
def signed_in(app, practices):
    """A browser signed in as one role of one practice: ``signed_in("client")``."""

    def sign_in(role: str, practice: str = "own") -> Browser:
        person = Browser(app.test_client())
        if role != "anonymous":
            person.sign_in(practices[practice].emails[role])
        return person

    return sign_in


def stored(app: Flask) -> int:
    return app.extensions["mend"].store.recorder.max_notification_id() or 0

"""The demo's tenants and people, and their sign-up: everyone shares ``DEMO_PASSWORD``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from mend.domain.authorization import Actor

#: The one password of every demo account (long enough for the policy, not a common one).
DEMO_PASSWORD = "harbor-tide-4821"

HARBOR = {"name": "Harbor Counseling", "slug": "harbor", "kind": "practice"}
NORTHWIND = {"name": "Northwind Logistics", "slug": "northwind", "kind": "organization"}


@dataclass(frozen=True)
class DemoPerson:
    key: str
    name: str
    email: str
    role: str
    tenant: str  # slug


def _staff(key: str, name: str, domain: str, role: str, tenant: str) -> DemoPerson:
    first, last = name.lower().split(" ", 1)
    return DemoPerson(key, name, f"{first}.{last.replace(' ', '')}@{domain}", role, tenant)


def _client(key: str, name: str, tenant: str) -> DemoPerson:
    first, last = name.lower().split(" ", 1)
    return DemoPerson(key, name, f"{first}.{last}@example.com", "client", tenant)


#: Everyone the demo creates, in creation order (owners first).
DEMO_PEOPLE: tuple[DemoPerson, ...] = (
    _staff("ruth", "Ruth Calder", "harbor.example", "owner", "harbor"),
    _staff("omar", "Omar Haddad", "harbor.example", "supervisor", "harbor"),
    _staff("elena", "Elena Park", "harbor.example", "practitioner", "harbor"),
    _staff("david", "David Mensah", "harbor.example", "practitioner", "harbor"),
    _client("ana", "Ana Ferreira", "harbor"),
    _client("leo", "Leo Marchetti", "harbor"),
    _client("maya", "Maya Brooks", "harbor"),
    _client("chris", "Chris Dalton", "harbor"),
    _client("priya", "Priya Nair", "harbor"),
    _client("sam", "Sam Whitaker", "harbor"),
    _client("grace", "Grace Okafor", "harbor"),
    _client("samuel", "Samuel Okafor", "harbor"),
    _client("nia", "Nia Okafor", "harbor"),
    _client("jess", "Jess Moreno", "harbor"),
    _client("amara", "Amara Osei", "harbor"),
    _staff("karen", "Karen Liu", "northwind.example", "owner", "northwind"),
    _staff("sofia", "Sofia Reyes", "northwind.example", "practitioner", "northwind"),
    _client("tariq", "Tariq Nasser", "northwind"),
    _client("lena", "Lena Fischer", "northwind"),
    # Depot staff who answer the live trust pulse (a pulse goes to five people or more).
    _client("marek", "Marek Nowak", "northwind"),
    _client("joy", "Joy Adeyemi", "northwind"),
    _client("ines", "Ines Carvalho", "northwind"),
)

#: People who also belong to a second tenant: (person key, tenant slug, role there).
DEMO_EXTRA_MEMBERSHIPS = (("omar", "northwind", "practitioner"),)


def create_people(mend: Any) -> tuple[dict[str, Actor], dict[str, UUID]]:
    """Sign up both tenants, invite and accept everyone; the actors and account ids by key.

    A second membership's actor is keyed ``"key@slug"`` (``"omar@northwind"``); the plain key
    is the person in their first tenant.
    """
    membership = mend.membership
    tenants: dict[str, UUID] = {}
    actors: dict[str, Actor] = {}
    ids: dict[str, UUID] = {}
    owners: dict[str, Actor] = {}
    for spec in (HARBOR, NORTHWIND):
        owner = next(p for p in DEMO_PEOPLE if p.tenant == spec["slug"] and p.role == "owner")
        tenant_id, account_id = membership.sign_up(
            name=spec["name"], slug=spec["slug"], kind=spec["kind"], owner_email=owner.email,
            owner_password=DEMO_PASSWORD, owner_name=owner.name,
        ).result
        tenants[spec["slug"]] = tenant_id
        ids[owner.key] = account_id
        owners[spec["slug"]] = actors[owner.key] = Actor(account_id, tenant_id, "owner")
        for person in DEMO_PEOPLE:
            if person.tenant != spec["slug"] or person.key == owner.key:
                continue
            invitation = membership.invite(
                owners[spec["slug"]], email=person.email, name=person.name, role=person.role
            ).result
            membership.accept_invitation(invitation.token, DEMO_PASSWORD)
            ids[person.key] = invitation.account_id
            actors[person.key] = Actor(invitation.account_id, tenant_id, person.role)
    for key, slug, role in DEMO_EXTRA_MEMBERSHIPS:
        person = next(p for p in DEMO_PEOPLE if p.key == key)
        invitation = membership.invite(owners[slug], email=person.email, name=person.name,
                                       role=role).result
        membership.accept_invitation(invitation.token, DEMO_PASSWORD)
        actors[f"{key}@{slug}"] = Actor(ids[key], tenants[slug], role)
    return actors, ids

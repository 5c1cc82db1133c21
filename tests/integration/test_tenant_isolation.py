"""Tenants never see each other's data (DESIGN §1): every GET route, called by every member of
tenant B with tenant A's ids, says nothing of A.

Two tenants of identical shape (tests/integration/test_authorization_matrix.py builds them:
owner, supervisor, two practitioners, two clients, a case of each kind with boundaries and red
flags) are given the same story each, in their own words: staff notes, private and shared
journal entries, check-in notes, setbacks, an apology, agreements, milestones, a closed case,
workplace steps and pulses. Then each of B's members calls every GET route of the URL map:

* a route under one of A's cases answers 404, exactly as it answers for an id that never
  existed (same status, same body but for the id the caller sent itself);
* a list route answers with B's rows only, also when its query carries A's ids;
* no answer holds a byte of A's: its names, emails, titles, texts, ids (other than the id the
  caller sent), or even the word "alder" that A's slug and email domain are made of.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask

from mend.config import Settings
from mend.platform import create_app
from tests.integration.test_authorization_matrix import (
    API, CASE, EXPECTED, ROLES, Http, Tenant, app_routes, build_tenant,
)

B_ROLES = tuple(role for role in ROLES if role != "anonymous")
PARAMETER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


@dataclass
class Story:
    """A tenant and everything it recorded: the texts it wrote and the ids it was given."""

    tenant: Tenant
    texts: list[str] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    runs: list[str] = field(default_factory=list)  # its reports, made by jobs

    def post(self, http: Http, who: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = http.call("POST", f"{API}{path}", self.tenant.people[who].token, body,
                           expect=201).json
        self.ids.update(str(v) for k, v in answer.items() if k.endswith("id"))
        return answer


def tell(http: Http, tenant: Tenant) -> Story:
    """The same story in each tenant, every text in the tenant's own words."""
    story, w = Story(tenant), tenant.words
    couple, family = tenant.cases["couple"], tenant.cases["family"]
    workplace, friendship = tenant.cases["workplace"], tenant.cases["friendship"]

    def text(what: str) -> str:
        story.texts.append(f"{w} {what}")
        return f"{w} {what}"

    story.post(http, "practitioner", f"/cases/{couple}/notes",
               {"text": text("staff note: the partner admitted to hidden debts")})
    story.post(http, "client", f"/cases/{couple}/journal",
               {"text": text("private journal: I still check the phone at night")})
    story.post(http, "client", f"/cases/{couple}/journal",
               {"text": text("shared journal: the walk on Sunday helped"),
                "visibility": "shared"})
    story.post(http, "client", f"/cases/{couple}/check-ins",
               {"trust": 4, "emotional_safety": 5, "communication_ease": 3, "conflicts": 2,
                "note": text("check-in note: an argument about the bank statement")})
    story.post(http, "practitioner", f"/cases/{couple}/setbacks",
               {"severity": 2, "description": text("setback: a message deleted in secret")})
    story.post(http, "practitioner", f"/cases/{couple}/agreements",
               {"text": text("agreement: phones stay on the kitchen table")})
    story.post(http, "supervisor", f"/cases/{couple}/milestones",
               {"title": text("milestone: first honest budget")})
    story.post(http, "practitioner", f"/cases/{couple}/rituals",
               {"ritual": "gratitude_note", "note": text("ritual note: a card on the fridge")})
    story.post(http, "practitioner", f"/cases/{couple}/readiness",
               {"answers": {"breach_accepted": True, "external_support": False},
                "note": text("readiness note: ready for the hard talk")})
    story.post(http, "owner", f"/cases/{couple}/red-flags/{tenant.flag_id}/resolve",
               {"note": text("flag resolved: the accounts were closed")})
    story.post(http, "owner", f"/cases/{couple}/boundaries/{tenant.boundary_id}/cross",
               {"note": text("boundary crossed: a late call to the ex")})
    story.post(http, "owner", f"/cases/{family}/participants",
               {"account_id": tenant.people["client_off"].account_id, "relation": "brother"})
    story.post(http, "owner", f"/cases/{family}/apologies", {
        "from_id": tenant.people["client"].account_id,
        "to_ids": [tenant.people["client_off"].account_id],
        "text": text("apology: I took the inheritance papers"),
        "names_harm": True, "takes_responsibility": True, "commits_to_change": True})
    story.post(http, "owner", f"/cases/{family}/stage",
               {"stage": "honest_conversations", "reason": text("stage reason: both spoke")})
    story.post(http, "owner", f"/cases/{workplace}/program-steps",
               {"step": "public_acknowledgment", "note": text("step note: the town hall")})
    for scores in ([6, 7], [5], [8, 4], [7]):
        story.post(http, "owner", f"/cases/{workplace}/pulses", {"scores": scores})
    story.post(http, "owner", f"/cases/{friendship}/close",
               {"outcome": "reconciled", "note": text("closing note: friends again")})
    for kind in ("report.case_pdf", "report.case_html"):  # made at once: no Redis here
        run = http.call("POST", f"{API}/cases/{couple}/reports", tenant.owner.token,
                        {"kind": kind}, expect=202).json
        story.runs.append(run["run_id"])
    story.ids.update(story.runs)
    return story


@dataclass
class World:
    app: Flask
    http: Http
    a: Story
    b: Story

    def secrets_of_a(self) -> list[str]:
        """Everything of A's that B must never read (but "alder" is checked on its own)."""
        tenant = self.a.tenant
        found = set(self.a.texts) | self.a.ids
        found |= {tenant.boundary_id, tenant.flag_id, tenant.spare_token_id,
                  *tenant.cases.values(), f"{tenant.words} Practice"}
        for person in tenant.people.values():
            found |= {person.account_id, person.email, person.name}
        for case_id in tenant.cases.values():  # every event id of A's, as A's owner reads it
            timeline = self.http.call("GET", f"{API}/cases/{case_id}/timeline?limit=500",
                                      tenant.owner.token, expect=200).json
            found |= {event["id"] for event in timeline["events"]}
        found |= {uuid.UUID(s).hex for s in list(found) if is_uuid(s)}
        return sorted(found)


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return len(value) == 36


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("tenant-isolation")
    app = create_app(Settings(database_url=f"sqlite:///{tmp}/m.sqlite"))
    app.testing = True
    http = Http(app)
    a = tell(http, build_tenant(http, "alder", "Alder"))
    b = tell(http, build_tenant(http, "birch", "Birch"))
    yield World(app, http, a, b)
    app.extensions["mend"].close()


def get_routes(app: Flask) -> list[str]:
    return [rule for method, rule in app_routes(app) if method == "GET"]


# ---------------------------------------------------------------------- what B may list
#: Each list route: a query carrying A's ids (and the column of EXPECTED it is answered by),
#: and the ids of its rows, which must all be B's.
A_QUERIES: dict[str, Callable[[Tenant], list[tuple[str, str]]]] = {
    f"{API}/cases": lambda a: [(f"?after={a.cases['couple']}", "own")],
    f"{API}/caseload": lambda a: [
        (f"?practitioner={a.people['practitioner'].account_id}", "other"),
        ("?after=0&limit=200&status=closed", "own"),  # the caseload's cursor is a position
    ],
    f"{API}/audit": lambda a: [("?before=100000000&limit=500", "own")],
    f"{API}/access-log": lambda a: [
        (f"?person={a.people['practitioner'].account_id}", "own"),
        (f"?case={a.cases['couple']}&limit=200", "own")],
}
ROW_IDS: dict[str, Callable[[dict[str, Any]], set[str]]] = {
    f"{API}/cases": lambda body: {row["id"] for row in body["cases"]},
    f"{API}/caseload": lambda body: {row["id"] for row in body["cases"]},
    f"{API}/members": lambda body: {row["account_id"] for row in body["members"]},
    f"{API}/audit": lambda body: {
        i for row in body["entries"] for i in (row["actor"]["id"], row["case_id"]) if i},
    f"{API}/auth/tokens": lambda body: {row["token_id"] for row in body["tokens"]},
    # Who read, what they read and whom a change was about: all B's (a case B's people tried
    # and did not find is a row without a case).
    f"{API}/access-log": lambda body: {
        i for row in body["entries"] for i in (
            row["actor"]["id"], *((row[k] or {}).get("id") for k in ("case", "subject")))
        if i},
    f"{API}/analytics/outcomes": lambda body: set(),
    f"{API}/alerts": lambda body: {
        i for row in body["alerts"] for i in (
            row["case"]["id"], *((row[k] or {}).get("id") for k in (
                "person", "acknowledged_by", "resolved_by"))) if i},
    # A person's own settings: no ids at all.
    f"{API}/me/reminders": lambda body: set(),
    f"{API}/me/alert-settings": lambda body: set(),
}
#: Routes that hold no tenant's data at all.
PUBLIC = {"/", "/healthz", f"{API}/openapi.json", f"{API}/docs"}


def ids_of_b(world: World, role: str) -> set[str]:
    tenant = world.b.tenant
    own_tokens = {t["token_id"] for t in world.http.call(
        "GET", f"{API}/auth/tokens", tenant.people[role].token, expect=200).json["tokens"]}
    return ({p.account_id for p in tenant.people.values()} | set(tenant.cases.values())
            | own_tokens)


def leaks(text: str, secrets: list[str], sent: set[str]) -> list[str]:
    """A's secrets found in an answer, but for the ids the caller sent itself."""
    found = [s for s in secrets if s in text and s not in sent]
    if "alder" in text.lower():
        found.append("alder")
    return found


# ---------------------------------------------------------------------- the tests
def test_a_reads_its_own_story_so_the_checks_below_have_something_to_miss(world):
    a = world.a.tenant
    cases = world.http.call("GET", f"{API}/cases", a.owner.token, expect=200).get_data(as_text=True)
    assert "Alder couple case" in cases
    timeline = world.http.call("GET", f"{API}/cases/{a.cases['couple']}/timeline",
                               a.owner.token, expect=200).get_data(as_text=True)
    assert "Alder staff note" in timeline and "Odile" in timeline
    assert len(world.secrets_of_a()) > 60


@pytest.mark.parametrize("role", B_ROLES)
def test_every_get_route_called_with_a_s_ids_answers_as_if_they_never_existed(world, role):
    a, b = world.a.tenant, world.b.tenant
    token = b.people[role].token
    secrets = world.secrets_of_a()
    problems: list[str] = []
    checked = 0
    for rule in get_routes(world.app):
        names = PARAMETER.findall(rule)
        if not names:
            continue
        if names == ["run_id"]:
            a_ids = world.a.runs
        else:
            assert rule.startswith(CASE) and names == ["case_id"], (
                f"{rule}: a GET route with path parameters this test does not know how to fill")
            a_case = a.cases["workplace" if rule.endswith("/progress") else "couple"]
            a_ids = [a_case, *(c for c in a.cases.values() if c != a_case)]
        for a_id in a_ids:
            answer = world.http.call("GET", PARAMETER.sub(a_id, rule), token)
            never = str(uuid.uuid4())
            baseline = world.http.call("GET", PARAMETER.sub(never, rule), token)
            checked += 1
            text = answer.get_data(as_text=True)
            if answer.status_code != 404:
                problems.append(f"{rule} with A's {a_id}: {answer.status_code} {text}")
            if baseline.get_data(as_text=True).replace(never, a_id) != text:
                problems.append(f"{rule}: A's case answers otherwise than a case that never "
                                f"existed: {text!r}")
            if found := leaks(text, secrets, {a_id, uuid.UUID(a_id).hex}):
                problems.append(f"{rule} with A's case: leaks {found}")
    assert checked >= 5 * len(a.cases)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", B_ROLES)
def test_every_list_route_shows_b_s_rows_only_even_when_asked_with_a_s_ids(world, role):
    a, b = world.a.tenant, world.b.tenant
    token = b.people[role].token
    secrets = world.secrets_of_a()
    mine = ids_of_b(world, role)
    problems: list[str] = []
    for rule in get_routes(world.app):
        if PARAMETER.search(rule):
            continue  # the test above
        queries = [("", "own"), *A_QUERIES.get(rule, lambda _: [])(a)]
        for query, column in queries:
            sent = set(re.findall(r"[0-9a-f-]{36}", query))
            answer = world.http.call("GET", rule + query, token)
            text = answer.get_data(as_text=True)
            expected = EXPECTED["GET", rule].status(role, column)
            if answer.status_code != expected:
                problems.append(f"{rule}{query}: expected {expected}, got {answer.status_code}")
            if found := leaks(text, secrets, sent):
                problems.append(f"{rule}{query}: leaks {found}")
            if answer.status_code != 200 or rule in PUBLIC:
                continue
            assert rule in ROW_IDS, f"{rule}: a list route without its rows' ids declared here"
            if strangers := ROW_IDS[rule](answer.json) - mine:
                problems.append(f"{rule}{query}: rows not of B's: {sorted(strangers)}")
    assert not problems, "\n".join(problems)


def test_b_s_lists_hold_b_s_rows_and_analytics_count_b_s_cases_only(world):
    b = world.b.tenant
    owner = b.owner.token
    cases = world.http.call("GET", f"{API}/cases", owner, expect=200).json["cases"]
    assert {c["id"] for c in cases} == set(b.cases.values())
    members = world.http.call("GET", f"{API}/members", owner, expect=200).json["members"]
    assert {m["account_id"] for m in members} == {p.account_id for p in b.people.values()}
    outcomes = world.http.call("GET", f"{API}/analytics/outcomes", owner,
                               expect=200).json["approaches"]
    assert sum(row["closed"] for row in outcomes) == 1  # B's one closed case, not A's too
    audit = world.http.call("GET", f"{API}/audit?limit=500", owner, expect=200).json["entries"]
    assert {e["case_id"] for e in audit if e["case_id"]} == set(b.cases.values())


def test_a_timeline_cursor_of_a_s_pages_b_s_own_case_only(world):
    a, b = world.a.tenant, world.b.tenant
    first = world.http.call("GET", f"{API}/cases/{a.cases['couple']}/timeline?limit=2",
                            a.owner.token, expect=200).json
    assert first["next"]
    answer = world.http.call(
        "GET", f"{API}/cases/{b.cases['couple']}/timeline?after={first['next']}",
        b.owner.token)
    assert answer.status_code in (200, 422)
    assert not leaks(answer.get_data(as_text=True), world.secrets_of_a(), set())
    if answer.status_code == 200:
        assert answer.json["case_id"] == b.cases["couple"]

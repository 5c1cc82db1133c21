"""Who may call what: every route of the app × every role × the caller's own ids or another
tenant's, each answered with the status declared for it here.

The routes come from the app's URL map (every method × rule but HEAD, OPTIONS and the static
and documentation assets); what each must answer is declared in EXPECTED, keyed by
(method, rule). A route without an entry fails the suite, and so does an entry whose route is
gone, so no route ships without its authorization stated.

The roles: anonymous, owner, supervisor, a practitioner assigned to the case, one who is not,
a client taking part in the case, and one who does not. Each calls every route twice: with
ids of its own tenant, and with the ids of a second tenant of the very same shape (its cases,
boundaries, red flags, members, tokens and invitations). DESIGN §6: 401 for anonymous on
every route that is not public; 404 for a case of another tenant or one the caller is not on
(never a 403 that would reveal that it exists); 403 for an action the role may not take on
something it can see; 2xx otherwise.

The two tenants are built once for the module, over HTTP with the Flask test client on a
SQLite store, with bearer tokens from POST /api/v1/auth/tokens. A check that should succeed
at changing something gets state of its own (a disposable case with the shared cases' shape,
a disposable member, token or invitation), so no check depends on another's order, and the
shared cases stay exactly as built: the last test proves that no refused request recorded
anything on them.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from datetime import datetime, timedelta, timezone
from uuid import UUID, uuid4
from zoneinfo import available_timezones

import pytest
from flask import Flask

from mend.config import Settings
from mend.domain.store import event_id
from mend.domain.vocabulary import CASE_KINDS, SHORT_MAX
from mend.platform import create_app
from mend.workers.notices import follow

API = "/api/v1"
CASE = f"{API}/cases/<uuid:case_id>"

# ---------------------------------------------------------------------- roles
ANONYMOUS = "anonymous"
ROLES = ("anonymous", "owner", "supervisor", "practitioner", "practitioner_off", "client",
         "client_off")
#: Each member role of the matrix and the tenant role it holds.
TENANT_ROLE = {"owner": "owner", "supervisor": "supervisor", "practitioner": "practitioner",
               "practitioner_off": "practitioner", "client": "client", "client_off": "client"}
SCOPES = ("own", "other")

SIGNED_IN = frozenset(ROLES) - {ANONYMOUS}
STAFF = frozenset({"owner", "supervisor", "practitioner", "practitioner_off"})
OVERSEERS = frozenset({"owner", "supervisor"})
OWNER = frozenset({"owner"})
#: Members of the tenant who are not on the shared cases: those cases do not exist for them.
OFF_CASE = frozenset({"practitioner_off", "client_off"})


@dataclass(frozen=True)
class Expect:
    """The status each role gets, with ids of its own tenant and with another tenant's."""

    own: dict[str, int]
    other: dict[str, int]

    def status(self, role: str, scope: str) -> int:
        return (self.own if scope == "own" else self.other)[role]


def everyone(status: int) -> Expect:
    """A public route: the same answer whoever calls, with whichever tenant's ids."""
    table = {role: status for role in ROLES}
    return Expect(table, table)


def tenant_route(status: int, allowed: frozenset[str], *, other_status: int | None = None,
                 other_allowed: frozenset[str] | None = None) -> Expect:
    """A route of the caller's tenant: 401 anonymous, `status` for `allowed`, 403 for the rest;
    with the other tenant's ids, `other_status` for `other_allowed` (default: the same)."""

    def table(ok: int, roles: frozenset[str]) -> dict[str, int]:
        return {role: 401 if role == ANONYMOUS else ok if role in roles else 403
                for role in ROLES}

    return Expect(table(status, allowed),
                  table(other_status or status,
                        allowed if other_allowed is None else other_allowed))


def case_route(status: int, allowed: frozenset[str]) -> Expect:
    """A route under a case: 401 anonymous, 404 for whoever is not on the case (and for
    everyone with another tenant's case), `status` for `allowed`, 403 for the rest."""
    own = {role: 401 if role == ANONYMOUS else 404 if role in OFF_CASE
           else status if role in allowed else 403 for role in ROLES}
    other = {role: 401 if role == ANONYMOUS else 404 for role in ROLES}
    return Expect(own, other)


ZONES = sorted(available_timezones())
#: A case report: those who may read the case and are staff; a client's is a 404 as well.
REPORT_READERS = Expect(
    {role: 401 if role == ANONYMOUS else 200 if role in STAFF - OFF_CASE else 404
     for role in ROLES},
    {role: 401 if role == ANONYMOUS else 404 for role in ROLES})
#: Acting on the shared case's alert: staff who may see the case (doing it twice is doing it
#: once, so every one of them gets 200); clients are refused whatever the id (403), staff
#: not on the case and everyone with another tenant's alert find nothing (404).
ALERT_ACTORS = Expect(
    {role: 401 if role == ANONYMOUS else 403 if role in ("client", "client_off")
     else 404 if role in OFF_CASE else 200 for role in ROLES},
    {role: 401 if role == ANONYMOUS else 403 if role in ("client", "client_off") else 404
     for role in ROLES})

EXPECTED: dict[tuple[str, str], Expect] = {
    # ------------------------------------------------------------ public
    ("GET", "/healthz"): everyone(200),
    ("GET", f"{API}/openapi.json"): everyone(200),
    ("GET", f"{API}/docs"): everyone(200),
    ("POST", f"{API}/tenants"): everyone(201),
    ("POST", f"{API}/auth/login"): everyone(200),
    ("POST", f"{API}/auth/logout"): everyone(204),
    ("POST", f"{API}/auth/tokens"): everyone(201),
    ("POST", f"{API}/invitations/<string:token>/accept"): everyone(200),
    # ------------------------------------------------------------ the caller's own account
    ("POST", f"{API}/auth/logout-everywhere"): tenant_route(204, SIGNED_IN),
    ("POST", f"{API}/auth/password"): tenant_route(204, SIGNED_IN),
    ("GET", f"{API}/auth/tokens"): tenant_route(200, SIGNED_IN),
    ("POST", f"{API}/auth/tokens/<uuid:token_id>/revoke"):
        tenant_route(204, SIGNED_IN, other_status=404),
    # ------------------------------------------------------------ the tenant
    ("GET", f"{API}/members"): tenant_route(200, STAFF),
    ("POST", f"{API}/members"): tenant_route(201, OWNER),
    ("POST", f"{API}/members/<uuid:account_id>/role"): tenant_route(204, OWNER, other_status=404),
    ("POST", f"{API}/members/<uuid:account_id>/revoke"):
        tenant_route(204, OWNER, other_status=404),
    ("POST", f"{API}/members/<uuid:account_id>/withdraw-invitation"):
        tenant_route(204, OWNER, other_status=404),
    ("POST", f"{API}/tenant/time-zone"): tenant_route(204, OWNER),
    ("PUT", f"{API}/settings/retention"): tenant_route(200, OWNER),
    # Another tenant's person does not exist for this owner (404); the rest may not (403).
    ("POST", f"{API}/people/<uuid:account_id>/erasure"):
        tenant_route(200, OWNER, other_status=404),
    ("GET", f"{API}/cases"): tenant_route(200, SIGNED_IN),
    ("POST", f"{API}/cases"): tenant_route(201, STAFF),
    # With the other tenant's ids: ?practitioner= one of its practitioners.
    ("GET", f"{API}/caseload"): tenant_route(200, STAFF, other_allowed=OVERSEERS),
    ("GET", f"{API}/analytics/outcomes"): tenant_route(200, OVERSEERS),
    ("GET", f"{API}/audit"): tenant_route(200, OWNER),
    ("GET", f"{API}/access-log"): tenant_route(200, OWNER),
    # ------------------------------------------------------------ reading a case
    ("GET", CASE): case_route(200, SIGNED_IN),
    ("GET", f"{CASE}/timeline"): case_route(200, SIGNED_IN),
    ("GET", f"{CASE}/metrics"): case_route(200, SIGNED_IN),
    ("GET", f"{CASE}/metrics/weekly"): case_route(200, SIGNED_IN),
    ("GET", f"{CASE}/progress"): case_route(200, SIGNED_IN),
    ("GET", f"{CASE}/standing"): case_route(200, SIGNED_IN),
    ("GET", f"{CASE}/export"): case_route(200, OWNER),
    # ------------------------------------------------------------ recording on a case
    ("POST", f"{CASE}/reminders"): case_route(202, STAFF),
    ("POST", f"{CASE}/participants"): case_route(201, STAFF),
    ("POST", f"{CASE}/participants/<uuid:account_id>/remove"): case_route(201, STAFF),
    ("POST", f"{CASE}/practitioners"): case_route(201, OVERSEERS),
    ("POST", f"{CASE}/practitioners/reassign"): case_route(201, OVERSEERS),
    ("POST", f"{CASE}/practitioners/<uuid:account_id>/unassign"): case_route(201, OVERSEERS),
    ("POST", f"{CASE}/breaches"): case_route(201, STAFF),
    ("POST", f"{CASE}/check-ins"): case_route(201, SIGNED_IN),
    ("POST", f"{CASE}/questionnaires"): case_route(201, SIGNED_IN),
    ("POST", f"{CASE}/setbacks"): case_route(201, STAFF),
    ("POST", f"{CASE}/apologies"): case_route(201, STAFF),
    ("POST", f"{CASE}/boundaries"): case_route(201, STAFF),
    ("POST", f"{CASE}/boundaries/<uuid:boundary_id>/revise"): case_route(201, STAFF),
    ("POST", f"{CASE}/boundaries/<uuid:boundary_id>/retire"): case_route(201, STAFF),
    ("POST", f"{CASE}/boundaries/<uuid:boundary_id>/cross"): case_route(201, STAFF),
    ("POST", f"{CASE}/red-flags"): case_route(201, STAFF),
    ("POST", f"{CASE}/red-flags/<uuid:flag_id>/resolve"): case_route(201, STAFF),
    ("POST", f"{CASE}/notes"): case_route(201, STAFF),
    ("POST", f"{CASE}/journal"): case_route(201, SIGNED_IN),
    ("POST", f"{CASE}/rituals"): case_route(201, SIGNED_IN),
    ("POST", f"{CASE}/agreements"): case_route(201, STAFF),
    ("POST", f"{CASE}/agreements/<uuid:agreement_id>/keep"): case_route(201, SIGNED_IN),
    ("POST", f"{CASE}/readiness"): case_route(201, SIGNED_IN),
    ("POST", f"{CASE}/milestones"): case_route(201, STAFF),
    ("POST", f"{CASE}/stage"): case_route(201, STAFF),
    ("POST", f"{CASE}/approach"): case_route(201, STAFF),
    ("POST", f"{CASE}/program-steps"): case_route(201, STAFF),
    ("POST", f"{CASE}/step-owners"): case_route(201, STAFF),
    ("POST", f"{CASE}/pulses"): case_route(201, STAFF),
    ("POST", f"{CASE}/close"): case_route(201, STAFF),
    ("POST", f"{CASE}/reopen"): case_route(201, STAFF),
    ("POST", f"{CASE}/erasure"): case_route(200, OWNER),
    ("POST", f"{CASE}/legal-hold"): case_route(201, OWNER),
    ("DELETE", f"{CASE}/legal-hold"): case_route(200, OWNER),
    ("POST", f"{CASE}/pulses/open"): case_route(201, STAFF),
    ("POST", f"{CASE}/pulses/<uuid:pulse_id>/close"): case_route(201, STAFF),
    # Only the participants asked answer; staff on the case name no pulse of theirs (422).
    ("POST", f"{CASE}/pulses/<uuid:pulse_id>/answers"): Expect(
        {role: 401 if role == ANONYMOUS else 404 if role in OFF_CASE
         else 201 if role == "client" else 422 for role in ROLES},
        {role: 401 if role == ANONYMOUS else 404 for role in ROLES}),
    ("POST", f"{CASE}/timeline/<uuid:entry_id>/hold-back"): case_route(201, STAFF),
    ("POST", f"{CASE}/timeline/<uuid:entry_id>/release"): case_route(201, STAFF),
    # ------------------------------------------------------------ reports
    ("POST", f"{CASE}/reports"): case_route(202, STAFF),
    ("POST", f"{API}/reports"): tenant_route(202, STAFF),  # the caller's caseload as CSV
    # The owner's report of the shared case: the staff who may read the case, no one else.
    ("GET", f"{API}/reports/<uuid:run_id>"): REPORT_READERS,
    ("GET", f"{API}/reports/<uuid:run_id>/file"): REPORT_READERS,
    # ------------------------------------------------------------ alerts and own settings
    ("GET", f"{API}/alerts"): tenant_route(200, STAFF),
    ("POST", f"{API}/alerts/<uuid:alert_id>/acknowledge"): ALERT_ACTORS,
    ("POST", f"{API}/alerts/<uuid:alert_id>/resolve"): ALERT_ACTORS,
    ("GET", f"{API}/me/reminders"): tenant_route(200, SIGNED_IN),
    ("PUT", f"{API}/me/reminders"): tenant_route(200, SIGNED_IN),
    ("GET", f"{API}/me/alert-settings"): tenant_route(200, STAFF),
    ("PUT", f"{API}/me/alert-settings"): tenant_route(200, STAFF),
}

#: Not routes of the API: files served as they are.
EXCLUDED_ENDPOINTS = frozenset({"static", "docs.asset"})
#: The pages sign in with a session, not a bearer token: tests/integration/web/ holds their
#: own matrix.
PAGE_BLUEPRINTS = frozenset({"signing_in", "caseload", "case_pages", "portal", "admin",
                             "report_pages", "alert_pages"})


def app_routes(app: Flask) -> list[tuple[str, str]]:
    """Every (method, rule) of the app's URL map but HEAD, OPTIONS and the asset files."""
    return sorted(
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in EXCLUDED_ENDPOINTS
        and rule.endpoint.partition(".")[0] not in PAGE_BLUEPRINTS
        for method in rule.methods - {"HEAD", "OPTIONS"}
    )


# ---------------------------------------------------------------------- minimal valid bodies
#: Case routes that need a workplace case.
WORKPLACE_ONLY = ("/progress", "/program-steps", "/step-owners", "/pulses", "/pulses/open",
                  "<uuid:pulse_id>/close", "/answers")


def body_for(method: str, rule: str, tenant: Tenant, caller: Person | None,
             serial: int) -> dict[str, Any] | None:
    """The smallest body its route's schema accepts; ids in it are `tenant`'s."""
    people = tenant.people
    text = f"{tenant.words} check {serial}"
    if method not in ("POST", "PUT"):
        return None
    bodies: dict[str, dict[str, Any] | None] = {
        f"{API}/tenants": {
            "name": f"Sign-up {serial}", "slug": f"signup-{tenant.slug}-{serial}",
            "kind": "organization",
            "owner": {"email": f"founder{serial}@{tenant.slug}.test",
                      "password": "a founder's long passphrase", "name": f"Founder {serial}"},
        },
        f"{API}/auth/login": {"email": people["owner"].email,
                              "password": people["owner"].password},
        f"{API}/auth/tokens": {"email": people["owner"].email,
                               "password": people["owner"].password, "tenant": tenant.slug},
        f"{API}/auth/password": {
            "current_password": (caller or people["owner"]).password,
            "new_password": (caller or people["owner"]).password,
        },
        f"{API}/invitations/<string:token>/accept": {"password": "an invitee's passphrase",
                                                    "name": f"Invitee {serial}"},
        f"{API}/members": {"email": f"invitee{serial}@{tenant.slug}.test",
                           "name": f"Invitee {serial}", "role": "practitioner"},
        f"{API}/members/<uuid:account_id>/role": {"role": "practitioner"},
        # A zone of its own per call: setting the zone it already has is a 409.
        f"{API}/tenant/time-zone": {"time_zone": ZONES[serial % len(ZONES)]},
        f"{API}/settings/retention": {"years": 1 + serial % 30},
        f"{API}/people/<uuid:account_id>/erasure": {"reason": "client_request"},
        f"{CASE}/erasure": {"reason": "client_request"},
        f"{CASE}/legal-hold": {"reason": "litigation"},
        f"{API}/cases": {"kind": "couple", "title": text, "approach": "therapy_guided",
                         "breach": {"category": "dishonesty", "summary": text}},
        f"{CASE}/participants": {"account_id": people["client_off"].account_id,
                                 "relation": "sibling"},
        f"{CASE}/practitioners": {"account_id": people["practitioner_off"].account_id},
        f"{CASE}/practitioners/reassign": {
            "from_practitioner_id": people["practitioner"].account_id,
            "to_practitioner_id": people["practitioner_off"].account_id},
        f"{CASE}/breaches": {"category": "broken_promise", "summary": text},
        f"{CASE}/check-ins": {"trust": 6, "emotional_safety": 5, "communication_ease": 4,
                              "conflicts": 1},
        f"{CASE}/questionnaires": {
            "instrument": "gad7", "answers": {f"q{n}": 1 for n in range(1, 8)},
            "participant_id": people["client"].account_id},
        f"{CASE}/setbacks": {"severity": 1, "description": text},
        f"{CASE}/apologies": {
            "from_id": people["client"].account_id, "to_ids": [people["client_off"].account_id],
            "text": text, "names_harm": True, "takes_responsibility": True,
            "commits_to_change": True,
        },
        f"{CASE}/boundaries": {"text": text},
        f"{CASE}/boundaries/<uuid:boundary_id>/revise": {"text": text},
        f"{CASE}/boundaries/<uuid:boundary_id>/retire": {},
        f"{CASE}/boundaries/<uuid:boundary_id>/cross": {"note": text},
        f"{CASE}/red-flags": {"code": "gaslighting", "note": text},
        f"{CASE}/red-flags/<uuid:flag_id>/resolve": {"note": text},
        f"{CASE}/notes": {"text": text},
        f"{CASE}/journal": {"text": text, "visibility": "shared"},
        f"{CASE}/rituals": {"ritual": "daily_checkin"},
        f"{CASE}/agreements": {"text": text},
        f"{CASE}/agreements/<uuid:agreement_id>/keep": {"note": text},
        f"{CASE}/readiness": {"answers": {"breach_accepted": True}},
        f"{CASE}/milestones": {"title": text},
        f"{CASE}/stage": {"stage": "honest_conversations"},
        f"{CASE}/approach": {"approach": "self_guided"},
        f"{CASE}/program-steps": {"step": "public_acknowledgment"},
        f"{CASE}/step-owners": {"step": "open_forums",
                                "account_id": people["client"].account_id},
        f"{CASE}/pulses": {"scores": [5, 6, 7]},
        f"{CASE}/close": {"outcome": "reconciled"},
        f"{CASE}/reopen": {},
        f"{CASE}/timeline/<uuid:entry_id>/hold-back": {"reason": text},
        f"{CASE}/pulses/open": {"question": text[:SHORT_MAX], "closes_at": (
            datetime.now(timezone.utc) + timedelta(days=3)).isoformat()},
        f"{CASE}/pulses/<uuid:pulse_id>/close": {},
        f"{CASE}/pulses/<uuid:pulse_id>/answers": {"score": 6},
        f"{CASE}/timeline/<uuid:entry_id>/release": {},
        f"{CASE}/participants/<uuid:account_id>/remove": {},
        f"{CASE}/practitioners/<uuid:account_id>/unassign": {},
        f"{CASE}/reports": {"kind": "report.case_pdf"},
        f"{API}/reports": {"kind": "csv.caseload"},
        f"{API}/me/reminders": {"time_zone": "Europe/Lisbon", "hour": 18, "quiet_from": 21,
                                "quiet_to": 8},
        f"{API}/me/alert-settings": {"alerts": [{"kind": "risk_high", "by_email": True,
                                                 "in_inbox": True}]},
    }
    return bodies.get(rule)


# ---------------------------------------------------------------------- the two tenants
@dataclass
class Person:
    role: str
    account_id: str
    email: str
    password: str
    name: str
    token: str = ""


@dataclass
class Tenant:
    slug: str
    words: str
    people: dict[str, Person] = field(default_factory=dict)
    cases: dict[str, str] = field(default_factory=dict)  # kind -> case id; couple is the main
    boundary_id: str = ""
    flag_id: str = ""
    agreement_id: str = ""
    spare_token_id: str = ""  # one of the owner's tokens
    run_id: str = ""  # the owner's report of the main case
    alert_id: str = ""  # the safety alert raised on the main case

    @property
    def owner(self) -> Person:
        return self.people["owner"]


class Http:
    """The Flask test client, without cookies: each call is authenticated by its token only."""

    def __init__(self, app: Flask):
        self.app = app
        self.requests = 0

    def call(self, method: str, path: str, token: str = "", body: Any = None,
             expect: int | None = None) -> Any:
        client = self.app.test_client(use_cookies=False)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        kwargs = {"json": body} if body is not None else {}
        response = client.open(path, method=method, headers=headers, **kwargs)
        self.requests += 1
        if expect is not None:
            assert response.status_code == expect, (method, path, response.get_data(as_text=True))
        return response


def issue_token(http: Http, person: Person, slug: str) -> tuple[str, str]:
    issued = http.call("POST", f"{API}/auth/tokens", body={
        "email": person.email, "password": person.password, "tenant": slug}, expect=201).json
    return issued["token"], issued["token_id"]


def invite(http: Http, tenant: Tenant, email: str, name: str, role: str) -> str:
    """A fresh invitation's one-time token."""
    return http.call("POST", f"{API}/members", tenant.owner.token,
                     {"email": email, "name": name, "role": role}, expect=201).json["token"]


def join(http: Http, tenant: Tenant, role: str, email: str, name: str) -> Person:
    password = f"{name.lower()}'s long passphrase"
    token = invite(http, tenant, email, name, TENANT_ROLE[role])
    account_id = http.call("POST", f"{API}/invitations/{token}/accept",
                           body={"password": password}, expect=200).json["account_id"]
    person = Person(role, account_id, email, password, name)
    person.token, _ = issue_token(http, person, tenant.slug)
    return person


def open_case(http: Http, tenant: Tenant, kind: str, title: str, summary: str) -> str:
    """A case of the shared shape: opened by the owner, the practitioner assigned, the client
    taking part."""
    owner = tenant.owner.token
    case_id = http.call("POST", f"{API}/cases", owner, {
        "kind": kind, "title": title, "approach": "therapy_guided",
        "breach": {"category": "dishonesty", "summary": summary}}, expect=201).json["case_id"]
    http.call("POST", f"{API}/cases/{case_id}/practitioners", owner,
              {"account_id": tenant.people["practitioner"].account_id}, expect=201)
    http.call("POST", f"{API}/cases/{case_id}/participants", owner,
              {"account_id": tenant.people["client"].account_id, "relation": "partner"},
              expect=201)
    return case_id


def set_boundary(http: Http, tenant: Tenant, case_id: str, text: str) -> str:
    return http.call("POST", f"{API}/cases/{case_id}/boundaries", tenant.owner.token,
                     {"text": text}, expect=201).json["boundary_id"]


def raise_flag(http: Http, tenant: Tenant, case_id: str, note: str) -> str:
    return http.call("POST", f"{API}/cases/{case_id}/red-flags", tenant.owner.token,
                     {"code": "ongoing_secrecy", "note": note}, expect=201).json["flag_id"]


def make_agreement(http: Http, tenant: Tenant, case_id: str, text: str) -> str:
    return http.call("POST", f"{API}/cases/{case_id}/agreements", tenant.owner.token,
                     {"text": text}, expect=201).json["agreement_id"]


#: Who is who in each tenant: the same shape, other names.
PEOPLE = {
    "alder": {"owner": "Odile", "supervisor": "Sven", "practitioner": "Priya",
              "practitioner_off": "Pavel", "client": "Clara", "client_off": "Cyril"},
    "birch": {"owner": "Otto", "supervisor": "Sabine", "practitioner": "Paolo",
              "practitioner_off": "Petra", "client": "Chiara", "client_off": "Conrad"},
}


def build_tenant(http: Http, slug: str, words: str) -> Tenant:
    """A practice: owner, supervisor, two practitioners, two clients; a case of each kind with
    one practitioner and one client on it; boundaries and red flags on the main case; a spare
    token of the owner's."""
    tenant = Tenant(slug=slug, words=words)
    names = PEOPLE[slug]
    owner_password = f"{names['owner'].lower()}'s long passphrase"
    owner_email = f"{names['owner'].lower()}@{slug}.test"
    signed_up = http.call("POST", f"{API}/tenants", body={
        "name": f"{words} Practice", "slug": slug, "kind": "practice",
        "owner": {"email": owner_email, "password": owner_password, "name": names["owner"]},
    }, expect=201).json
    owner = Person("owner", signed_up["owner_id"], owner_email, owner_password, names["owner"])
    owner.token, _ = issue_token(http, owner, slug)
    tenant.people["owner"] = owner
    for role, name in names.items():
        if role != "owner":
            tenant.people[role] = join(http, tenant, role, f"{name.lower()}@{slug}.test", name)
    for kind in CASE_KINDS:
        tenant.cases[kind] = open_case(http, tenant, kind, f"{words} {kind} case",
                                       f"{words} {kind} breach")
    main = tenant.cases["couple"]
    tenant.boundary_id = set_boundary(http, tenant, main, f"{words} boundary one")
    set_boundary(http, tenant, main, f"{words} boundary two")
    tenant.flag_id = raise_flag(http, tenant, main, f"{words} flag one")
    raise_flag(http, tenant, main, f"{words} flag two")
    tenant.agreement_id = make_agreement(http, tenant, main, f"{words} agreement")
    _, tenant.spare_token_id = issue_token(http, owner, slug)
    tenant.run_id = make_report(http, tenant)
    tenant.alert_id = raise_safety_alert(http, tenant, main)
    return tenant


def make_report(http: Http, tenant: Tenant) -> str:
    return http.call("POST", f"{API}/cases/{tenant.cases['couple']}/reports", tenant.owner.token,
                     {"kind": "report.case_pdf"}, expect=202).json["run_id"]


def raise_safety_alert(http: Http, tenant: Tenant, case_id: str) -> str:
    """A safety red flag on the case, noticed by the notices follower as it is in production:
    an alert in the inbox of the practitioner on the case."""
    http.call("POST", f"{API}/cases/{case_id}/red-flags", tenant.owner.token,
              {"code": "abuse_history", "note": f"{tenant.words} safety flag"}, expect=201)
    follow(http.app.extensions["mend"], datetime.now(timezone.utc))
    alerts = http.call("GET", f"{API}/alerts", tenant.people["practitioner"].token,
                       expect=200).json["alerts"]
    return next(a["id"] for a in alerts if a["case"]["id"] == case_id)


@dataclass
class World:
    app: Flask
    http: Http
    own: Tenant  # the callers' tenant
    other: Tenant  # a tenant of the same shape whose ids they try
    serial: Iterator[int] = field(default_factory=itertools.count)
    checked: set[tuple[str, str, str, str]] = field(default_factory=set)
    counts_before: dict[str, int] = field(default_factory=dict)  # events per shared case

    def caller(self, role: str) -> Person | None:
        return None if role == ANONYMOUS else self.own.people[role]

    # ------------------------------------------------------------ disposable state
    def disposable_case(self, rule: str) -> dict[str, str]:
        """A case of the shared shape, for a check that should succeed at changing it, with
        what that check's route needs (a boundary, a flag, a second participant, closed)."""
        tenant, n = self.own, next(self.serial)
        kind = "workplace" if rule.endswith(WORKPLACE_ONLY) else "couple"
        case_id = open_case(self.http, tenant, kind, f"Disposable {n}", f"Disposable {n}")
        values = {"case_id": case_id}
        if "<uuid:boundary_id>" in rule:
            values["boundary_id"] = set_boundary(self.http, tenant, case_id, f"Boundary {n}")
        if "<uuid:flag_id>" in rule:
            values["flag_id"] = raise_flag(self.http, tenant, case_id, f"Flag {n}")
        if "<uuid:agreement_id>" in rule:
            values["agreement_id"] = make_agreement(self.http, tenant, case_id, f"Agreement {n}")
        if rule.endswith("/apologies"):
            self.http.call("POST", f"{API}/cases/{case_id}/participants", tenant.owner.token,
                           {"account_id": tenant.people["client_off"].account_id}, expect=201)
        if rule.endswith("/reopen"):
            self.http.call("POST", f"{API}/cases/{case_id}/close", tenant.owner.token,
                           {"outcome": "released"}, expect=201)
        if "/pulses/" in rule:  # a pulse goes to five people or more
            for role in ("client_off", "supervisor", "practitioner_off", "owner"):
                self.http.call("POST", f"{API}/cases/{case_id}/participants", tenant.owner.token,
                               {"account_id": tenant.people[role].account_id}, expect=201)
        if rule.endswith(("<uuid:pulse_id>/close", "/answers")):
            values["pulse_id"] = self.http.call(
                "POST", f"{API}/cases/{case_id}/pulses/open", tenant.owner.token,
                {"question": "Do you trust the team?", "closes_at": (
                    datetime.now(timezone.utc) + timedelta(days=3)).isoformat()},
                expect=201).json["pulse_id"]
        if rule.endswith("/legal-hold"):  # one to lift
            self.http.call("POST", f"{API}/cases/{case_id}/legal-hold", tenant.owner.token,
                           {"reason": "litigation"}, expect=201)
        if rule.endswith("/release"):
            self.http.call("POST", f"{API}/cases/{case_id}/timeline/{opening(case_id)}/hold-back",
                           tenant.owner.token, {}, expect=201)
        return values

    def disposable_member(self) -> str:
        n = next(self.serial)
        return join(self.http, self.own, "client", f"member{n}@{self.own.slug}.test",
                    f"Member{n}").account_id

    def disposable_invitation(self) -> str:
        """An open invitation of the own tenant, for a check that withdraws it."""
        n = next(self.serial)
        return self.http.call("POST", f"{API}/members", self.own.owner.token, {
            "email": f"invitee{n}@{self.own.slug}.test", "name": f"Invitee{n}",
            "role": "client"}, expect=201).json["account_id"]

    # ------------------------------------------------------------ one check
    def request(self, method: str, rule: str, role: str, scope: str,
                succeeds: bool) -> tuple[str, dict[str, Any] | None]:
        """The path (its parameters filled with real ids) and body of one check."""
        tenant = self.own if scope == "own" else self.other
        caller = self.caller(role)
        fresh = scope == "own" and method != "GET" and succeeds
        workplace = rule.endswith(WORKPLACE_ONLY)
        values: dict[str, str] = {
            "case_id": tenant.cases["workplace" if workplace else "couple"],
            "boundary_id": tenant.boundary_id,
            "flag_id": tenant.flag_id,
            "agreement_id": tenant.agreement_id,
            "token_id": tenant.spare_token_id,
            "run_id": tenant.run_id,
            "alert_id": tenant.alert_id,
        }
        if "/participants/" in rule:
            values["account_id"] = tenant.people["client"].account_id
        elif "/practitioners/" in rule:
            values["account_id"] = tenant.people["practitioner"].account_id
        elif rule.endswith("/withdraw-invitation"):
            values["account_id"] = (self.disposable_invitation() if fresh
                                    else tenant.people["client_off"].account_id)
        elif "/members/" in rule or "/people/" in rule:
            values["account_id"] = (self.disposable_member() if fresh
                                    else tenant.people["client_off"].account_id)
        if "<string:token>" in rule:  # an invitation is used once: always a fresh one
            n = next(self.serial)
            values["token"] = invite(self.http, tenant, f"guest{n}@{tenant.slug}.test",
                                     f"Guest{n}", "client")
        if fresh and rule.startswith(CASE):
            values.update(self.disposable_case(rule))
        if fresh and "<uuid:token_id>" in rule:
            _, values["token_id"] = issue_token(self.http, caller, self.own.slug)
        values["entry_id"] = opening(values["case_id"])
        values.setdefault("pulse_id", str(uuid4()))
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: values[m.group(1)], rule)
        if method == "GET" and rule == f"{API}/caseload" and scope == "other":
            path += f"?practitioner={tenant.people['practitioner'].account_id}"
        return path, body_for(method, rule, tenant, caller, next(self.serial))

    def check(self, method: str, rule: str, role: str, scope: str, expected: int) -> str | None:
        """Run one check; a line describing the mismatch, or None."""
        path, body = self.request(method, rule, role, scope, succeeds=expected < 300)
        caller = self.caller(role)
        response = self.http.call(method, path, caller.token if caller else "", body)
        self.checked.add((method, rule, role, scope))
        if rule.endswith("/erasure") and response.status_code < 300:
            # An erasure deletes every report file the practice made before it.
            self.own.run_id = make_report(self.http, self.own)
        if response.status_code == expected:
            return None
        return (f"{method} {rule} as {role} with {scope} ids: expected {expected}, got "
                f"{response.status_code}: {response.get_data(as_text=True)[:200]}")


def opening(case_id: str) -> str:
    """The public id of a case's opening entry: shared, so it can be held back."""
    return str(event_id(UUID(case_id), 1))


def shared_cases(tenant: Tenant) -> dict[str, str]:
    return {f"{tenant.slug} {kind}": case_id for kind, case_id in tenant.cases.items()}


def event_counts(world: World) -> dict[str, int]:
    """How many events each shared case holds, as its tenant's owner reads the timeline."""
    counts = {}
    for tenant in (world.own, world.other):
        for name, case_id in shared_cases(tenant).items():
            timeline = world.http.call("GET", f"{API}/cases/{case_id}/timeline?limit=500",
                                       tenant.owner.token, expect=200).json
            counts[name] = len(timeline["events"])
    return counts


# ---------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("authorization-matrix")
    app = create_app(Settings(database_url=f"sqlite:///{tmp}/m.sqlite"))
    app.testing = True
    http = Http(app)
    world = World(app, http, build_tenant(http, "alder", "Alder"),
                  build_tenant(http, "birch", "Birch"))
    world.counts_before = event_counts(world)
    yield world
    app.extensions["mend"].close()


# ---------------------------------------------------------------------- the tests
def test_every_route_of_the_app_has_its_expected_statuses_declared(world):
    missing = sorted(set(app_routes(world.app)) - set(EXPECTED))
    assert not missing, f"routes without an entry in EXPECTED: {missing}"


def test_every_declared_route_still_exists(world):
    gone = sorted(set(EXPECTED) - set(app_routes(world.app)))
    assert not gone, f"entries in EXPECTED for routes that no longer exist: {gone}"


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_this_role_as_declared(world, role):
    mismatches = []
    for method, rule in app_routes(world.app):
        if (method, rule) not in EXPECTED:
            continue  # reported by the test above
        for scope in SCOPES:
            mismatch = world.check(method, rule, role, scope,
                                   EXPECTED[method, rule].status(role, scope))
            if mismatch:
                mismatches.append(mismatch)
    assert not mismatches, "\n".join(mismatches)


def test_refused_requests_recorded_nothing_on_the_shared_cases(world):
    assert event_counts(world) == world.counts_before
    routes = len(app_routes(world.app))
    print(f"\nauthorization matrix: {routes} routes × {len(ROLES)} roles × {len(SCOPES)} "
          f"scopes; {len(world.checked)} checks run, {world.http.requests} requests in all")

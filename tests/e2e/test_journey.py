"""A client journey over a real server on loopback, as each role: owner, supervisor,
practitioner and client.

A practice signs up. Its owner invites two practitioners, a colleague who is promoted to
supervisor, and three clients; each accepts with a password of their own. A practitioner
works a couple's case from the first session to its reconciliation, ten weeks of it
recorded with the dates things happened; the owner opens a family's case that closes and
reopens; an organization runs a workplace case with program steps and trust pulses.
Between them, every kind of event the API records (``ROUTES`` in
mend/platform/api/cases.py) is recorded by a role allowed to record it.

Then each person reads what they would read: the timeline page by page, the metrics,
caseloads, outcome analytics, the members and the audit feed; and what each sees is right
for their role. One client uses the portal the way a browser does (a session cookie and
the X-CSRF-Token header); everyone else holds a bearer token.

The status of every route for every role is the authorization matrix's business
(tests/integration/test_authorization_matrix.py); here a few pointed refusals only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from mend.platform.api.cases import ROUTES
from tests.e2e.api_client import ApiClient

API = "/api/v1"

#: The event each recording route answers with (DESIGN §3, in snake_case); "" opens a case.
EVENT_TYPE = {
    "": "case_opened",
    "participants": "participant_added",
    "participants/<uuid:account_id>/remove": "participant_removed",
    "practitioners": "practitioner_assigned",
    "practitioners/<uuid:account_id>/unassign": "practitioner_unassigned",
    # A hand-over records the new practitioner's assignment, then answers with the old one's
    # unassignment: its last event.
    "practitioners/reassign": "practitioner_unassigned",
    "breaches": "breach_disclosed",
    "check-ins": "check_in_recorded",
    "setbacks": "setback_recorded",
    "apologies": "apology_offered",
    "boundaries": "boundary_set",
    "boundaries/<uuid:boundary_id>/revise": "boundary_revised",
    "boundaries/<uuid:boundary_id>/retire": "boundary_retired",
    "boundaries/<uuid:boundary_id>/cross": "boundary_crossed",
    "red-flags": "red_flag_raised",
    "red-flags/<uuid:flag_id>/resolve": "red_flag_resolved",
    "notes": "session_noted",
    "journal": "journal_entry_written",
    "rituals": "ritual_practiced",
    "agreements": "agreement_made",
    "readiness": "readiness_assessed",
    "milestones": "milestone_reached",
    "stage": "stage_advanced",
    "approach": "approach_changed",
    "program-steps": "program_step_completed",
    "pulses": "trust_pulse_recorded",
    "pulses/open": "pulse_opened",
    "pulses/<uuid:pulse_id>/close": "pulse_closed",
    "step-owners": "program_step_owner_assigned",
    "agreements/<uuid:agreement_id>/keep": "agreement_kept",
    "timeline/<uuid:entry_id>/hold-back": "entry_held_back",
    "timeline/<uuid:entry_id>/release": "entry_released",
    "close": "case_closed",
    "reopen": "case_reopened",
}
#: Routes whose answer also names the thing they created.
CREATES = {"boundaries": "boundary_id", "red-flags": "flag_id", "agreements": "agreement_id",
           "pulses/open": "pulse_id"}
#: Routes whose events only staff may read (case.py STAFF_ONLY_EVENTS).
STAFF_ONLY = {"notes", "red-flags", "red-flags/<uuid:flag_id>/resolve",
              "timeline/<uuid:entry_id>/hold-back", "timeline/<uuid:entry_id>/release"}

# Free text as people type it, HTML and all: the API must hand it back as the same data.
ANA_CHECK_IN_NOTE = "<script>alert('hi')</script> A hard week & we barely spoke."
ANA_SHARED_JOURNAL = "<em>Some</em> hope today: he left his phone <b>unlocked</b>."
ANA_PRIVATE_JOURNAL = "I still check his phone at night. Nobody needs to know."
LEO_PRIVATE_JOURNAL = "I am ashamed of how long I lied <3"
PIA_STAFF_NOTE = "Leo defensive about his phone <b>again</b>; Ana guarded. Try 1:1s."
QUINN_STAFF_NOTE = "Covered the session while Pia is away: calmer, both on time."


def passphrase(name: str) -> str:
    return f"{name.lower()}'s own long passphrase"


def when(moment: str) -> datetime:
    return datetime.fromisoformat(moment)


@dataclass
class Recorded:
    """One event recorded over HTTP, and the answer the server gave."""

    route: str  # a ROUTES path ("" for opening a case)
    case: str
    author: str
    body: dict[str, Any]
    sent_at: datetime
    answer: dict[str, Any]

    @property
    def id(self) -> str:
        return self.answer["id"]

    @property
    def visibility(self) -> str:
        if self.route in STAFF_ONLY:
            return "staff"
        if self.route == "journal":
            return self.body.get("visibility", "private")
        return "shared"


@dataclass
class Journey:
    """A tenant as its people built it over HTTP: who they are, their cases, what they did."""

    base_url: str
    slug: str
    now: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    people: dict[str, ApiClient] = field(default_factory=dict)  # by first name
    ids: dict[str, str] = field(default_factory=dict)  # account ids by first name
    roles: dict[str, str] = field(default_factory=dict)
    cases: dict[str, str] = field(default_factory=dict)  # case ids by a short name
    recorded: list[Recorded] = field(default_factory=list)
    #: Writes the author's very next timeline read did not show (read-your-writes).
    unseen: list[str] = field(default_factory=list)

    def ago(self, days: float) -> datetime:
        return self.now - timedelta(days=days)

    def email(self, name: str) -> str:
        return f"{name.lower()}@{self.slug}.test"

    def sign_up(self, owner: str, kind: str) -> None:
        anonymous = ApiClient(self.base_url)
        signed_up = anonymous.sign_up(self.slug, self.email(owner), passphrase(owner), owner,
                                      kind=kind)
        self.ids[owner], self.roles[owner] = signed_up["owner_id"], "owner"
        # The journey checks read-your-writes at every step: start once the views follow.
        anonymous.wait_for_projections()
        self.people[owner] = anonymous.as_token(self.email(owner), passphrase(owner))

    def invite(self, owner: str, name: str, role: str) -> None:
        """The owner invites `name`, who accepts with their own password."""
        self.ids[name] = self.people[owner].invite_and_accept(self.email(name), name, role,
                                                             passphrase(name))
        self.roles[name] = role

    def token_for(self, name: str) -> None:
        self.people[name] = ApiClient(self.base_url).as_token(self.email(name),
                                                              passphrase(name))

    def browser_for(self, name: str) -> None:
        self.people[name] = ApiClient(self.base_url).as_browser(self.email(name),
                                                                passphrase(name))

    def open_case(self, who: str, case: str, days: float, **body: Any) -> None:
        sent_at = self.ago(days)
        answer = self.people[who].post(f"{API}/cases",
                                       {**body, "occurred_at": sent_at.isoformat()})
        assert answer.status_code == 201, f"{who} opening {case}: {answer.text}"
        self.cases[case] = answer.json()["case_id"]
        self._recorded(Recorded("", case, who, body, sent_at, answer.json()))

    def record(self, who: str, case: str, route: str, body: dict[str, Any], days: float,
               **ids: str) -> dict[str, Any]:
        """`who` records an event that happened `days` ago on `case` through `route`."""
        sent_at = self.ago(days)
        path = re.sub(r"<uuid:(\w+)>", lambda m: ids[m.group(1)], route)
        answer = self.people[who].post(f"{API}/cases/{self.cases[case]}/{path}",
                                       {**body, "occurred_at": sent_at.isoformat()})
        assert answer.status_code == 201, f"{who} POST {path}: {answer.status_code} {answer.text}"
        self._recorded(Recorded(route, case, who, body, sent_at, answer.json()))
        return answer.json()

    def _recorded(self, recorded: Recorded) -> None:
        self.recorded.append(recorded)
        # Read-your-writes: the server answers a write once the views show it.
        seen = self.people[recorded.author].get(
            f"{API}/cases/{self.cases[recorded.case]}/timeline",
            type=recorded.answer["type"], limit=500)
        if recorded.id not in {e["id"] for e in seen.json().get("events", [])}:
            self.unseen.append(f"{recorded.author} {recorded.route or 'open'} on "
                               f"{recorded.case}: {seen.status_code} {seen.text[:200]}")

    def on(self, case: str) -> list[Recorded]:
        return [r for r in self.recorded if r.case == case]

    def visible_to(self, name: str, case: str) -> set[str]:
        """The ids of the recorded events `name` may read on `case` (DESIGN §3)."""
        staff = self.roles[name] != "client"
        return {r.id for r in self.on(case)
                if r.visibility == "shared" or (r.visibility == "staff" and staff)
                or (r.visibility == "private" and r.author == name)}


# ---------------------------------------------------------------------- reading helpers
def read_timeline(client: ApiClient, case_id: str, limit: int = 500,
                  **query: Any) -> list[dict[str, Any]]:
    """Every event of the timeline the client may read, following `next` into `?after=`."""
    events: list[dict[str, Any]] = []
    after = None
    while True:
        params = {"limit": limit, **query, **({"after": after} if after else {})}
        page = client.get(f"{API}/cases/{case_id}/timeline", **params)
        assert page.status_code == 200, page.text
        assert page.headers["Content-Type"] == "application/json"
        assert page.json()["case_id"] == case_id
        events += page.json()["events"]
        after = page.json()["next"]
        if after is None:
            return events


def read_audit(client: ApiClient) -> list[dict[str, Any]]:
    """The tenant's whole audit feed, newest first, following `next` into `?before=`."""
    entries: list[dict[str, Any]] = []
    before = None
    while True:
        page = client.get(f"{API}/audit", limit=40, **({"before": before} if before else {}))
        assert page.status_code == 200, page.text
        entries += page.json()["entries"]
        before = page.json()["next"]
        if before is None:
            return entries


def caseload(client: ApiClient, **query: Any) -> dict[str, dict[str, Any]]:
    answer = client.get(f"{API}/caseload", **query)
    assert answer.status_code == 200, answer.text
    return {row["id"]: row for row in answer.json()["cases"]}


def metrics(client: ApiClient, case_id: str, **query: Any) -> dict[str, Any]:
    answer = client.get(f"{API}/cases/{case_id}/metrics", **query)
    assert answer.status_code == 200, answer.text
    return answer.json()


def check_in(trust: int, safety: int, ease: int, conflicts: int, **more: Any) -> dict:
    return {"trust": trust, "emotional_safety": safety, "communication_ease": ease,
            "conflicts": conflicts, **more}


# ---------------------------------------------------------------------- the practice
@pytest.fixture(scope="module")
def practice(server) -> Journey:
    """Mulberry, a counseling practice, after ten weeks of work on two cases."""
    j = Journey(server, "mulberry")
    j.sign_up("Oona", kind="practice")
    for name, role in (("Pia", "practitioner"), ("Quinn", "practitioner"),
                       ("Sol", "practitioner"), ("Ana", "client"), ("Leo", "client"),
                       ("Cai", "client")):
        j.invite("Oona", name, role)
    # Sol joined as a practitioner and now supervises the practice.
    promoted = j.people["Oona"].post(f"{API}/members/{j.ids['Sol']}/role", {"role": "supervisor"})
    assert promoted.status_code == 204, promoted.text
    j.roles["Sol"] = "supervisor"
    for name in ("Pia", "Quinn", "Sol", "Leo", "Cai"):
        j.token_for(name)
    j.browser_for("Ana")  # Ana uses the client portal in her browser
    ids, r = j.ids, j.record

    # Ana & Leo: an affair, ten weeks of repair, reconciled.
    j.open_case("Pia", "couple", 70, kind="couple", title="Ana & Leo", approach="therapy_guided",
                breach={"category": "infidelity",
                        "summary": "Leo's affair with a colleague came to light."},
                checkin_cadence_days=7)
    r("Pia", "couple", "participants", {"account_id": ids["Ana"], "relation": "partner"}, 70)
    r("Pia", "couple", "participants", {"account_id": ids["Leo"], "relation": "partner"}, 70)
    r("Pia", "couple", "participants", {"account_id": ids["Cai"], "relation": "partner"}, 70)
    r("Pia", "couple", "participants/<uuid:account_id>/remove", {}, 70,  # the wrong client
      account_id=ids["Cai"])
    r("Pia", "couple", "readiness", {"answers": {
        "breach_accepted": True, "emotions_acknowledged": True, "motivation_clear": True,
        "knows_exit_is_possible": False}, "note": "Ana unsure she could leave."}, 70)
    r("Pia", "couple", "breaches", {"category": "digital_secrecy",
                                    "summary": "A second phone kept in the car."}, 69)
    r("Pia", "couple", "boundaries", {"text": "No contact with the colleague outside work."}, 68)
    b2 = r("Pia", "couple", "boundaries",
           {"text": "Phones stay on the kitchen table after 10pm."}, 68)["boundary_id"]
    r("Pia", "couple", "apologies", {
        "from_id": ids["Leo"], "to_ids": [ids["Ana"]],
        "text": "I lied to you for a year and I hurt you. It was my choice, and I will change.",
        "names_harm": True, "takes_responsibility": True, "commits_to_change": True}, 66)
    r("Ana", "couple", "check-ins", check_in(2, 3, 2, 3, note=ANA_CHECK_IN_NOTE), 63)
    r("Pia", "couple", "check-ins", check_in(4, 4, 3, 2, participant_id=ids["Leo"]), 63)
    flag = r("Pia", "couple", "red-flags", {"code": "deleting_messages",
                                            "note": "Ana found a wiped chat."}, 60)["flag_id"]
    r("Pia", "couple", "notes", {"text": PIA_STAFF_NOTE}, 59)
    r("Ana", "couple", "journal", {"text": ANA_PRIVATE_JOURNAL, "visibility": "private"}, 58)
    r("Ana", "couple", "journal", {"text": ANA_SHARED_JOURNAL, "visibility": "shared"}, 58)
    r("Leo", "couple", "journal", {"text": LEO_PRIVATE_JOURNAL}, 57)  # private by default
    r("Ana", "couple", "check-ins", check_in(3, 3, 3, 2), 56)
    r("Pia", "couple", "boundaries/<uuid:boundary_id>/cross",
      {"note": "Phone in the bedroom twice."}, 50, boundary_id=b2)
    r("Pia", "couple", "setbacks", {"severity": 2, "description": "More deleted messages."}, 49)
    # Pia is away for a week; the supervisor has Quinn cover.
    r("Sol", "couple", "practitioners", {"account_id": ids["Quinn"]}, 46)
    r("Quinn", "couple", "notes", {"text": QUINN_STAFF_NOTE}, 45)
    r("Quinn", "couple", "red-flags/<uuid:flag_id>/resolve",
      {"note": "Leo showed Ana the messages."}, 45, flag_id=flag)
    r("Quinn", "couple", "stage", {"stage": "honest_conversations",
                                   "reason": "Both talking openly."}, 42)
    r("Sol", "couple", "practitioners/<uuid:account_id>/unassign", {}, 38,
      account_id=ids["Quinn"])
    r("Pia", "couple", "boundaries/<uuid:boundary_id>/revise",
      {"text": "Phones stay downstairs after 10pm."}, 36, boundary_id=b2)
    r("Pia", "couple", "rituals", {"ritual": "transparency_hour", "note": "Sundays."}, 35)
    r("Pia", "couple", "stage", {"stage": "restoring"}, 30)
    date_night = r("Pia", "couple", "agreements",
                   {"text": "A weekly date night, phones off."}, 30)["agreement_id"]
    r("Ana", "couple", "agreements/<uuid:agreement_id>/keep", {"note": "Thursday, no phones."},
      28, agreement_id=date_night)
    r("Pia", "couple", "approach", {"approach": "self_guided",
                                    "reason": "They run their own check-ins now."}, 25)
    r("Ana", "couple", "check-ins", check_in(6, 5, 5, 1), 21)
    r("Pia", "couple", "check-ins", check_in(7, 6, 6, 1, participant_id=ids["Leo"]), 14)
    month = r("Pia", "couple", "milestones", {"title": "A month without secrets"}, 12)["id"]
    # Held back from the portal for a day, to be read together in session first.
    r("Pia", "couple", "timeline/<uuid:entry_id>/hold-back",
      {"reason": "Read it together on Thursday."}, 11.9, entry_id=month)
    r("Pia", "couple", "timeline/<uuid:entry_id>/release", {}, 11, entry_id=month)
    r("Pia", "couple", "boundaries/<uuid:boundary_id>/retire",
      {"note": "No longer needed."}, 10, boundary_id=b2)
    r("Ana", "couple", "check-ins", check_in(7, 7, 6, 0), 7)
    r("Leo", "couple", "check-ins", check_in(8, 7, 7, 0), 3)
    r("Pia", "couple", "stage", {"stage": "moving_forward"}, 2)
    r("Pia", "couple", "close", {"outcome": "reconciled", "note": "Goals met."}, 1)

    # The Okafors: opened by the owner, closed when the family withdrew, reopened.
    j.open_case("Oona", "family", 40, kind="family", title="The Okafors",
                approach="therapy_guided",
                breach={"category": "broken_promise", "summary": "A promised move never came."})
    r("Sol", "family", "practitioners", {"account_id": ids["Pia"]}, 40)
    r("Oona", "family", "participants", {"account_id": ids["Cai"], "relation": "daughter"}, 40)
    r("Pia", "family", "rituals", {"ritual": "family_dinner"}, 30)
    r("Cai", "family", "check-ins", check_in(4, 3, 3, 2), 27)
    r("Pia", "family", "red-flags", {"code": "others_fear_for_safety",
                                     "note": "Cai's brother is afraid at home."}, 25)
    r("Pia", "family", "close", {"outcome": "withdrawn"}, 20)
    r("Pia", "family", "reopen", {"reason": "The family asked to resume."}, 15)
    # Pia's leave: the supervisor hands the family to Quinn and, once she is back, back again.
    r("Sol", "family", "practitioners/reassign",
      {"from_practitioner_id": ids["Pia"], "to_practitioner_id": ids["Quinn"]}, 14)
    r("Sol", "family", "practitioners/reassign",
      {"from_practitioner_id": ids["Quinn"], "to_practitioner_id": ids["Pia"]}, 13)
    return j


# ---------------------------------------------------------------------- the organization
@pytest.fixture(scope="module")
def organization(server) -> Journey:
    """Northwind, an HR team running a trust-recovery program after a data breach."""
    j = Journey(server, "northwind")
    j.sign_up("Hana", kind="organization")
    crew = ("Eve", "Max", "Ida", "Jon", "Kim")
    for name, role in (("Ravi", "practitioner"), *((name, "client") for name in crew)):
        j.invite("Hana", name, role)
        j.token_for(name)
    ids, r = j.ids, j.record
    j.open_case("Ravi", "workplace", 60, kind="workplace", title="Payroll exposure",
                approach="therapy_guided",
                breach={"category": "data_breach",
                        "summary": "Salary files were shared with the whole company."})
    for name in crew:
        r("Ravi", "workplace", "participants", {"account_id": ids[name],
                                                "relation": "team member"}, 60)
    r("Ravi", "workplace", "step-owners", {"step": "open_forums", "account_id": ids["Eve"]},
      59)
    r("Ravi", "workplace", "program-steps", {"step": "public_acknowledgment"}, 58)
    r("Ravi", "workplace", "program-steps", {"step": "transparent_facts",
                                             "note": "Timeline published."}, 50)
    r("Ravi", "workplace", "pulses", {"scores": [3, 4, 2, 5, 4]}, 45)
    r("Ravi", "workplace", "program-steps", {"step": "accountability"}, 40)
    r("Eve", "workplace", "check-ins", check_in(4, 4, 5, 1), 30)
    r("Ravi", "workplace", "check-ins", check_in(5, 5, 5, 0, participant_id=ids["Max"]), 30)
    r("Eve", "workplace", "journal", {"text": "Team lunch felt <i>normal</i> again.",
                                      "visibility": "shared"}, 25)
    r("Ravi", "workplace", "pulses", {"scores": [6, 7]}, 20)
    r("Ravi", "workplace", "pulses", {"scores": [6, 7, 5, 8, 6, 7]}, 10)
    # The crew answer a pulse themselves; Ravi closes it once all five have.
    pulse = r("Ravi", "workplace", "pulses/open", {
        "question": "How much do you trust the payroll team now?",
        "closes_at": (j.now + timedelta(days=3)).isoformat()}, 2)["pulse_id"]
    for name, score in zip(crew, (5, 6, 7, 8, 9)):
        answer = j.people[name].post(
            f"{API}/cases/{j.cases['workplace']}/pulses/{pulse}/answers", {"score": score})
        assert answer.status_code == 201, answer.text
    again = j.people["Eve"].post(
        f"{API}/cases/{j.cases['workplace']}/pulses/{pulse}/answers", {"score": 0})
    assert again.status_code == 409, again.text  # once each
    r("Ravi", "workplace", "pulses/<uuid:pulse_id>/close", {}, 1, pulse_id=pulse)
    return j


# ---------------------------------------------------------------------- joining
def test_everyone_invited_joined_with_their_own_password_and_role(practice):
    expected = {practice.email(n): role for n, role in practice.roles.items()}
    for reader in ("Oona", "Sol"):  # the owner and the supervisor read the members
        answer = practice.people[reader].get(f"{API}/members")
        assert answer.status_code == 200, answer.text
        members = {m["email"]: m for m in answer.json()["members"]}
        assert {email: m["role"] for email, m in members.items()} == expected
        assert {m["status"] for m in members.values()} == {"active"}
        assert members[practice.email("Sol")]["role"] == "supervisor"  # after his promotion
    ana = practice.people["Ana"].signed_in
    assert ana["name"] == "Ana"
    assert ana["tenants"] == [{"slug": "mulberry", "name": "Mulberry", "role": "client"}]


# ---------------------------------------------------------------------- recording
def test_every_kind_of_event_is_recorded_and_answered_with_its_documented_shape(
        practice, organization):
    recorded = practice.recorded + organization.recorded
    assert {r.route for r in recorded} == {r.path for r in ROUTES} | {""}
    for journey, r in [(j, r) for j in (practice, organization) for r in j.recorded]:
        answer, what = r.answer, f"{r.author} {r.route or 'open'}"
        expected = {"id", "type", "occurred_at", "recorded_at", "case_id"}
        if r.route in CREATES:
            expected.add(CREATES[r.route])
        assert set(answer) == expected, what
        assert answer["type"] == EVENT_TYPE[r.route], what
        assert answer["case_id"] == journey.cases[r.case], what
        assert when(answer["occurred_at"]) == r.sent_at, what
        # Recorded now, about what happened days ago.
        assert journey.now <= when(answer["recorded_at"]) <= datetime.now(timezone.utc), what


def test_each_write_shows_in_its_authors_very_next_timeline_read(practice, organization):
    assert practice.unseen + organization.unseen == []


# ---------------------------------------------------------------------- reading the timeline
def test_staff_read_notes_and_red_flags_but_nobodys_private_journal(practice):
    couple = practice.cases["couple"]
    everything = {r.id for r in practice.on("couple")}
    for reader in ("Oona", "Sol", "Pia"):
        events = read_timeline(practice.people[reader], couple)
        ids = {e["id"] for e in events}
        # Beyond what was recorded route by route: what the opening itself recorded, the
        # breach and Pia's assignment to the case she opened.
        assert [e["type"] for e in events if e["id"] not in everything] == [
            "breach_disclosed", "practitioner_assigned"]
        assert ids & everything == practice.visible_to(reader, "couple"), reader
        types = [e["type"] for e in events]
        assert types.count("session_noted") == 2
        assert "red_flag_raised" in types and "red_flag_resolved" in types
        assert "private" not in {e["visibility"] for e in events}
        notes = {e["actor"]["name"]: e["data"]["text"] for e in events
                 if e["type"] == "session_noted"}
        assert notes == {"Pia": PIA_STAFF_NOTE, "Quinn": QUINN_STAFF_NOTE}
        assert {e["visibility"] for e in events if e["type"] == "session_noted"} == {"staff"}


def test_clients_read_the_shared_record_and_only_their_own_private_journal(practice):
    couple = practice.cases["couple"]
    everything = {r.id for r in practice.on("couple")}
    for reader, own_private, others_private in (
            ("Ana", ANA_PRIVATE_JOURNAL, LEO_PRIVATE_JOURNAL),
            ("Leo", LEO_PRIVATE_JOURNAL, ANA_PRIVATE_JOURNAL)):
        events = read_timeline(practice.people[reader], couple)
        assert {e["id"] for e in events} & everything == practice.visible_to(reader, "couple")
        types = {e["type"] for e in events}
        assert not types & {"session_noted", "red_flag_raised", "red_flag_resolved"}
        journals = {e["data"]["text"]: e["visibility"] for e in events
                    if e["type"] == "journal_entry_written"}
        assert journals == {own_private: "private", ANA_SHARED_JOURNAL: "shared"}, reader
        assert others_private not in str(events)
        assert PIA_STAFF_NOTE not in str(events) and "wiped chat" not in str(events)

    # What Ana reads is the story of her case, in plain words, with who did what.
    events = read_timeline(practice.people["Ana"], couple)
    summaries = [e["summary"] for e in events]
    assert summaries[:2] == ["Case opened: couple, therapy guided", "Breach disclosed: infidelity"]
    assert "Readiness assessed: 3 of 4 items ready" in summaries
    assert ("Leo apologised to Ana — names the harm, takes responsibility, commits to change"
            in summaries)
    assert summaries[2:4] == ["Pia assigned", "Ana joined the case (partner)"]
    assert "Ana's check-in: trust 2/10" in " | ".join(summaries)
    assert summaries[-1] == "Case closed: reconciled"
    [apology] = [e for e in events if e["type"] == "apology_offered"]
    assert apology["data"]["from_id"] == practice.ids["Leo"]
    assert apology["data"]["to_ids"] == [practice.ids["Ana"]]
    check_ins = [(e["actor"]["name"], e["data"]["participant_id"], e["data"]["trust"])
                 for e in events if e["type"] == "check_in_recorded"]
    ana, leo = practice.ids["Ana"], practice.ids["Leo"]
    assert check_ins == [("Ana", ana, 2), ("Pia", leo, 4), ("Ana", ana, 3), ("Ana", ana, 6),
                         ("Pia", leo, 7), ("Ana", ana, 7), ("Leo", leo, 8)]


def test_the_timeline_pages_through_next_and_after_in_the_order_things_happened(practice):
    couple = practice.cases["couple"]
    for reader in ("Pia", "Ana"):
        client = practice.people[reader]
        whole = client.get(f"{API}/cases/{couple}/timeline", limit=500).json()
        assert whole["next"] is None
        paged = read_timeline(client, couple, limit=7)
        assert paged == whole["events"]
        assert len(paged) > 7 * 3
        moments = [when(e["occurred_at"]) for e in paged]
        assert moments == sorted(moments)
        assert moments[0] == practice.ago(70) and moments[-1] == practice.ago(1)
        # The case as it stood seven weeks ago: nothing that happened later.
        then = practice.ago(49)
        earlier = read_timeline(client, couple, limit=5, as_of=then.isoformat())
        assert earlier == [e for e in paged if when(e["occurred_at"]) <= then]
        assert earlier[-1]["type"] == "setback_recorded"


def test_free_text_with_html_comes_back_as_the_same_text_in_json(practice, organization):
    answer = practice.people["Pia"].get(f"{API}/cases/{practice.cases['couple']}/timeline",
                                        limit=500)
    assert answer.headers["Content-Type"] == "application/json"
    texts = [e["data"].get("note") or e["data"].get("text") for e in answer.json()["events"]]
    for typed in (ANA_CHECK_IN_NOTE, ANA_SHARED_JOURNAL, PIA_STAFF_NOTE):
        assert typed in texts
    assert "&lt;" not in answer.text and "&amp;" not in answer.text
    titles = {c["title"] for c in practice.people["Pia"].get(f"{API}/cases").json()["cases"]}
    assert titles == {"Ana & Leo", "The Okafors"}
    max_reads = read_timeline(organization.people["Max"], organization.cases["workplace"])
    assert "Team lunch felt <i>normal</i> again." in [e["data"].get("text") for e in max_reads]


# ---------------------------------------------------------------------- figures
def test_the_couples_metrics_show_their_progress_and_risk_only_to_staff(practice):
    couple = practice.cases["couple"]
    today = datetime.now(timezone.utc).date()
    staff, client = metrics(practice.people["Pia"], couple), metrics(practice.people["Ana"],
                                                                      couple)
    figures = {
        "status": "closed", "stage": "moving_forward",
        # The last 28 days: Ana 6 and 7, Leo 7 and 8.
        "trust_score": 7.0, "emotional_safety": 6.25, "communication_ease": 6.0,
        "conflicts_per_week": 0.25,  # 2 conflicts, 2 people reporting, 4 weeks
        "baseline": 3.0,  # the first three check-ins: 2, 4, 3
        # Trust reached baseline + 2 on the day of Ana's 6, seven weeks after opening.
        "significant_change_on": practice.ago(21).date().isoformat(),
        "days_to_significant_change": 49, "months_to_significant_change": 1.6,
        "checkin_adherence": 0.31,  # 5 of 2 people × 8 weekly check-ins before closing
        "setbacks_30d": 0, "setbacks_90d": 1,
        "days_since_setback": (today - practice.ago(49).date()).days,
        "next_checkin_due": None,  # closed: nothing is due
    }
    for reader, seen in (("Pia", staff), ("Ana", client)):
        assert {k: seen[k] for k in figures} == figures, reader
    assert (staff["risk"], staff["risk_reasons"], staff["open_red_flags"]) == ("low", [], [])
    assert (client["risk"], client["risk_reasons"], client["open_red_flags"]) == (None, [], [])

    # Two days after the setback, with the deleted-messages flag still open.
    then = practice.ago(47).isoformat()
    staff, client = (metrics(practice.people[n], couple, as_of=then) for n in ("Sol", "Leo"))
    assert {k: staff[k] for k in ("status", "stage", "trust_score", "baseline",
                                  "conflicts_per_week", "setbacks_30d",
                                  "days_since_setback")} == {
        "status": "open", "stage": "aftermath", "trust_score": 3.0, "baseline": 3.0,
        "conflicts_per_week": 0.88, "setbacks_30d": 1, "days_since_setback": 2}
    assert staff["risk"] == "medium"
    assert staff["risk_reasons"] == ["open_red_flag:deleting_messages"]
    assert staff["open_red_flags"] == ["deleting_messages"]
    assert client["trust_score"] == 3.0
    assert (client["risk"], client["open_red_flags"]) == (None, [])


def test_caseloads_show_each_practitioners_cases_with_stage_status_and_risk(practice):
    couple, family = practice.cases["couple"], practice.cases["family"]
    people = practice.people
    pias = caseload(people["Pia"])
    assert set(pias) == {family}, "a closed case is left out unless asked for"
    closed = caseload(people["Pia"], status="closed")
    assert {k: closed[couple][k] for k in ("title", "kind", "stage", "status", "risk",
                                           "trust_score", "next_checkin_due")} == {
        "title": "Ana & Leo", "kind": "couple", "stage": "moving_forward", "status": "closed",
        "risk": "low", "trust_score": 7.0, "next_checkin_due": None}
    assert when(closed[couple]["last_activity_at"]) == practice.ago(1)
    assert [p["name"] for p in pias[family]["practitioners"]] == ["Pia"]
    # The Okafors came back with a safety flag still open, and Cai's check-in is overdue.
    assert {k: pias[family][k] for k in ("title", "kind", "stage", "status", "risk",
                                         "trust_score")} == {
        "title": "The Okafors", "kind": "family", "stage": "aftermath", "status": "open",
        "risk": "high", "trust_score": 4.0}
    assert when(pias[family]["next_checkin_due"]) == practice.ago(27) + timedelta(days=7)

    sol = people["Sol"]
    assert caseload(sol, practitioner=practice.ids["Pia"]) == pias
    assert caseload(sol, practitioner=practice.ids["Quinn"]) == {}  # his cover has ended
    assert set(caseload(sol, risk="high")) == {family}
    assert set(caseload(sol, status="closed")) == {couple}
    assert set(caseload(people["Oona"])) == {family}
    assert set(caseload(people["Oona"], status="closed")) == {couple}
    assert caseload(people["Quinn"]) == {}
    assert people["Pia"].get(f"{API}/caseload",
                             practitioner=practice.ids["Quinn"]).status_code == 403
    assert people["Ana"].get(f"{API}/caseload").status_code == 403
    # Clients list only the cases they take part in.
    for name, cases in (("Ana", {couple}), ("Leo", {couple}), ("Cai", {family})):
        listed = people[name].get(f"{API}/cases").json()["cases"]
        assert {c["id"] for c in listed} == cases, name


def test_outcome_analytics_count_the_closed_case_under_the_approach_it_closed_with(practice):
    for reader in ("Sol", "Oona"):
        answer = practice.people[reader].get(f"{API}/analytics/outcomes")
        assert answer.status_code == 200, answer.text
        rows = {row["approach"]: row for row in answer.json()["approaches"]}
        assert rows["self_guided"] == {"approach": "self_guided", "closed": 1, "reconciled": 1,
                                       "success_rate": 1.0, "median_months_to_change": 1.6}
        # The Okafors closed once, then reopened: an open case is no outcome.
        assert rows["therapy_guided"]["closed"] == 0
        assert rows["therapy_guided"]["success_rate"] is None
    for reader in ("Pia", "Ana"):
        assert practice.people[reader].get(f"{API}/analytics/outcomes").status_code == 403


# ---------------------------------------------------------------------- the audit
def test_the_owner_reads_sign_ins_role_changes_and_case_work_in_the_audit(practice):
    entries = read_audit(practice.people["Oona"])
    positions = [e["position"] for e in entries]
    assert positions == sorted(positions, reverse=True) and len(set(positions)) == len(entries)
    said = {(e["actor"]["name"], e["type"], e["summary"]) for e in entries}
    assert ("Oona", "role_granted", "Role granted: supervisor") in said
    assert ("Ana", "signed_in", "Signed in (browser)") in said
    for name in ("Pia", "Sol", "Leo", "Cai", "Quinn"):
        assert (name, "signed_in", "Signed in (API token)") in said, name
    for name in ("Pia", "Quinn", "Sol", "Ana", "Leo", "Cai"):
        role = "practitioner" if name == "Sol" else practice.roles[name]
        assert (name, "invitation_accepted", f"Invitation accepted as {role}") in said, name
    [closed] = [e for e in entries if e["type"] == "case_closed"
                and e["case_id"] == practice.cases["couple"]]
    assert (closed["actor"]["name"], closed["summary"]) == ("Pia", "Case closed: reconciled")
    assert when(closed["occurred_at"]) == practice.ago(1)
    for reader in ("Sol", "Pia", "Ana"):
        assert practice.people[reader].get(f"{API}/audit").status_code == 403


def test_the_owner_exports_a_case_and_the_export_shows_in_the_audit(practice):
    couple = practice.cases["couple"]
    exported = practice.people["Oona"].get(f"{API}/cases/{couple}/export")
    assert exported.status_code == 200, exported.text
    record = exported.json()
    assert record["case"]["id"] == couple and record["case"]["status"] == "closed"
    assert [e["id"] for e in record["events"]] == [
        e["id"] for e in read_timeline(practice.people["Oona"], couple)]
    assert all(e["visibility"] != "private" for e in record["events"])
    [entry] = [e for e in read_audit(practice.people["Oona"]) if e["type"] == "case_exported"]
    assert (entry["actor"]["name"], entry["case_id"]) == ("Oona", couple)
    assert entry["summary"] == f"Case record exported ({len(record['events'])} events)"
    for reader in ("Sol", "Pia", "Ana"):
        assert practice.people[reader].get(f"{API}/cases/{couple}/export").status_code == 403


# ---------------------------------------------------------------------- refusals
def test_what_a_role_may_not_do_is_refused_and_records_nothing(practice, organization):
    p, couple, family = practice.people, practice.cases["couple"], practice.cases["family"]
    workplace = organization.cases["workplace"]
    before = {case: len(read_timeline(p["Oona"], case)) for case in (couple, family)}
    before[workplace] = len(read_timeline(organization.people["Hana"], workplace))
    note = {"text": "I can write staff notes too."}
    refusals = [
        # Clients record check-ins and journals, not staff work.
        (p["Ana"].post(f"{API}/cases/{couple}/notes", note), 403),
        (p["Cai"].post(f"{API}/cases/{family}/notes", note), 403),
        (p["Cai"].post(f"{API}/cases/{family}/setbacks",
                       {"severity": 1, "description": "x"}), 403),
        # A case someone is not on does not exist for them.
        (p["Cai"].get(f"{API}/cases/{couple}/timeline"), 404),  # removed from it
        (p["Cai"].post(f"{API}/cases/{couple}/check-ins", check_in(5, 5, 5, 0)), 404),
        (p["Quinn"].get(f"{API}/cases/{couple}/metrics"), 404),  # his cover ended
        (organization.people["Eve"].get(f"{API}/cases/{couple}"), 404),  # another tenant
        (p["Leo"].get(f"{API}/cases/{family}"), 404),
        # Rules of the record.
        (p["Pia"].post(f"{API}/cases/{couple}/check-ins",
                       check_in(9, 9, 9, 0, participant_id=practice.ids["Ana"])), 409),
        (p["Pia"].post(f"{API}/cases/{family}/program-steps",
                       {"step": "public_acknowledgment"}), 409),
    ]
    for answer, status in refusals:
        method_path = f"{answer.request.method} {answer.request.path_url}"
        assert answer.status_code == status, f"{method_path}: {answer.text}"
        assert answer.headers["Content-Type"] == "application/problem+json", method_path
        assert answer.json()["status"] == status
    # Nothing about the couple leaks into a refusal.
    assert "Ana & Leo" not in refusals[3][0].text
    after = {case: len(read_timeline(p["Oona"], case)) for case in (couple, family)}
    after[workplace] = len(read_timeline(organization.people["Hana"], workplace))
    assert after == before


# ---------------------------------------------------------------------- the workplace
def test_a_workplace_program_shows_its_steps_and_publishes_pulses_from_five_answers(
        organization):
    workplace = organization.cases["workplace"]
    people = organization.people
    for reader in ("Hana", "Ravi", "Eve"):
        answer = people[reader].get(f"{API}/cases/{workplace}/progress")
        assert answer.status_code == 200, answer.text
        progress = answer.json()
        assert progress["steps_done"] == ["public_acknowledgment", "transparent_facts",
                                          "accountability"]
        assert (progress["steps_completed"], progress["progress"]) == (3, 0.375)
        assert [(p["responses"], p["mean"], p["published"]) for p in progress["pulses"]] == [
            (5, 3.6, True), (2, None, False), (6, 6.5, True), (5, 7.0, True)], reader

    # Employees see the pulses in their timeline by their count, never their scores.
    pulses = [e for e in read_timeline(people["Eve"], workplace)
              if e["type"] == "trust_pulse_recorded"]
    assert [e["data"] for e in pulses] == [
        {"responses": 5, "published": True},
        {"responses": 2, "published": False},
        {"responses": 6, "published": True},
    ]
    answered = read_timeline(people["Ravi"], workplace, type="pulse_answered")
    assert len(answered) == 5 and not any("score" in e["data"] for e in answered)
    assert read_timeline(people["Eve"], workplace, type="pulse_answered") == []
    assert [e["summary"] for e in pulses] == ["Trust pulse: 5 responses",
                                              "Trust pulse: 2 responses",
                                              "Trust pulse: 6 responses"]

    cases = caseload(people["Hana"])
    assert [(c["title"], c["kind"], c["status"]) for c in cases.values()] == [
        ("Payroll exposure", "workplace", "open")]
    assert caseload(people["Ravi"]) == cases

    refused = [
        (people["Eve"].post(f"{API}/cases/{workplace}/check-ins",
                            check_in(9, 9, 9, 0, participant_id=organization.ids["Max"])), 403),
        (people["Eve"].post(f"{API}/cases/{workplace}/pulses", {"scores": [10] * 5}), 403),
        (people["Ravi"].post(f"{API}/cases/{workplace}/program-steps",
                             {"step": "accountability"}), 409),  # each step once
    ]
    for answer, status in refused:
        assert answer.status_code == status, answer.text
    assert len([e for e in read_timeline(people["Ravi"], workplace)
                if e["type"] in ("trust_pulse_recorded", "program_step_completed")]) == 6

"""Demo data: two tenants with months of believable case history, for trying Mend out.

``seed_demo(mend)`` fills an *empty* store (and does nothing to a store that holds anything)
and returns the sign-in credentials, one ``(email, role, password)`` per person. Every
person shares ``DEMO_PASSWORD``. Everything goes through the same application services the
API uses (``mend.membership`` and ``mend.casework``), so the demo obeys every rule of the
domain, carries a real audit trail, and is projected like any other data.

What it creates
---------------

**Harbor Counseling** (slug ``harbor``, a practice)

=========================================  =============  ================================
person                                     role           works on / takes part in
=========================================  =============  ================================
Ruth Calder <ruth.calder@harbor.example>   owner          clinical director
Omar Haddad <omar.haddad@harbor.example>   supervisor     opens the family case, assigns
Elena Park <elena.park@harbor.example>     practitioner   Ana & Leo; Jess & Amara
David Mensah <david.mensah@harbor.example> practitioner   Maya & Chris; Okafor family;
                                                          Priya & Sam
Ana Ferreira, Leo Marchetti                client         couple case (reconciled)
Maya Brooks, Chris Dalton                  client         couple case (released)
Priya Nair, Sam Whitaker                   client         couple case (new intake)
Grace, Samuel and Nia Okafor               client         family case
Jess Moreno, Amara Osei                    client         friendship case
=========================================  =============  ================================

Clients' emails are ``firstname.lastname@example.com``.

Cases of the practice:

- *Ana & Leo* — couple, infidelity, therapy-guided, weekly cadence. Opened about 318 days
  ago, closed ``reconciled`` ten days ago. A nightly phone-free check-in ritual, a vague first
  apology and a full one a month later, setbacks that thin out (a partner feeling policed, a
  work trip, a crossed no-contact boundary, the anniversary of the discovery), all four
  stages, milestones, shared and private journals, and trust climbing from about 2 to 8.
- *Maya & Chris* — couple, digital secrecy (an online affair), therapy-guided. Opened about
  236 days ago and closed ``released`` after six months: defensiveness about devices,
  deleted messages and a sudden password change raised as red flags, a "no secrets" pact
  that did not hold, frequent setbacks, and trust that never came back.
- *Priya & Sam* — couple, dishonesty (hidden debt), AI-assisted; a fresh intake of about two
  weeks, still in the aftermath.
- *The Okafor family* — family, broken promises, therapy-guided; about 100 days of Sunday
  family dinners, monthly regret circles, storytelling nights and a rotating gratitude
  leader; in the restoring stage.
- *Jess & Amara* — friendship, a shared confidence, self-guided with a fortnightly cadence;
  still deciding whether to rebuild or release.

**Northwind Logistics** (slug ``northwind``, an organization). The workplace case lives in
its own tenant, because an HR team's programme is an organization's business, not a
counseling practice's; it also shows one account in two tenants.

- Karen Liu <karen.liu@northwind.example>, owner (people director)
- Sofia Reyes <sofia.reyes@northwind.example>, practitioner (HR case manager)
- Omar Haddad (the Harbor supervisor, same account and password), practitioner here as the
  external facilitator; he is listed once in the credentials, under his Harbor role
- Tariq Nasser and Lena Fischer <…@example.com>, clients (staff representatives)

Case: *Depot staff data exposure* — workplace, data breach, self-guided programme with a
fortnightly cadence, about 120 days old: six of the eight programme steps done, open forums,
an external audit, a first trust pulse with only three responses (so it stays hidden) and
later pulses of eleven to eighteen responses with a rising mean.

All ``occurred_at`` times are in the past, after their case opened, and placed relative to
the moment of seeding, so the demo always looks current. A seeded ``random.Random`` makes
the shape of the data (scores, notes picked, skipped check-ins) the same on every run.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any
from uuid import UUID

from mend.domain.authorization import Actor

#: The one password of every demo account (long enough for the policy, not a common one).
DEMO_PASSWORD = "harbor-tide-4821"
DEMO_SEED = 20240611

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
)

#: People who also belong to a second tenant: (person key, tenant slug, role there).
DEMO_EXTRA_MEMBERSHIPS = (("omar", "northwind", "practitioner"),)


# ---------------------------------------------------------------------------- the seeding


def seed_demo(mend: Any) -> list[tuple[str, str, str]]:
    """Create the demo tenants, people and cases in an empty store; return the credentials.

    A store that already holds anything is left untouched, and the answer is ``[]``.
    """
    if mend.store.recorder.max_notification_id():
        return []
    now = datetime.now(timezone.utc)
    rng = random.Random(DEMO_SEED)
    people = _create_people(mend)
    _Seeder(mend, people, now, rng).run()
    return [(p.email, p.role, DEMO_PASSWORD) for p in DEMO_PEOPLE]


def _create_people(mend: Any) -> dict[str, Any]:
    """Sign up both tenants, invite and accept everyone; the actors by key (and by tenant)."""
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
    return {"tenants": tenants, "actors": actors, "ids": ids}


# ---------------------------------------------------------------------------- stories


@dataclass(frozen=True)
class _Ref:
    """A value one step of a story produces and a later step uses (a boundary's id)."""

    name: str


@dataclass(order=True)
class _Step:
    when: datetime
    seq: int
    method: str = field(compare=False)
    actor: Actor = field(compare=False)
    fields: dict[str, Any] = field(compare=False)
    key: str | None = field(compare=False, default=None)


class _Story:
    """The history of one case: steps collected in any order, then played in time order.

    ``day`` is days after the opening (fractions are hours: 0.5 is twelve hours later);
    a step that would fall after the moment of seeding is dropped.
    """

    def __init__(self, mend: Any, opener: Actor, now: datetime, days_ago: int, **opening: Any):
        self.mend = mend
        self.now = now
        # Cases open at 09:00 UTC on their first day; the first day is always in the past.
        self.opened = (now - timedelta(days=days_ago)).replace(
            hour=9, minute=0, second=0, microsecond=0
        )
        self.case_id: UUID = mend.casework.open_case(
            opener, occurred_at=self.opened, **opening
        ).result
        self.steps: list[_Step] = []
        self.results: dict[str, Any] = {}

    def when(self, day: float) -> datetime:
        return self.opened + timedelta(days=day)

    def at(self, day: float, method: str, actor: Actor, *, key: str | None = None,
           **fields: Any) -> None:
        when = self.when(day)
        if when <= self.now:
            self.steps.append(_Step(when, len(self.steps), method, actor, fields, key))

    def play(self) -> None:
        for step in sorted(self.steps):
            fields = {k: self.results[v.name] if isinstance(v, _Ref) else v
                      for k, v in step.fields.items()}
            saved = getattr(self.mend.casework, step.method)(
                step.actor, self.case_id, occurred_at=step.when, **fields
            )
            if step.key:
                self.results[step.key] = saved.result

    # -- conveniences
    def notes(self, actor: Actor, dated_texts: list[tuple[float, str]]) -> None:
        for day, text in dated_texts:
            self.at(day, "note_session", actor, text=text)

    def journal(self, actor: Actor, dated: list[tuple[float, str, str]]) -> None:
        for day, visibility, text in dated:
            self.at(day, "write_journal", actor, text=text, visibility=visibility)


def _curve(*knots: tuple[float, float]) -> Callable[[float], float]:
    """A piecewise-linear level through (day, level) knots, flat beyond the ends."""

    def level(day: float) -> float:
        if day <= knots[0][0]:
            return knots[0][1]
        for (d0, v0), (d1, v1) in zip(knots, knots[1:]):
            if day <= d1:
                return v0 + (v1 - v0) * (day - d0) / (d1 - d0)
        return knots[-1][1]

    return level


def _rating(value: float) -> int:
    return max(0, min(10, round(value)))


@dataclass
class _Reporter:
    """One participant's check-ins: their level of trust over time and how reliably they report."""

    actor: Actor
    level: Callable[[float], float]
    skip: Callable[[float], float] = lambda day: 0.05
    safety_offset: float = 0.4
    ease_offset: float = -0.3
    tension: float = 1.0  # how many conflicts a low level produces
    notes: tuple[str, ...] = ()


def _check_ins(story: _Story, rng: random.Random, reporters: list[_Reporter], *,
               first_day: float, last_day: float, every: int) -> None:
    """Check-ins on the cadence, each participant on their own evening, with noise."""
    day = first_day
    while day <= last_day:
        for i, r in enumerate(reporters):
            if rng.random() < r.skip(day):
                continue
            base = r.level(day)
            conflicts = max(0, round(r.tension * (7.5 - base) / 2.5 + rng.gauss(0, 0.6)))
            note = rng.choice(r.notes) if r.notes and rng.random() < 0.3 else ""
            story.at(
                day + 0.45 + 0.02 * i + rng.uniform(0, 0.1), "record_check_in", r.actor,
                trust=_rating(base + rng.gauss(0, 0.5)),
                emotional_safety=_rating(base + r.safety_offset + rng.gauss(0, 0.6)),
                communication_ease=_rating(base + r.ease_offset + rng.gauss(0, 0.7)),
                conflicts=conflicts, note=note,
            )
        day += every


READY_ALL = {item: True for item in (
    "breach_accepted", "emotions_acknowledged", "motivation_clear", "committed_to_honesty",
    "boundaries_set", "checkins_scheduled", "independent_reflection", "external_support",
    "prepared_for_setbacks", "tracking_progress", "monthly_review_of_intentions",
    "knows_exit_is_possible",
)}


def _readiness(*not_yet: str) -> dict[str, bool]:
    return {item: item not in not_yet for item in READY_ALL}


class _Seeder:
    def __init__(self, mend: Any, people: dict[str, Any], now: datetime, rng: random.Random):
        self.mend = mend
        self.a = people["actors"]
        self.ids = people["ids"]
        self.now = now
        self.rng = rng

    def run(self) -> None:
        for build in (self.ana_and_leo, self.maya_and_chris, self.priya_and_sam,
                      self.okafor_family, self.jess_and_amara, self.northwind):
            build().play()

    def _people(self, story: _Story, opener: Actor, day: float,
                members: list[tuple[str, str]]) -> None:
        for key, relation in members:
            story.at(day, "add_participant", opener, account_id=self.ids[key], relation=relation)

    # ------------------------------------------------------------------ Ana & Leo
    def ana_and_leo(self) -> _Story:
        a, ids, rng = self.a, self.ids, self.rng
        elena, ana, leo = a["elena"], a["ana"], a["leo"]
        s = _Story(
            self.mend, elena, self.now, 318, kind="couple", title="Ana & Leo",
            approach="therapy_guided", breach_category="infidelity",
            breach_summary=(
                "Leo had a four-month affair with a colleague; Ana found hotel receipts and "
                "he confirmed it the same night. Both say they want to try."
            ),
            cadence_days=7,
        )
        self._people(s, elena, 0.02, [("ana", "partner"), ("leo", "partner")])
        s.at(0.1, "assess_readiness", elena, answers=_readiness(
            "boundaries_set", "checkins_scheduled", "external_support", "tracking_progress",
            "monthly_review_of_intentions", "prepared_for_setbacks", "committed_to_honesty",
        ), note="Both motivated; Ana not sure yet that honesty will hold.")
        contact = "Leo has no private contact with the colleague and tells Ana the same day "
        contact += "if she gets in touch."
        s.at(0.2, "set_boundary", elena, key="no_contact", text=contact)
        s.at(0.21, "set_boundary", elena, key="phones",
             text="No phones in the room during the evening check-in.")
        s.at(1.5, "make_agreement", elena, text=(
            "Every evening at nine: ten minutes, phones in the hallway, one honest sentence "
            "each about the day and one about us."
        ))
        s.at(6.4, "offer_apology", elena, from_id=ids["leo"], to_ids=[ids["ana"]],
             text="I'm sorry things got so bad between us that this happened.",
             names_harm=False, takes_responsibility=False, commits_to_change=True)
        s.at(14.3, "advance_stage", elena, stage="honest_conversations",
             reason="The first shock has eased; both can stay in the room for a full session.")
        s.at(24.6, "record_setback", elena, severity=2, description=(
            "Leo came home late without texting. Ana went through his phone; Leo said he "
            "felt policed and slept on the sofa."
        ))
        s.at(30.5, "reach_milestone", elena, title="A month of evening check-ins",
             note="Missed only two evenings in thirty.")
        s.at(34.4, "offer_apology", elena, from_id=ids["leo"], to_ids=[ids["ana"]], text=(
            "I lied to you for four months and let you doubt yourself when you noticed. That "
            "was my choice, not the state of our marriage. I am ending the secrecy for good, "
            "starting with showing you my calendar every Sunday."
        ), names_harm=True, takes_responsibility=True, commits_to_change=True)
        s.at(34.5, "offer_apology", elena, from_id=ids["ana"], to_ids=[ids["leo"]], text=(
            "I'm sorry I read your messages behind your back instead of asking you."
        ), names_harm=True, takes_responsibility=True, commits_to_change=True)
        s.at(40.5, "make_agreement", elena,
             text="A shared calendar: every evening out, trip and late meeting goes in it.")
        for day in range(41, 300, 21):
            s.at(day + 0.4, "practice_ritual", elena, ritual="transparency_hour",
                 note="Sunday transparency hour: calendar, messages, plans for the week.")
        for day in range(7, 300, 28):
            kept = rng.randint(5 if day > 60 else 4, 7)
            s.at(day + 0.42, "practice_ritual", elena, ritual="daily_checkin",
                 note=f"Kept {kept} of the last 7 evening check-ins.")
        s.at(46.5, "practice_ritual", elena, ritual="sharing_fears",
             note="Ana: that she will never stop checking. "
                  "Leo: that he will always be the villain.")
        s.at(52.0, "record_setback", elena, severity=1,
             description="A four-day work trip; three check-ins missed and nobody called.")
        s.at(71.4, "practice_ritual", elena, ritual="letter",
             note="Leo wrote Ana a letter about the man he wants to be; read aloud in session.")
        s.at(90.4, "assess_readiness", elena, answers=READY_ALL,
             note="Every item now holds for both.")
        s.at(97.3, "record_boundary_crossed", elena, boundary_id=_Ref("no_contact"),
             note="The colleague emailed; Leo answered before telling Ana, and told her the next "
                  "morning.")
        s.at(97.4, "record_setback", elena, severity=2,
             description="Old wound reopened by the colleague's email; two days of silence.")
        s.at(110.4, "advance_stage", elena, stage="restoring",
             reason="Honest talk no longer ends in a fight; time to build new habits.")
        s.at(120.4, "revise_boundary", elena, boundary_id=_Ref("phones"),
             text="No phones during the evening check-in or at dinner.")
        s.at(121.5, "reach_milestone", elena, title="A full week without an argument")
        s.at(131.4, "practice_ritual", elena, ritual="positive_prediction",
             note="Ana predicted Leo would tell her about the team dinner before it "
                  "happened. He did.")
        for day in (58, 88, 150, 182, 214, 246, 272):
            s.at(day + 0.6, "practice_ritual", elena, ritual="gratitude_note",
                 note="Gratitude notes swapped for the week.")
        s.at(160.3, "record_setback", elena, severity=1,
             description="The anniversary of the discovery: a hard weekend, talked through.")
        s.at(200.4, "reach_milestone", elena, title="Ana stopped checking Leo's phone",
             note="Her own decision, and she told him about it.")
        s.at(205.4, "retire_boundary", elena, boundary_id=_Ref("no_contact"),
             note="The colleague left the company; contact is no longer possible.")
        s.at(240.4, "advance_stage", elena, stage="moving_forward",
             reason="Working on keeping what they rebuilt: monthly reviews of their agreements.")
        s.at(241.4, "make_agreement", elena, text=(
            "First Sunday of the month: review the agreements and say what each needs to change."
        ))
        s.at(300.4, "reach_milestone", elena, title="Ten months",
             note="Not the innocence of before; something both chose on purpose.")
        s.notes(elena, [
            (0.3, "Intake. Ana is in shock and swings between anger and numbness; Leo wants to "
                  "'fix it fast'. Agreed to slow down: safety first, decisions later."),
            (6.4, "Leo's first apology leaned on the state of the marriage. Named that, gently; "
                  "he heard it."),
            (13.4, "Evening check-ins are happening. Ana finds eye contact hard; that's fine."),
            (27.4, "Debriefed the late-night phone search. Both can see the pattern: silence, "
                   "suspicion, search, shame."),
            (34.4, "Full apology today: specific, owned, with a concrete change. Ana cried, "
                   "then said she believed about half of it. A good half."),
            (55.4, "Work trip setback. Planned ahead for the next one: a call at nine wherever "
                   "he is."),
            (83.4, "Ratings still low but steadier. Introduced the shared journal their AI "
                   "coach suggested, as a supplement between sessions."),
            (99.4, "The email. Leo's delay hurt more than the email itself; worked on telling "
                   "first, explaining after."),
            (139.4, "Less policing, fewer slip-ups. They schedule the hard conversations now "
                    "instead of ambushing each other."),
            (188.4, "Monthly sessions from here. Ana says she can breathe again most days."),
            (244.4, "Future-proofing: what would each do if they felt drawn to secrecy again?"),
            (296.4, "Preparing to close. Both rate the relationship more deliberate than before "
                    "the affair."),
        ])
        s.journal(ana, [
            (2.9, "private", "I keep replaying the night I found the receipts. I don't know who "
                             "I am married to."),
            (25.0, "private", "I went through his phone and felt worse, not better."),
            (64.0, "shared", "Tonight's check-in was the first one where I didn't rehearse what "
                             "to say."),
            (168.9, "shared", "The anniversary was brutal, but you stayed and listened. "
                              "Thank you."),
            (232.8, "private", "Three weeks without checking anything. It's odd how quiet my "
                               "head is."),
        ])
        s.journal(leo, [
            (8.9, "private", "She doesn't believe my apologies. I'm not sure I would either."),
            (44.9, "shared", "I put everything in the calendar this week, even the dentist. It "
                             "feels silly and it helps."),
            (101.9, "shared", "I should have told you about the email that night. Next time I "
                              "will call before I reply."),
            (260.9, "shared", "We argued about money today and it was just an argument. It "
                              "didn't turn into the affair."),
        ])
        _check_ins(s, rng, [
            # Slow at first, as the source material expects of therapy-guided repair: the
            # significant change (baseline + 2) comes after seven to eight months.
            _Reporter(ana, _curve((0, 2.0), (24, 2.3), (27, 1.5), (40, 2.6), (90, 3.2),
                                  (97, 2.5), (115, 3.4), (160, 3.8), (163, 3.2), (200, 4.2),
                                  (240, 5.6), (305, 8.0)),
                      notes=("Hard day at work, easier evening.", "He showed me the calendar "
                             "without being asked.", "I felt suspicious again tonight.",
                             "We laughed at dinner.")),
            _Reporter(leo, _curve((0, 3.6), (30, 3.3), (60, 3.8), (120, 4.0), (200, 4.4),
                                  (240, 5.6), (305, 8.0)),
                      tension=0.9, notes=("Felt watched, said so calmly.", "Good talk tonight.",
                                          "Tired, but we kept the check-in.")),
        ], first_day=3, last_day=305, every=7)
        s.at(308.4, "close_case", elena, outcome="reconciled", note=(
            "Ten months of steady work. Trust has come back through small, repeated acts of "
            "reliability; they keep the monthly review on their own."
        ))
        return s

    # ------------------------------------------------------------------ Maya & Chris
    def maya_and_chris(self) -> _Story:
        a, ids, rng = self.a, self.ids, self.rng
        david, maya, chris = a["david"], a["maya"], a["chris"]
        s = _Story(
            self.mend, david, self.now, 236, kind="couple", title="Maya & Chris",
            approach="therapy_guided", breach_category="digital_secrecy",
            breach_summary=(
                "Maya found months of intimate messages between Chris and a woman he met in an "
                "online gaming community; he had a second account for it."
            ),
            cadence_days=7,
        )
        self._people(s, david, 0.02, [("maya", "partner"), ("chris", "partner")])
        s.at(0.1, "assess_readiness", david, answers=_readiness(
            "breach_accepted", "committed_to_honesty", "boundaries_set", "checkins_scheduled",
            "prepared_for_setbacks", "tracking_progress", "monthly_review_of_intentions",
        ), note="Chris calls it 'just chatting'; Maya wants full transparency now.")
        s.at(1.3, "set_boundary", david, key="devices", text=(
            "During recovery Chris shares his phone and computer passwords and Maya may ask to "
            "see any account."
        ))
        s.at(1.31, "set_boundary", david, key="no_contact",
             text="No contact with the woman from the gaming community, on any platform.")
        s.at(5.4, "offer_apology", david, from_id=ids["chris"], to_ids=[ids["maya"]],
             text="I'm sorry you had to see those messages.",
             names_harm=False, takes_responsibility=False, commits_to_change=False)
        s.at(12.4, "raise_red_flag", david, key="defensive", code="defensive_about_devices",
             note="Chris walked out when Maya asked to see his laptop in session.")
        s.at(18.5, "record_setback", david, severity=2,
             description="Shouting match over a notification Chris swiped away.")
        s.at(20.5, "practice_ritual", david, ritual="transparency_hour",
             note="First transparency hour; Chris answered in single words.")
        s.at(21.4, "advance_stage", david, stage="honest_conversations",
             reason="Trying to move into honest dialogue despite the defensiveness.")
        s.at(33.5, "practice_ritual", david, ritual="sharing_fears",
             note="Maya: being made a fool of twice. "
                  "Chris: being watched for the rest of his life.")
        s.at(41.5, "record_setback", david, severity=2,
             description="Maya found the chat history deleted the night before a session.")
        s.at(41.6, "raise_red_flag", david, key="deleting", code="deleting_messages",
             note="Deleted history discovered by Maya.")
        s.at(48.5, "practice_ritual", david, ritual="transparency_hour",
             note="Cut short after twenty minutes.")
        s.at(50.4, "make_agreement", david, text=(
            "A 'no secrets' pact: anything either of us would hide, we say out loud first."
        ))
        s.at(55.4, "offer_apology", david, from_id=ids["chris"], to_ids=[ids["maya"]], text=(
            "I'm sorry I deleted the chats. I panicked, but I know it looked like more lying."
        ), names_harm=True, takes_responsibility=False, commits_to_change=True)
        s.at(68.4, "resolve_red_flag", david, flag_id=_Ref("deleting"),
             note="No further deletions in a month of spot checks.")
        s.at(76.5, "record_boundary_crossed", david, boundary_id=_Ref("devices"),
             note="Chris changed his phone password without telling Maya.")
        s.at(76.6, "record_setback", david, severity=3,
             description="Sudden password change; Maya left for her sister's for three nights.")
        s.at(76.7, "raise_red_flag", david, code="sudden_password_changes",
             note="Password changed without discussion, days after the pact.")
        s.at(95.5, "record_setback", david, severity=1,
             description="Cancelled the transparency hour twice in a row.")
        s.at(104.4, "raise_red_flag", david, code="escalating_conflict",
             note="Sessions turn into blame: Chris minimizes, Maya escalates.")
        s.at(118.4, "assess_readiness", david, answers=_readiness(
            "breach_accepted", "committed_to_honesty", "prepared_for_setbacks",
            "monthly_review_of_intentions",
        ), note="Maya still engaged; Chris's commitment to honesty is in words only.")
        s.at(140.5, "record_setback", david, severity=2,
             description="Chris said the affair 'wasn't real because it was online'.")
        s.at(158.5, "record_setback", david, severity=3,
             description="Maya found a new account on the same platform.")
        s.at(159.4, "raise_red_flag", david, code="secret_accounts",
             note="A second account again, opened last month.")
        s.notes(david, [
            (0.4, "Intake. Chris minimizes ('it was online, we never met'); Maya is furious and "
                  "exhausted. Set up device transparency as a condition of the work."),
            (12.5, "Chris left the room when the laptop came up. Named defensiveness as the "
                   "main obstacle."),
            (27.4, "Gave them the communication worksheets; Maya filled hers in, Chris forgot."),
            (43.4, "Deleted history. Maya: 'every time I start to trust, something disappears.'"),
            (62.4, "They are trying AI-coached prompts between sessions. Maya uses them daily, "
                   "Chris twice."),
            (79.4, "The password change broke the pact within a month. Maya is considering "
                   "whether to continue."),
            (106.4, "Blame spirals in every session. Worked on 'impact, not blame'; it held for "
                    "ten minutes."),
            (132.4, "Maya asked what it would look like to stop. Talked about release as a "
                    "decision, not a failure."),
            (160.4, "New secret account. Maya says she is done rebuilding and wants to heal on "
                    "her own."),
            (175.4, "Final joint session. Both calm. Chris agreed to see an individual therapist "
                    "about his patterns."),
        ])
        s.journal(maya, [
            (3.0, "private", "I'm the only one who seems to think this is serious."),
            (42.0, "private", "He deleted everything the night before our session. I feel stupid "
                              "for hoping."),
            (80.0, "shared", "I need you to understand that the password change felt like the "
                             "affair all over again."),
            (162.0, "private", "I think I'm done. Not angry any more, just done."),
        ])
        s.journal(chris, [
            (13.0, "private", "Feels like I'm on trial every time we talk."),
            (52.0, "shared", "I signed the pact. I want it to work, I just hate being checked."),
        ])
        chris_skips = _curve((0, 0.1), (60, 0.25), (120, 0.45), (180, 0.55))
        _check_ins(s, rng, [
            _Reporter(maya, _curve((0, 3.0), (35, 3.6), (41, 2.4), (70, 3.4), (77, 1.8),
                                   (120, 2.6), (158, 1.5), (180, 1.8)),
                      tension=1.3, notes=("Another argument about the phone.",
                                          "He was kind tonight. I don't trust it.",
                                          "I'm tired of being the detective.")),
            _Reporter(chris, _curve((0, 5.0), (60, 4.5), (120, 3.8), (180, 3.5)),
                      skip=chris_skips, safety_offset=-1.0, tension=1.2,
                      notes=("Felt interrogated.", "Okay week.", "Don't see the point of these.")),
        ], first_day=2, last_day=180, every=7)
        s.at(184.4, "close_case", david, outcome="released", note=(
            "After six months Maya chose not to rebuild and moves to individual work; Chris "
            "referred on for individual therapy. Device defensiveness never eased."
        ))
        return s

    # ------------------------------------------------------------------ Priya & Sam
    def priya_and_sam(self) -> _Story:
        a, ids, rng = self.a, self.ids, self.rng
        david, priya, sam = a["david"], a["priya"], a["sam"]
        s = _Story(
            self.mend, david, self.now, 16, kind="couple", title="Priya & Sam",
            approach="ai_assisted", breach_category="dishonesty",
            breach_summary=(
                "Sam hid about eighteen thousand in credit-card debt for two years and told "
                "Priya the house deposit was growing."
            ),
            cadence_days=7,
        )
        self._people(s, david, 0.02, [("priya", "partner"), ("sam", "partner")])
        s.at(0.2, "assess_readiness", david, answers=_readiness(
            "boundaries_set", "checkins_scheduled", "tracking_progress",
            "monthly_review_of_intentions", "prepared_for_setbacks",
        ), note="Both want to continue; they will use the AI coach daily and see me monthly.")
        s.at(0.3, "set_boundary", david,
             text="All statements for every account are open to both of us.")
        s.at(2.5, "offer_apology", david, from_id=ids["sam"], to_ids=[ids["priya"]], text=(
            "I lied about our money for two years and made you plan a future on numbers I knew "
            "were false. I'm sorry. I've booked a debt adviser and you'll see every letter."
        ), names_harm=True, takes_responsibility=True, commits_to_change=True)
        s.at(5.4, "make_agreement", david,
             text="A money meeting every Friday evening with both banking apps open.")
        s.at(11.5, "practice_ritual", david, ritual="transparency_hour",
             note="First Friday money meeting.")
        s.notes(david, [
            (0.4, "Intake. Priya is more hurt by the lying than the debt. Sam is ashamed and "
                  "over-apologizes; both prefer app-led daily work."),
        ])
        s.journal(priya, [(4.0, "private", "I keep doing sums in my head at night.")])
        _check_ins(s, rng, [
            _Reporter(priya, _curve((0, 2.5), (16, 3.2))),
            _Reporter(sam, _curve((0, 4.0), (16, 4.3)), safety_offset=-0.5),
        ], first_day=1, last_day=15, every=7)
        return s

    # ------------------------------------------------------------------ the Okafor family
    def okafor_family(self) -> _Story:
        a, ids, rng = self.a, self.ids, self.rng
        omar, david = a["omar"], a["david"]
        grace, samuel, nia = a["grace"], a["samuel"], a["nia"]
        s = _Story(
            self.mend, omar, self.now, 101, kind="family", title="The Okafor family",
            approach="therapy_guided", breach_category="broken_promise",
            breach_summary=(
                "Years of work before family, and promises Samuel did not keep; he missed Nia's "
                "graduation after promising to be there. Nia stopped speaking to him."
            ),
            cadence_days=7,
        )
        s.at(0.05, "assign_practitioner", omar, account_id=ids["david"])
        self._people(s, omar, 0.06, [("grace", "mother"), ("samuel", "father"),
                                     ("nia", "daughter, 20")])
        s.at(0.3, "assess_readiness", david, answers=_readiness(
            "checkins_scheduled", "boundaries_set", "tracking_progress",
            "monthly_review_of_intentions",
        ), note="Nia came for her mother's sake; willing to listen, not yet to forgive.")
        s.at(3.4, "practice_ritual", david, ritual="joint_session",
             note="First joint session; ground rules: no interrupting, phones off.")
        s.at(3.5, "set_boundary", david, key="sunday",
             text="Sunday dinner at seven, at home, and no work calls during it.")
        s.at(3.51, "set_boundary", david,
             text="Samuel makes only promises he can keep; otherwise he says 'I will try'.")
        s.at(8.4, "make_agreement", david, text=(
            "A paper family calendar in the kitchen: every promise made to anyone goes on it."
        ))
        s.at(14.4, "advance_stage", david, stage="honest_conversations",
             reason="Everyone has said their piece once without leaving the room.")
        for i, day in enumerate(range(6, 101, 7)):
            if day == 55:  # the missed dinner
                continue
            leader = ("Grace", "Nia", "Samuel")[i % 3]
            s.at(day + 0.45, "practice_ritual", david, ritual="family_dinner",
                 note=f"Sunday dinner; {leader} chose the menu.")
        for day in (20, 48, 76):
            s.at(day + 0.5, "practice_ritual", david, ritual="regret_circle",
                 note="Each named one regret and one apology.")
        s.at(20.55, "offer_apology", david, from_id=ids["samuel"], to_ids=[ids["nia"]], text=(
            "I told you I would be there and I chose a client instead. I have done that your "
            "whole life. I'm sorry, and I am not asking you to trust me yet."
        ), names_harm=True, takes_responsibility=True, commits_to_change=True)
        s.at(20.6, "offer_apology", david, from_id=ids["samuel"], to_ids=[ids["grace"]], text=(
            "I left you to carry the family and to make my excuses for me. I'm sorry."
        ), names_harm=True, takes_responsibility=True, commits_to_change=True)
        s.at(30.5, "reach_milestone", david, title="Four Sunday dinners in a row")
        s.at(35.5, "practice_ritual", david, ritual="storytelling_night",
             note="Grace told the story of the year the business nearly failed.")
        s.at(41.5, "practice_ritual", david, ritual="intergenerational_journal",
             note="Started a notebook passed between the three of them each week.")
        s.at(45.4, "advance_stage", david, stage="restoring",
             reason="Apologies given and heard; now the work of new habits.")
        s.at(48.55, "offer_apology", david, from_id=ids["nia"], to_ids=[ids["samuel"]], text=(
            "I said I didn't have a father. That was cruel and I'm sorry I said it."
        ), names_harm=True, takes_responsibility=True, commits_to_change=False)
        s.at(55.45, "record_boundary_crossed", david, boundary_id=_Ref("sunday"),
             note="Samuel took a client call and missed dinner.")
        s.at(55.5, "record_setback", david, severity=2,
             description="Missed Sunday dinner for a client call; Nia left the notebook unsigned.")
        s.at(56.5, "practice_ritual", david, ritual="gratitude_leader",
             note="Grace led gratitude: everyone named one thing another did well this week.")
        s.at(63.5, "practice_ritual", david, ritual="storytelling_night",
             note="Samuel told how his own father was never home. Nia listened to the end.")
        s.at(70.5, "practice_ritual", david, ritual="digital_detox",
             note="A weekend with phones in a drawer; walked the coast path together.")
        s.at(84.5, "practice_ritual", david, ritual="gratitude_leader",
             note="Nia led gratitude for the first time.")
        s.at(90.5, "reach_milestone", david, title="Nia invited her father to her exhibition",
             note="He went, and stayed to the end.")
        s.notes(david, [
            (0.4, "Referral from Dr. Haddad. Family of three; the daughter is the one most hurt "
                  "and least willing. Start with structure, not forgiveness."),
            (14.5, "Samuel defends before he listens. Used the 'impact, not blame' frame with "
                   "everyone."),
            (21.4, "Regret circle went further than expected; Samuel's apology to Nia was "
                   "specific and she acknowledged it."),
            (49.4, "Nia apologized too. Grace visibly relieved; watch that she stops mediating."),
            (57.4, "Missed dinner. Samuel came to session without being asked; named it himself."),
            (77.4, "Third regret circle. The family runs it without me now."),
            (92.4, "Exhibition. Nia's trust ratings moving; plan monthly sessions from here."),
        ])
        s.journal(nia, [
            (2.0, "private", "Mum asked me to come. I'm here for her, not for him."),
            (21.0, "private", "He actually said it. I didn't expect to cry."),
            (56.0, "private", "Of course he missed it. Part of me was waiting for it."),
            (91.0, "shared", "Thank you for staying until the end of the exhibition, Dad."),
        ])
        s.journal(samuel, [
            (22.0, "shared", "Writing down promises is humbling. There were more than I knew."),
            (57.0, "shared", "I missed dinner. No excuse; I'll be there next Sunday."),
        ])
        s.journal(grace, [
            (10.0, "shared", "First week in a long time the three of us ate together twice."),
            (65.0, "private", "I have to stop translating between them."),
        ])
        _check_ins(s, rng, [
            _Reporter(grace, _curve((0, 4.0), (50, 5.5), (100, 7.0))),
            _Reporter(samuel, _curve((0, 5.5), (55, 6.2), (58, 5.4), (100, 7.2)),
                      tension=0.8),
            _Reporter(nia, _curve((0, 1.8), (20, 2.3), (30, 3.5), (55, 4.4), (58, 3.2),
                                  (90, 5.5), (100, 6.0)),
                      skip=lambda day: 0.2 if day < 30 else 0.08, safety_offset=0.8,
                      notes=("Didn't feel like talking.", "Dinner was fine, actually.",
                             "He remembered what I said last week.")),
        ], first_day=2, last_day=100, every=7)
        return s

    # ------------------------------------------------------------------ Jess & Amara
    def jess_and_amara(self) -> _Story:
        a, ids, rng = self.a, self.ids, self.rng
        elena, jess, amara = a["elena"], a["jess"], a["amara"]
        s = _Story(
            self.mend, elena, self.now, 66, kind="friendship", title="Jess & Amara",
            approach="self_guided", breach_category="dishonesty",
            breach_summary=(
                "Jess told a group chat about Amara's diagnosis, which Amara had shared in "
                "confidence, and denied it when Amara asked."
            ),
            cadence_days=14,
        )
        self._people(s, elena, 0.02, [("jess", "friend"), ("amara", "friend")])
        s.at(0.2, "assess_readiness", elena, answers=_readiness(
            "boundaries_set", "checkins_scheduled", "external_support", "tracking_progress",
            "monthly_review_of_intentions",
        ), note="Twenty years of friendship; Amara unsure she wants to rebuild at all.")
        s.at(0.3, "set_boundary", elena, key="health",
             text="Amara's health is hers to share; Jess does not mention it to anyone.")
        s.at(9.5, "offer_apology", elena, from_id=ids["jess"], to_ids=[ids["amara"]], text=(
            "I shared something that was yours to tell and then lied about it to your face. "
            "I'm sorry. I've told the group I was wrong to post it."
        ), names_harm=True, takes_responsibility=True, commits_to_change=True)
        s.at(12.5, "practice_ritual", elena, ritual="letter",
             note="Jess wrote a letter; Amara read it twice before replying.")
        s.at(20.4, "advance_stage", elena, stage="honest_conversations",
             reason="They are talking directly again.")
        s.at(21.5, "make_agreement", elena,
             text="A walk together once a month to talk about how the friendship is going.")
        s.at(33.6, "record_setback", elena, severity=1,
             description="Jess made a joke at a party that came close to the subject.")
        s.at(47.5, "practice_ritual", elena, ritual="sharing_fears",
             note="Amara: that she will always be the friend who is talked about.")
        s.notes(elena, [
            (0.4, "Friendship case, self-guided with fortnightly check-ins and occasional "
                  "sessions. The lie bothered Amara more than the post."),
            (34.4, "The party joke. Jess apologized on the spot this time, which Amara noticed."),
            (60.4, "Amara is weighing release against repair; both are legitimate outcomes here."),
        ])
        s.journal(amara, [
            (5.0, "private", "Some friendships come back after a storm and some just fade. I "
                             "don't know which this is."),
            (48.0, "shared", "The walk helped. I'm not ready to call it fixed."),
        ])
        s.journal(jess, [(10.0, "shared", "I'm ashamed of the lie more than anything.")])
        _check_ins(s, rng, [
            _Reporter(amara, _curve((0, 3.0), (33, 4.4), (36, 3.8), (66, 5.2)), tension=0.5),
            _Reporter(jess, _curve((0, 5.5), (66, 6.5)), tension=0.5),
        ], first_day=4, last_day=65, every=14)
        return s

    # ------------------------------------------------------------------ Northwind
    def northwind(self) -> _Story:
        a, ids, rng = self.a, self.ids, self.rng
        sofia, karen, omar = a["sofia"], a["karen"], a["omar@northwind"]
        tariq, lena = a["tariq"], a["lena"]
        s = _Story(
            self.mend, sofia, self.now, 120, kind="workplace", title="Depot staff data exposure",
            approach="self_guided", breach_category="data_breach",
            breach_summary=(
                "Home addresses and bank details of 340 depot staff were exposed through a "
                "misconfigured payroll export; leadership knew for three weeks before telling "
                "staff."
            ),
            cadence_days=14,
        )
        s.at(0.5, "assign_practitioner", karen, account_id=ids["omar"])
        self._people(s, sofia, 0.6, [("tariq", "staff representative, warehouse"),
                                     ("lena", "staff representative, dispatch")])
        s.at(1.4, "set_boundary", sofia,
             text="No one is disciplined or sidelined for what they say in a forum or pulse.")
        steps = [
            (2.3, "public_acknowledgment", "All-hands message from the CEO: what happened, the "
                                           "three-week delay, and that it was wrong."),
            (9.4, "transparent_facts", "Published the timeline, the data involved and who "
                                       "knew what when."),
            (23.4, "accountability", "The director who delayed disclosure left the security "
                                     "committee; paid credit monitoring for every affected "
                                     "employee."),
            (30.4, "open_forums", "Forums at all four depots, questions collected anonymously "
                                  "beforehand."),
            (62.4, "external_audit", "External audit of payroll and HR data handling "
                                     "completed; report shared in full."),
            (90.4, "ongoing_updates", "Fortnightly update on the audit's twelve actions; nine "
                                      "done."),
        ]
        for day, step, note in steps:
            s.at(day, "complete_program_step", sofia, step=step, note=note)
        s.at(9.5, "advance_stage", sofia, stage="honest_conversations",
             reason="Facts are out; the forums come next.")
        s.at(30.6, "make_agreement", sofia, text=(
            "Any security incident that touches staff data is told to all staff within 72 "
            "hours, even before every fact is known."
        ))
        s.at(48.5, "record_setback", sofia, severity=2,
             description="A shift manager at one depot dismissed questions at the forum; "
                         "it spread on the staff group chat.")
        s.at(62.5, "advance_stage", omar, stage="restoring",
             reason="Audit published; moving to visible, repeated follow-through.")
        s.at(91.5, "reach_milestone", sofia, title="More than half the depot answered the pulse")
        pulses = [(14, 3, 3.0), (35, 11, 4.0), (63, 14, 4.9), (91, 16, 5.6), (112, 18, 6.2)]
        for day, responses, mean in pulses:
            scores = [_rating(mean + rng.gauss(0, 1.4)) for _ in range(responses)]
            s.at(day + 0.6, "record_trust_pulse", sofia, scores=scores)
        s.notes(omar, [
            (3.4, "Facilitator's note: anger is mostly about the delay, not the leak. The "
                  "acknowledgment landed better than leadership feared."),
            (31.4, "Forums: hardest questions were about who knew. Answer them plainly or the "
                   "programme stalls."),
            (64.4, "After the audit the representatives began raising ideas, not just "
                   "complaints."),
        ])
        s.notes(sofia, [
            (15.4, "Only three pulse responses; people fear answers are traceable. Explained "
                   "the five-response threshold at every depot."),
            (49.4, "Met the shift manager after the forum; coaching agreed; reps informed."),
            (92.4, "Participation up, scores up. Renewal event being planned with the reps."),
        ])
        s.journal(lena, [
            (16.0, "private", "I'm still not sure anyone upstairs would have told us if the "
                              "bank hadn't called."),
            (93.0, "shared", "The audit updates are the first thing in years that arrive on "
                             "time."),
        ])
        s.journal(tariq, [(50.0, "shared", "The forum at our depot went badly. The follow-up "
                                           "was quick, which counted.")])
        _check_ins(s, rng, [
            _Reporter(tariq, _curve((0, 2.5), (45, 4.0), (50, 3.4), (120, 6.0)), tension=0.6),
            _Reporter(lena, _curve((0, 2.0), (60, 3.8), (120, 5.6)), tension=0.6),
        ], first_day=3, last_day=119, every=14)
        return s

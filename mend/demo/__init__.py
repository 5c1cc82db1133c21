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
  weeks, still in the aftermath, and at high risk: this week the open-statements boundary
  was crossed and a safety red flag raised (Priya frightened by Sam's anger).
- *The Okafor family* — family, broken promises, therapy-guided; about 100 days of Sunday
  family dinners, monthly regret circles, storytelling nights and a rotating gratitude
  leader; in the restoring stage.
- *Jess & Amara* — friendship, a shared confidence, self-guided with a fortnightly cadence;
  still deciding whether to rebuild or release. Their check-ins stopped a month ago, so the
  case is overdue and at medium risk.

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

Where it lives: ``people`` (the tenants, the people and their sign-up), ``story`` (how a
case's history is told), and one module per kind of case: ``couples``, ``family``,
``friendship`` and ``workplace``.
"""

from __future__ import annotations

import random
from datetime import datetime, timezone
from typing import Any

from mend.demo import couples, family, friendship, workplace
from mend.demo.people import (
    DEMO_EXTRA_MEMBERSHIPS, DEMO_PASSWORD, DEMO_PEOPLE, HARBOR, NORTHWIND, DemoPerson,
    create_people,
)
from mend.demo.story import Seeding
from mend.domain.tenancy import SLUGS

__all__ = [
    "DEMO_EXTRA_MEMBERSHIPS", "DEMO_PASSWORD", "DEMO_PEOPLE", "DEMO_SEED", "HARBOR", "NORTHWIND",
    "STORIES", "DemoPerson", "demo_sign_ins", "holds_demo", "seed_demo",
]

DEMO_SEED = 20240611

#: The cases, in the order they are told. They share one random stream, so reordering them
#: (or adding a draw to one) changes the scores and notes of every story after it.
STORIES = (
    couples.ana_and_leo, couples.maya_and_chris, couples.priya_and_sam,
    family.okafor_family, friendship.jess_and_amara, workplace.northwind,
)


def seed_demo(mend: Any) -> list[tuple[str, str, str]]:
    """Create the demo tenants, people and cases in an empty store; return the credentials.

    A store that already holds anything is left untouched, and the answer is ``[]``.
    """
    if mend.store.recorder.max_notification_id():
        return []
    now = datetime.now(timezone.utc)
    rng = random.Random(DEMO_SEED)
    actors, ids = create_people(mend)
    seeding = Seeding(mend, actors, ids, now, rng)
    for tell in STORIES:
        tell(seeding).play()
    return demo_sign_ins()


def demo_sign_ins() -> list[tuple[str, str, str]]:
    """Every demo person's sign-in: (email, role, password)."""
    return [(p.email, p.role, DEMO_PASSWORD) for p in DEMO_PEOPLE]


def holds_demo(mend: Any) -> bool:
    """Whether this store holds the demo tenants (seeded earlier)."""
    return mend.store.lookup(SLUGS, HARBOR["slug"]) is not None

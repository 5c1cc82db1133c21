"""The read models end to end: golden stories, who sees what, as_of and known_at.

Everything here is recorded through the application services (Casework, Membership) on each
real store, projected by the runner, and read back through the casebook (``facts_of_case``,
the queries) and through the HTTP API with bearer tokens:

* the four golden stories of tests/unit/test_golden_metrics.py are played through Casework
  (the unit module's own builders, with its ``Story`` swapped for one that records commands),
  and every hand-worked assertion of that module is run again on the facts read back from the
  view; the view's figures and the HTTP answers equal the pure fold of the stored events;
* every read route is checked for what it must never show: staff notes, red flags and other
  people's private journals to clients, risk to clients, another tenant's anything;
* ``as_of`` answers equal a second store and view into which only the events that had
  happened by then were recorded; ``known_at`` answers equal one holding only the events the
  record held then.

Building the world costs a few seconds per store, so it is built once per store (the
``settings`` fixture is overridden here with module scope; it is the same pair of stores).
"""

from __future__ import annotations

import inspect
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import InfrastructureFactory, StoredEvent
from eventsourcing.utils import Environment

import tests.unit.test_golden_metrics as golden
from mend.bootstrap import Mend
from mend.config import Settings
from mend.domain import commands as cmd
from mend.domain.authorization import Actor
from mend.domain.case import Case
from mend.domain.store import MendStore
from mend.domain.vocabulary import PULSE_MIN_RESPONSES
from mend.platform import create_app
from mend.platform import schemas as s
from mend.projections.case_facts import CaseFacts
from mend.projections.casebook_projection import snake_case
from mend.projections.case_metrics import facts_of_case
from mend.projections.metrics import (
    aggregate_outcomes, compute_metrics, outcome_summary, weekly_series, workplace_progress,
)
from mend.projections.queries import TimelineEntry
from mend.projections.runner import ProjectionRunner
from tests.integration.conftest import make_practice

UTC = timezone.utc
at = golden.at
API = "/api/v1"
STAFF_TYPES = {"session_noted", "red_flag_raised", "red_flag_resolved"}


# ---------------------------------------------------------------------- stores
@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def settings(request, tmp_path_factory, pg_databases) -> Settings:
    """The conftest's pair of real stores, once per module: the world below is costly."""
    return new_settings(request.param, tmp_path_factory, pg_databases)


def new_settings(kind: str, tmp_path_factory: Any, pg_databases: Callable[[], str]) -> Settings:
    if kind == "sqlite":
        return Settings(database_url=f"sqlite:///{tmp_path_factory.mktemp('store')}/mend.sqlite")
    return Settings(database_url=pg_databases())


# ---------------------------------------------------------------------- golden stories
#: The command that calls each Case method: named alike, but for closing and reopening.
COMMAND_OF: dict[str, type[cmd.CaseCommand]] = {
    **{snake_case(command.__name__): command for command in cmd.CASE_COMMANDS},
    "close": cmd.CloseCase, "reopen": cmd.ReopenCase,
}


class Recorder:
    """Plays the unit module's golden stories through Casework, one command per event.

    The unit module's builders call ``Story(**opening)``, ``story.on(when, method, ...)`` and
    ``story.play()``; ``story_class`` gives them a Story with that interface that opens the
    case and records every planned call as the Casework command of the same name, in
    occurred_at order, with the story's people mapped to real members of the tenant.
    """

    def __init__(self, casework: Any, actor: Actor, people: dict[UUID, UUID]):
        self.casework, self.actor, self.people = casework, actor, people

    def person(self, value: Any) -> Any:
        if isinstance(value, UUID):
            return self.people.get(value, value)
        if isinstance(value, (list, tuple)):
            return [self.person(v) for v in value]
        return value

    def record(self, case_id: UUID, method: str, *args: Any, **kwargs: Any) -> Any:
        bound = inspect.signature(getattr(Case, method)).bind(None, *args, **kwargs)
        fields = {k: self.person(v) for k, v in bound.arguments.items() if k != "self"}
        return self.casework.record(self.actor, case_id, COMMAND_OF[method](**fields))

    def story_class(self) -> type:
        recorder = self

        class RecordedStory:
            def __init__(self, **opening: Any):
                self.case_id = recorder.casework.open_case(recorder.actor, **opening).originator_id
                self.plan: list[tuple[datetime, int, str, tuple, dict]] = []

            def on(self, when: datetime, method: str, *args: Any, **kwargs: Any) -> None:
                self.plan.append((when, len(self.plan), method, args, kwargs))

            def play(self) -> UUID:
                for when, _, method, args, kwargs in sorted(self.plan, key=lambda p: p[:2]):
                    recorder.record(self.case_id, method, *args, occurred_at=when, **kwargs)
                return self.case_id

        return RecordedStory

    def play(self, builder: Callable[[], Any]) -> UUID:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(golden, "Story", self.story_class())
            return builder()


def record_workplace(casework: Any, actor: Actor) -> tuple[UUID, datetime]:
    """golden.workplace() through Casework: the audit is written up late and back-dated."""
    case_id = casework.open_case(
        actor, kind="workplace", title="Northwind data breach", approach="self_guided",
        breach_category="data_breach", breach_summary="Customer data leaked.",
        occurred_at=golden.WORK_OPENED,
    ).originator_id
    for step, when in golden.STEPS[:4]:
        casework.record(actor, case_id, cmd.CompleteProgramStep(step=step, occurred_at=when))
    for when, scores in golden.PULSES[:2]:
        casework.record(actor, case_id, cmd.RecordTrustPulse(scores=scores, occurred_at=when))
    casework.record(
        actor,
        case_id,
        cmd.CompleteProgramStep(
            step="ongoing_updates",
            reason="The audit report ran late; the updates could not wait.",
            occurred_at=golden.STEPS[5][1],
        ),
    )
    time.sleep(0.002)
    between = datetime.now(UTC)
    time.sleep(0.002)
    casework.record(
        actor,
        case_id,
        cmd.CompleteProgramStep(step="external_audit", occurred_at=golden.STEPS[4][1]),
    )
    casework.record(
        actor,
        case_id,
        cmd.RecordTrustPulse(scores=golden.PULSES[2][1], occurred_at=golden.PULSES[2][0]),
    )
    for step, when in golden.STEPS[6:]:
        casework.record(actor, case_id, cmd.CompleteProgramStep(step=step, occurred_at=when))
    return case_id, between


# ---------------------------------------------------------------------- the world
SECRETS_OF_STAFF = (
    "STAFF-NOTE-SECRET",
    "LATE-STAFF-NOTE",
    "FLAG-NOTE-SECRET",
    "FLAG2-NOTE-SECRET",
    "RESOLVED-NOTE-SECRET",
)
PRIVATE_OF = {
    "ana": ("ANA-PRIVATE-JOURNAL",),
    "leo": ("LEO-PRIVATE-JOURNAL", "LEO-LATE-PRIVATE"),
    "pat": ("PAT-PRIVATE-JOURNAL",),
    "owner": ("OLIVE-PRIVATE-JOURNAL",),
}
#: The red flags of the home case: their codes, however written, are for staff only.
FLAG_WORDS = ("abuse_history", "abuse history", "gaslighting")
ELSEWHERE = ("ELSEWHERE-TITLE", "ELSEWHERE-NOTE", "ELSEWHERE-JOURNAL", "ELSEWHERE-WORKS")


@dataclass
class World:
    """Two tenants on one store, served by one Flask app with its inline runner.

    Tenant "golden": the owner Olive, practitioners Pat (the stories' counselor Noor) and
    Quinn, supervisor Sky, and the stories' clients; its cases are the four golden stories
    and "home", a recent case with shared, staff-only and private records, some of them
    recorded late and back-dated. Tenant "elsewhere" has cases of its own.
    """

    settings: Settings
    app: Any
    mend: Mend
    tenant_id: UUID
    actors: dict[str, Actor]
    tokens: dict[str, dict[str, str]]
    cases: dict[str, UUID]
    elsewhere: dict[str, UUID]
    #: Between recording the workplace's May update and its back-dated audit.
    between: datetime
    #: When the record held all of "home" but its late, back-dated records.
    home_known: datetime
    began: datetime
    make_settings: Callable[[], Settings]
    closers: list[Callable[[], None]] = field(default_factory=list)

    def day(self, n: float) -> datetime:
        return self.began + timedelta(days=n)

    @property
    def view(self) -> Any:
        return self.mend.casebook

    def viewer(self, who: str) -> Actor:
        return self.actors[who]

    def get(self, who: str, path: str, **query: Any) -> Any:
        query = {k: iso(v) for k, v in query.items() if v is not None}
        return self.app.test_client().get(API + path, headers=self.tokens[who], query_string=query)

    def events(self, case: str) -> list[Any]:
        """The case's stored events, as the store gives them back."""
        return list(self.mend.store.events.get(self.cases[case]))

    def view_facts(self, case: str) -> CaseFacts:
        return facts_of_case(self.view, self.tenant_id, self.cases[case])

    def settle(self) -> None:
        """Read-your-writes for everything recorded so far."""
        self.mend.wait_for_projections(self.mend.store.recorder.max_notification_id(), 30)


def iso(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


def issue_token(client: Any, email: str, password: str) -> dict[str, str]:
    answer = client.post(f"{API}/auth/tokens", json={"email": email, "password": password})
    assert answer.status_code == 201, answer.json
    return {"Authorization": f"Bearer {answer.json['token']}"}


def join(practice: Any, slug: str, name: str, role: str) -> Actor:
    invitation = practice.membership.invite(
        practice.owner, email=f"{name.lower()}@{slug}.example", name=name, role=role
    ).result
    account_id = practice.membership.accept_invitation(
        invitation.token, f"{role}-long-password", name
    ).result
    return Actor(account_id, practice.tenant_id, role)


def record_home(work: Any, a: dict[str, Actor], began: datetime) -> tuple[UUID, datetime]:
    """A recent case with every visibility; returns it and when its record was complete
    but for the records written up late and back-dated."""
    day = lambda n: began + timedelta(days=n)  # noqa: E731
    pat, ana, leo, owner = a["pat"], a["ana"], a["leo"], a["owner"]
    case_id = work.open_case(
        pat,
        kind="couple",
        title="Home front",
        approach="therapy_guided",
        breach_category="dishonesty",
        breach_summary="Money kept out of sight.",
        occurred_at=day(0),
    ).originator_id
    for person in (ana, leo):
        work.record(
            pat,
            case_id,
            cmd.AddParticipant(
                account_id=person.account_id, relation="partner", occurred_at=day(0)
            ),
        )

    def check_in(who: Actor, n: float, trust: int, conflicts: int = 1) -> None:
        work.record(
            who,
            case_id,
            cmd.RecordCheckIn(
                trust=trust,
                emotional_safety=5,
                communication_ease=5,
                conflicts=conflicts,
                note=f"check-in of day {n}",
                occurred_at=day(n),
            ),
        )

    check_in(ana, 2, 6)
    check_in(leo, 2.1, 7)
    work.record(ana, case_id, cmd.WriteJournal(text="ANA-PRIVATE-JOURNAL", occurred_at=day(4)))
    work.record(
        ana,
        case_id,
        cmd.WriteJournal(text="ANA-SHARED-JOURNAL", visibility="shared", occurred_at=day(5)),
    )
    work.record(leo, case_id, cmd.WriteJournal(text="LEO-PRIVATE-JOURNAL", occurred_at=day(6)))
    work.record(pat, case_id, cmd.WriteJournal(text="PAT-PRIVATE-JOURNAL", occurred_at=day(6)))
    work.record(owner, case_id, cmd.WriteJournal(text="OLIVE-PRIVATE-JOURNAL", occurred_at=day(7)))
    work.record(pat, case_id, cmd.NoteSession(text="STAFF-NOTE-SECRET", occurred_at=day(8)))
    check_in(ana, 9, 5)
    check_in(leo, 9.1, 4, conflicts=3)
    safety = work.record(
        pat,
        case_id,
        cmd.RaiseRedFlag(code="abuse_history", note="FLAG-NOTE-SECRET", occurred_at=day(10)),
    ).result
    flag = work.record(
        pat,
        case_id,
        cmd.RaiseRedFlag(code="gaslighting", note="FLAG2-NOTE-SECRET", occurred_at=day(11)),
    ).result
    work.record(
        pat,
        case_id,
        cmd.ResolveRedFlag(flag_id=flag, note="RESOLVED-NOTE-SECRET", occurred_at=day(12)),
    )
    work.record(
        pat,
        case_id,
        cmd.RecordSetback(severity=2, description="A row about money", occurred_at=day(14)),
    )
    work.record(
        pat, case_id, cmd.SetBoundary(text="Accounts are open to both", occurred_at=day(15))
    )
    check_in(ana, 16, 4)
    check_in(leo, 16.1, 3, conflicts=4)
    work.record(pat, case_id, cmd.MakeAgreement(text="A weekly money talk", occurred_at=day(17)))
    check_in(ana, 23, 3)
    known = work.record(
        ana,
        case_id,
        cmd.WriteJournal(text="Ana, shared again", visibility="shared", occurred_at=day(24)),
    ).recorded_at
    time.sleep(0.002)
    # Written up late, back-dated: the record learns of the past afterwards.
    work.record(pat, case_id, cmd.ReachMilestone(title="First honest talk", occurred_at=day(3)))
    work.record(pat, case_id, cmd.NoteSession(text="LATE-STAFF-NOTE", occurred_at=day(1)))
    work.record(leo, case_id, cmd.WriteJournal(text="LEO-LATE-PRIVATE", occurred_at=day(3)))
    check_in(ana, 5, 2, conflicts=2)
    work.record(pat, case_id, cmd.ResolveRedFlag(flag_id=safety, occurred_at=day(20)))
    return case_id, known


def record_elsewhere(store: MendStore) -> tuple[dict[str, Any], dict[str, UUID], Any]:
    other = make_practice(store, slug="elsewhere", clients=1)
    work, owner, client = other.casework, other.owner, other.clients[0]
    couple = work.open_case(
        owner,
        kind="couple",
        title="ELSEWHERE-TITLE",
        approach="passive",
        breach_category="other",
        breach_summary="ELSEWHERE-NOTE in the breach",
    ).originator_id
    work.record(owner, couple, cmd.AddParticipant(account_id=client.account_id, relation="partner"))
    work.record(owner, couple, cmd.NoteSession(text="ELSEWHERE-NOTE"))
    work.record(client, couple, cmd.WriteJournal(text="ELSEWHERE-JOURNAL", visibility="shared"))
    work.record(
        client,
        couple,
        cmd.RecordCheckIn(trust=2, emotional_safety=2, communication_ease=2, conflicts=0),
    )
    works = work.open_case(
        owner,
        kind="workplace",
        title="ELSEWHERE-WORKS",
        approach="self_guided",
        breach_category="data_breach",
        breach_summary="ELSEWHERE-NOTE again",
    ).originator_id
    work.record(owner, works, cmd.RecordTrustPulse(scores=[1, 2, 3, 4, 5, 6]))
    work.record(owner, works, cmd.CloseCase(outcome="withdrawn"))
    return {"owner": owner}, {"couple": couple, "works": works}, other


@pytest.fixture(scope="module")
def world(settings, tmp_path_factory, pg_databases) -> Iterator[World]:
    app = create_app(settings)
    app.testing = True
    mend: Mend = app.extensions["mend"]
    try:
        yield build_world(
            app,
            mend,
            settings,
            lambda: new_settings(
                "sqlite" if settings.is_sqlite else "postgres", tmp_path_factory, pg_databases
            ),
        )
    finally:
        mend.close()


def build_world(
    app: Any, mend: Mend, settings: Settings, make_settings: Callable[[], Settings]
) -> World:
    practice = make_practice(mend.store, slug="golden", clients=8)
    names = ("ana", "leo", "maya", "chris", "rosa", "tom", "sam", "lucia")
    actors = dict(zip(names, practice.clients))
    actors.update(
        owner=practice.owner,
        pat=practice.practitioner,
        quinn=join(practice, "golden", "Quinn", "practitioner"),
        sky=join(practice, "golden", "Sky", "supervisor"),
    )
    owner, work = practice.owner, practice.casework
    people = {getattr(golden, name.upper()): actors[name].account_id for name in names}
    people[golden.NOOR] = practice.practitioner.account_id

    stories = Recorder(work, owner, people)
    cases = {
        "ana_leo": stories.play(golden.ana_and_leo),
        "maya": stories.play(golden.maya_and_chris),
        "family": stories.play(golden.family),
    }
    cases["work"], between = record_workplace(work, owner)
    began = datetime.now(UTC).replace(microsecond=0) - timedelta(days=30)
    cases["home"], home_known = record_home(work, actors, began)
    # Quinn works the family; the workplace case was Quinn's for a while only.
    work.record(
        owner,
        cases["family"],
        cmd.AssignPractitioner(
            account_id=actors["quinn"].account_id, occurred_at=golden.FAMILY_OPENED
        ),
    )
    work.record(
        owner,
        cases["work"],
        cmd.AssignPractitioner(
            account_id=actors["quinn"].account_id, occurred_at=golden.WORK_OPENED
        ),
    )
    work.record(
        owner,
        cases["work"],
        cmd.UnassignPractitioner(
            account_id=actors["quinn"].account_id, occurred_at=golden.WORK_OPENED
        ),
    )

    other_actors, elsewhere, other = record_elsewhere(mend.store)
    actors["other_owner"] = other_actors["owner"]

    client = app.test_client()
    tokens = {
        who: issue_token(client, f"{email}@golden.example", f"{role}-long-password")
        for who, email, role in (
            ("owner", "owner", "owner"),
            ("pat", "pat", "practitioner"),
            ("quinn", "quinn", "practitioner"),
            ("sky", "sky", "supervisor"),
            ("ana", "client0", "client"),
            ("leo", "client1", "client"),
            ("maya", "client2", "client"),
        )
    }
    tokens["other_owner"] = issue_token(client, "owner@elsewhere.example", "owner-long-password")
    world = World(
        settings,
        app,
        mend,
        practice.tenant_id,
        actors,
        tokens,
        cases,
        elsewhere,
        between,
        home_known,
        began,
        make_settings,
    )
    world.settle()
    return world


# ---------------------------------------------------------------------- a second store
@dataclass
class Replica:
    store: MendStore
    view: Any
    #: The instant up to which each case's events were kept.
    dates: dict[UUID, datetime] = field(default_factory=dict)

    def facts(self, world: World, case: str) -> CaseFacts:
        return facts_of_case(self.view, world.tenant_id, world.cases[case])


def notifications(store: MendStore) -> Iterator[Any]:
    start = 0
    while page := store.recorder.select_notifications(
        start=start, limit=1000, inclusive_of_start=False
    ):
        yield from page
        start = page[-1].id


#: A replica's connections: the shared server also serves everyone else's tests.
SMALL_POOL = {"POSTGRES_POOL_SIZE": "2", "POSTGRES_MAX_OVERFLOW": "2"}


def replica(world: World, keep: Callable[[Any], bool]) -> Replica:
    """A second store holding every event of the first but the case events ``keep`` refuses,
    projected from scratch by a fresh runner into a fresh view."""
    settings = world.make_settings()
    store = MendStore(env={**settings.store_env(), **SMALL_POOL})
    kept = []
    for n in notifications(world.mend.store):
        domain_event = world.mend.store.mapper.to_domain_event(n)
        if isinstance(domain_event, Case.Event) and not keep(domain_event):
            continue
        kept.append(StoredEvent(n.originator_id, n.originator_version, n.topic, n.state))
    store.recorder.insert_events(kept)
    view = InfrastructureFactory.construct(
        Environment("MendViews", {**settings.views_env(), **SMALL_POOL})
    ).tracking_recorder(type(world.view))
    world.closers.append(view.datastore.close)
    ProjectionRunner(store, view).catch_up()
    store.close()  # the view is all that is read from here on
    return Replica(store, view)


@pytest.fixture(scope="module")
def replicas(world) -> Iterator[dict[str, Replica]]:
    """ "as_of": only what had happened by each case's date; "known_at": only what the record
    held at each case's recorded instant."""
    cases = world.cases
    # each date is also the occurred_at of events of its case: they are in, the next are not
    happened_by = {
        cases["home"]: world.day(6),
        cases["maya"]: at(2025, 6, 4, 12),
        cases["ana_leo"]: at(2025, 6, 23, 20, 15),
    }
    known_by = {cases["home"]: world.home_known, cases["work"]: world.between}
    always = datetime.max.replace(tzinfo=UTC)
    built = {
        "as_of": replica(
            world, lambda e: e.occurred_at <= happened_by.get(e.originator_id, always)
        ),
        "known_at": replica(world, lambda e: e.timestamp <= known_by.get(e.originator_id, always)),
    }
    built["as_of"].dates, built["known_at"].dates = happened_by, known_by
    yield built
    for close in reversed(world.closers):
        close()
    world.closers.clear()


# ---------------------------------------------------------------------- expected answers
def dumped(schema: type, body: dict[str, Any]) -> Any:
    """What the API answers for this body: the route's schema, through JSON."""
    return json.loads(json.dumps(schema().dump(body)))


def metrics_json(case_id: UUID, metrics: Any) -> Any:
    return dumped(s.MetricsSchema, {"case_id": case_id, **asdict(metrics)})


def entry_json(e: TimelineEntry) -> dict[str, Any]:
    body = {
        "id": e.id,
        "type": e.type,
        "occurred_at": e.occurred_at,
        "recorded_at": e.recorded_at,
        "actor": {"id": e.actor_id, "name": e.actor_name},
        "visibility": e.visibility,
        "summary": e.summary,
        "data": e.data,
    }
    return dumped(s.TimelineEventSchema, body)


def uncursored(entries: list[TimelineEntry]) -> list[TimelineEntry]:
    """Entries without their cursors, which carry log positions that differ between stores."""
    return [replace(e, cursor="") for e in entries]


def hidden_pulses(facts: CaseFacts) -> CaseFacts:
    """The view keeps no scores of a pulse below the anonymity threshold, only their count."""
    return replace(
        facts,
        pulses=[
            p if len(p.scores) >= PULSE_MIN_RESPONSES else p._replace(scores=(0,) * len(p.scores))
            for p in facts.pulses
        ],
    )


def mondays(start: datetime, end: datetime, hour: int = 12) -> list[datetime]:
    first = start.replace(hour=hour, minute=0, second=0, microsecond=0)
    first += timedelta(days=(7 - first.weekday()) % 7)
    return [first + timedelta(weeks=k) for k in range((end - first).days // 7 + 1)]


#: For each story, the instants at which view and fold are compared: every Monday noon from
#: the opening to past the closing, and the instants the hand-worked figures are given for.
INSTANTS = {
    "ana_leo": mondays(golden.ANA_LEO_OPENED, at(2025, 12, 29))
    + [
        golden.ANA_LEO_OPENED,
        at(2025, 1, 24, 12),
        at(2025, 2, 14, 12),
        at(2025, 3, 3, 21),
        at(2025, 6, 22, 23),
        at(2025, 6, 23, 20, 15),
        at(2025, 6, 24, 12),
        golden.ANA_LEO_CLOSED,
        at(2025, 12, 31, 12),
    ],
    "maya": mondays(golden.MAYA_OPENED, at(2025, 10, 6))
    + [
        at(2025, 6, 4, 11, 59, 59),
        at(2025, 6, 4, 12),
        at(2025, 6, 23, 19, 30),
        at(2025, 8, 4, 19, 30),
        at(2025, 8, 4, 19, 31),
        golden.MAYA_CLOSED,
    ],
    "family": mondays(golden.FAMILY_OPENED, at(2025, 6, 2))
    + [at(2025, 2, 10, 12), at(2025, 3, 25, 12), at(2025, 4, 30, 12), at(2025, 5, 27, 12)],
    "work": mondays(golden.WORK_OPENED, at(2025, 8, 4)) + [at(2025, 7, 31)],
}


# ====================================================================== golden stories
def test_the_stories_were_recorded_through_casework_as_the_unit_module_tells_them(world):
    for case, count in (("ana_leo", 86), ("maya", 42), ("family", 21)):
        events = world.events(case)
        assert sum(type(e).__name__ == "CheckInRecorded" for e in events) == count
        assert [e.originator_version for e in events] == list(range(1, len(events) + 1))
        # occurred_at comes from the story; the store's own time is when it was recorded
        assert all(e.occurred_at.year == 2025 < e.timestamp.year for e in events)
    assert {e.actor_id for e in world.events("ana_leo")} == {world.actors["owner"].account_id}


@pytest.mark.parametrize("case", ["ana_leo", "maya", "family", "work"])
def test_the_facts_read_from_the_view_equal_the_pure_fold_of_the_stored_events(world, case):
    pure = golden.facts_of(world.events(case))
    assert world.view_facts(case) == hidden_pulses(pure)


def _golden_checks() -> list[Any]:
    """Every hand-worked test of the unit module that takes a story's facts or events, with
    its own parameters: they run again below on what the view gives back."""
    takes = {"ana_leo", "maya", "family_facts", "work", "ana_leo_events", "maya_events"}
    found = []
    for name, test in vars(golden).items():
        if not name.startswith("test_") or not callable(test):
            continue
        params = list(inspect.signature(test).parameters)
        fixtures = [p for p in params if p in takes]
        if not fixtures:
            continue
        rows: list[dict[str, Any]] = [{}]
        for mark in getattr(test, "pytestmark", []):
            if mark.name == "parametrize":
                names = [n.strip() for n in mark.args[0].split(",")]
                rows = [dict(zip(names, v if len(names) > 1 else (v,))) for v in mark.args[1]]
        assert set(params) == set(fixtures) | set(rows[0]), name
        for i, row in enumerate(rows):
            label = name if len(rows) == 1 else f"{name}[{i}]"
            found.append(pytest.param(name, fixtures, row, id=label))
    return found


GOLDEN_CHECKS = _golden_checks()


def test_the_golden_checks_cover_all_four_stories():
    names = {p.values[0] for p in GOLDEN_CHECKS}
    assert {
        "test_ana_leo_significant_change",
        "test_maya_chris_risk",
        "test_family_metrics",
        "test_workplace_progress",
        "test_workplace_progress_as_the_record_stood",
        "test_outcome_analytics",
        "test_as_of_equals_folding_only_what_had_happened",
        "test_maya_chris_weekly_series",
    } <= names
    assert len(GOLDEN_CHECKS) > 30


@pytest.mark.parametrize("name, fixtures, row", GOLDEN_CHECKS)
def test_every_hand_worked_figure_holds_on_the_view(world, name, fixtures, row):
    given = {
        "ana_leo": lambda: world.view_facts("ana_leo"),
        "maya": lambda: world.view_facts("maya"),
        "family_facts": lambda: world.view_facts("family"),
        "work": lambda: (world.view_facts("work"), world.between),
        "ana_leo_events": lambda: world.events("ana_leo"),
        "maya_events": lambda: world.events("maya"),
    }
    getattr(golden, name)(**{f: given[f]() for f in fixtures}, **row)


@pytest.mark.parametrize("case", ["ana_leo", "maya", "family", "work"])
def test_figures_through_the_view_equal_the_pure_fold_at_every_instant(world, case):
    view, pure = world.view_facts(case), golden.facts_of(world.events(case))
    for when in INSTANTS[case]:
        assert compute_metrics(view, when) == compute_metrics(pure, when), when
        assert outcome_summary(view, when) == outcome_summary(pure, when), when
        assert workplace_progress(view, when) == workplace_progress(pure, when), when
    end = INSTANTS[case][-1]
    assert weekly_series(view, end) == weekly_series(pure, end)


@pytest.mark.parametrize("case", ["ana_leo", "maya", "family", "work"])
def test_http_metrics_equal_the_pure_fold(world, case):
    pure, case_id = golden.facts_of(world.events(case)), world.cases[case]
    for when in INSTANTS[case][::3] + INSTANTS[case][-9:]:
        answer = world.get("owner", f"/cases/{case_id}/metrics", as_of=when)
        assert answer.status_code == 200, answer.json
        assert answer.json == metrics_json(case_id, compute_metrics(pure, when)), when
    end = INSTANTS[case][-1]
    weekly = world.get("sky", f"/cases/{case_id}/metrics/weekly", as_of=end)
    assert weekly.json == dumped(
        s.WeeklySchema, {"case_id": case_id, "weeks": [asdict(w) for w in weekly_series(pure, end)]}
    )


def test_http_key_figures_of_ana_and_leo(world):
    case_id = world.cases["ana_leo"]
    before = world.get("pat", f"/cases/{case_id}/metrics", as_of=at(2025, 6, 22, 23)).json
    assert before["significant_change_on"] is None and before["baseline"] == 3.0
    m = world.get("pat", f"/cases/{case_id}/metrics", as_of=at(2025, 6, 24, 12)).json
    assert (m["baseline"], m["significant_change_on"]) == (3.0, "2025-06-23")
    assert (m["days_to_significant_change"], m["months_to_significant_change"]) == (168, 5.5)
    closed = world.get("pat", f"/cases/{case_id}/metrics", as_of=golden.ANA_LEO_CLOSED).json
    assert (closed["status"], closed["stage"], closed["trust_score"]) == (
        "closed",
        "moving_forward",
        8.0,
    )
    assert (closed["risk"], closed["next_checkin_due"]) == ("low", None)


@pytest.mark.parametrize(
    "when, risk, reasons",
    next(m.args[1] for m in golden.test_maya_chris_risk.pytestmark if m.name == "parametrize"),
)
def test_http_risk_and_reasons_of_maya_and_chris(world, when, risk, reasons):
    m = world.get("owner", f"/cases/{world.cases['maya']}/metrics", as_of=when).json
    assert (m["risk"], m["risk_reasons"]) == (risk, reasons)
    flags = ["defensive_about_devices"] if when >= at(2025, 4, 16, 12) else []
    assert m["open_red_flags"] == flags


def test_http_workplace_pulses_are_hidden_below_five_responses(world):
    case_id = world.cases["work"]
    march = world.get("owner", f"/cases/{case_id}/progress", as_of=at(2025, 3, 1, 12)).json
    assert (march["steps_completed"], march["progress"]) == (3, 0.375)
    assert march["pulses"] == [
        {
            "occurred_at": "2025-02-14T12:00:00+00:00",
            "responses": 3,
            "mean": None,
            "published": False,
        }
    ]
    july = world.get("owner", f"/cases/{case_id}/progress", as_of=at(2025, 7, 15, 12)).json
    assert [(p["responses"], p["mean"], p["published"]) for p in july["pulses"]] == [
        (3, None, False),
        (6, 5.5, True),
        (12, 7.17, True),
    ]
    assert july["steps_done"] == [step for step, _ in golden.STEPS[:7]]
    then = world.get(
        "owner", f"/cases/{case_id}/progress", as_of=at(2025, 7, 31), known_at=world.between
    ).json
    assert (then["steps_completed"], then["progress"]) == (5, 0.625)
    assert [p["responses"] for p in then["pulses"]] == [3, 6]
    # the timeline never carries a hidden pulse's scores, to anyone
    pulses = [
        e
        for e in world.get("owner", f"/cases/{case_id}/timeline").json["events"]
        if e["type"] == "trust_pulse_recorded"
    ]
    assert [e["data"] for e in pulses] == [
        {"responses": 3, "published": False, "scores": None},
        {"responses": 6, "published": True, "scores": [4, 5, 6, 5, 6, 7]},
        {"responses": 12, "published": True, "scores": golden.PULSES[2][1]},
    ]


def test_http_outcome_analytics_over_the_two_closed_stories(world):
    end = datetime.now(UTC)
    expected = aggregate_outcomes(
        [outcome_summary(golden.facts_of(world.events(case)), end) for case in ("ana_leo", "maya")]
    )
    for who in ("owner", "sky"):
        answer = world.get(who, "/analytics/outcomes")
        assert answer.status_code == 200
        assert answer.json == dumped(s.OutcomesSchema, {"approaches": expected})
    rows = {r["approach"]: r for r in answer.json["approaches"]}
    assert rows["therapy_guided"] == {
        "approach": "therapy_guided",
        "closed": 1,
        "reconciled": 1,
        "success_rate": 1.0,
        "median_months_to_change": 5.5,
    }
    assert rows["ai_assisted"] == {
        "approach": "ai_assisted",
        "closed": 1,
        "reconciled": 0,
        "success_rate": 0.0,
        "median_months_to_change": None,
    }
    assert rows["self_guided"]["closed"] == rows["passive"]["closed"] == 0
    # the other tenant's closed case counts only there
    theirs = world.get("other_owner", "/analytics/outcomes").json["approaches"]
    assert [(r["approach"], r["closed"]) for r in theirs if r["closed"]] == [("self_guided", 1)]


def test_caseload_figures_equal_the_metrics_of_the_stories_now(world):
    rows = {r["id"]: r for status in ("open", "closed")
            for r in world.get("sky", "/caseload", status=status).json["cases"]}
    now = datetime.now(UTC)
    for case in ("ana_leo", "maya", "family", "work"):
        m = compute_metrics(golden.facts_of(world.events(case)), now)
        row = rows[str(world.cases[case])]
        assert (row["risk"], row["trust_score"], row["stage"], row["status"]) == (
            m.risk,
            m.trust_score,
            m.stage,
            m.status,
        ), case
        due = m.next_checkin_due.isoformat() if m.next_checkin_due else None
        assert row["next_checkin_due"] == due, case
    assert rows[str(world.cases["family"])]["risk"] == "medium"  # no check-in since April
    assert rows[str(world.cases["ana_leo"])]["last_activity_at"] == iso(golden.ANA_LEO_CLOSED)


# ====================================================================== who sees what
def timeline_pages(world: World, who: str, case_id: UUID, limit: int, **query: Any) -> list:
    events, after = [], None
    while True:
        answer = world.get(who, f"/cases/{case_id}/timeline", limit=limit, after=after, **query)
        assert answer.status_code == 200, answer.json
        events += answer.json["events"]
        after = answer.json["next"]
        if after is None:
            return events


def assert_a_client_may_read(world: World, who: str, events: list[dict], raw: bytes) -> None:
    me = str(world.actors[who].account_id)
    for e in events:
        assert e["type"] not in STAFF_TYPES, e
        assert e["visibility"] in ("shared", "private"), e
        if e["visibility"] == "private":
            assert e["actor"]["id"] == me, e
    others = [w for person, words in PRIVATE_OF.items() if person != who for w in words]
    for word in (*SECRETS_OF_STAFF, *others, *FLAG_WORDS, *ELSEWHERE):
        assert word.encode() not in raw, word


def home_queries(world: World) -> list[dict[str, Any]]:
    d = world.day
    return [
        {},
        {"as_of": d(3)},
        {"as_of": d(6.5)},
        {"as_of": d(10.5)},
        {"as_of": d(12.5)},
        {"known_at": world.home_known},
        {"as_of": d(8.5), "known_at": world.home_known},
        {"type": ["session_noted", "red_flag_raised", "red_flag_resolved"]},
        {"type": ["journal_entry_written"]},
        {"type": ["check_in_recorded", "session_noted"]},
        {"as_of": d(12.5), "type": ["journal_entry_written", "red_flag_raised"]},
    ]


@pytest.mark.parametrize("who", ["ana", "leo"])
def test_a_client_never_receives_staff_records_or_another_persons_private_journal(world, who):
    case_id = world.cases["home"]
    mine = PRIVATE_OF[who]
    everything = timeline_pages(world, who, case_id, limit=500)
    assert sorted(
        e["data"]["text"]
        for e in everything
        if e["type"] == "journal_entry_written" and e["visibility"] == "private"
    ) == sorted(mine)
    assert "ANA-SHARED-JOURNAL" in json.dumps(everything)
    for query in home_queries(world):
        whole = world.get(who, f"/cases/{case_id}/timeline", limit=500, **query)
        assert whole.status_code == 200, whole.json
        assert_a_client_may_read(world, who, whole.json["events"], whole.data)
        for limit in (1, 3):
            paged = timeline_pages(world, who, case_id, limit=limit, **query)
            assert paged == whole.json["events"], (query, limit)
    only_staff = world.get(
        who,
        f"/cases/{case_id}/timeline",
        type=["session_noted", "red_flag_raised", "red_flag_resolved"],
    )
    assert only_staff.json["events"] == []


@pytest.mark.parametrize(
    "who, own", [("pat", "PAT-PRIVATE-JOURNAL"), ("owner", "OLIVE-PRIVATE-JOURNAL")]
)
def test_staff_read_staff_records_but_no_one_elses_private_journal(world, who, own):
    case_id = world.cases["home"]
    for query in home_queries(world):
        events = timeline_pages(world, who, case_id, limit=2, **query)
        private = [e for e in events if e["visibility"] == "private"]
        assert all(e["actor"]["id"] == str(world.actors[who].account_id) for e in private)
    events = timeline_pages(world, who, case_id, limit=500)
    texts = json.dumps(events)
    assert own in texts and "STAFF-NOTE-SECRET" in texts and "LATE-STAFF-NOTE" in texts
    for person, words in PRIVATE_OF.items():
        if person != who:
            assert not any(w in texts for w in words), person
    assert [e["summary"] for e in events if e["type"] == "red_flag_raised"] == [
        "Red flag raised: abuse history",
        "Red flag raised: gaslighting",
    ]


def test_clients_get_figures_but_no_risk_reasons_or_red_flags(world):
    case_id = world.cases["home"]
    for query in (
        {},
        {"as_of": world.day(10.5)},
        {"as_of": world.day(13), "known_at": world.home_known},
    ):
        staff = world.get("pat", f"/cases/{case_id}/metrics", **query).json
        if query:  # while the safety flag was open (as it happened, or as it was recorded)
            assert staff["risk"] == "high" and staff["open_red_flags"] == ["abuse_history"]
            assert "safety_red_flag:abuse_history" in staff["risk_reasons"]
        for who in ("ana", "leo"):
            answer = world.get(who, f"/cases/{case_id}/metrics", **query)
            assert answer.status_code == 200
            m = answer.json
            assert (m["risk"], m["risk_reasons"], m["open_red_flags"]) == (None, [], [])
            assert m["trust_score"] == staff["trust_score"]  # the figures themselves are theirs
            assert m["baseline"] == staff["baseline"]
            for word in (*FLAG_WORDS, "safety_red_flag", "no_checkin_2_periods", "trust_drop"):
                assert word.encode() not in answer.data, word
            weekly = world.get(who, f"/cases/{case_id}/metrics/weekly", **query)
            assert weekly.status_code == 200 and weekly.json["weeks"]
            assert {w["risk"] for w in weekly.json["weeks"]} == {None}
            for word in FLAG_WORDS:
                assert word.encode() not in weekly.data
    staff_weeks = world.get("pat", f"/cases/{case_id}/metrics/weekly").json["weeks"]
    assert None not in {w["risk"] for w in staff_weeks}
    # the safety flag was resolved, back-dated to day 20: now the risk comes from elsewhere
    assert world.get("pat", f"/cases/{case_id}/metrics").json["open_red_flags"] == []


@pytest.mark.parametrize(
    "who, path, status",
    [
        *[
            (who, path, 403)
            for who in ("ana", "maya")
            for path in ("/caseload", "/analytics/outcomes", "/audit")
        ],
        ("pat", "/audit", 403),
        ("quinn", "/audit", 403),
        ("sky", "/audit", 403),
        ("pat", "/analytics/outcomes", 403),
        ("owner", "/audit", 200),
        ("owner", "/caseload", 200),
        ("sky", "/analytics/outcomes", 200),
        ("pat", "/caseload", 200),
    ],
)
def test_tenant_wide_reads_are_refused_to_those_without_the_role(world, who, path, status):
    answer = world.get(who, path)
    assert answer.status_code == status, answer.json
    if status == 403:
        assert answer.headers["Content-Type"] == "application/problem+json"
        assert set(answer.json) <= {"type", "title", "status", "detail"}
        for word in ("Home front", "Ana and Leo", *SECRETS_OF_STAFF):
            assert word.encode() not in answer.data


def test_a_practitioners_caseload_holds_only_their_assigned_cases(world):
    c = world.cases

    def ids(who: str, **query: Any) -> set[str]:
        """Open and closed: a caseload shows closed cases only when asked."""
        found = set()
        for status in ("open", "closed"):
            answer = world.get(who, "/caseload", status=status, **query)
            assert answer.status_code == 200, answer.json
            found |= {row["id"] for row in answer.json["cases"]}
        return found

    assert ids("pat") == {str(c["ana_leo"]), str(c["home"])}
    assert ids("quinn") == {str(c["family"])}  # the workplace case was Quinn's only for a moment
    assert ids("sky") == {str(v) for v in c.values()}
    assert ids("owner", practitioner=world.actors["pat"].account_id) == ids("pat")
    assert ids("sky", practitioner=world.actors["quinn"].account_id) == ids("quinn")
    assert ids("pat", practitioner=world.actors["pat"].account_id) == ids("pat")
    assert (
        world.get("pat", "/caseload", practitioner=world.actors["quinn"].account_id).status_code
        == 403
    )
    assert ids("pat", risk="high") <= ids("pat")
    listed = world.get("pat", "/cases").json["cases"]
    assert {row["id"] for row in listed} == ids("pat")
    assert {row["id"] for row in world.get("ana", "/cases").json["cases"]} == {
        str(c["ana_leo"]),
        str(c["home"]),
    }
    # and a case they are not on does not exist for them
    for who, case in (("pat", "maya"), ("quinn", "home"), ("ana", "maya"), ("maya", "home")):
        assert world.get(who, f"/cases/{c[case]}/timeline").status_code == 404


def case_read_routes(world: World) -> list[str]:
    rules = [
        r.rule
        for r in world.app.url_map.iter_rules()
        if "GET" in r.methods and "<uuid:case_id>" in r.rule
    ]
    assert {r.replace(API, "") for r in rules} >= {
        "/cases/<uuid:case_id>",
        "/cases/<uuid:case_id>/timeline",
        "/cases/<uuid:case_id>/metrics",
        "/cases/<uuid:case_id>/metrics/weekly",
        "/cases/<uuid:case_id>/progress",
    }
    return [r.replace(API, "") for r in rules]


def test_another_tenants_cases_do_not_exist_on_any_case_read_route(world):
    now = datetime.now(UTC)
    queries = ({}, {"as_of": now}, {"known_at": now}, {"as_of": now, "known_at": now})
    theirs = [world.elsewhere["couple"], world.elsewhere["works"]]
    ours = [world.cases["home"], world.cases["work"], world.cases["ana_leo"]]
    for route in case_read_routes(world):
        for who, case_ids, words in (
            ("owner", theirs, ELSEWHERE),
            ("sky", theirs, ELSEWHERE),
            ("ana", theirs, ELSEWHERE),
            (
                "other_owner",
                ours,
                ("Home front", "Northwind", "Ana and Leo", *SECRETS_OF_STAFF, "ANA-SHARED-JOURNAL"),
            ),
        ):
            for case_id in case_ids:
                for query in queries:
                    answer = world.get(who, route.replace("<uuid:case_id>", str(case_id)), **query)
                    assert answer.status_code == 404, (who, route, query, answer.json)
                    assert answer.headers["Content-Type"] == "application/problem+json"
                    for word in words:
                        assert word.encode() not in answer.data, (route, word)
    # they are there for their own tenant
    assert world.get("other_owner", f"/cases/{theirs[0]}").json["title"] == "ELSEWHERE-TITLE"


def test_tenant_wide_answers_hold_only_the_tenants_own_rows(world):
    ours = {str(v) for v in world.cases.values()}
    for who, path in (
        ("owner", "/audit"),
        ("owner", "/caseload"),
        ("sky", "/caseload"),
        ("sky", "/analytics/outcomes"),
        ("owner", "/cases"),
    ):
        answer = world.get(who, path, limit=200)
        assert answer.status_code == 200, (path, answer.json)
        for word in ELSEWHERE:
            assert word.encode() not in answer.data, (path, word)
    audit, raw = audit_pages(world, "owner")
    assert {e["case_id"] for e in audit if e["case_id"]} == ours
    theirs, raw = audit_pages(world, "other_owner")
    assert {e["case_id"] for e in theirs if e["case_id"]} == {
        str(v) for v in world.elsewhere.values()
    }
    for word in ("Home front", "Northwind", "Ana and Leo", "Quinn", "Sky"):
        assert word.encode() not in raw, word


def audit_pages(world: World, who: str, limit: int = 500) -> tuple[list[dict], bytes]:
    """Every entry of the caller's audit feed, newest first, page by page."""
    entries, raw, before = [], b"", None
    while True:
        answer = world.get(who, "/audit", limit=limit, before=before)
        assert answer.status_code == 200, answer.json
        entries += answer.json["entries"]
        raw += answer.data
        before = answer.json["next"]
        if before is None:
            return entries, raw


# ====================================================================== as_of and known_at
VIEWERS = ("owner", "pat", "ana", "leo")


def test_timelines_as_of_a_date_equal_a_store_holding_only_what_had_happened(world, replicas):
    early = replicas["as_of"]
    for case, when in ((c, early.dates[world.cases[c]]) for c in ("home", "maya", "ana_leo")):
        case_id = world.cases[case]
        for who in VIEWERS if case == "home" else ("owner",):
            v = world.viewer(who)
            served = world.view.timeline(v, case_id, as_of=when, limit=1000)
            expected = early.view.timeline(v, case_id, limit=1000)
            assert served and uncursored(served) == uncursored(expected), (case, who)
            if case == "home":
                answer = timeline_pages(world, who, case_id, limit=4, as_of=when)
                assert answer == [entry_json(e) for e in expected]
    # day 6 of "home" holds the late milestone of day 3, and not what came after
    owner_sees = [e.type for e in early.view.timeline(world.viewer("owner"), world.cases["home"])]
    assert "milestone_reached" in owner_sees and "session_noted" in owner_sees
    assert "red_flag_raised" not in owner_sees


def test_metrics_as_of_a_date_equal_a_store_holding_only_what_had_happened(world, replicas):
    early = replicas["as_of"]
    for case in ("home", "maya", "ana_leo"):
        when = early.dates[world.cases[case]]
        folded = golden.facts_of([e for e in world.events(case) if e.occurred_at <= when])
        from_replica = early.facts(world, case)
        assert from_replica == folded
        expected = compute_metrics(folded, when)
        assert compute_metrics(world.view_facts(case), when) == expected
        assert compute_metrics(from_replica, when) == expected
        assert weekly_series(world.view_facts(case), when) == weekly_series(folded, when)
        answer = world.get("owner", f"/cases/{world.cases[case]}/metrics", as_of=when)
        assert answer.json == metrics_json(world.cases[case], expected)
    # the hand-worked figure of the day: Ana's check-in in, Leo's not yet
    provisional = compute_metrics(early.facts(world, "ana_leo"), at(2025, 6, 23, 20, 15))
    assert provisional.significant_change_on.isoformat() == "2025-06-23"
    assert provisional.trust_score == 5.0


def test_timelines_known_at_equal_a_store_holding_only_what_was_recorded_then(world, replicas):
    then = replicas["known_at"]
    case_id = world.cases["home"]
    for who in VIEWERS:
        v = world.viewer(who)
        served = world.view.timeline(v, case_id, known_at=world.home_known, limit=1000)
        expected = then.view.timeline(v, case_id, limit=1000)
        assert uncursored(served) == uncursored(expected), who
        assert len(world.view.timeline(v, case_id, limit=1000)) > len(expected)
        for when in (world.day(3), world.day(6.5), world.day(13)):
            assert uncursored(
                world.view.timeline(v, case_id, as_of=when, known_at=world.home_known, limit=1000)
            ) == uncursored(then.view.timeline(v, case_id, as_of=when, limit=1000))
        answer = timeline_pages(world, who, case_id, limit=5, known_at=world.home_known)
        assert answer == [entry_json(e) for e in expected]
    types = [e.type for e in then.view.timeline(world.viewer("owner"), case_id)]
    assert "milestone_reached" not in types  # recorded later, though back-dated to day 3
    work = world.cases["work"]
    assert uncursored(
        world.view.timeline(world.viewer("owner"), work, known_at=world.between)
    ) == uncursored(then.view.timeline(world.viewer("owner"), work))


def test_metrics_known_at_equal_a_store_holding_only_what_was_recorded_then(world, replicas):
    then = replicas["known_at"]
    for case, known, instants in (
        ("home", world.home_known, [world.day(n) for n in (3, 6.5, 10.5, 13, 21, 25, 29)]),
        ("work", world.between, [at(2025, 3, 1, 12), at(2025, 7, 15, 12), at(2025, 7, 31)]),
    ):
        case_id = world.cases[case]
        folded = golden.facts_of([e for e in world.events(case) if e.timestamp <= known])
        assert then.facts(world, case) == hidden_pulses(folded)
        served = world.view_facts(case)
        for when in instants:
            expected = compute_metrics(folded, when)
            assert compute_metrics(served, when, known) == expected, when
            assert compute_metrics(then.facts(world, case), when) == expected, when
            assert workplace_progress(served, when, known) == workplace_progress(folded, when)
            answer = world.get("owner", f"/cases/{case_id}/metrics", as_of=when, known_at=known)
            assert answer.json == metrics_json(case_id, expected), when
    # as the record stood, the safety flag was open and Ana's day-5 check-in unknown
    stood = world.get(
        "pat",
        f"/cases/{world.cases['home']}/metrics",
        as_of=world.day(21),
        known_at=world.home_known,
    ).json
    now = world.get("pat", f"/cases/{world.cases['home']}/metrics", as_of=world.day(21)).json
    assert stood["open_red_flags"] == ["abuse_history"] and now["open_red_flags"] == []
    assert stood["baseline"] == 6.0  # the first three by occurred_at then: (6 + 7 + 5) / 3
    assert now["baseline"] == 5.0  # 6, 7 and the late day-5 check-in of 2

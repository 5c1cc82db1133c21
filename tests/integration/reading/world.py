"""The world every read-model test reads: two tenants, the golden stories and a home case.

Everything here is recorded through the application services (Casework, Membership) on each
real store, projected by the runner, and read back through the casebook and through the HTTP
API with bearer tokens. Building it costs a few seconds per store, so conftest.py builds it
once per store for the whole package; the tests are split by concern beside it.
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
from eventsourcing.persistence import InfrastructureFactory
from eventsourcing.utils import Environment

import tests.unit.test_golden_metrics as golden
from mend.bootstrap import Mend
from mend.config import Settings
from mend.domain import commands as cmd
from mend.domain.authorization import Actor
from mend.domain.case import Case
from mend.domain.store import MendStore
from mend.domain.vocabulary import PULSE_MIN_RESPONSES
from mend.platform import schemas as s
from mend.projections.case_facts import CaseFacts
from mend.projections.case_metrics import facts_of_case
from mend.projections.casebook_projection import snake_case
from mend.projections.queries import TimelineEntry
from mend.projections.runner import ProjectionRunner
from tests.integration.conftest import API, issue_token, make_practice

UTC = timezone.utc
at = golden.at
STAFF_TYPES = {"session_noted", "red_flag_raised", "red_flag_resolved"}


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
        # Sealed again with the replica's own keys: the first store's keys stay there.
        kept.append(store.mapper.to_stored_event(domain_event))
    store.recorder.insert_events(kept)
    view = InfrastructureFactory.construct(
        Environment("MendViews", {**settings.views_env(), **SMALL_POOL})
    ).tracking_recorder(type(world.view))
    world.closers.append(view.datastore.close)
    ProjectionRunner(store, view).catch_up()
    store.close()  # the view is all that is read from here on
    return Replica(store, view)


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
        "held": e.held,
        "held_until": e.held_until,
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


def timeline_pages(world: World, who: str, case_id: UUID, limit: int, **query: Any) -> list:
    events, after = [], None
    while True:
        answer = world.get(who, f"/cases/{case_id}/timeline", limit=limit, after=after, **query)
        assert answer.status_code == 200, answer.json
        events += answer.json["events"]
        after = answer.json["next"]
        if after is None:
            return events


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

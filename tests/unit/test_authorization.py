"""Who may run which command: every role against every public command of Casework.

The matrix is built from the public methods of Casework, so a new command without an entry in
COMMANDS fails here until someone decides who may run it.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any
from datetime import datetime, timedelta, timezone
from uuid import UUID, uuid4

import pytest

from mend.domain import commands as cmd
from mend.domain.authorization import Actor
from mend.domain.case import Case
from mend.domain.casework import Casework
from mend.domain.errors import Forbidden, InvalidValue, MendError, NotFound, RuleBroken
from mend.domain.membership import Membership
from mend.domain.store import MendStore, Saved, event_id
from mend.domain.tenancy import Tenant
from mend.projections.casebook_projection import snake_case

PASSWORD = "correct horse battery staple"


@dataclass
class World:
    store: MendStore
    casework: Casework
    membership: Membership
    actors: dict[str, Actor]

    def id_of(self, role: str) -> UUID:
        return self.actors[role].account_id

    def recorded(self) -> int:
        return self.store.recorder.max_notification_id() or 0


ROLES = (
    "owner",
    "supervisor",
    "assigned_practitioner",
    "unassigned_practitioner",
    "participating_client",
    "client_not_on_the_case",
    "another_tenants_owner",
)


@pytest.fixture(scope="module")
def world() -> World:
    """Harbor Counseling with its people, and Northwind, another tenant, with its owner."""
    store = MendStore(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    membership = Membership(store)
    harbor, hana = membership.sign_up(
        name="Harbor Counseling", slug="harbor-counseling", kind="practice",
        owner_email="hana@harbor.example", owner_password=PASSWORD, owner_name="Hana",
    ).result
    owner = membership.actor_for(hana)
    _, nils = membership.sign_up(
        name="Northwind", slug="northwind", kind="organization",
        owner_email="nils@northwind.example", owner_password=PASSWORD, owner_name="Nils",
    ).result

    def join(name: str, role: str) -> Actor:
        invitation = membership.invite(
            owner, email=f"{name}@harbor.example", name=name.title(), role=role
        ).result
        account_id = membership.accept_invitation(invitation.token, PASSWORD).result
        return membership.actor_for(account_id, "harbor-counseling")

    actors = {
        "owner": owner,
        "supervisor": join("sofia", "supervisor"),
        "assigned_practitioner": join("noor", "practitioner"),
        "unassigned_practitioner": join("omar", "practitioner"),
        "participating_client": join("ana", "client"),
        "other_participant": join("leo", "client"),
        "client_not_on_the_case": join("zoe", "client"),
        "another_tenants_owner": membership.actor_for(nils),
    }
    assert actors["supervisor"].role == "supervisor"
    assert actors["another_tenants_owner"].tenant_id != harbor
    return World(store, Casework(store), membership, actors)


def open_workplace_case(world: World) -> SimpleNamespace:
    """A case opened by Noor (so assigned to her), with Ana and Leo, a boundary and a red flag."""
    casework, noor = world.casework, world.actors["assigned_practitioner"]
    case_id = casework.open_case(
        noor, kind="workplace", title="Team trust after the reorganisation",
        approach="therapy_guided", breach_category="broken_promise",
        breach_summary="Promised no layoffs, then laid off a third of the team.",
    ).result
    casework.record(
        noor,
        case_id,
        cmd.AddParticipant(account_id=world.id_of("participating_client"), relation="team lead"),
    )
    casework.record(
        noor,
        case_id,
        cmd.AddParticipant(account_id=world.id_of("other_participant"), relation="engineer"),
    )
    boundary = casework.record(
        noor, case_id, cmd.SetBoundary(text="No decisions announced by email")
    ).result
    flag = casework.record(noor, case_id, cmd.RaiseRedFlag(code="refuses_responsibility")).result
    # Rituals belong to couples, families and friendships: the same people, as a couple case.
    couple_id = casework.open_case(
        noor,
        kind="couple",
        title="Ana and Leo",
        approach="therapy_guided",
        breach_category="dishonesty",
        breach_summary="A hidden debt.",
    ).result
    for person in ("participating_client", "other_participant"):
        casework.record(noor, couple_id, cmd.AddParticipant(account_id=world.id_of(person)))
    return SimpleNamespace(id=case_id, boundary=boundary, flag=flag, couple=couple_id)


# ---------------------------------------------------------------------------------------------
# The matrix: who may run each command, and one valid call of it.

READ, ANYONE, STAFF, OVERSEERS, OPENING = "read", "anyone", "staff", "overseers", "opening"
OWNERS = "owners"
AUDIENCE = "audience"  # the people a pulse was sent to
OWNERS_READ = "owners read"  # may this owner take the record out? records nothing
STAFF_CHECK = "staff check"  # may staff do this (outside a command) to the case? records nothing
RECORDS_NOTHING = (READ, STAFF_CHECK, OWNERS_READ)

Call = Callable[[Casework, Actor, SimpleNamespace, World], Any]


@dataclass(frozen=True)
class Entry:
    who: str
    call: Call
    prepare: Callable[[World, SimpleNamespace], None] | None = None


def close_it(world: World, case: SimpleNamespace) -> None:
    world.casework.record(world.actors["owner"], case.id, cmd.CloseCase(outcome="released"))


def five_people(world: World, case: SimpleNamespace) -> None:
    """Three more participants beside Ana and Leo: a pulse goes to five people or more."""
    stored = world.store.get(case.id, Case)
    for _ in range(3):
        stored.add_participant(uuid4(), "engineer")
    world.store.save(stored)


def open_a_pulse(world: World, case: SimpleNamespace) -> None:
    five_people(world, case)
    case.pulse = world.casework.record(world.actors["owner"], case.id, cmd.OpenPulse(
        question="Do you trust the team?",
        closes_at=datetime.now(timezone.utc) + timedelta(days=7))).result


def opening(case: SimpleNamespace) -> UUID:
    """The public id of the case's opening entry: shared, so it can be held back."""
    return event_id(case.id, 1)


def hold_the_opening(world: World, case: SimpleNamespace) -> None:
    world.casework.record(world.actors["owner"], case.id,
                          cmd.HoldBackEntry(entry_id=opening(case)))


def make_an_agreement(world: World, case: SimpleNamespace) -> None:
    case.agreement = world.casework.record(world.actors["owner"], case.id,
                                           cmd.MakeAgreement(text="Monthly open Q&A")).result


COMMANDS: dict[str, Entry] = {
    "get_case": Entry(READ, lambda cw, a, c, w: cw.get_case(a, c.id)),
    "authorize_staff_action": Entry(
        STAFF_CHECK, lambda cw, a, c, w: cw.authorize_staff_action(a, c.id, "send reminders")
    ),
    "case_for_export": Entry(OWNERS_READ, lambda cw, a, c, w: cw.case_for_export(a, c.id)),
    "record_export": Entry(OWNERS, lambda cw, a, c, w: cw.record_export(a, c.id, events=12)),
    "record_report": Entry(STAFF, lambda cw, a, c, w: cw.record_report(
        a, "report.case_pdf", uuid4(), c.id)),
    "open_case": Entry(
        OPENING,
        lambda cw, a, c, w: cw.open_case(
            a,
            kind="couple",
            title="Ana and Leo",
            approach="self_guided",
            breach_category="dishonesty",
            breach_summary="A hidden debt.",
        ),
    ),
    "add_participant": Entry(
        STAFF,
        lambda cw, a, c, w: cw.record(
            a,
            c.id,
            cmd.AddParticipant(account_id=w.id_of("client_not_on_the_case"), relation="colleague"),
        ),
    ),
    "remove_participant": Entry(
        STAFF,
        lambda cw, a, c, w: cw.record(
            a, c.id, cmd.RemoveParticipant(account_id=w.id_of("other_participant"))
        ),
    ),
    "assign_practitioner": Entry(
        OVERSEERS,
        lambda cw, a, c, w: cw.record(
            a, c.id, cmd.AssignPractitioner(account_id=w.id_of("unassigned_practitioner"))
        ),
    ),
    "unassign_practitioner": Entry(
        OVERSEERS,
        lambda cw, a, c, w: cw.record(
            a, c.id, cmd.UnassignPractitioner(account_id=w.id_of("assigned_practitioner"))
        ),
    ),
    "reassign_case": Entry(
        OVERSEERS,
        lambda cw, a, c, w: cw.record(a, c.id, cmd.ReassignCase(
            from_practitioner_id=w.id_of("assigned_practitioner"),
            to_practitioner_id=w.id_of("unassigned_practitioner"))),
    ),
    "record_check_in": Entry(
        ANYONE,
        lambda cw, a, c, w: cw.record(
            a,
            c.id,
            cmd.RecordCheckIn(
                participant_id=None if a.role == "client" else w.id_of("participating_client"),
                trust=6,
                emotional_safety=5,
                communication_ease=7,
                conflicts=0,
            ),
        ),
    ),
    "answer_questionnaire": Entry(
        ANYONE,
        lambda cw, a, c, w: cw.record(a, c.id, cmd.AnswerQuestionnaire(
            participant_id=None if a.role == "client" else w.id_of("participating_client"),
            instrument="gad7", answers={f"q{n}": 1 for n in range(1, 8)})),
    ),
    "write_journal": Entry(
        ANYONE,
        lambda cw, a, c, w: cw.record(
            a,
            c.id,
            cmd.WriteJournal(text="The meeting went better than I feared.", visibility="shared"),
        ),
    ),
    "disclose_breach": Entry(
        STAFF,
        lambda cw, a, c, w: cw.record(
            a,
            c.id,
            cmd.DiscloseBreach(category="dishonesty", summary="The bonus pool was cut in secret."),
        ),
    ),
    "assess_readiness": Entry(
        ANYONE,
        lambda cw, a, c, w: cw.record(
            a, c.id, cmd.AssessReadiness(answers={"breach_accepted": True})
        ),
    ),
    "offer_apology": Entry(
        STAFF,
        lambda cw, a, c, w: cw.record(
            a,
            c.id,
            cmd.OfferApology(
                from_id=w.id_of("other_participant"),
                to_ids=[w.id_of("participating_client")],
                text="I should have told you first.",
                names_harm=True,
                takes_responsibility=True,
                commits_to_change=True,
            ),
        ),
    ),
    "set_boundary": Entry(
        STAFF,
        lambda cw, a, c, w: cw.record(
            a, c.id, cmd.SetBoundary(text="Ask before sharing anything about the team")
        ),
    ),
    "revise_boundary": Entry(
        STAFF,
        lambda cw, a, c, w: cw.record(
            a,
            c.id,
            cmd.ReviseBoundary(
                boundary_id=c.boundary, text="No decisions announced by email or chat"
            ),
        ),
    ),
    "retire_boundary": Entry(
        STAFF, lambda cw, a, c, w: cw.record(a, c.id, cmd.RetireBoundary(boundary_id=c.boundary))
    ),
    "record_boundary_crossed": Entry(
        STAFF,
        lambda cw, a, c, w: cw.record(
            a,
            c.id,
            cmd.RecordBoundaryCrossed(boundary_id=c.boundary, note="Reorg memo sent by email."),
        ),
    ),
    "make_agreement": Entry(
        STAFF, lambda cw, a, c, w: cw.record(a, c.id, cmd.MakeAgreement(text="Monthly open Q&A"))
    ),
    "keep_agreement": Entry(
        ANYONE,
        lambda cw, a, c, w: cw.record(a, c.id, cmd.KeepAgreement(agreement_id=c.agreement)),
        prepare=make_an_agreement,
    ),
    "record_setback": Entry(
        STAFF,
        lambda cw, a, c, w: cw.record(
            a, c.id, cmd.RecordSetback(severity=2, description="Rumours of another round.")
        ),
    ),
    "practice_ritual": Entry(
        ANYONE,
        lambda cw, a, c, w: cw.record(a, c.couple, cmd.PracticeRitual(ritual="gratitude_note")),
    ),
    "raise_red_flag": Entry(
        STAFF, lambda cw, a, c, w: cw.record(a, c.id, cmd.RaiseRedFlag(code="ongoing_secrecy"))
    ),
    "resolve_red_flag": Entry(
        STAFF, lambda cw, a, c, w: cw.record(a, c.id, cmd.ResolveRedFlag(flag_id=c.flag))
    ),
    "advance_stage": Entry(
        STAFF,
        lambda cw, a, c, w: cw.record(a, c.id, cmd.AdvanceStage(stage="honest_conversations")),
    ),
    "reach_milestone": Entry(
        STAFF,
        lambda cw, a, c, w: cw.record(
            a, c.id, cmd.ReachMilestone(title="First forum without walkouts")
        ),
    ),
    "note_session": Entry(
        STAFF,
        lambda cw, a, c, w: cw.record(
            a, c.id, cmd.NoteSession(text="Leadership listened for once.")
        ),
    ),
    "complete_program_step": Entry(
        STAFF,
        lambda cw, a, c, w: cw.record(
            a, c.id, cmd.CompleteProgramStep(step="public_acknowledgment")
        ),
    ),
    "assign_step_owner": Entry(
        STAFF,
        lambda cw, a, c, w: cw.record(a, c.id, cmd.AssignStepOwner(
            step="open_forums", account_id=w.id_of("participating_client"))),
    ),
    "record_trust_pulse": Entry(
        STAFF, lambda cw, a, c, w: cw.record(a, c.id, cmd.RecordTrustPulse(scores=[5, 6, 7, 4, 6]))
    ),
    "open_pulse": Entry(
        STAFF,
        lambda cw, a, c, w: cw.record(a, c.id, cmd.OpenPulse(
            question="How much do you trust leadership?",
            closes_at=datetime.now(timezone.utc) + timedelta(days=7))),
        prepare=five_people,
    ),
    "answer_pulse": Entry(
        AUDIENCE, lambda cw, a, c, w: cw.answer_pulse(a, c.id, c.pulse, 7), prepare=open_a_pulse,
    ),
    "close_pulse": Entry(
        STAFF, lambda cw, a, c, w: cw.record(a, c.id, cmd.ClosePulse(pulse_id=c.pulse)),
        prepare=open_a_pulse,
    ),
    "hold_back_entry": Entry(
        STAFF, lambda cw, a, c, w: cw.record(a, c.id, cmd.HoldBackEntry(entry_id=opening(c)))
    ),
    "release_entry": Entry(
        STAFF, lambda cw, a, c, w: cw.record(a, c.id, cmd.ReleaseEntry(entry_id=opening(c))),
        prepare=hold_the_opening,
    ),
    "change_approach": Entry(
        STAFF, lambda cw, a, c, w: cw.record(a, c.id, cmd.ChangeApproach(approach="self_guided"))
    ),
    "close_case": Entry(
        STAFF, lambda cw, a, c, w: cw.record(a, c.id, cmd.CloseCase(outcome="referred"))
    ),
    "reopen_case": Entry(
        STAFF,
        lambda cw, a, c, w: cw.record(a, c.id, cmd.ReopenCase(reason="They asked again.")),
        prepare=close_it,
    ),
}


def expected_refusal(role: str, who: str) -> type[MendError] | None:
    """The error this role gets for this kind of command, or None when it may run it."""
    if who == OPENING:
        return Forbidden if role in ("participating_client", "client_not_on_the_case") else None
    if role in ("another_tenants_owner", "unassigned_practitioner", "client_not_on_the_case"):
        return NotFound  # a case that is not theirs does not exist for them
    if who == AUDIENCE:  # the participants asked; staff are not, whatever their role
        return None if role == "participating_client" else RuleBroken
    if role == "participating_client":
        return None if who in (READ, ANYONE) else Forbidden
    if role == "assigned_practitioner":
        return Forbidden if who in (OVERSEERS, OWNERS, OWNERS_READ) else None
    if role == "supervisor" and who in (OWNERS, OWNERS_READ):
        return Forbidden
    return None  # owners and supervisors see and run everything in their tenant


def test_every_casework_method_and_case_command_has_an_entry_in_the_matrix():
    public = {
        name
        for name, _ in inspect.getmembers(Casework, inspect.isfunction)
        if not name.startswith("_") and name != "record"
    } | {snake_case(command.__name__) for command in cmd.CASE_COMMANDS}
    assert public == set(COMMANDS), (
        f"missing: {sorted(public - set(COMMANDS))}, stale: {sorted(set(COMMANDS) - public)}"
    )


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("role", ROLES)
def test_each_role_runs_each_casework_command_exactly_as_the_rules_say(world, role, command):
    entry = COMMANDS[command]
    case = open_workplace_case(world)
    if entry.prepare:
        entry.prepare(world, case)
    refusal = expected_refusal(role, entry.who)
    before = world.recorded()
    if refusal is None:
        result = entry.call(world.casework, world.actors[role], case, world)
        if entry.who in RECORDS_NOTHING:
            assert isinstance(result, Case) and result.id == case.id
            assert world.recorded() == before
        else:
            assert isinstance(result, Saved)
            assert world.recorded() > before
    else:
        with pytest.raises(MendError) as caught:
            entry.call(world.casework, world.actors[role], case, world)
        assert type(caught.value) is refusal, caught.value
        assert world.recorded() == before, "a rejected command recorded something"


# ---------------------------------------------------------------------------------------------
# The particular rules around the matrix.


def test_a_client_may_not_record_a_check_in_for_someone_else(world):
    case = open_workplace_case(world)
    ana = world.actors["participating_client"]
    before = world.recorded()
    with pytest.raises(Forbidden):
        world.casework.record(
            ana,
            case.id,
            cmd.RecordCheckIn(
                participant_id=world.id_of("other_participant"),
                trust=2,
                emotional_safety=2,
                communication_ease=2,
                conflicts=3,
            ),
        )
    assert world.recorded() == before


def test_a_client_check_in_is_always_their_own(world):
    case = open_workplace_case(world)
    ana = world.actors["participating_client"]
    for participant_id in (None, ana.account_id):
        world.casework.record(
            ana,
            case.id,
            cmd.RecordCheckIn(
                participant_id=participant_id,
                trust=7,
                emotional_safety=6,
                communication_ease=6,
                conflicts=0,
            ),
        )
    events = list(world.store.events.get(case.id))
    check_ins = [e for e in events if type(e).__name__ == "CheckInRecorded"]
    assert [e.participant_id for e in check_ins] == [ana.account_id, ana.account_id]
    assert {e.actor_id for e in check_ins} == {ana.account_id}


def test_staff_may_record_a_check_in_for_any_participant(world):
    case = open_workplace_case(world)
    noor = world.actors["assigned_practitioner"]
    leo = world.id_of("other_participant")
    world.casework.record(
        noor,
        case.id,
        cmd.RecordCheckIn(
            participant_id=leo, trust=3, emotional_safety=4, communication_ease=2, conflicts=2
        ),
    )
    assert list(world.store.events.get(case.id))[-1].participant_id == leo


@pytest.mark.parametrize("role", ["client_not_on_the_case", "another_tenants_owner"])
def test_a_check_in_for_someone_else_on_a_case_that_is_not_yours_is_not_found(world, role):
    case = open_workplace_case(world)
    before = world.recorded()
    with pytest.raises(NotFound):
        world.casework.record(
            world.actors[role],
            case.id,
            cmd.RecordCheckIn(
                participant_id=world.id_of("participating_client"),
                trust=2,
                emotional_safety=2,
                communication_ease=2,
                conflicts=3,
            ),
        )
    assert world.recorded() == before


@pytest.mark.parametrize(
    "role",
    [
        "another_tenants_owner",
        "unassigned_practitioner",
        "client_not_on_the_case",
        "participating_client",
    ],
)
@pytest.mark.parametrize("command", [cmd.AddParticipant, cmd.AssignPractitioner])
def test_naming_someone_outside_the_tenant_is_first_refused_for_the_case(world, role, command):
    """Whether the named account is a member is only weighed once the actor may act at all."""
    case = open_workplace_case(world)
    outsider = world.id_of("another_tenants_owner")
    before = world.recorded()
    with pytest.raises(MendError) as caught:
        world.casework.record(world.actors[role], case.id, command(account_id=outsider))
    expected = expected_refusal(role, COMMANDS[snake_case(command.__name__)].who)
    assert type(caught.value) is expected
    assert world.recorded() == before


@pytest.mark.parametrize("command", [cmd.AddParticipant, cmd.AssignPractitioner])
def test_only_members_of_the_tenant_may_be_put_on_a_case(world, command):
    case = open_workplace_case(world)
    before = world.recorded()
    with pytest.raises(InvalidValue) as caught:
        world.casework.record(
            world.actors["owner"], case.id, command(account_id=world.id_of("another_tenants_owner"))
        )
    assert caught.value.field == "account_id"
    assert world.recorded() == before


def test_a_client_cannot_be_assigned_as_a_practitioner(world):
    case = open_workplace_case(world)
    before = world.recorded()
    with pytest.raises(InvalidValue) as caught:
        world.casework.record(
            world.actors["supervisor"],
            case.id,
            cmd.AssignPractitioner(account_id=world.id_of("client_not_on_the_case")),
        )
    assert caught.value.field == "account_id"
    assert world.recorded() == before


def test_a_practitioner_who_opens_a_case_is_assigned_to_it_and_an_overseer_is_not(world):
    casework = world.casework
    fields = dict(
        kind="couple",
        title="Ana and Leo",
        approach="passive",
        breach_category="neglect",
        breach_summary="Years of silence.",
    )
    noor = world.actors["assigned_practitioner"]
    opened_by_noor = casework.get_case(noor, casework.open_case(noor, **fields).result)
    assert opened_by_noor.practitioners == [str(noor.account_id)]
    sofia = world.actors["supervisor"]
    opened_by_sofia = casework.get_case(sofia, casework.open_case(sofia, **fields).result)
    assert opened_by_sofia.practitioners == []
    assert opened_by_sofia.tenant == sofia.tenant_id


def test_supervisors_and_owners_see_every_case_of_their_tenant_and_no_other(world):
    case = open_workplace_case(world)
    nils = world.actors["another_tenants_owner"]
    northwind_case = world.casework.open_case(
        nils,
        kind="workplace",
        title="Northwind leak",
        approach="self_guided",
        breach_category="data_breach",
        breach_summary="Salaries shared company-wide.",
    ).result
    for role in ("owner", "supervisor"):
        assert world.casework.get_case(world.actors[role], case.id).id == case.id
        with pytest.raises(NotFound):
            world.casework.get_case(world.actors[role], northwind_case)
    assert world.casework.get_case(nils, northwind_case).id == northwind_case


def test_an_unassigned_practitioner_sees_the_case_once_assigned_and_not_after(world):
    case = open_workplace_case(world)
    omar, sofia = world.actors["unassigned_practitioner"], world.actors["supervisor"]
    with pytest.raises(NotFound):
        world.casework.get_case(omar, case.id)
    world.casework.record(sofia, case.id, cmd.AssignPractitioner(account_id=omar.account_id))
    assert world.casework.get_case(omar, case.id).id == case.id
    world.casework.record(sofia, case.id, cmd.UnassignPractitioner(account_id=omar.account_id))
    with pytest.raises(NotFound):
        world.casework.get_case(omar, case.id)


def test_a_removed_participant_no_longer_sees_the_case(world):
    case = open_workplace_case(world)
    leo = world.actors["other_participant"]
    assert world.casework.get_case(leo, case.id).id == case.id
    world.casework.record(
        world.actors["owner"], case.id, cmd.RemoveParticipant(account_id=leo.account_id)
    )
    with pytest.raises(NotFound):
        world.casework.get_case(leo, case.id)


@pytest.mark.parametrize("role", ROLES)
def test_an_id_that_is_not_a_case_is_not_found_for_anyone(world, role):
    tenant_id = world.actors["owner"].tenant_id
    with pytest.raises(NotFound):
        world.casework.get_case(world.actors[role], tenant_id)


# ---------------------------------------------------------------------------------------------
# Membership: only owners invite; only staff list the members.


@pytest.mark.parametrize("invited", ["owner", "supervisor", "practitioner"])
@pytest.mark.parametrize("role", ["supervisor", "assigned_practitioner", "participating_client"])
def test_only_an_owner_may_invite_staff(world, role, invited):
    before = world.recorded()
    with pytest.raises(Forbidden):
        world.membership.invite(
            world.actors[role], email="mia@harbor.example", name="Mia", role=invited
        )
    assert world.recorded() == before


def test_a_client_may_not_invite_anyone(world):
    before = world.recorded()
    with pytest.raises(Forbidden):
        world.membership.invite(world.actors["participating_client"],
                                email="mia@harbor.example", name="Mia", role="client")
    assert world.recorded() == before


def test_a_practitioner_invites_a_client_straight_into_a_case_they_work(world):
    case = open_workplace_case(world)
    noor = world.actors["assigned_practitioner"]
    invitation = world.membership.invite(
        noor, email="mia.k@harbor.example", name="Mia", role="client", case_id=case.id,
        relation="new hire",
    ).result
    account_id = world.membership.accept_invitation(invitation.token, PASSWORD).result
    mia = world.membership.actor_for(account_id, "harbor-counseling")
    assert mia.role == "client"
    seen = world.casework.get_case(mia, case.id)
    assert seen.participants[str(account_id)] == "new hire"


@pytest.mark.parametrize("role", ["unassigned_practitioner", "another_tenants_owner"])
def test_an_invitation_into_a_case_the_inviter_cannot_see_is_not_found(world, role):
    case = open_workplace_case(world)
    before = world.recorded()
    with pytest.raises(NotFound):
        world.membership.invite(world.actors[role], email="eve@harbor.example", name="Eve",
                                role="client", case_id=case.id)
    assert world.recorded() == before


def test_only_a_client_joins_a_case_with_an_invitation(world):
    case = open_workplace_case(world)
    before = world.recorded()
    with pytest.raises(InvalidValue) as caught:
        world.membership.invite(world.actors["owner"], email="sam@harbor.example", name="Sam",
                                role="practitioner", case_id=case.id)
    assert caught.value.field == "case_id"
    assert world.recorded() == before


def test_an_owner_invites_into_their_own_tenant_only(world):
    nils = world.actors["another_tenants_owner"]
    invitation = world.membership.invite(
        nils, email="ivo@northwind.example", name="Ivo", role="practitioner"
    ).result
    northwind = world.store.get(nils.tenant_id, Tenant)
    assert str(invitation.account_id) in northwind.invitations
    harbor = world.store.get(world.actors["owner"].tenant_id, Tenant)
    assert str(invitation.account_id) not in harbor.invitations


def test_a_client_may_not_list_the_members(world):
    with pytest.raises(Forbidden):
        world.membership.members(world.actors["participating_client"])


def test_staff_list_the_members_of_their_own_tenant_with_roles(world):
    members = world.membership.members(world.actors["assigned_practitioner"])
    roles = {m.email: (m.role, m.status) for m in members if m.status == "active"}
    assert roles["hana@harbor.example"] == ("owner", "active")
    assert roles["sofia@harbor.example"] == ("supervisor", "active")
    assert roles["ana@harbor.example"] == ("client", "active")
    assert "nils@northwind.example" not in roles

"""Who owns a workplace program step: a person on the case, for one of the eight steps, on a
workplace case that is open; assigning again hands the step to someone else."""

from __future__ import annotations

import pytest

from mend.domain.case import Case
from mend.domain.errors import InvalidValue, RuleBroken
from mend.domain.store import MendStore
from mend.projections.case_metrics import facts_of_events
from mend.projections.metrics import workplace_progress
from tests.unit.test_case_rules import ANA, LEO, NOOR, OMAR, STRANGER, open_case, rejected


@pytest.fixture
def workplace() -> Case:
    """Northwind's workplace case: Ana and Leo take part, Noor works it."""
    case = open_case("workplace", title="Northwind: the leaked salary file",
                     breach_category="data_breach",
                     breach_summary="A salary spreadsheet went to the whole company.")
    case.add_participant(ANA, "team lead")
    case.add_participant(LEO, "engineer")
    case.assign_practitioner(NOOR)
    return case


def test_a_participant_or_a_practitioner_of_the_case_may_own_a_step(workplace):
    workplace.assign_step_owner("public_acknowledgment", ANA)
    workplace.assign_step_owner("external_audit", NOOR)
    owned = [(e.step, e.account_id) for e in workplace.pending_events[-2:]]
    assert owned == [("public_acknowledgment", ANA), ("external_audit", NOOR)]
    assert type(workplace.pending_events[-1]).__name__ == "ProgramStepOwnerAssigned"


@pytest.mark.parametrize("who", [STRANGER, OMAR], ids=["a stranger", "staff not on the case"])
def test_someone_not_on_the_case_cannot_own_a_step(workplace, who):
    with rejected(workplace, InvalidValue, "account_id"):
        workplace.assign_step_owner("accountability", who)


def test_a_removed_participant_can_no_longer_be_given_a_step(workplace):
    workplace.remove_participant(LEO)
    with rejected(workplace, InvalidValue, "account_id"):
        workplace.assign_step_owner("accountability", LEO)


@pytest.mark.parametrize("not_an_id", [str(ANA), None, 7])
def test_an_owner_that_is_not_an_account_id_is_rejected(workplace, not_an_id):
    with rejected(workplace, InvalidValue, "account_id"):
        workplace.assign_step_owner("accountability", not_an_id)


@pytest.mark.parametrize("step", ["team_building", "", "Accountability", None])
def test_a_step_outside_the_eight_is_rejected(workplace, step):
    with rejected(workplace, InvalidValue, "step"):
        workplace.assign_step_owner(step, ANA)


@pytest.mark.parametrize("kind", ["couple", "family", "friendship"])
def test_only_a_workplace_case_has_step_owners(kind):
    case = open_case(kind)
    case.add_participant(ANA, "partner")
    with rejected(case, RuleBroken):
        case.assign_step_owner("public_acknowledgment", ANA)


def test_a_closed_case_takes_no_step_owner(workplace):
    workplace.close("released")
    with rejected(workplace, RuleBroken):
        workplace.assign_step_owner("public_acknowledgment", ANA)


def test_assigning_again_replaces_the_owner_and_the_same_owner_twice_is_refused(workplace):
    workplace.assign_step_owner("open_forums", ANA)
    workplace.assign_step_owner("open_forums", LEO)
    assert workplace.step_owners == {"open_forums": str(LEO)}
    with rejected(workplace, RuleBroken):
        workplace.assign_step_owner("open_forums", LEO)


def test_a_step_may_be_owned_before_and_after_it_is_done(workplace):
    workplace.assign_step_owner("public_acknowledgment", ANA)
    workplace.complete_program_step("public_acknowledgment", "Said at the all-hands.")
    workplace.assign_step_owner("public_acknowledgment", NOOR)
    assert workplace.steps_done == ["public_acknowledgment"]


def test_owners_survive_a_save_and_a_replay_and_the_metrics_list_the_latest(workplace):
    store = MendStore(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    workplace.assign_step_owner("transparent_facts", ANA)
    workplace.assign_step_owner("public_acknowledgment", LEO)
    workplace.assign_step_owner("transparent_facts", NOOR)
    events = list(workplace.pending_events)
    store.save(workplace)
    loaded = store.repository.get(workplace.id)
    assert loaded.step_owners == {"transparent_facts": str(NOOR),
                                  "public_acknowledgment": str(LEO)}
    facts = facts_of_events(events)
    progress = workplace_progress(facts, events[-1].occurred_at)
    # In program order, each step with its latest owner; the names are the reader's to add.
    assert [(o.step, o.account_id, o.name) for o in progress.owners] == [
        ("public_acknowledgment", str(LEO), ""), ("transparent_facts", str(NOOR), "")]
    earlier = workplace_progress(facts, events[-3].occurred_at)
    assert [(o.step, o.account_id) for o in earlier.owners] == [("transparent_facts", str(ANA))]


def test_a_case_snapshotted_before_steps_had_owners_takes_one(workplace):
    # State restored from an older snapshot lacks the attribute a newer case opens with.
    workplace.__dict__.pop("step_owners", None)
    workplace.assign_step_owner("renewal_ritual", ANA)
    assert workplace.step_owners == {"renewal_ritual": str(ANA)}

"""Every rule the Case aggregate keeps: a rejected command names what was wrong and records nothing.

Each rejection is checked twice over: the right error (InvalidValue naming its field, or
RuleBroken), and an untouched case (same version, no new pending events, same state).
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any
from uuid import UUID, uuid4

import pytest

from mend.domain import vocabulary as v
from mend.domain.case import Case, visibility_of
from mend.domain.errors import InvalidValue, MendError, RuleBroken
from mend.domain.store import MendStore, event_id

HARBOR_COUNSELING = uuid4()  # the tenant: a couples and family counseling practice
ANA, LEO, MIA = uuid4(), uuid4(), uuid4()  # clients
NOOR, OMAR = uuid4(), uuid4()  # counselors
STRANGER = uuid4()  # someone who takes no part in any case here


def in_memory_store() -> MendStore:
    return MendStore(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def state_of(case: Case) -> tuple[int, int, dict[str, Any]]:
    """Everything a command could change: version, pending events, and every attribute."""
    attributes = {k: copy.deepcopy(a) for k, a in vars(case).items() if k != "_pending_events"}
    return case.version, len(case.pending_events), attributes


@contextmanager
def rejected(case: Case, error: type[MendError], field: str | None = None) -> Iterator[None]:
    """The command in the block must raise ``error`` (naming ``field``) and change nothing."""
    before = state_of(case)
    with pytest.raises(error) as caught:
        yield
    if field is not None:
        assert isinstance(caught.value, InvalidValue)
        assert caught.value.field == field, caught.value
    after = state_of(case)
    assert after[0] == before[0], "the version moved"
    assert after[1] == before[1], "an event was left pending"
    assert after[2] == before[2], "the case's state changed"


def open_case(kind: str = "couple", *, days_ago: int = 10, **overrides: Any) -> Case:
    fields = dict(
        tenant=HARBOR_COUNSELING,
        kind=kind,
        title="Ana and Leo, after the affair",
        approach="therapy_guided",
        breach_category="infidelity",
        breach_summary="Leo kept a months-long affair with a colleague secret.",
        occurred_at=utcnow() - timedelta(days=days_ago),
    )
    fields.update(overrides)
    return Case.open(**fields)


@pytest.fixture
def case() -> Case:
    """Ana and Leo's couple case at Harbor Counseling, opened ten days ago, Noor assigned."""
    case = open_case()
    case.add_participant(ANA, "partner")
    case.add_participant(LEO, "partner")
    case.assign_practitioner(NOOR)
    return case


@pytest.fixture
def workplace() -> SimpleNamespace:
    """A workplace case with people, an active boundary and an open red flag to act on."""
    case = open_case(
        "workplace",
        title="Northwind: the leaked salary file",
        breach_category="data_breach",
        breach_summary="A salary spreadsheet was shared with the whole company by mistake.",
    )
    case.add_participant(ANA, "team lead")
    case.add_participant(LEO, "engineer")
    case.assign_practitioner(NOOR)
    boundary = case.set_boundary("No salary figures in public channels")
    flag = case.raise_red_flag("refuses_responsibility", "Leadership blames the intern.")
    return SimpleNamespace(case=case, boundary=boundary, flag=flag)


# ---------------------------------------------------------------------------------------------
# One valid call of every recording command; the tests below bend one thing at a time.

Command = Callable[[Case, SimpleNamespace, dict[str, Any]], Any]

COMMANDS: dict[str, Command] = {
    "add_participant": lambda c, w, t: c.add_participant(MIA, "sister", **t),
    "remove_participant": lambda c, w, t: c.remove_participant(LEO, **t),
    "assign_practitioner": lambda c, w, t: c.assign_practitioner(OMAR, **t),
    "unassign_practitioner": lambda c, w, t: c.unassign_practitioner(NOOR, **t),
    "reassign_practitioner": lambda c, w, t: c.reassign_practitioner(NOOR, OMAR, **t),
    "disclose_breach": lambda c, w, t: c.disclose_breach(
        "dishonesty", "The budget was hidden from the team for months.", **t
    ),
    "assess_readiness": lambda c, w, t: c.assess_readiness(
        {"breach_accepted": True, "knows_exit_is_possible": False}, "Still raw.", **t
    ),
    "offer_apology": lambda c, w, t: c.offer_apology(
        from_id=LEO, to_ids=[ANA], text="I shared the file and I am sorry.",
        names_harm=True, takes_responsibility=True, commits_to_change=True, **t,
    ),
    "set_boundary": lambda c, w, t: c.set_boundary("Ask before forwarding anything", **t),
    "revise_boundary": lambda c, w, t: c.revise_boundary(
        w.boundary, "No salary figures anywhere outside HR", **t
    ),
    "retire_boundary": lambda c, w, t: c.retire_boundary(w.boundary, "Kept for a year.", **t),
    "record_boundary_crossed": lambda c, w, t: c.record_boundary_crossed(
        w.boundary, "Figures posted in #random.", **t
    ),
    "make_agreement": lambda c, w, t: c.make_agreement("Monthly open Q&A with the CFO", **t),
    # Unprepared (the closed-case check), no agreement: a closed case refuses before looking.
    "keep_agreement": lambda c, w, t: c.keep_agreement(
        getattr(w, "agreement", uuid4()), "The Q&A went ahead.", **t
    ),
    "record_check_in": lambda c, w, t: c.record_check_in(
        participant_id=ANA, trust=4, emotional_safety=5, communication_ease=6, conflicts=1, **t
    ),
    "remind_check_in": lambda c, w, t: c.remind_check_in(now=utcnow()),
    "record_setback": lambda c, w, t: c.record_setback(2, "Another leak, smaller this time.", **t),
    "practice_ritual": lambda c, w, t: c.practice_ritual("transparency_hour", **t),
    "raise_red_flag": lambda c, w, t: c.raise_red_flag("ongoing_secrecy", **t),
    "resolve_red_flag": lambda c, w, t: c.resolve_red_flag(w.flag, "They owned it.", **t),
    "advance_stage": lambda c, w, t: c.advance_stage("honest_conversations", **t),
    "reach_milestone": lambda c, w, t: c.reach_milestone("First all-hands without anger", **t),
    "note_session": lambda c, w, t: c.note_session("Leo named the harm without prompting.", **t),
    "write_journal": lambda c, w, t: c.write_journal("Slept badly again.", "shared", **t),
    "answer_questionnaire": lambda c, w, t: c.answer_questionnaire(
        participant_id=ANA, instrument="phq9", answers={f"q{n}": 1 for n in range(1, 10)}, **t),
    "complete_program_step": lambda c, w, t: c.complete_program_step(
        "public_acknowledgment", **t
    ),
    "assign_step_owner": lambda c, w, t: c.assign_step_owner("open_forums", ANA, **t),
    "record_trust_pulse": lambda c, w, t: c.record_trust_pulse([6, 7, 5, 8, 6], **t),
    "change_approach": lambda c, w, t: c.change_approach("self_guided", "They want space.", **t),
    "open_pulse": lambda c, w, t: c.open_pulse(
        "How much do you trust leadership today?", utcnow() + timedelta(days=7), **t
    ),
    "answer_pulse": lambda c, w, t: c.answer_pulse(getattr(w, "pulse", uuid4()), ANA, utcnow()),
    "close_pulse": lambda c, w, t: c.close_pulse(getattr(w, "pulse", uuid4()), **t),
    "hold_back_entry": lambda c, w, t: c.hold_back_entry(
        opening(c), entry_visibility="shared", reason="Talk it through in session first.", **t
    ),
    "release_entry": lambda c, w, t: c.release_entry(opening(c), **t),
    "close": lambda c, w, t: c.close("reconciled", **t),
    "reopen": lambda c, w, t: c.reopen("A new disclosure.", **t),
}
#: Commands that take no occurred_at (a reminder happens when the worker sends it).
WITHOUT_OCCURRED_AT = {"remind_check_in", "answer_pulse"}
#: Public members of Case that only read.
QUERIES = {"open", "has_participant", "has_practitioner", "is_open", "next_check_in_due",
           "open_red_flags", "steps_skipped_by", "is_held_back", "knows_its_agreements",
           "pulse_audience", "held_until", "erased"}
#: Keeping and erasing records: rules of the practice's duty to keep records, not steps of
#: the repair, so they take no ``occurred_at`` and work on a closed case; their own tests are
#: in tests/integration/test_erasure.py.
RECORDS = {"place_legal_hold", "lift_legal_hold", "erase", "erase_person"}
#: Commands about what the portal shows, not about the case: a closed case takes them too.
ANY_STATUS = {"hold_back_entry", "release_entry"}


def opening(case: Case) -> UUID:
    return event_id(case.id, 1)


def prepared(w: SimpleNamespace, name: str) -> Case:
    """The workplace case, brought into the state where ``name`` is allowed (rituals belong
    to couples, families and friendships, so for those a couple case)."""
    if name == "practice_ritual":
        return open_case("couple")
    if name == "reopen":
        w.case.close("released")
    if name == "release_entry":
        w.case.hold_back_entry(opening(w.case), entry_visibility="shared")
    if name == "keep_agreement":
        w.agreement = w.case.make_agreement("Monthly open Q&A with the CFO")
    if name in ("open_pulse", "answer_pulse", "close_pulse"):
        for _ in range(3):  # a pulse goes to five people or more
            w.case.add_participant(uuid4(), "engineer")
    if name in ("answer_pulse", "close_pulse"):
        w.pulse = w.case.open_pulse("Do you trust the new process?", utcnow() + timedelta(days=7))
    return w.case


def test_every_command_of_the_case_is_in_the_table_of_commands():
    # The rules live in the concept modules mixed into Case; walk them all.
    public = {
        name for klass in Case.__mro__ if klass.__module__.startswith("mend.domain.case")
        for name, member in vars(klass).items()
        if not name.startswith("_") and not inspect.isclass(member)
    }
    assert public - QUERIES - RECORDS == set(COMMANDS)


#: Commands that record more than one event, each with its own test.
SEVERAL_EVENTS = {"remind_check_in", "reassign_practitioner"}


@pytest.mark.parametrize("name", sorted(set(COMMANDS) - SEVERAL_EVENTS))
def test_each_valid_command_records_exactly_one_event(workplace, name):
    case = prepared(workplace, name)
    version = case.version
    COMMANDS[name](case, workplace, {})
    assert case.version == version + 1
    assert case.pending_events[-1].originator_version == case.version


@pytest.mark.parametrize("name", sorted(set(COMMANDS) - {"reopen"} - ANY_STATUS))
def test_a_closed_case_rejects_every_command_but_reopening_and_records_nothing(workplace, name):
    workplace.case.close("withdrawn", "They stopped coming.")
    with rejected(workplace.case, RuleBroken):
        COMMANDS[name](workplace.case, workplace, {})


def test_a_closed_case_can_be_reopened_and_then_records_again(case):
    case.close("released", "A deliberate decision not to rebuild.")
    assert (case.status, case.outcome, case.is_open) == ("closed", "released", False)
    case.reopen("They want to try again.")
    assert (case.status, case.outcome, case.is_open) == ("open", None, True)
    case.record_setback(1, "A tense dinner.")
    assert type(case.pending_events[-1]).__name__ == "SetbackRecorded"


def test_reopening_a_case_that_is_open_is_rejected_and_records_nothing(case):
    with rejected(case, RuleBroken):
        case.reopen("Just in case.")


def test_closing_a_case_twice_is_rejected_and_records_nothing(case):
    case.close("reconciled")
    with rejected(case, RuleBroken):
        case.close("released")


# ---------------------------------------------------------------------------------------------
# occurred_at: aware, not in the future, not before the case opened.

OCCURRED_AT_COMMANDS = sorted(set(COMMANDS) - WITHOUT_OCCURRED_AT)


@pytest.mark.parametrize("name", OCCURRED_AT_COMMANDS)
def test_an_occurred_at_in_the_future_is_rejected_by_every_command(workplace, name):
    case = prepared(workplace, name)
    with rejected(case, InvalidValue, "occurred_at"):
        COMMANDS[name](case, workplace, {"occurred_at": utcnow() + timedelta(hours=1)})


@pytest.mark.parametrize("name", OCCURRED_AT_COMMANDS)
def test_an_occurred_at_before_the_case_opened_is_rejected_by_every_command(workplace, name):
    case = prepared(workplace, name)
    before_opening = case.opened_at - timedelta(seconds=1)
    with rejected(case, InvalidValue, "occurred_at"):
        COMMANDS[name](case, workplace, {"occurred_at": before_opening})


@pytest.mark.parametrize("name", OCCURRED_AT_COMMANDS)
def test_an_occurred_at_without_a_utc_offset_is_rejected_by_every_command(workplace, name):
    case = prepared(workplace, name)
    naive = datetime.now() - timedelta(days=1)
    with rejected(case, InvalidValue, "occurred_at"):
        COMMANDS[name](case, workplace, {"occurred_at": naive})


@pytest.mark.parametrize("not_a_moment", ["2025-03-03T10:00:00+00:00", "", 0, 1_700_000_000])
@pytest.mark.parametrize("name", ["record_check_in", "note_session", "close"])
def test_an_occurred_at_that_is_not_a_date_and_time_is_rejected(workplace, name, not_a_moment):
    with rejected(workplace.case, InvalidValue, "occurred_at"):
        COMMANDS[name](workplace.case, workplace, {"occurred_at": not_a_moment})


@pytest.mark.parametrize("name", OCCURRED_AT_COMMANDS)
def test_every_command_accepts_a_moment_between_the_opening_and_now(workplace, name):
    case = prepared(workplace, name)
    yesterday = utcnow() - timedelta(days=1)
    COMMANDS[name](case, workplace, {"occurred_at": yesterday})
    assert case.pending_events[-1].occurred_at == yesterday


def test_the_very_moment_the_case_opened_is_a_valid_occurred_at(case):
    case.note_session("Intake, written up from paper notes.", occurred_at=case.opened_at)
    assert case.pending_events[-1].occurred_at == case.opened_at


def test_an_occurred_at_with_another_offset_is_kept_as_the_same_instant_in_utc(case):
    lisbon_evening = (utcnow() - timedelta(days=2)).astimezone(timezone(timedelta(hours=2)))
    case.record_setback(2, "An argument about the phone.", occurred_at=lisbon_evening)
    recorded = case.pending_events[-1].occurred_at
    assert recorded == lisbon_evening
    assert recorded.utcoffset() == timedelta(0)


def test_a_case_opened_in_the_future_is_rejected():
    with pytest.raises(InvalidValue) as caught:
        open_case(occurred_at=utcnow() + timedelta(days=1))
    assert caught.value.field == "occurred_at"


def test_a_case_opened_with_a_naive_time_is_rejected():
    with pytest.raises(InvalidValue) as caught:
        open_case(occurred_at=datetime.now() - timedelta(days=1))
    assert caught.value.field == "occurred_at"


def test_a_case_may_be_opened_in_the_past_to_import_a_history_from_paper_notes():
    last_spring = utcnow() - timedelta(days=300)
    case = open_case(occurred_at=last_spring)
    assert case.opened_at == last_spring
    case.record_setback(3, "The first relapse.", occurred_at=last_spring + timedelta(days=30))
    assert case.pending_events[-1].occurred_at == last_spring + timedelta(days=30)


def test_a_case_opened_without_a_time_opened_now():
    before = utcnow()
    case = open_case(occurred_at=None)
    assert before <= case.opened_at <= utcnow()


# ---------------------------------------------------------------------------------------------
# Ratings, conflicts, severity, scores.

RATINGS = ("trust", "emotional_safety", "communication_ease")


def check_in(case: Case, **changes: Any) -> None:
    fields = dict(participant_id=ANA, trust=5, emotional_safety=5, communication_ease=5,
                  conflicts=0)
    fields.update(changes)
    case.record_check_in(**fields)


@pytest.mark.parametrize("rating", RATINGS)
def test_a_rating_above_ten_is_rejected_and_records_nothing(case, rating):
    with rejected(case, InvalidValue, rating):
        check_in(case, **{rating: 11})


@pytest.mark.parametrize("rating", RATINGS)
def test_a_rating_below_zero_is_rejected_and_records_nothing(case, rating):
    with rejected(case, InvalidValue, rating):
        check_in(case, **{rating: -1})


@pytest.mark.parametrize("not_a_whole_number", [7.5, 7.0, "7", None, True, False])
@pytest.mark.parametrize("rating", RATINGS)
def test_a_rating_that_is_not_a_whole_number_is_rejected_even_a_boolean(
    case, rating, not_a_whole_number
):
    with rejected(case, InvalidValue, rating):
        check_in(case, **{rating: not_a_whole_number})


@pytest.mark.parametrize("rating", RATINGS)
@pytest.mark.parametrize("value", [0, 10])
def test_ratings_of_zero_and_ten_are_accepted(case, rating, value):
    check_in(case, **{rating: value})
    assert getattr(case.pending_events[-1], rating) == value


def test_negative_conflicts_are_rejected_and_record_nothing(case):
    with rejected(case, InvalidValue, "conflicts"):
        check_in(case, conflicts=-1)


@pytest.mark.parametrize("not_a_count", [True, 1.5, "2", None])
def test_conflicts_that_are_not_a_whole_number_are_rejected(case, not_a_count):
    with rejected(case, InvalidValue, "conflicts"):
        check_in(case, conflicts=not_a_count)


@pytest.mark.parametrize("conflicts", [0, 1, 40])
def test_any_count_of_conflicts_from_zero_up_is_accepted(case, conflicts):
    check_in(case, conflicts=conflicts)
    assert case.pending_events[-1].conflicts == conflicts


def test_a_check_in_note_is_optional_and_kept_when_given(case):
    check_in(case, note="We talked for an hour without shouting.")
    assert case.pending_events[-1].note == "We talked for an hour without shouting."
    assert case.check_ins == 1


@pytest.mark.parametrize("severity", [0, 4, -1, True, 2.0, "2", None])
def test_a_setback_severity_other_than_one_two_or_three_is_rejected(case, severity):
    with rejected(case, InvalidValue, "severity"):
        case.record_setback(severity, "Found a hidden chat app.")


@pytest.mark.parametrize("severity", [1, 2, 3])
def test_setback_severities_one_to_three_are_accepted(case, severity):
    case.record_setback(severity, "Found a hidden chat app.")
    assert case.pending_events[-1].severity == severity


@pytest.mark.parametrize("scores", [[5, 11], [-1, 5], [5, True], [5, 6.5], [], None, (5, 6)])
def test_a_trust_pulse_with_a_score_out_of_range_or_no_scores_is_rejected(workplace, scores):
    with rejected(workplace.case, InvalidValue, "scores"):
        workplace.case.record_trust_pulse(scores)


@pytest.mark.parametrize("cadence", [0, 91, -7, True, 7.0])
def test_a_check_in_cadence_outside_one_to_ninety_days_is_rejected(cadence):
    with pytest.raises(InvalidValue) as caught:
        open_case(cadence_days=cadence)
    assert caught.value.field == "checkin_cadence_days"


# ---------------------------------------------------------------------------------------------
# Stages only move forward.

def test_stages_advance_in_order_and_the_case_remembers_where_it_came_from(case):
    for stage in v.STAGES[1:]:
        previous = case.stage
        case.advance_stage(stage, "Ready for the next part.")
        assert case.stage == stage
        assert case.pending_events[-1].from_stage == previous


def test_a_stage_may_be_skipped_forward_with_a_reason_the_event_keeps(case):
    case.advance_stage("restoring", "They did the honest talks with their previous counselor.")
    assert case.stage == "restoring"
    assert case.pending_events[-1].reason.startswith("They did the honest talks")


@pytest.mark.parametrize("reason", ["", "   "])
def test_skipping_a_stage_without_a_reason_is_rejected(case, reason):
    with rejected(case, InvalidValue, "reason"):
        case.advance_stage("moving_forward", reason)


def test_moving_one_stage_on_needs_no_reason(case):
    case.advance_stage("honest_conversations")
    assert case.stage == "honest_conversations"


@pytest.mark.parametrize("current, target", [
    ("aftermath", "aftermath"),
    ("honest_conversations", "aftermath"),
    ("restoring", "honest_conversations"),
    ("moving_forward", "restoring"),
    ("moving_forward", "moving_forward"),
])
def test_a_stage_that_is_not_ahead_of_the_current_one_is_rejected(case, current, target):
    if current != case.stage:
        case.advance_stage(current, "Set up for the test.")
    with rejected(case, RuleBroken):
        case.advance_stage(target)


# ---------------------------------------------------------------------------------------------
# Every enumerated value is one of the vocabulary.

@pytest.mark.parametrize("field, overrides", [
    ("kind", {"kind": "marriage"}),
    ("kind", {"kind": None}),
    ("approach", {"approach": "tough_love"}),
    ("approach", {"approach": "THERAPY_GUIDED"}),
    ("breach.category", {"breach_category": "lying"}),
    ("title", {"title": "   "}),
    ("title", {"title": "x" * 201}),
    ("breach.summary", {"breach_summary": ""}),
])
def test_a_case_cannot_be_opened_with_a_value_outside_the_vocabulary(field, overrides):
    with pytest.raises(InvalidValue) as caught:
        open_case(**overrides)
    assert caught.value.field == field


@pytest.mark.parametrize("kind", v.CASE_KINDS)
@pytest.mark.parametrize("approach", v.APPROACHES)
def test_every_kind_and_approach_of_the_vocabulary_opens_a_case(kind, approach):
    case = open_case(kind, approach=approach)
    assert (case.kind, case.approach, case.stage, case.status) == (
        kind, approach, "aftermath", "open"
    )


@pytest.mark.parametrize("category", v.BREACH_CATEGORIES)
def test_every_breach_category_may_be_disclosed(case, category):
    case.disclose_breach(category, "Disclosed in session.")
    assert case.breaches[-1] == {"category": category}


def test_a_breach_outside_the_categories_is_rejected(case):
    with rejected(case, InvalidValue, "category"):
        case.disclose_breach("micro_cheating", "Hidden accounts.")


@pytest.mark.parametrize("kind, ritual", [
    (kind, ritual) for kind, rituals in v.RITUALS_BY_KIND.items() for ritual in rituals
])
def test_every_ritual_may_be_practiced_on_the_kinds_of_case_it_fits(kind, ritual):
    case = open_case(kind)
    case.practice_ritual(ritual)
    assert case.pending_events[-1].ritual == ritual


@pytest.mark.parametrize("kind, ritual", [
    ("couple", "family_dinner"), ("family", "transparency_hour"),
    ("friendship", "regret_circle"), ("workplace", "gratitude_note"),
])
def test_a_ritual_of_another_kind_of_case_is_rejected(kind, ritual):
    case = open_case(kind)
    with rejected(case, InvalidValue, "ritual"):
        case.practice_ritual(ritual)


@pytest.mark.parametrize("ritual", ["date_night", "", None, "Daily_Checkin"])
def test_a_ritual_outside_the_vocabulary_is_rejected(case, ritual):
    with rejected(case, InvalidValue, "ritual"):
        case.practice_ritual(ritual)


@pytest.mark.parametrize("code", v.RED_FLAGS)
def test_every_red_flag_of_the_vocabulary_may_be_raised(case, code):
    flag = case.raise_red_flag(code)
    assert case.red_flags[str(flag)] == {"code": code, "status": "open"}
    assert case.open_red_flags == [code]


@pytest.mark.parametrize("code", ["jealousy", "", None])
def test_a_red_flag_outside_the_vocabulary_is_rejected(case, code):
    with rejected(case, InvalidValue, "code"):
        case.raise_red_flag(code)


@pytest.mark.parametrize("stage", ["acceptance", "", None, 2])
def test_a_stage_outside_the_vocabulary_is_rejected(case, stage):
    with rejected(case, InvalidValue, "stage"):
        case.advance_stage(stage)


@pytest.mark.parametrize("outcome", v.OUTCOMES)
def test_a_case_closes_with_every_outcome_of_the_vocabulary(case, outcome):
    case.close(outcome)
    assert (case.status, case.outcome) == ("closed", outcome)


@pytest.mark.parametrize("outcome", ["divorced", "", None])
def test_a_case_cannot_close_with_an_outcome_outside_the_vocabulary(case, outcome):
    with rejected(case, InvalidValue, "outcome"):
        case.close(outcome)


def test_every_readiness_item_may_be_answered(case):
    case.assess_readiness({item: index % 2 == 0 for index, item in enumerate(v.READINESS_ITEMS)})
    assert set(case.pending_events[-1].answers) == set(v.READINESS_ITEMS)


def test_a_readiness_item_outside_the_checklist_is_rejected(case):
    with rejected(case, InvalidValue, "answers"):
        case.assess_readiness({"breach_accepted": True, "forgave_already": True})


@pytest.mark.parametrize("answers", [{}, None, ["breach_accepted"]])
def test_a_readiness_assessment_without_answers_is_rejected(case, answers):
    with rejected(case, InvalidValue, "answers"):
        case.assess_readiness(answers)


@pytest.mark.parametrize("answer", ["yes", 1, None])
def test_a_readiness_answer_that_is_not_yes_or_no_is_rejected(case, answer):
    with rejected(case, InvalidValue, "answers.motivation_clear"):
        case.assess_readiness({"breach_accepted": True, "motivation_clear": answer})


@pytest.mark.parametrize("visibility", v.JOURNAL_VISIBILITIES)
def test_a_journal_entry_may_be_private_or_shared(case, visibility):
    case.write_journal("I noticed I flinch when the phone buzzes.", visibility)
    assert visibility_of(case.pending_events[-1]) == visibility


def test_a_journal_entry_is_private_unless_said_otherwise(case):
    case.write_journal("Nobody needs to read this.")
    assert visibility_of(case.pending_events[-1]) == "private"


@pytest.mark.parametrize("visibility", ["staff", "public", "", None])
def test_a_journal_visibility_other_than_private_or_shared_is_rejected(case, visibility):
    with rejected(case, InvalidValue, "visibility"):
        case.write_journal("A thought.", visibility)


@pytest.mark.parametrize("approach", ["tough_love", None])
def test_changing_to_an_approach_outside_the_vocabulary_is_rejected(case, approach):
    with rejected(case, InvalidValue, "approach"):
        case.change_approach(approach)


def test_changing_to_the_approach_the_case_already_follows_is_rejected(case):
    with rejected(case, RuleBroken):
        case.change_approach("therapy_guided")


def test_changing_the_approach_records_where_it_came_from(case):
    case.change_approach("ai_assisted", "Between sessions.")
    assert case.approach == "ai_assisted"
    assert case.pending_events[-1].from_approach == "therapy_guided"


@pytest.mark.parametrize("step", ["team_building", "", None, "Accountability"])
def test_a_program_step_outside_the_eight_is_rejected(workplace, step):
    with rejected(workplace.case, InvalidValue, "step"):
        workplace.case.complete_program_step(step)


# ---------------------------------------------------------------------------------------------
# The workplace programme belongs to workplace cases, and each step is done once.

@pytest.mark.parametrize("kind", ["couple", "family", "friendship"])
def test_program_steps_are_rejected_on_a_case_that_is_not_a_workplace(kind):
    case = open_case(kind)
    with rejected(case, RuleBroken):
        case.complete_program_step("public_acknowledgment")


@pytest.mark.parametrize("kind", ["couple", "family", "friendship"])
def test_trust_pulses_are_rejected_on_a_case_that_is_not_a_workplace(kind):
    case = open_case(kind)
    with rejected(case, RuleBroken):
        case.record_trust_pulse([7, 8, 6, 7, 9])


def test_a_program_step_completed_twice_is_rejected_and_records_nothing(workplace):
    workplace.case.complete_program_step("accountability", "The CFO spoke first.",
                                         reason="The board asked for it first.")
    with rejected(workplace.case, RuleBroken):
        workplace.case.complete_program_step("accountability")


def test_a_program_step_before_an_earlier_one_needs_a_reason_the_event_keeps(workplace):
    with rejected(workplace.case, InvalidValue, "reason"):
        workplace.case.complete_program_step("external_audit")
    workplace.case.complete_program_step("external_audit", reason="The regulator came early.")
    assert workplace.case.pending_events[-1].reason == "The regulator came early."
    assert workplace.case.steps_skipped_by("renewal_ritual") == [
        "public_acknowledgment", "transparent_facts", "accountability", "open_forums",
        "ongoing_updates",
    ]


def test_all_eight_program_steps_can_be_completed_once_each(workplace):
    for step in v.PROGRAM_STEPS:
        workplace.case.complete_program_step(step)
    assert workplace.case.steps_done == list(v.PROGRAM_STEPS)


def test_a_trust_pulse_of_valid_scores_is_recorded_even_with_fewer_than_five(workplace):
    workplace.case.record_trust_pulse([0, 10])
    assert workplace.case.pending_events[-1].scores == [0, 10]


# ---------------------------------------------------------------------------------------------
# Boundaries and red flags.

BOUNDARY_CHANGES: dict[str, Callable[[Case, UUID], None]] = {
    "revise": lambda c, b: c.revise_boundary(b, "A new wording"),
    "retire": lambda c, b: c.retire_boundary(b),
    "cross": lambda c, b: c.record_boundary_crossed(b, "Happened at the party."),
}


@pytest.mark.parametrize("change", sorted(BOUNDARY_CHANGES))
def test_a_retired_boundary_can_no_longer_be_revised_retired_or_crossed(case, change):
    boundary = case.set_boundary("No phone at the dinner table")
    case.retire_boundary(boundary, "A habit now.")
    with rejected(case, RuleBroken):
        BOUNDARY_CHANGES[change](case, boundary)


@pytest.mark.parametrize("change", sorted(BOUNDARY_CHANGES))
def test_a_boundary_that_is_not_of_this_case_is_rejected(case, change):
    with rejected(case, InvalidValue, "boundary_id"):
        BOUNDARY_CHANGES[change](case, uuid4())


def test_an_active_boundary_may_be_revised_and_crossed_and_stays_active(case):
    boundary = case.set_boundary("No contact with the colleague")
    case.revise_boundary(boundary, "No contact, including online")
    case.record_boundary_crossed(boundary, "A message on LinkedIn.")
    assert case.boundaries == {str(boundary): "active"}
    case.retire_boundary(boundary)
    assert case.boundaries == {str(boundary): "retired"}


@pytest.mark.parametrize("text", ["", "   ", None, 42])
def test_a_boundary_without_words_is_rejected(case, text):
    with rejected(case, InvalidValue, "text"):
        case.set_boundary(text)


def test_a_resolved_red_flag_cannot_be_resolved_again(case):
    flag = case.raise_red_flag("gaslighting")
    case.resolve_red_flag(flag, "Named and stopped.")
    assert case.open_red_flags == []
    with rejected(case, RuleBroken):
        case.resolve_red_flag(flag)


def test_a_red_flag_that_is_not_of_this_case_cannot_be_resolved(case):
    with rejected(case, InvalidValue, "flag_id"):
        case.resolve_red_flag(uuid4())


def test_red_flags_are_staff_only_and_check_ins_are_shared(case):
    case.raise_red_flag("abuse_history")
    assert visibility_of(case.pending_events[-1]) == "staff"
    case.note_session("Safety plan discussed.")
    assert visibility_of(case.pending_events[-1]) == "staff"
    check_in(case)
    assert visibility_of(case.pending_events[-1]) == "shared"


# ---------------------------------------------------------------------------------------------
# Participants and practitioners.

def apology(case: Case, **changes: Any) -> None:
    fields = dict(from_id=LEO, to_ids=[ANA], text="I lied about where I was.", names_harm=True,
                  takes_responsibility=True, commits_to_change=True)
    fields.update(changes)
    case.offer_apology(**fields)


def test_an_apology_from_someone_who_is_not_a_participant_is_rejected(case):
    with rejected(case, InvalidValue, "from_id"):
        apology(case, from_id=STRANGER)


@pytest.mark.parametrize("to_ids", [[STRANGER], [ANA, STRANGER], ["ana"]])
def test_an_apology_to_someone_who_is_not_a_participant_is_rejected(case, to_ids):
    with rejected(case, InvalidValue, "to_ids"):
        apology(case, to_ids=to_ids)


def test_an_apology_to_nobody_is_rejected(case):
    with rejected(case, InvalidValue, "to_ids"):
        apology(case, to_ids=[])


def test_an_apology_to_oneself_is_rejected(case):
    with rejected(case, InvalidValue, "to_ids"):
        apology(case, to_ids=[ANA, LEO])


@pytest.mark.parametrize("not_a_list", [ANA, str(ANA), None])
def test_an_apology_whose_recipients_are_not_a_list_is_rejected(case, not_a_list):
    with rejected(case, InvalidValue, "to_ids"):
        apology(case, to_ids=not_a_list)


@pytest.mark.parametrize("field", ["names_harm", "takes_responsibility", "commits_to_change"])
def test_an_apology_whose_qualities_are_not_yes_or_no_is_rejected(case, field):
    with rejected(case, InvalidValue, field):
        apology(case, **{field: "yes"})


def test_an_apology_records_who_apologised_to_whom_and_how(case):
    apology(case, commits_to_change=False)
    offered = case.pending_events[-1]
    assert (offered.from_id, offered.to_ids) == (LEO, [ANA])
    assert (offered.names_harm, offered.takes_responsibility, offered.commits_to_change) == (
        True, True, False
    )


def test_a_check_in_for_someone_who_is_not_a_participant_is_rejected(case):
    with rejected(case, InvalidValue, "participant_id"):
        check_in(case, participant_id=STRANGER)


def test_a_removed_participant_can_no_longer_check_in_or_apologise(case):
    case.remove_participant(LEO)
    assert not case.has_participant(LEO)
    with rejected(case, InvalidValue, "participant_id"):
        check_in(case, participant_id=LEO)
    with rejected(case, InvalidValue, "from_id"):
        apology(case)


def test_a_check_in_not_tied_to_a_participant_may_be_recorded_by_staff(case):
    check_in(case, participant_id=None)
    assert case.pending_events[-1].participant_id is None
    assert case.check_ins == 1


def test_adding_someone_who_already_takes_part_is_rejected(case):
    with rejected(case, RuleBroken):
        case.add_participant(ANA, "partner")


def test_removing_someone_who_does_not_take_part_is_rejected(case):
    with rejected(case, InvalidValue, "account_id"):
        case.remove_participant(STRANGER)


@pytest.mark.parametrize("not_an_id", ["ana", None, 7])
def test_a_participant_who_is_not_an_account_id_is_rejected(case, not_an_id):
    with rejected(case, InvalidValue, "account_id"):
        case.add_participant(not_an_id, "sister")


@pytest.mark.parametrize("not_an_id", ["noor", None])
def test_a_practitioner_who_is_not_an_account_id_is_rejected(case, not_an_id):
    with rejected(case, InvalidValue, "account_id"):
        case.assign_practitioner(not_an_id)


def test_a_relation_longer_than_eighty_characters_is_rejected(case):
    with rejected(case, InvalidValue, "relation"):
        case.add_participant(MIA, "x" * 81)


def test_assigning_a_practitioner_twice_is_rejected(case):
    with rejected(case, RuleBroken):
        case.assign_practitioner(NOOR)


def test_unassigning_a_practitioner_who_is_not_assigned_is_rejected(case):
    with rejected(case, InvalidValue, "account_id"):
        case.unassign_practitioner(OMAR)


def test_practitioners_are_assigned_and_unassigned(case):
    case.assign_practitioner(OMAR)
    assert case.practitioners == [str(NOOR), str(OMAR)]
    case.unassign_practitioner(NOOR)
    assert (case.has_practitioner(NOOR), case.has_practitioner(OMAR)) == (False, True)


# ---------------------------------------------------------------------------------------------
# Check-in reminders, once per due date.

def test_a_reminder_before_a_check_in_is_due_is_rejected():
    case = open_case(days_ago=0)
    with rejected(case, RuleBroken):
        case.remind_check_in()


def test_an_overdue_check_in_is_reminded_once_per_due_date(case):
    due = case.next_check_in_due()
    assert due == case.opened_at + timedelta(days=7)
    case.remind_check_in()
    assert case.reminded_for == due.isoformat()
    with rejected(case, RuleBroken):
        case.remind_check_in()
    check_in(case)
    assert case.next_check_in_due() > utcnow()
    assert case.last_check_in_at is not None


def test_a_back_dated_check_in_does_not_move_the_latest_check_in_back(case):
    check_in(case, occurred_at=utcnow() - timedelta(days=1))
    latest = case.last_check_in_at
    check_in(case, occurred_at=utcnow() - timedelta(days=5))
    assert case.last_check_in_at == latest
    assert case.check_ins == 2


# ---------------------------------------------------------------------------------------------
# The state after a story, and the same state after replaying it from the store.

def a_whole_story() -> Case:
    case = open_case("family", days_ago=60, title="The Moreno family")
    case.add_participant(ANA, "mother", occurred_at=case.opened_at)
    case.add_participant(LEO, "son", occurred_at=case.opened_at)
    case.add_participant(MIA, "daughter")
    case.assign_practitioner(NOOR)
    case.assess_readiness({"breach_accepted": True, "external_support": False})
    apology(case)
    boundary = case.set_boundary("No reading each other's messages")
    case.revise_boundary(boundary, "No reading each other's messages or mail")
    case.make_agreement("Sunday dinners together")
    for days_ago, trust in ((50, 3), (40, 4), (30, 6)):
        check_in(case, trust=trust, occurred_at=utcnow() - timedelta(days=days_ago))
    case.record_setback(2, "Leo missed dinner without calling.")
    case.practice_ritual("family_dinner")
    flag = case.raise_red_flag("escalating_conflict")
    case.resolve_red_flag(flag, "Calmer since the agreement.")
    case.raise_red_flag("deleting_messages")
    case.advance_stage("honest_conversations")
    case.advance_stage("restoring")
    case.reach_milestone("A whole month without shouting")
    case.note_session("Mia spoke for the first time.")
    case.write_journal("It felt like a family again.", "shared")
    case.change_approach("self_guided")
    case.remove_participant(MIA)
    case.close("reconciled", "They no longer need us.")
    case.reopen("Leo asked to come back.")
    return case


def test_the_state_of_a_case_follows_its_story():
    case = a_whole_story()
    assert case.tenant == HARBOR_COUNSELING
    assert (case.kind, case.title, case.approach, case.stage) == (
        "family", "The Moreno family", "self_guided", "restoring"
    )
    assert (case.status, case.outcome) == ("open", None)
    assert case.participants == {str(ANA): "mother", str(LEO): "son"}
    assert case.practitioners == [str(NOOR)]
    assert case.breaches == [{"category": "infidelity"}]
    assert list(case.boundaries.values()) == ["active"]
    assert case.open_red_flags == ["deleting_messages"]
    assert case.check_ins == 3
    assert case.steps_done == []
    assert case.version == len(case.pending_events)


def test_a_case_replayed_from_the_store_equals_the_case_that_was_saved():
    store = in_memory_store()
    case = a_whole_story()
    store.save(case)
    assert store.get(case.id, Case) == case


def test_a_case_saved_in_several_steps_replays_equal_after_each_step(workplace):
    store = in_memory_store()
    case = workplace.case
    store.save(case)
    assert store.get(case.id, Case) == case
    case.complete_program_step("public_acknowledgment")
    case.record_trust_pulse([5, 6, 7, 8, 9])
    case.resolve_red_flag(workplace.flag)
    store.save(case)
    reloaded = store.get(case.id, Case)
    assert reloaded == case
    assert reloaded.steps_done == ["public_acknowledgment"]
    assert reloaded.open_red_flags == []


def test_a_case_longer_than_the_snapshot_interval_replays_equal():
    store = in_memory_store()
    case = open_case(days_ago=400)
    case.add_participant(ANA, "partner")
    store.save(case)
    for day in range(130):
        check_in(case, trust=day % 11, occurred_at=case.opened_at + timedelta(days=day))
        if day % 40 == 0:
            store.save(case)
    store.save(case)
    assert case.version > 100
    assert [s.originator_version for s in store.snapshots.get(case.id)] == [100]
    assert store.get(case.id, Case) == case


def test_a_rejected_command_leaves_nothing_to_save():
    store = in_memory_store()
    case = open_case()
    store.save(case)
    stored = store.recorder.max_notification_id()
    with rejected(case, InvalidValue, "trust"):
        case.record_check_in(participant_id=None, trust=12, emotional_safety=5,
                             communication_ease=5, conflicts=0)
    store.save(case)
    assert store.recorder.max_notification_id() == stored



def test_an_apology_naming_the_same_person_twice_is_rejected_and_records_nothing():
    case = open_case()
    case.add_participant(ANA)
    case.add_participant(LEO)
    with rejected(case, InvalidValue, "to_ids"):
        case.offer_apology(from_id=LEO, to_ids=[ANA, ANA], text="I am sorry.", names_harm=True,
                           takes_responsibility=True, commits_to_change=True)


def test_a_case_changes_hands_in_one_step_or_not_at_all(workplace):
    case = workplace.case
    version = case.version
    case.reassign_practitioner(NOOR, OMAR)
    assigned, unassigned = case.pending_events[-2:]
    assert (type(assigned).__name__, type(unassigned).__name__) == (
        "PractitionerAssigned", "PractitionerUnassigned")
    assert (assigned.account_id, unassigned.account_id) == (OMAR, NOOR)
    assert assigned.occurred_at == unassigned.occurred_at and case.version == version + 2
    assert case.has_practitioner(OMAR) and not case.has_practitioner(NOOR)
    for args, field in (((NOOR, OMAR), "from_practitioner_id"),  # Noor no longer on it
                        ((OMAR, OMAR), "to_practitioner_id"),
                        ((OMAR, "someone"), "to_practitioner_id")):
        with rejected(case, InvalidValue, field):
            case.reassign_practitioner(*args)

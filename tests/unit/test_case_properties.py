"""Random stories of valid and invalid commands against one Case, checked against a small model.

After every step: the version is the number of events recorded, a rejected command changed
nothing and was rejected for a reason the model also sees, the stage never moved back, a closed
case took nothing but a reopening, and program steps are unique and only on workplace cases.
At the end of every story the case is saved, reloaded, and must equal the one in memory.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any
from uuid import UUID, uuid4

from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from mend.domain import vocabulary as v
from mend.domain.case import Case
from mend.domain.errors import InvalidValue, MendError, RuleBroken
from mend.domain.store import MendStore

HARBOR_COUNSELING = uuid4()
ANA, LEO, MIA, STRANGER = uuid4(), uuid4(), uuid4(), uuid4()
PEOPLE = (ANA, LEO, MIA, STRANGER)
OPENED_DAYS_AGO = 30

Violation = tuple[type[MendError], str | None]  # (error, field of an InvalidValue)

# A moment: None (now), hours after the opening (valid), or one of the invalid kinds.
moments = st.one_of(
    st.none(),
    st.integers(0, (OPENED_DAYS_AGO - 1) * 24),
    st.sampled_from(["future", "before_opening", "naive", "not_a_time"]),
)
ratings = st.one_of(st.integers(-2, 12), st.booleans(), st.just(6.5))
counts = st.one_of(st.integers(-2, 6), st.booleans())
people = st.sampled_from(PEOPLE)
pick = st.integers(0, 4)  # an index into the known ids; past the end means an unknown id


def with_junk(values: tuple[str, ...], *junk: Any) -> st.SearchStrategy[Any]:
    return st.sampled_from(values + junk)


def state_of(case: Case) -> tuple[int, int, dict[str, Any]]:
    attributes = {k: copy.deepcopy(a) for k, a in vars(case).items() if k != "_pending_events"}
    return case.version, len(case.pending_events), attributes


class CaseStories(RuleBasedStateMachine):
    # ------------------------------------------------------------------ setup and the model
    # Workplace cases have the most rules, so they come up twice as often.
    @initialize(
        kind=st.sampled_from(("workplace",) + v.CASE_KINDS),
        approach=st.sampled_from(v.APPROACHES),
    )
    def open_a_case(self, kind: str, approach: str) -> None:
        self.store = MendStore(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
        self.case = Case.open(
            tenant=HARBOR_COUNSELING, kind=kind, title="A random story", approach=approach,
            breach_category="dishonesty", breach_summary="Something was hidden.",
            occurred_at=datetime.now(timezone.utc) - timedelta(days=OPENED_DAYS_AGO),
        )
        # The model: what the case should look like, kept without looking at the case.
        self.kind, self.approach = kind, approach
        self.status, self.stage = "open", v.STAGES[0]
        self.participants: set[UUID] = set()
        self.practitioners: set[UUID] = set()
        self.boundaries: dict[UUID, str] = {}
        self.flags: dict[UUID, str] = {}
        self.steps: list[str] = []
        self.events = 2  # CaseOpened and BreachDisclosed
        self.saved = 0
        self.lowest_stage_seen = 0

    def moment(self, which: Any) -> tuple[Any, list[Violation]]:
        """The occurred_at to pass, and its violation if it is not a valid one."""
        if which is None:
            return None, []
        if isinstance(which, int):
            return self.case.opened_at + timedelta(hours=which), []
        wrong = {
            "future": datetime.now(timezone.utc) + timedelta(hours=2),
            "before_opening": self.case.opened_at - timedelta(days=1),
            "naive": datetime.now() - timedelta(days=1),
            "not_a_time": "yesterday",
        }[which]
        return wrong, [(InvalidValue, "occurred_at")]

    def attempt(
        self, name: str, command: Callable[[], Any], violations: list[Violation],
        on_success: Callable[[Any], None] = lambda result: None,
    ) -> None:
        """Run a command; it must fail exactly when the model sees a violation."""
        if self.status == "closed" and name != "reopen":
            violations = [*violations, (RuleBroken, None)]
        before = state_of(self.case)
        try:
            result = command()
        except MendError as error:
            assert state_of(self.case) == before, f"{name} was rejected but changed the case"
            assert violations, f"{name} was rejected though the model saw no fault: {error!r}"
            seen = (type(error), getattr(error, "field", None))
            assert seen in violations, f"{name} raised {error!r}, the model expected {violations}"
            if self.status == "closed" and name != "reopen":
                assert isinstance(error, RuleBroken)
        else:
            assert not violations, f"{name} was accepted despite {violations}"
            assert self.case.version == before[0] + 1
            assert len(self.case.pending_events) == before[1] + 1
            self.events += 1
            on_success(result)

    @staticmethod
    def known(ids: dict[UUID, str], index: int) -> UUID:
        return list(ids)[index] if index < len(ids) else uuid4()

    # ------------------------------------------------------------------ people
    @rule(person=people, when=moments)
    def add_participant(self, person: UUID, when: Any) -> None:
        at, wrong = self.moment(when)
        if person in self.participants:
            wrong.append((RuleBroken, None))
        self.attempt(
            "add_participant", lambda: self.case.add_participant(person, "", occurred_at=at),
            wrong, lambda _: self.participants.add(person),
        )

    @rule(person=people, when=moments)
    def remove_participant(self, person: UUID, when: Any) -> None:
        at, wrong = self.moment(when)
        if person not in self.participants:
            wrong.append((InvalidValue, "account_id"))
        self.attempt(
            "remove_participant", lambda: self.case.remove_participant(person, occurred_at=at),
            wrong, lambda _: self.participants.discard(person),
        )

    @rule(person=people, assign=st.booleans())
    def assign_or_unassign_practitioner(self, person: UUID, assign: bool) -> None:
        if assign:
            wrong = [(RuleBroken, None)] if person in self.practitioners else []
            self.attempt(
                "assign_practitioner", lambda: self.case.assign_practitioner(person), wrong,
                lambda _: self.practitioners.add(person),
            )
        else:
            wrong = [] if person in self.practitioners else [(InvalidValue, "account_id")]
            self.attempt(
                "unassign_practitioner", lambda: self.case.unassign_practitioner(person), wrong,
                lambda _: self.practitioners.discard(person),
            )

    @rule(
        giver=people, receivers=st.lists(people, max_size=3), names_harm=st.sampled_from(
            [True, False, "yes"]
        ), when=moments,
    )
    def offer_apology(self, giver: UUID, receivers: list[UUID], names_harm: Any, when: Any):
        at, wrong = self.moment(when)
        if giver not in self.participants:
            wrong.append((InvalidValue, "from_id"))
        if (not receivers or giver in receivers or not set(receivers) <= self.participants
                or len(set(receivers)) != len(receivers)):
            wrong.append((InvalidValue, "to_ids"))
        if not isinstance(names_harm, bool):
            wrong.append((InvalidValue, "names_harm"))
        self.attempt("offer_apology", lambda: self.case.offer_apology(
            from_id=giver, to_ids=receivers, text="I am sorry.", names_harm=names_harm,
            takes_responsibility=True, commits_to_change=True, occurred_at=at,
        ), wrong)

    # ------------------------------------------------------------------ check-ins, setbacks
    @rule(
        person=st.one_of(st.none(), people), trust=ratings, safety=ratings, ease=ratings,
        conflicts=counts, when=moments,
    )
    def record_check_in(self, person, trust, safety, ease, conflicts, when) -> None:
        at, wrong = self.moment(when)
        if person is not None and person not in self.participants:
            wrong.append((InvalidValue, "participant_id"))
        for field, value in (("trust", trust), ("emotional_safety", safety),
                             ("communication_ease", ease)):
            if type(value) is not int or not 0 <= value <= 10:
                wrong.append((InvalidValue, field))
        if type(conflicts) is not int or conflicts < 0:
            wrong.append((InvalidValue, "conflicts"))
        self.attempt("record_check_in", lambda: self.case.record_check_in(
            participant_id=person, trust=trust, emotional_safety=safety,
            communication_ease=ease, conflicts=conflicts, occurred_at=at,
        ), wrong)

    @rule(severity=st.one_of(st.integers(-1, 5), st.booleans()), when=moments)
    def record_setback(self, severity: Any, when: Any) -> None:
        at, wrong = self.moment(when)
        if type(severity) is not int or not 1 <= severity <= 3:
            wrong.append((InvalidValue, "severity"))
        self.attempt(
            "record_setback",
            lambda: self.case.record_setback(severity, "A hard week.", occurred_at=at), wrong,
        )

    @rule(ritual=with_junk(v.RITUALS, "date_night"), when=moments)
    def practice_ritual(self, ritual: str, when: Any) -> None:
        """Any ritual, fitting the case's kind or not, or one that does not exist."""
        at, wrong = self.moment(when)
        if ritual not in v.RITUALS_BY_KIND[self.kind]:
            wrong.append((InvalidValue, "ritual"))
        self.attempt(
            "practice_ritual", lambda: self.case.practice_ritual(ritual, occurred_at=at), wrong
        )

    @rule(visibility=with_junk(v.JOURNAL_VISIBILITIES, "staff", "public"))
    def write_journal(self, visibility: str) -> None:
        wrong = [] if visibility in v.JOURNAL_VISIBILITIES else [(InvalidValue, "visibility")]
        self.attempt(
            "write_journal", lambda: self.case.write_journal("Today was calm.", visibility), wrong
        )

    # ------------------------------------------------------------------ boundaries, red flags
    @rule(text=st.sampled_from(["No phones at dinner", "", "   "]), when=moments)
    def set_boundary(self, text: str, when: Any) -> None:
        at, wrong = self.moment(when)
        if not text.strip():
            wrong.append((InvalidValue, "text"))
        self.attempt(
            "set_boundary", lambda: self.case.set_boundary(text, occurred_at=at), wrong,
            lambda boundary: self.boundaries.__setitem__(boundary, "active"),
        )

    @rule(change=st.sampled_from(["revise", "retire", "cross"]), index=pick, when=moments)
    def change_boundary(self, change: str, index: int, when: Any) -> None:
        at, wrong = self.moment(when)
        boundary = self.known(self.boundaries, index)
        if boundary not in self.boundaries:
            wrong.append((InvalidValue, "boundary_id"))
        elif self.boundaries[boundary] != "active":
            wrong.append((RuleBroken, None))
        command = {
            "revise": lambda: self.case.revise_boundary(boundary, "Reworded", occurred_at=at),
            "retire": lambda: self.case.retire_boundary(boundary, occurred_at=at),
            "cross": lambda: self.case.record_boundary_crossed(boundary, occurred_at=at),
        }[change]
        retired = change == "retire"
        self.attempt(
            f"{change}_boundary", command, wrong,
            lambda _: retired and self.boundaries.__setitem__(boundary, "retired"),
        )

    @rule(code=with_junk(v.RED_FLAGS, "jealousy"), when=moments)
    def raise_red_flag(self, code: str, when: Any) -> None:
        at, wrong = self.moment(when)
        if code not in v.RED_FLAGS:
            wrong.append((InvalidValue, "code"))
        self.attempt(
            "raise_red_flag", lambda: self.case.raise_red_flag(code, occurred_at=at), wrong,
            lambda flag: self.flags.__setitem__(flag, "open"),
        )

    @rule(index=pick, when=moments)
    def resolve_red_flag(self, index: int, when: Any) -> None:
        at, wrong = self.moment(when)
        flag = self.known(self.flags, index)
        if flag not in self.flags:
            wrong.append((InvalidValue, "flag_id"))
        elif self.flags[flag] != "open":
            wrong.append((RuleBroken, None))
        self.attempt(
            "resolve_red_flag", lambda: self.case.resolve_red_flag(flag, occurred_at=at), wrong,
            lambda _: self.flags.__setitem__(flag, "resolved"),
        )

    # ------------------------------------------------------------------ stages, programme
    @rule(stage=with_junk(v.STAGES, "acceptance"), reason=st.sampled_from(["", " ", "Ready"]),
          when=moments)
    def advance_stage(self, stage: str, reason: str, when: Any) -> None:
        at, wrong = self.moment(when)
        if stage not in v.STAGES:
            wrong.append((InvalidValue, "stage"))
        elif v.STAGES.index(stage) <= v.STAGES.index(self.stage):
            wrong.append((RuleBroken, None))
        elif v.STAGES.index(stage) - v.STAGES.index(self.stage) > 1 and not reason.strip():
            wrong.append((InvalidValue, "reason"))
        self.attempt(
            "advance_stage",
            lambda: self.case.advance_stage(stage, reason=reason, occurred_at=at), wrong,
            lambda _: setattr(self, "stage", stage),
        )

    @rule(step=st.one_of(with_junk(v.PROGRAM_STEPS, "team_building"), pick),
          reason=st.sampled_from(["", "The audit could not wait"]), when=moments)
    def complete_program_step(self, step: str | int, reason: str, when: Any) -> None:
        """A step of the eight, a wrong one, or (an index) one that is already done."""
        if isinstance(step, int):
            step = self.steps[step % len(self.steps)] if self.steps else v.PROGRAM_STEPS[step]
        at, wrong = self.moment(when)
        if self.kind != "workplace":
            wrong.append((RuleBroken, None))
        if step not in v.PROGRAM_STEPS:
            wrong.append((InvalidValue, "step"))
        elif step in self.steps:
            wrong.append((RuleBroken, None))
        elif not reason and any(
            earlier not in self.steps
            for earlier in v.PROGRAM_STEPS[: v.PROGRAM_STEPS.index(step)]
        ):
            wrong.append((InvalidValue, "reason"))
        self.attempt(
            "complete_program_step",
            lambda: self.case.complete_program_step(step, reason=reason, occurred_at=at), wrong,
            lambda _: self.steps.append(step),
        )

    @rule(scores=st.lists(st.integers(-1, 11), max_size=7))
    def record_trust_pulse(self, scores: list[int]) -> None:
        wrong: list[Violation] = []
        if self.kind != "workplace":
            wrong.append((RuleBroken, None))
        if not scores or any(not 0 <= s <= 10 for s in scores):
            wrong.append((InvalidValue, "scores"))
        self.attempt("record_trust_pulse", lambda: self.case.record_trust_pulse(scores), wrong)

    # ------------------------------------------------------------------ approach, closing
    @rule(approach=with_junk(v.APPROACHES, "tough_love"))
    def change_approach(self, approach: str) -> None:
        wrong: list[Violation] = []
        if approach not in v.APPROACHES:
            wrong.append((InvalidValue, "approach"))
        elif approach == self.approach:
            wrong.append((RuleBroken, None))
        self.attempt(
            "change_approach", lambda: self.case.change_approach(approach), wrong,
            lambda _: setattr(self, "approach", approach),
        )

    @rule(outcome=with_junk(v.OUTCOMES, "divorced"), when=moments)
    def close(self, outcome: str, when: Any) -> None:
        at, wrong = self.moment(when)
        if outcome not in v.OUTCOMES:
            wrong.append((InvalidValue, "outcome"))
        self.attempt(
            "close", lambda: self.case.close(outcome, occurred_at=at), wrong,
            lambda _: setattr(self, "status", "closed"),
        )

    @rule(when=moments)
    def reopen(self, when: Any) -> None:
        at, wrong = self.moment(when)
        if self.status != "closed":
            wrong.append((RuleBroken, None))
        self.attempt(
            "reopen", lambda: self.case.reopen(occurred_at=at), wrong,
            lambda _: setattr(self, "status", "open"),
        )

    # ------------------------------------------------------------------ the store
    @rule()
    def save_and_carry_on_with_the_reloaded_case(self) -> None:
        self.store.save(self.case)
        self.saved = self.events
        reloaded = self.store.get(self.case.id, Case)
        assert reloaded == self.case
        self.case = reloaded

    # ------------------------------------------------------------------ invariants
    @invariant()
    def the_version_is_the_number_of_events(self) -> None:
        assert self.case.version == self.events
        assert self.case.version == self.saved + len(self.case.pending_events)

    @invariant()
    def the_stage_never_moves_back(self) -> None:
        index = v.STAGES.index(self.case.stage)
        assert index >= self.lowest_stage_seen
        self.lowest_stage_seen = index

    @invariant()
    def program_steps_are_unique_and_only_on_workplace_cases(self) -> None:
        steps = self.case.steps_done
        assert len(steps) == len(set(steps))
        assert self.case.kind == "workplace" or steps == []

    @invariant()
    def the_case_agrees_with_the_model(self) -> None:
        case = self.case
        assert (case.kind, case.approach, case.status, case.stage) == (
            self.kind, self.approach, self.status, self.stage
        )
        assert case.outcome is None or case.status == "closed"
        assert set(case.participants) == {str(p) for p in self.participants}
        assert set(case.practitioners) == {str(p) for p in self.practitioners}
        assert case.boundaries == {str(b): s for b, s in self.boundaries.items()}
        assert {f: flag["status"] for f, flag in case.red_flags.items()} == {
            str(f): s for f, s in self.flags.items()
        }
        assert case.steps_done == self.steps

    def teardown(self) -> None:
        if not hasattr(self, "case"):
            return
        self.store.save(self.case)
        reloaded = self.store.get(self.case.id, Case)
        assert reloaded == self.case
        assert reloaded.version == self.events


CaseStories.TestCase.settings = settings(
    max_examples=150,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_random_stories_of_commands_keep_every_rule_of_the_case = CaseStories.TestCase

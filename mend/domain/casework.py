"""The application service for cases: every case command, run on behalf of an actor.

Each command loads the case, checks that the actor may see it and may take the action,
calls one method of the Case, and saves; a save that loses a race is re-run on fresh state.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from mend.domain import authorization as authz
from mend.domain.acting import acting
from mend.domain.authorization import Actor
from mend.domain.case import Case
from mend.domain.errors import InvalidValue
from mend.domain.store import MendStore, Saved
from mend.domain.tenancy import Tenant

STAFF, ANYONE_ON_CASE, OVERSEERS = "staff", "anyone", "overseers"


class Casework:
    def __init__(self, store: MendStore):
        self.store = store

    # ------------------------------------------------------------------ reading
    def get_case(self, actor: Actor, case_id: UUID) -> Case:
        """The case as the actor may see it; NotFound when it is not theirs to see."""
        case = self.store.get(case_id, Case)
        authz.require_visible(actor, case)
        return case

    def authorize_staff_action(self, actor: Actor, case_id: UUID, action: str) -> Case:
        """For work done outside a command (a queued job): may this actor do it to this case?"""
        case = self.get_case(actor, case_id)
        authz.require_staff(actor, action)
        return case

    def case_for_export(self, actor: Actor, case_id: UUID) -> Case:
        """The case, once the actor is known to be an owner who sees it: only owners take a
        case's whole record out of the platform."""
        case = self.get_case(actor, case_id)
        authz.require_owner(actor, "export case records")
        return case

    def record_export(self, actor: Actor, case_id: UUID, events: int) -> Saved:
        """Audit that an owner took a case's whole record out of the platform."""

        def command():
            case = self.case_for_export(actor, case_id)
            tenant = self.store.get(actor.tenant_id, Tenant)
            with acting(actor.account_id, actor.tenant_id):
                tenant.record_export(case.id, events)
            return [tenant], None

        return self.store.retrying(command)

    # ------------------------------------------------------------------ opening
    def open_case(
        self,
        actor: Actor,
        *,
        kind: str,
        title: str,
        approach: str,
        breach_category: str,
        breach_summary: str,
        cadence_days: int = 7,
        occurred_at: datetime | None = None,
    ) -> Saved:
        authz.require_staff(actor, "open cases")

        def command() -> tuple[list[Case], UUID]:
            with acting(actor.account_id, actor.tenant_id):
                case = Case.open(
                    tenant=actor.tenant_id,
                    kind=kind,
                    title=title,
                    approach=approach,
                    breach_category=breach_category,
                    breach_summary=breach_summary,
                    cadence_days=cadence_days,
                    occurred_at=occurred_at,
                )
                if actor.role == "practitioner":
                    case.assign_practitioner(actor.account_id, occurred_at=case.opened_at)
            return [case], case.id

        return self.store.retrying(command)

    # ------------------------------------------------------------------ the common path
    def _record(
        self, actor: Actor, case_id: UUID, who: str, action: str, act: Callable[[Case], Any],
        check: Callable[[], None] | None = None,
    ) -> Saved:
        """Load, authorize, then ``check`` the values, then act: a case the actor may not see
        is NotFound whatever else is wrong with the command."""

        def command() -> tuple[list[Case], Any]:
            case = self.get_case(actor, case_id)
            if who == STAFF:
                authz.require_staff(actor, action)
            elif who == OVERSEERS:
                authz.require_overseer(actor, action)
            if check is not None:
                check()
            with acting(actor.account_id, actor.tenant_id):
                result = act(case)
            return [case], result

        return self.store.retrying(command)

    def _require_member(self, actor: Actor, account_id: UUID, *, staff: bool) -> None:
        tenant = self.store.get(actor.tenant_id, Tenant)
        role = tenant.role_of(account_id) if isinstance(account_id, UUID) else None
        if role is None:
            raise InvalidValue("account_id", "is not a member of this tenant")
        if staff and role == "client":
            raise InvalidValue("account_id", "is a client, not a practitioner")

    # ------------------------------------------------------------------ people
    def add_participant(
        self, actor: Actor, case_id: UUID, account_id: UUID, relation: str = "", **when: Any
    ) -> Saved:
        return self._record(
            actor, case_id, STAFF, "add participants",
            lambda c: c.add_participant(account_id, relation, **when),
            check=lambda: self._require_member(actor, account_id, staff=False),
        )

    def remove_participant(self, actor: Actor, case_id: UUID, account_id: UUID, **when: Any) -> Saved:
        return self._record(
            actor, case_id, STAFF, "remove participants",
            lambda c: c.remove_participant(account_id, **when),
        )

    def assign_practitioner(
        self, actor: Actor, case_id: UUID, account_id: UUID, **when: Any
    ) -> Saved:
        return self._record(
            actor, case_id, OVERSEERS, "assign practitioners",
            lambda c: c.assign_practitioner(account_id, **when),
            check=lambda: self._require_member(actor, account_id, staff=True),
        )

    def unassign_practitioner(
        self, actor: Actor, case_id: UUID, account_id: UUID, **when: Any
    ) -> Saved:
        return self._record(
            actor, case_id, OVERSEERS, "unassign practitioners",
            lambda c: c.unassign_practitioner(account_id, **when),
        )

    # ------------------------------------------------------------------ what clients may record too
    def record_check_in(
        self, actor: Actor, case_id: UUID, *, participant_id: UUID | None = None, **fields: Any
    ) -> Saved:
        return self._record(
            actor, case_id, ANYONE_ON_CASE, "record check-ins",
            lambda c: c.record_check_in(
                participant_id=authz.checking_in_for(actor, participant_id), **fields
            ),
        )

    def write_journal(self, actor: Actor, case_id: UUID, **fields: Any) -> Saved:
        return self._record(
            actor, case_id, ANYONE_ON_CASE, "write journal entries",
            lambda c: c.write_journal(**fields),
        )

    # ------------------------------------------------------------------ staff records
    def _staff(self, actor: Actor, case_id: UUID, action: str, method: str, fields: dict) -> Saved:
        return self._record(
            actor, case_id, STAFF, action, lambda c: getattr(c, method)(**fields)
        )

    def disclose_breach(self, actor: Actor, case_id: UUID, **fields: Any) -> Saved:
        return self._staff(actor, case_id, "record breaches", "disclose_breach", fields)

    def assess_readiness(self, actor: Actor, case_id: UUID, **fields: Any) -> Saved:
        return self._staff(actor, case_id, "assess readiness", "assess_readiness", fields)

    def offer_apology(self, actor: Actor, case_id: UUID, **fields: Any) -> Saved:
        return self._staff(actor, case_id, "record apologies", "offer_apology", fields)

    def set_boundary(self, actor: Actor, case_id: UUID, **fields: Any) -> Saved:
        return self._staff(actor, case_id, "set boundaries", "set_boundary", fields)

    def revise_boundary(self, actor: Actor, case_id: UUID, **fields: Any) -> Saved:
        return self._staff(actor, case_id, "revise boundaries", "revise_boundary", fields)

    def retire_boundary(self, actor: Actor, case_id: UUID, **fields: Any) -> Saved:
        return self._staff(actor, case_id, "retire boundaries", "retire_boundary", fields)

    def record_boundary_crossed(self, actor: Actor, case_id: UUID, **fields: Any) -> Saved:
        return self._staff(
            actor, case_id, "record crossed boundaries", "record_boundary_crossed", fields
        )

    def make_agreement(self, actor: Actor, case_id: UUID, **fields: Any) -> Saved:
        return self._staff(actor, case_id, "record agreements", "make_agreement", fields)

    def record_setback(self, actor: Actor, case_id: UUID, **fields: Any) -> Saved:
        return self._staff(actor, case_id, "record setbacks", "record_setback", fields)

    def practice_ritual(self, actor: Actor, case_id: UUID, **fields: Any) -> Saved:
        return self._staff(actor, case_id, "record rituals", "practice_ritual", fields)

    def raise_red_flag(self, actor: Actor, case_id: UUID, **fields: Any) -> Saved:
        return self._staff(actor, case_id, "raise red flags", "raise_red_flag", fields)

    def resolve_red_flag(self, actor: Actor, case_id: UUID, **fields: Any) -> Saved:
        return self._staff(actor, case_id, "resolve red flags", "resolve_red_flag", fields)

    def advance_stage(self, actor: Actor, case_id: UUID, **fields: Any) -> Saved:
        return self._staff(actor, case_id, "advance stages", "advance_stage", fields)

    def reach_milestone(self, actor: Actor, case_id: UUID, **fields: Any) -> Saved:
        return self._staff(actor, case_id, "record milestones", "reach_milestone", fields)

    def note_session(self, actor: Actor, case_id: UUID, **fields: Any) -> Saved:
        return self._staff(actor, case_id, "write staff notes", "note_session", fields)

    def complete_program_step(self, actor: Actor, case_id: UUID, **fields: Any) -> Saved:
        return self._staff(
            actor, case_id, "complete program steps", "complete_program_step", fields
        )

    def record_trust_pulse(self, actor: Actor, case_id: UUID, **fields: Any) -> Saved:
        return self._staff(actor, case_id, "record trust pulses", "record_trust_pulse", fields)

    def change_approach(self, actor: Actor, case_id: UUID, **fields: Any) -> Saved:
        return self._staff(actor, case_id, "change the approach", "change_approach", fields)

    def close_case(self, actor: Actor, case_id: UUID, **fields: Any) -> Saved:
        return self._staff(actor, case_id, "close cases", "close", fields)

    def reopen_case(self, actor: Actor, case_id: UUID, **fields: Any) -> Saved:
        return self._staff(actor, case_id, "reopen cases", "reopen", fields)

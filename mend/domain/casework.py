"""The application service for cases: every case command, run on behalf of an actor.

Opening a case has its own signature; every other command is a value from
``mend.domain.commands`` run by ``record``: load the case, check that the actor may see it and
may take the action, apply, save. A save that loses a race is re-run on fresh state.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any
from uuid import UUID

from mend.domain import authorization as authz, checks
from mend.domain.acting import acting
from mend.domain.authorization import Actor
from mend.domain.ballots import BallotBox
from mend.domain.case import Case, visibility_of
from mend.domain.commands import OVERSEERS, CaseCommand, EntryCommand, KeepAgreement
from mend.domain.errors import InvalidValue
from mend.domain.store import MendStore, Saved, event_id, replay
from mend.domain.tenancy import Tenant


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

    def record_report(self, actor: Actor, kind: str, run_id: UUID, case_id: UUID | None,
                      *, downloaded: bool = False) -> Saved:
        """Audit that a report was made for this person, or that they took its file away:
        staff only (reports are staff's), and a case report only by someone who still sees
        the case."""

        def command():
            if case_id is not None:
                self.get_case(actor, case_id)
            authz.require_staff(actor, "make reports")
            tenant = self.store.get(actor.tenant_id, Tenant)
            note = tenant.record_report_download if downloaded else tenant.record_report
            with acting(actor.account_id, actor.tenant_id):
                note(kind, run_id, case_id)
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

    # ------------------------------------------------------------------ recording on a case
    def record(self, actor: Actor, case_id: UUID, command: CaseCommand) -> Saved:
        """Run one case command: load, authorize, check the named member, then apply.

        A case the actor may not see is NotFound whatever else is wrong with the command; the
        saved result is what the command created (a boundary's id), if anything.
        """
        member = command.member()

        def run() -> tuple[list[Case], Any]:
            case = self.get_case(actor, case_id)
            if not command.allowed(actor):
                if command.who == OVERSEERS:
                    authz.require_overseer(actor, command.action)
                authz.require_staff(actor, command.action)
            if member is not None:
                self._require_member(actor, member.account_id, staff=member.staff,
                                     field=member.field)
            if isinstance(command, KeepAgreement) and not case.knows_its_agreements:
                case = self._replayed(case)
            ready = command
            if isinstance(command, EntryCommand):
                ready = replace(command,
                                entry_visibility=self._entry_visibility(case, command.entry_id))
            with acting(actor.account_id, actor.tenant_id):
                result = ready.apply(case, actor)
                made = ready.made_with(case, result)
            return [*made, case], result

        return self.store.retrying(run)

    def _replayed(self, case: Case) -> Case:
        """The case from its first event, past its snapshots: one taken before the case
        tracked its agreements cannot tell the agreements made before it."""
        replayed = replay(None, self.store.events.get(case.id, lte=case.version))
        assert isinstance(replayed, Case) and replayed.version == case.version
        return replayed

    def answer_pulse(self, actor: Actor, case_id: UUID, pulse_id: UUID, score: int) -> Saved:
        """One person's answer to a pulse: the case marks that they answered, the pulse's
        ballot box takes the score with nobody acting, both in one transaction."""

        def run() -> tuple[list[Any], None]:
            case = self.get_case(actor, case_id)
            now = checks.utcnow()
            with acting(actor.account_id, actor.tenant_id):
                case.answer_pulse(pulse_id, actor.account_id, now)
            box = self.store.get(BallotBox.id_for(pulse_id), BallotBox)
            with acting(None, actor.tenant_id):
                box.cast_ballot(score)
            # The case last: a command's answer is about its last event, the "answered" mark.
            return [box, case], None

        return self.store.retrying(run)

    def _entry_visibility(self, case: Case, entry_id: UUID) -> str | None:
        """Who may read the case's entry with this public id, as its stored event says;
        None when the case has no such entry. Newest first: the entries staff hold back are
        mostly recent ones."""
        if not isinstance(entry_id, UUID):
            return None
        for version in range(case.version, 0, -1):
            if event_id(case.id, version) == entry_id:
                stored = self.store.events.get(case.id, gt=version - 1, lte=version)
                return next((visibility_of(e) for e in stored), None)
        return None

    def _require_member(self, actor: Actor, account_id: UUID, *, staff: bool,
                        field: str = "account_id") -> None:
        tenant = self.store.get(actor.tenant_id, Tenant)
        role = tenant.role_of(account_id) if isinstance(account_id, UUID) else None
        if role is None:
            raise InvalidValue(field, "is not a member of this tenant")
        if staff and role == "client":
            raise InvalidValue(field, "is a client, not a practitioner")

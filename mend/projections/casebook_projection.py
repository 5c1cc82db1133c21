"""Turns domain events into changes of the casebook view: timeline rows, the case directory."""

from __future__ import annotations

import json
from functools import singledispatchmethod
from typing import Any

from mend.domain.ballots import BallotBox
from mend.domain.case import Case, visibility_of
from mend.domain.erased import ERASED
from mend.domain.store import event_id
from mend.domain.tenancy import Account, Index, Tenant
from mend.projections.casebook import Change
from mend.projections.event_records import event_data, snake_case  # noqa: F401
from mend.projections.queries import to_us
from mend.projections.summaries import summarise


class CasebookProjection:
    """Maps events to the view changes they cause; events it does not know cause none."""

    def changes_for_batch(self, batch: list[tuple[Any, int]]) -> list[Change]:
        """The changes of a batch of (event, position), with each case touched once at the end."""
        changes: list[Change] = []
        touched: dict[str, dict[str, Any]] = {}
        for domain_event, position in batch:
            changes += self.process(domain_event, position)
            if isinstance(domain_event, Case.Event):
                case_id = str(domain_event.originator_id)
                occurred_us = to_us(domain_event.occurred_at)
                latest = touched.setdefault(case_id, {"case_id": case_id, "occurred_us": 0})
                latest.update(position=position,
                              occurred_us=max(latest["occurred_us"], occurred_us))
        changes += [("case_touched", params) for params in touched.values()]
        return changes

    def changes_for(self, domain_event: Any, position: int) -> list[Change]:
        return self.changes_for_batch([(domain_event, position)])

    @singledispatchmethod
    def process(self, domain_event: Any, position: int) -> list[Change]:
        return self._activity(domain_event, position, case_id=None)

    @process.register
    def _(self, e: Case.Event, position: int) -> list[Change]:
        # The timeline row and the activity entry share most values: each is worked out once.
        case_id = str(e.originator_id)
        tenant_id = e.tenant_id
        occurred_us = to_us(e.occurred_at)
        recorded_us = to_us(e.timestamp)
        actor_id = str(e.actor_id) if e.actor_id else None
        type_name = snake_case(type(e).__name__)
        summary = summarise(e)
        changes: list[Change] = [("timeline", {
            "event_id": str(event_id(e.originator_id, e.originator_version)),
            "tenant_id": str(tenant_id),
            "case_id": case_id,
            "position": position,
            "type": type_name,
            "occurred_us": occurred_us,
            "recorded_us": recorded_us,
            "actor_id": actor_id,
            "visibility": visibility_of(e),
            "summary": summary,
            "data": json.dumps(event_data(e), sort_keys=True),
        })]
        changes += self._directory_changes(e, case_id, occurred_us)
        if tenant_id is not None:  # as _activity decides (a case event is no Index event)
            changes.append(("activity", {
                "tenant_id": str(tenant_id), "position": position, "recorded_us": recorded_us,
                "occurred_us": occurred_us, "actor_id": actor_id, "type": type_name,
                "case_id": case_id, "summary": summary,
            }))
        return changes

    def _activity(self, e: Any, position: int, case_id: str | None,
                  tenant_id: Any = None) -> list[Change]:
        """Everything done within a tenant goes to its activity feed (sign-ups included)."""
        tenant_id = tenant_id or getattr(e, "tenant_id", None)
        if tenant_id is None or isinstance(e, Index.Event):
            return []
        occurred_at = getattr(e, "occurred_at", None)
        return [("activity", {
            "tenant_id": str(tenant_id), "position": position, "recorded_us": to_us(e.timestamp),
            "occurred_us": to_us(occurred_at) if occurred_at else None,
            "actor_id": str(e.actor_id) if e.actor_id else None,
            "type": snake_case(type(e).__name__), "case_id": case_id, "summary": summarise(e),
        })]

    # ------------------------------------------------------------------ the case directory
    @singledispatchmethod
    def _directory_changes(self, e: Any, case_id: str, occurred_us: int) -> list[Change]:
        return []  # most events change only the timeline and the case's figures

    @_directory_changes.register
    def _(self, e: Case.CaseOpened, case_id: str, occurred_us: int) -> list[Change]:
        return [("case_opened", {
            "case_id": case_id, "tenant_id": str(e.tenant), "title": e.title,
            "kind": e.kind, "approach": e.approach, "stage": "aftermath",
            "occurred_us": occurred_us,
        })]

    @_directory_changes.register
    def _(self, e: Case.ParticipantAdded, case_id: str, occurred_us: int) -> list[Change]:
        return [("person_added", {"case_id": case_id, "account_id": str(e.account_id),
                                  "part": "participant", "relation": e.relation})]

    @_directory_changes.register
    def _(self, e: Case.PractitionerAssigned, case_id: str, occurred_us: int) -> list[Change]:
        return [("person_added", {"case_id": case_id, "account_id": str(e.account_id),
                                  "part": "practitioner", "relation": ""})]

    @_directory_changes.register
    def _(self, e: Case.ParticipantRemoved, case_id: str, occurred_us: int) -> list[Change]:
        return [("person_removed", {"case_id": case_id, "account_id": str(e.account_id),
                                    "part": "participant"})]

    @_directory_changes.register
    def _(self, e: Case.PractitionerUnassigned, case_id: str, occurred_us: int) -> list[Change]:
        return [("person_removed", {"case_id": case_id, "account_id": str(e.account_id),
                                    "part": "practitioner"})]

    @_directory_changes.register
    def _(self, e: Case.StageAdvanced, case_id: str, occurred_us: int) -> list[Change]:
        return [("case_stage", {"case_id": case_id, "stage": e.stage})]

    @_directory_changes.register
    def _(self, e: Case.ApproachChanged, case_id: str, occurred_us: int) -> list[Change]:
        return [("case_approach", {"case_id": case_id, "approach": e.approach})]

    @_directory_changes.register
    def _(self, e: Case.CaseClosed, case_id: str, occurred_us: int) -> list[Change]:
        return [("case_status", {"case_id": case_id, "status": "closed", "outcome": e.outcome})]

    @_directory_changes.register
    def _(self, e: Case.CaseReopened, case_id: str, occurred_us: int) -> list[Change]:
        return [("case_status", {"case_id": case_id, "status": "open", "outcome": None})]

    @_directory_changes.register
    def _(self, e: Case.CaseErased, case_id: str, occurred_us: int) -> list[Change]:
        # Off every caseload, every count of open cases and every outcome figure.
        return [("case_status", {"case_id": case_id, "status": "erased", "outcome": None})]

    @process.register
    def _(self, e: Account.AccountErased, position: int) -> list[Change]:
        renamed = ("account_renamed", {"account_id": str(e.originator_id), "name": ERASED})
        return [renamed, *self._activity(e, position, case_id=None)]

    @_directory_changes.register
    def _(self, e: Case.EntryHeldBack, case_id: str, occurred_us: int) -> list[Change]:
        return [("entry_held", {"event_id": str(e.entry_id), "case_id": case_id,
                                "until_us": to_us(e.until) if e.until else None})]

    @_directory_changes.register
    def _(self, e: Case.EntryReleased, case_id: str, occurred_us: int) -> list[Change]:
        return [("entry_released", {"event_id": str(e.entry_id)})]

    # ------------------------------------------------------------------ pulses' ballots
    @process.register
    def _(self, e: BallotBox.Event, position: int) -> list[Change]:
        # No activity row: the feed's order would sit each score beside its "answered" mark.
        if isinstance(e, BallotBox.BallotCast):
            return [("ballot_cast", {"tenant_id": str(e.tenant_id),
                                     "box_id": str(e.originator_id), "score": e.score})]
        return []

    # ------------------------------------------------------------------ accounts and tenants
    @process.register
    def _(self, e: Account.AccountRegistered, position: int) -> list[Change]:
        named = ("account_named", {"account_id": str(e.originator_id), "name": e.name})
        return [named, *self._activity(e, position, case_id=None)]

    @process.register
    def _(self, e: Account.SignInFailed, position: int) -> list[Change]:
        # Nobody acted within a tenant: the owners of each of the account's tenants are told.
        return [change for tenant_id in e.tenant_ids
                for change in self._activity(e, position, case_id=None, tenant_id=tenant_id)]

    @process.register
    def _(self, e: Tenant.CaseExported, position: int) -> list[Change]:
        return self._activity(e, position, case_id=str(e.case_id))

    @process.register(Tenant.ReportMade)
    @process.register(Tenant.ReportDownloaded)
    def _(self, e: Any, position: int) -> list[Change]:
        return self._activity(e, position, case_id=str(e.case_id) if e.case_id else None)

    @process.register
    def _(self, e: Account.AccountRenamed, position: int) -> list[Change]:
        renamed = ("account_renamed", {"account_id": str(e.originator_id), "name": e.name})
        return [renamed, *self._activity(e, position, case_id=None)]

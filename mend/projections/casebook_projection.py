"""Turns domain events into changes of the casebook view: timeline rows, the case directory."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, fields, is_dataclass
from datetime import datetime
from functools import cache, singledispatchmethod
from typing import Any
from uuid import UUID

from mend.domain.case import Case, pulse_is_published, visibility_of
from mend.domain.store import event_id
from mend.domain.tenancy import Account, Index, Tenant
from mend.projections.casebook import Change
from mend.projections.queries import to_us
from mend.projections.summaries import summarise

#: Fields every event has; the timeline's ``data`` carries only what the event itself says.
_ENVELOPE = {"originator_id", "originator_version", "timestamp", "originator_topic",
             "actor_id", "tenant_id", "occurred_at"}


@cache
def snake_case(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float)):
        return value
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if is_dataclass(value) and not isinstance(value, type):
        return _plain(asdict(value))
    return value


@cache
def _data_fields(event_class: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(event_class) if f.name not in _ENVELOPE)


def event_data(domain_event: Any) -> dict[str, Any]:
    if is_dataclass(domain_event):
        # The fields as asdict() would give them, without its deep copy of every value.
        data = {k: _plain(getattr(domain_event, k)) for k in _data_fields(type(domain_event))}
    else:
        data = {k: _plain(v) for k, v in vars(domain_event).items() if k not in _ENVELOPE}
    if isinstance(domain_event, Case.TrustPulseRecorded):
        # Anonymous pulses publish their scores only once enough people answered.
        published = pulse_is_published(len(data["scores"]))
        data = {"responses": len(data["scores"]), "published": published,
                "scores": data["scores"] if published else None}
    return data


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

    def _directory_changes(self, e: Any, case_id: str, occurred_us: int) -> list[Change]:
        name = type(e).__name__
        if name == "CaseOpened":
            return [("case_opened", {
                "case_id": case_id, "tenant_id": str(e.tenant), "title": e.title,
                "kind": e.kind, "approach": e.approach, "stage": "aftermath",
                "occurred_us": occurred_us,
            })]
        if name in ("ParticipantAdded", "PractitionerAssigned"):
            part = "participant" if name == "ParticipantAdded" else "practitioner"
            return [("person_added", {"case_id": case_id, "account_id": str(e.account_id),
                                      "part": part, "relation": getattr(e, "relation", "")})]
        if name in ("ParticipantRemoved", "PractitionerUnassigned"):
            part = "participant" if name == "ParticipantRemoved" else "practitioner"
            return [("person_removed", {"case_id": case_id, "account_id": str(e.account_id),
                                        "part": part})]
        if name == "StageAdvanced":
            return [("case_stage", {"case_id": case_id, "stage": e.stage})]
        if name == "ApproachChanged":
            return [("case_approach", {"case_id": case_id, "approach": e.approach})]
        if name == "CaseClosed":
            return [("case_status", {"case_id": case_id, "status": "closed",
                                     "outcome": e.outcome})]
        if name == "CaseReopened":
            return [("case_status", {"case_id": case_id, "status": "open", "outcome": None})]
        return []

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

    @process.register
    def _(self, e: Account.AccountRenamed, position: int) -> list[Change]:
        renamed = ("account_renamed", {"account_id": str(e.originator_id), "name": e.name})
        return [renamed, *self._activity(e, position, case_id=None)]

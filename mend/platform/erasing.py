"""Erasing from the pages and the API alike: the erasure, then its clearing-up job.

The case ids of a person come from the views (every case of this practice they are on);
what a case page shows of its records (a legal hold, an erasure) comes from the case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from uuid import UUID

from mend.domain import vocabulary as v
from mend.domain.authorization import Actor
from mend.domain.erasure import Erasure, Shredded
from mend.domain.erasure_requests import ErasureRequests
from mend.platform.auth import mend
from mend.workers.erasure_aftermath import after_erasure


def erasure() -> Erasure:
    return Erasure(mend().store)


def requests() -> ErasureRequests:
    return ErasureRequests(mend().store)


def erase_case(actor: Actor, case_id: UUID, reason: str) -> Shredded:
    shredded = erasure().erase_case(actor, case_id, reason)
    after_erasure(mend(), shredded)
    return shredded


def erase_person(actor: Actor, account_id: UUID, reason: str) -> Shredded:
    case_ids = mend().reader.cases_of_person(actor, account_id)
    shredded = erasure().erase_person(actor, account_id, reason, case_ids)
    after_erasure(mend(), shredded)
    return shredded


def approve_request(actor: Actor, account_id: UUID) -> Shredded | None:
    """Erase the person who asked (as they asked: ``client_request``), closing the request."""
    case_ids = mend().reader.cases_of_person(actor, account_id)
    shredded = requests().approve(actor, account_id, "client_request", case_ids)
    if shredded is not None:
        after_erasure(mend(), shredded)
    return shredded


@dataclass(frozen=True)
class Records:
    """A case's records as an owner sees them: held until when and why, or erased."""

    held_until: datetime | None
    hold_reason: str
    erased_at: datetime | None
    erased_reason: str


def records_of(actor: Actor, case_id: UUID) -> Records:
    case = mend().casework.get_case(actor, case_id)
    hold = getattr(case, "legal_hold", None) or {}
    erased_at, erased_reason = None, ""
    if case.erased is not None:
        erased_at, code = case.erased
        erased_reason = v.ERASURE_REASONS.get(code, code)
    return Records(case.held_until(datetime.now(timezone.utc)),
                   v.HOLD_REASONS.get(hold.get("reason", ""), ""), erased_at, erased_reason)

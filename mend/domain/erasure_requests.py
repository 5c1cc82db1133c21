"""A client's request to have their data erased, and the owner's answer to it.

The client asks; an owner declines it with a reason from a closed list, or approves it, which
erases the person's data (``Erasure.erase_person``) and then closes the request. Approving a
request whose person was erased already (the process stopped between the two) only closes
it, so approving again always finishes the job.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from mend.domain import authorization as authz, checks
from mend.domain.acting import acting
from mend.domain.authorization import Actor
from mend.domain.erasure import Erasure, Shredded
from mend.domain.errors import Forbidden
from mend.domain.store import MendStore, Saved
from mend.domain.tenancy import Account, Tenant


@dataclass(frozen=True)
class ErasureRequest:
    """A person's latest request: "open" or "declined" (with the reason's code)."""

    account_id: UUID
    state: str
    requested_at: datetime
    reason: str | None = None


def _request(account_id: str, raw: dict[str, str]) -> ErasureRequest:
    return ErasureRequest(UUID(account_id), raw["state"],
                          datetime.fromisoformat(raw["requested_at"]), raw.get("reason"))


class ErasureRequests:
    def __init__(self, store: MendStore):
        self.store = store

    def ask(self, actor: Actor) -> Saved:
        """A client asks for their own data to be erased."""
        if actor.role != "client":
            raise Forbidden("Only clients ask here; staff are erased by an owner directly.")

        def command():
            tenant = self.store.get(actor.tenant_id, Tenant)
            with acting(actor.account_id, actor.tenant_id):
                tenant.request_erasure(actor.account_id, checks.utcnow())
            return [tenant], None

        return self.store.retrying(command)

    def mine(self, actor: Actor) -> ErasureRequest | None:
        raw = self.store.get(actor.tenant_id, Tenant).erasure_request_of(actor.account_id)
        return _request(str(actor.account_id), raw) if raw else None

    def open_requests(self, actor: Actor) -> list[ErasureRequest]:
        authz.require_owner(actor, "read requests to erase data")
        tenant = self.store.get(actor.tenant_id, Tenant)
        found = [_request(a, r) for a, r in tenant.open_erasure_requests().items()]
        return sorted(found, key=lambda r: r.requested_at)

    def decline(self, actor: Actor, account_id: UUID, reason: str) -> Saved:
        def command():
            authz.require_owner(actor, "answer requests to erase data")
            tenant = self.store.get(actor.tenant_id, Tenant)
            with acting(actor.account_id, actor.tenant_id):
                tenant.decline_erasure_request(account_id, reason)
            return [tenant], None

        return self.store.retrying(command)

    def approve(self, actor: Actor, account_id: UUID, reason: str,
                case_ids: list[UUID]) -> Shredded | None:
        """Erase the person's data (in ``case_ids``: every case of this practice they are
        on), then close their request. None when they were erased already."""
        authz.require_owner(actor, "answer requests to erase data")
        self.store.get(actor.tenant_id, Tenant).require_open_erasure_request(account_id)
        shredded = None
        if not self.store.get(account_id, Account).is_erased:
            shredded = Erasure(self.store).erase_person(actor, account_id, reason, case_ids)

        def command():
            tenant = self.store.get(actor.tenant_id, Tenant)
            with acting(actor.account_id, actor.tenant_id):
                tenant.approve_erasure_request(account_id)
            return [tenant], None

        self.store.retrying(command)
        return shredded

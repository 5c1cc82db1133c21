"""Who may do what: the role rules of a tenant, applied to an actor and a case."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from mend.domain.case import Case
from mend.domain.errors import Forbidden, NotFound


@dataclass(frozen=True)
class Actor:
    """An account acting within one tenant under one role."""

    account_id: UUID
    tenant_id: UUID
    role: str

    @property
    def is_staff(self) -> bool:
        return self.role in ("owner", "supervisor", "practitioner")

    @property
    def oversees_tenant(self) -> bool:
        return self.role in ("owner", "supervisor")


def can_see_case(actor: Actor, case: Case) -> bool:
    if case.tenant != actor.tenant_id:
        return False
    if actor.oversees_tenant:
        return True
    if actor.role == "practitioner":
        return case.has_practitioner(actor.account_id)
    return actor.role == "client" and case.has_participant(actor.account_id)


def require_visible(actor: Actor, case: Case) -> None:
    """Another tenant's case, or one the actor is not on, does not exist for them."""
    if not can_see_case(actor, case):
        raise NotFound(f"No case {case.id}.")


def require_staff(actor: Actor, action: str) -> None:
    if not actor.is_staff:
        raise Forbidden(f"Only practitioners, supervisors and owners may {action}.")


def require_overseer(actor: Actor, action: str) -> None:
    if not actor.oversees_tenant:
        raise Forbidden(f"Only supervisors and owners may {action}.")


def require_owner(actor: Actor, action: str) -> None:
    if actor.role != "owner":
        raise Forbidden(f"Only owners may {action}.")


def may_invite(actor: Actor, role: str) -> bool:
    """Owners invite anyone; the rest of the staff invite clients; clients invite no one."""
    return actor.role == "owner" or (actor.is_staff and role == "client")


def require_inviter(actor: Actor, role: str) -> None:
    if may_invite(actor, role):
        return
    if actor.is_staff:
        raise Forbidden("Only owners invite staff.")
    raise Forbidden("Only staff may invite people.")


def checking_in_for(actor: Actor, participant_id: UUID | None) -> UUID | None:
    """Whose check-in this is: a client records only their own; staff record anyone's."""
    if actor.role == "client":
        if participant_id not in (None, actor.account_id):
            raise Forbidden("A client records only their own check-ins.")
        return actor.account_id
    return participant_id


def may_read_event(actor: Actor, visibility: str, author_id: UUID | None) -> bool:
    """Shared events reach everyone on the case; staff notes only staff; private only the author."""
    if visibility == "private":
        return author_id == actor.account_id
    if visibility == "staff":
        return actor.is_staff
    return True

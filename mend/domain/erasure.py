"""Erasing a case or a person, and the legal holds and retention that forbid it.

Erasure is crypto-shredding. The fact of the erasure is recorded in the clear (who asked,
when, and which reason from a closed list); then the keys that sealed the words are deleted,
with the snapshots and this process's cached copies read with them. The events themselves
stay as they were stored, so the history's hash chain still holds and replay still works,
showing "(erased)" where the words were.

What remains to do lies outside the store: read models rebuilt, report and export files
deleted, addresses blanked in the outbox. ``Shredded`` names what was erased, and the
platform's erasure job does the rest.

Scope. A case erasure deletes the case's key and the keys of each person's own words in it.
A person erasure deletes every key of that person: their account data and their own words
in every case, so it is refused for someone who also has records with another practice on
the same Mend (their account is shared) and for an owner (another owner must demote them
first, so that a practice always keeps one). A legal hold on any case involved refuses it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from mend.domain import authorization as authz, checks
from mend.domain.acting import acting
from mend.domain.authorization import Actor
from mend.domain.case import Case
from mend.domain.errors import NotFound, RuleBroken
from mend.domain.sealing import forget_ciphers
from mend.domain.store import MendStore, Saved
from mend.domain.tenancy import Account, Tenant


@dataclass(frozen=True)
class Shredded:
    """What an erasure took away: the tenant, and the case or the person (with their cases)."""

    tenant_id: UUID
    case_ids: tuple[UUID, ...]
    person_id: UUID | None
    keys_deleted: int
    saved: Saved


class Erasure:
    def __init__(self, store: MendStore):
        self.store = store

    # ------------------------------------------------------------------ retention and holds
    def set_retention_years(self, actor: Actor, years: int) -> Saved:
        def command():
            authz.require_owner(actor, "set how long records are kept")
            tenant = self.store.get(actor.tenant_id, Tenant)
            with acting(actor.account_id, actor.tenant_id):
                tenant.set_retention_years(years)
            return [tenant], None

        return self.store.retrying(command)

    def place_hold(self, actor: Actor, case_id: UUID, reason: str,
                   until: datetime | None = None) -> Saved:
        """Keep a case's records: until the given day, or for the practice's retention period
        from today (or from its closing, if that is later)."""

        def command():
            case = self._owned_case(actor, case_id, "place a legal hold")
            now = checks.utcnow()
            end = until
            if end is None:
                tenant = self.store.get(actor.tenant_id, Tenant)
                end = now + timedelta(days=round(365.25 * tenant.retention_years))
            with acting(actor.account_id, actor.tenant_id):
                case.place_legal_hold(reason, end, now)
            return [case], None

        return self.store.retrying(command)

    def lift_hold(self, actor: Actor, case_id: UUID) -> Saved:
        def command():
            case = self._owned_case(actor, case_id, "lift a legal hold")
            with acting(actor.account_id, actor.tenant_id):
                case.lift_legal_hold(checks.utcnow())
            return [case], None

        return self.store.retrying(command)

    # ------------------------------------------------------------------ erasing
    def erase_case(self, actor: Actor, case_id: UUID, reason: str) -> Shredded:
        def command():
            case = self._owned_case(actor, case_id, "erase a case")
            with acting(actor.account_id, actor.tenant_id):
                case.erase(reason, checks.utcnow())
            return [case], None

        saved = self.store.retrying(command)
        deleted = self.store.keyring.erase(case=str(case_id))
        forget_ciphers()
        self.store.forget_snapshots(case_id)
        return Shredded(actor.tenant_id, (case_id,), None, deleted, saved)

    def erase_person(self, actor: Actor, account_id: UUID, reason: str,
                     case_ids: list[UUID]) -> Shredded:
        """Erase a person's data: their account, and their own words in ``case_ids`` (every
        case of this practice they are on, as the caller's views list them; their words in a
        case left out are erased all the same, since every key of theirs goes)."""

        def command():
            authz.require_owner(actor, "erase a person's data")
            account = self.store.find(account_id, Account)
            tenant = self.store.get(actor.tenant_id, Tenant)
            if account is None:
                raise NotFound(f"No person {account_id}.")
            cases = [self.store.get(c, Case) for c in case_ids]
            known = str(actor.tenant_id) in account.tenant_ids or any(
                c.tenant == actor.tenant_id for c in cases)
            if not known:
                raise NotFound(f"No person {account_id}.")
            if account_id == actor.account_id:
                raise RuleBroken("You cannot erase your own data: ask another owner.")
            others = [t for t in account.tenant_ids if t != str(actor.tenant_id)]
            if others:
                raise RuleBroken("This person also has records with another practice on this"
                                 " Mend, so their account cannot be erased from here. Remove"
                                 " them from this practice, or erase the cases instead.")
            if tenant.role_of(account_id) == "owner":
                raise RuleBroken("An owner's data cannot be erased: make them a member of"
                                 " another role first.")
            now = checks.utcnow()
            with acting(actor.account_id, actor.tenant_id):
                for case in cases:
                    if case.tenant != actor.tenant_id:
                        raise NotFound(f"No case {case.id}.")
                    if not (case.has_participant(account_id)
                            or case.has_practitioner(account_id)):
                        raise RuleBroken(f"This person is not on the case {case.id}.")
                    case.erase_person(account_id, reason, now)
                if tenant.role_of(account_id) is not None:
                    tenant.revoke_membership(account_id)
                account.erase(reason)
            return [*cases, tenant, account], None

        saved = self.store.retrying(command)
        deleted = self.store.keyring.erase(person=str(account_id))
        forget_ciphers()
        self.store.forget_snapshots(account_id, *case_ids)
        return Shredded(actor.tenant_id, tuple(case_ids), account_id, deleted, saved)

    def _owned_case(self, actor: Actor, case_id: UUID, action: str) -> Case:
        case = self.store.get(case_id, Case)
        authz.require_visible(actor, case)
        authz.require_owner(actor, action)
        return case

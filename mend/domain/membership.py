"""The application service for tenants and accounts: sign-up, invitations, roles and tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from mend.domain import authorization as authz, passwords
from mend.domain.acting import acting
from mend.domain.authorization import Actor
from mend.domain.case import Case
from mend.domain.checks import utcnow
from mend.domain.errors import (
    AlreadyTaken, InvalidValue, NotAuthenticated, NotFound, WrongCredentials,
)
from mend.domain.store import MendStore, Saved
from mend.domain.tenancy import (
    EMAILS, INVITATIONS, SLUGS, TOKENS, Account, Index, Tenant, normalise_email,
)

INVITATION_LIFETIME = timedelta(days=7)
TOKEN_PREFIX = "mend_"


def secret_digest(secret: str) -> str:
    """Tokens are long random strings, so a fast digest is enough to store them safely."""
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class Invitation:
    account_id: UUID
    token: str
    expires_at: datetime


@dataclass(frozen=True)
class Member:
    account_id: UUID
    email: str
    name: str
    role: str
    status: str  # "active" | "invited"


@dataclass(frozen=True)
class OpenInvitation:
    """What the person holding an invitation link may learn before accepting it."""

    tenant_name: str
    tenant_slug: str
    name: str
    email: str
    role: str
    has_password: bool


@dataclass(frozen=True)
class TokenInfo:
    """An active bearer token as its owner may see it: never the secret, only what it is."""

    token_id: UUID
    label: str
    issued_at: datetime


class Membership:
    def __init__(self, store: MendStore):
        self.store = store

    # ------------------------------------------------------------------ sign-up and sign-in
    def sign_up(
        self, *, name: str, slug: str, kind: str, owner_email: str, owner_password: str,
        owner_name: str,
    ) -> Saved:
        """Register a tenant with its founding owner; result is (tenant_id, account_id)."""
        email = normalise_email(owner_email)

        def command():
            if self.store.lookup(SLUGS, slug) is not None:
                raise AlreadyTaken(f"The slug {slug!r} is taken.")
            account = self._existing_or_new_account(email, owner_name, owner_password)
            tenant = Tenant.register(name=name, slug=slug, kind=kind)
            with acting(account.id, tenant.id):
                tenant.add_founding_owner(account.id)
                account.join(tenant.id)
                index = Index(namespace=SLUGS, value=slug, ref=tenant.id)
            changed = [tenant, account, index]
            if email_is_new(account):
                changed.append(Index(namespace=EMAILS, value=email, ref=account.id))
            return changed, (tenant.id, account.id)

        return self.store.retrying(command)

    def _existing_or_new_account(self, email: str, name: str, password: str) -> Account:
        account_id = self.store.lookup(EMAILS, email)
        if account_id is None:
            passwords.check_policy(password, "owner.password")
            return Account.register(email=email, name=name,
                                    password_hash=passwords.hash_password(password))
        account = self.store.get(account_id, Account)
        # Someone who already has an account proves it with their password before adding a tenant.
        if not passwords.verify_password(account.password_hash, password):
            raise AlreadyTaken("An account with this email exists; sign up with its password.")
        return account

    def authenticate(self, email: str, password: str) -> Account:
        """The account for these credentials; equally slow whether or not the email exists."""
        try:
            account_id = self.store.lookup(EMAILS, normalise_email(email))
        except InvalidValue:
            account_id = None
        account = self.store.find(account_id, Account) if account_id else None
        if not passwords.verify_password(account.password_hash if account else None, password):
            raise WrongCredentials("Wrong email or password.", account.id if account else None)
        return account

    def record_failed_sign_in(self, account_id: UUID, via: str, address: str) -> None:
        """An audited wrong password, for the owners of every tenant the account is in."""

        def command():
            account = self.store.get(account_id, Account)
            with acting(account.id, None):
                account.fail_sign_in(via, address)
            return [account], None

        self.store.retrying(command)

    def record_sign_in(self, account_id: UUID, session_id: str, via: str,
                       tenant_ids: list[UUID]) -> None:
        """An audited sign-in, in each tenant it may act in (owners read it in /audit): a
        token's one tenant, or every tenant of a browser session (it picks one per request)."""

        def command():
            account = self.store.get(account_id, Account)
            for tenant_id in tenant_ids or [None]:
                with acting(account.id, tenant_id):
                    account.sign_in(session_id, via)
            return [account], None

        self.store.retrying(command)

    def end_session(self, account_id: UUID, session_id: str, keep_for: timedelta) -> None:
        def command():
            account = self.store.get(account_id, Account)
            with acting(account.id, None):
                account.end_session(session_id, utcnow(), keep_for)
            return [account], None

        self.store.retrying(command)

    def sign_out_everywhere(self, account_id: UUID) -> None:
        def command():
            account = self.store.get(account_id, Account)
            with acting(account.id, None):
                account.sign_out_everywhere()
            return [account], None

        self.store.retrying(command)

    def change_password(self, account_id: UUID, current: str, new: str) -> None:
        """A new password (the current one proves it is them); it ends every session."""

        def command():
            account = self.store.get(account_id, Account)
            if not passwords.verify_password(account.password_hash, current):
                raise InvalidValue("current_password", "is not this account's password")
            new_hash = passwords.hash_password(passwords.check_policy(new, "new_password"))
            with acting(account.id, None):
                account.change_password(new_hash)
            return [account], None

        self.store.retrying(command)

    def actor_for(self, account_id: UUID, tenant_slug: str | None = None) -> Actor:
        """The account acting in one of its tenants: the named one, or its first."""
        account = self.store.peek(account_id, Account)
        for tenant_id in list(account.tenant_ids):  # a copy: the peeked account is shared
            tenant = self._tenant_here(tenant_id)
            if tenant is not None and tenant_slug in (None, tenant.slug):
                role = tenant.role_of(account.id)
                if role:
                    return Actor(account.id, tenant.id, role)
        raise NotAuthenticated("This account is not a member of that tenant.")

    def _tenant_here(self, tenant_id: str) -> Tenant | None:
        """One of an account's tenants, or None when this store does not hold it: a person
        whose practice moved here from another Mend still lists the tenants that stayed."""
        try:
            return self.store.peek(UUID(tenant_id), Tenant)
        except NotFound:
            return None

    def record_tenant_export(self, tenant_id: UUID, actor: Actor | None = None) -> Saved:
        """Audit that the tenant's whole history is being taken out to move to another Mend:
        by one of its owners, or (no actor) by the operator from the command line."""
        if actor is not None:
            authz.require_owner(actor, "export the whole practice")
            if actor.tenant_id != tenant_id:
                raise NotFound(f"No tenant {tenant_id}.")

        def command():
            tenant = self.store.get(tenant_id, Tenant)
            with acting(actor.account_id if actor else None, tenant.id):
                tenant.record_tenant_export()
            return [tenant], None

        return self.store.retrying(command)

    def tenant_slug(self, tenant_id: UUID) -> str:
        return self.store.peek(tenant_id, Tenant).slug

    def tenants_of(self, account: Account) -> list[tuple[Tenant, str]]:
        """The account's tenants with its role in each."""
        found = []
        for tenant_id in list(account.tenant_ids):
            tenant = self._tenant_here(tenant_id)
            role = tenant.role_of(account.id) if tenant is not None else None
            if role:
                found.append((tenant, role))
        return found

    # ------------------------------------------------------------------ bearer tokens
    def issue_token(
        self, email: str, password: str, tenant_slug: str | None = None, label: str = ""
    ) -> tuple[str, UUID, Actor]:
        """A new bearer token (shown once; only its digest is stored), its id and its actor."""
        account = self.authenticate(email, password)
        actor = self.actor_for(account.id, tenant_slug)
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        digest = secret_digest(token)

        def command():
            owner = self.store.get(account.id, Account)
            index = Index(namespace=TOKENS, value=digest, ref=owner.id)
            with acting(owner.id, actor.tenant_id):
                owner.issue_token(index.id, actor.tenant_id, label)
            return [owner, index], index.id

        saved = self.store.retrying(command)
        return token, saved.result, actor

    def actor_for_token(self, token: str) -> Actor:
        digest = secret_digest(token)
        token_id = Index.id_for(TOKENS, digest)
        account_id = self.store.lookup(TOKENS, digest)
        account = self.store.peek(account_id, Account) if account_id else None
        tenant_id = account.tokens.get(str(token_id)) if account else None
        if tenant_id is None:
            raise NotAuthenticated("This token is not valid or was revoked.")
        tenant = self.store.peek(UUID(tenant_id), Tenant)
        role = tenant.role_of(account.id)
        if role is None:
            raise NotAuthenticated("This token's account no longer belongs to the tenant.")
        return Actor(account.id, tenant.id, role)

    # ------------------------------------------------------------------ members
    def invite(
        self, actor: Actor, *, email: str, name: str, role: str, case_id: UUID | None = None,
        relation: str = "",
    ) -> Saved:
        """Invite someone by email; result is an Invitation carrying the one-time token.

        Owners invite anyone. Practitioners and supervisors invite clients only, and may put
        the client straight on a case they can see (``case_id``), in the same save as the
        invitation; the client sees it once they accept.
        """
        authz.require_inviter(actor, role)
        if case_id is not None and role != "client":
            raise InvalidValue("case_id", "only a client joins a case with their invitation")
        email = normalise_email(email)
        token = secrets.token_urlsafe(32)
        expires_at = utcnow() + INVITATION_LIFETIME

        def command():
            tenant = self.store.get(actor.tenant_id, Tenant)
            case = None
            if case_id is not None:
                case = self.store.get(case_id, Case)
                authz.require_visible(actor, case)
            account_id = self.store.lookup(EMAILS, email)
            changed: list = [tenant]
            with acting(actor.account_id, actor.tenant_id):
                if account_id is None:
                    account = Account.register(email=email, name=name, password_hash=None)
                    account_id = account.id
                    changed += [account, Index(namespace=EMAILS, value=email, ref=account.id)]
                tenant.invite(
                    account_id=account_id, email=email, role=role,
                    token_hash=secret_digest(token), expires_at=expires_at,
                )
                changed.append(Index(namespace=INVITATIONS, value=secret_digest(token),
                                     ref=tenant.id))
                if case is not None:
                    case.add_participant(account_id, relation)
                    changed.append(case)
            return changed, Invitation(account_id, token, expires_at)

        return self.store.retrying(command)

    def invitation(self, token: str) -> OpenInvitation:
        """The open invitation a link carries; NotFound once used, withdrawn or expired."""
        digest = secret_digest(token)
        tenant_id = self.store.lookup(INVITATIONS, digest)
        tenant = self.store.find(tenant_id, Tenant) if tenant_id else None
        for account_id, invited in (tenant.invitations.items() if tenant else ()):
            if invited["token_hash"] == digest and datetime.fromisoformat(
                    invited["expires_at"]) > utcnow():
                account = self.store.peek(UUID(account_id), Account)
                return OpenInvitation(tenant.name, tenant.slug, account.name, account.email,
                                      invited["role"], account.password_hash is not None)
        raise NotFound("This invitation was already used, withdrawn, or never existed.")

    def accept_invitation(self, token: str, password: str, name: str | None = None) -> Saved:
        """Redeem an invitation by choosing a password (or proving the existing one)."""
        digest = secret_digest(token)

        def command():
            tenant_id = self.store.lookup(INVITATIONS, digest)
            tenant = self.store.find(tenant_id, Tenant) if tenant_id else None
            invited = [a for a, i in (tenant.invitations.items() if tenant else ())
                       if i["token_hash"] == digest]
            if not invited:
                raise NotFound("This invitation was already used, withdrawn, or never existed.")
            account = self.store.get(UUID(invited[0]), Account)
            with acting(account.id, tenant.id):
                if account.password_hash is None:
                    account.change_password(passwords.hash_password(passwords.check_policy(password)))
                elif not passwords.verify_password(account.password_hash, password):
                    raise NotAuthenticated("This email already has an account: use its password.")
                if name:
                    account.rename(name)
                tenant.accept_invitation(account.id, digest, utcnow())
                account.join(tenant.id)
            return [tenant, account], account.id

        return self.store.retrying(command)

    def change_role(self, actor: Actor, account_id: UUID, role: str) -> Saved:
        """Give a member another role (owner); it applies from their next request on."""
        authz.require_owner(actor, "change roles")

        def command():
            tenant = self._tenant_of_member(actor, account_id)
            with acting(actor.account_id, actor.tenant_id):
                tenant.grant_role(account_id, role)
            return [tenant], None

        return self.store.retrying(command)

    def set_time_zone(self, actor: Actor, name: str) -> Saved:
        """Set the tenant's clock (owner): times typed without an offset are read in it."""
        authz.require_owner(actor, "set the tenant's time zone")

        def command():
            tenant = self.store.get(actor.tenant_id, Tenant)
            with acting(actor.account_id, actor.tenant_id):
                tenant.set_time_zone(name)
            return [tenant], None

        return self.store.retrying(command)

    def time_zone_of(self, tenant_id: UUID) -> ZoneInfo:
        return ZoneInfo(self.store.peek(tenant_id, Tenant).time_zone)

    def withdraw_invitation(self, actor: Actor, account_id: UUID) -> Saved:
        """Take back an open invitation (owner): its link stops working at once."""
        authz.require_owner(actor, "withdraw invitations")

        def command():
            tenant = self.store.get(actor.tenant_id, Tenant)
            with acting(actor.account_id, actor.tenant_id):
                tenant.withdraw_invitation(account_id)
            return [tenant], None

        return self.store.retrying(command)

    def revoke_member(self, actor: Actor, account_id: UUID) -> Saved:
        """End a membership (owner): its sessions and tokens stop working at once."""
        authz.require_owner(actor, "revoke members")

        def command():
            tenant = self._tenant_of_member(actor, account_id)
            account = self.store.get(account_id, Account)
            with acting(actor.account_id, actor.tenant_id):
                tenant.revoke_membership(account_id)
                account.leave(tenant.id)
            return [tenant, account], None

        return self.store.retrying(command)

    def _tenant_of_member(self, actor: Actor, account_id: UUID) -> Tenant:
        """The actor's tenant, once ``account_id`` is known to be one of its members: anyone
        else (another tenant's member, an unknown id) is "not found", alike."""
        tenant = self.store.get(actor.tenant_id, Tenant)
        if tenant.role_of(account_id) is None:
            raise NotFound(f"No member {account_id}.")
        return tenant

    def token_details(self, actor: Actor) -> list[TokenInfo]:
        """The caller's active tokens in this tenant with their labels and issue times,
        newest first (read from the account's own events: its state keeps only the ids)."""
        active = set(self.tokens(actor))
        issued = [e for e in self.store.events.get(actor.account_id)
                  if isinstance(e, Account.ApiTokenIssued) and e.token_id in active]
        return sorted((TokenInfo(e.token_id, e.label, e.timestamp) for e in issued),
                      key=lambda info: info.issued_at, reverse=True)

    def tokens(self, actor: Actor) -> list[UUID]:
        """The caller's own active tokens in this tenant (their ids; the secrets are gone)."""
        account = self.store.get(actor.account_id, Account)
        return [UUID(t) for t, tenant in account.tokens.items() if tenant == str(actor.tenant_id)]

    def revoke_token(self, actor: Actor, token_id: UUID) -> Saved:
        """Revoke one of the caller's own tokens; unknown ids are "not found"."""

        def command():
            account = self.store.get(actor.account_id, Account)
            if account.tokens.get(str(token_id)) != str(actor.tenant_id):
                raise NotFound(f"No token {token_id}.")
            with acting(actor.account_id, actor.tenant_id):
                account.revoke_token(token_id)
            return [account], None

        return self.store.retrying(command)

    def members(self, actor: Actor) -> list[Member]:
        authz.require_staff(actor, "list members")
        tenant = self.store.get(actor.tenant_id, Tenant)
        found = [(a, r, "active") for a, r in tenant.members.items()]
        found += [(a, i["role"], "invited") for a, i in tenant.invitations.items()]
        members = []
        for account_id, role, status in found:
            account = self.store.peek(UUID(account_id), Account)
            members.append(Member(account.id, account.email, account.name, role, status))
        return members


def email_is_new(account: Account) -> bool:
    """True for an account created in this very command (its registration is still pending)."""
    return any(type(e).__name__ == "AccountRegistered" for e in account.pending_events)

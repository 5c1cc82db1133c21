"""Tenants, accounts and the index aggregates that keep emails, slugs and tokens unique."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import NAMESPACE_URL, UUID, uuid5
from zoneinfo import available_timezones

from eventsourcing.domain import event

from mend.domain import checks, vocabulary as v
from mend.domain.acting import MendAggregate
from mend.domain.erased import ERASED
from mend.domain.errors import InvalidValue, NotFound, RuleBroken


class Tenant(MendAggregate):
    """A practice or an organization: who belongs to it, and with which role."""

    @classmethod
    def register(cls, *, name: str, slug: str, kind: str) -> Tenant:
        slug = checks.text("slug", slug, max_length=v.SLUG_MAX)
        if len(slug) < v.SLUG_MIN:
            raise InvalidValue("slug", f"must be at least {v.SLUG_MIN} characters")
        if not re.fullmatch(v.SLUG_PATTERN, slug):
            raise InvalidValue("slug", "must be lowercase letters, digits and hyphens")
        return cls(
            name=checks.text("name", name, max_length=v.SHORT_MAX),
            slug=slug,
            kind=checks.one_of("kind", kind, v.TENANT_KINDS),
        )

    @event("TenantRegistered")
    def __init__(self, name: str, slug: str, kind: str) -> None:
        self.name = name
        self.slug = slug
        self.kind = kind
        self.members: dict[str, str] = {}  # str(account_id) -> role
        self.invitations: dict[str, dict[str, str]] = {}  # str(account_id) -> {role, ...}

    def role_of(self, account_id: UUID) -> str | None:
        return self.members.get(str(account_id))

    def invite(
        self, *, account_id: UUID, email: str, role: str, token_hash: str, expires_at: datetime
    ) -> None:
        role = checks.one_of("role", role, v.ROLES)
        if str(account_id) in self.members:
            raise RuleBroken("That person is already a member of this tenant.")
        self._member_invited(account_id, email, role, token_hash, expires_at)

    @event("MemberInvited")
    def _member_invited(
        self, account_id: UUID, email: str, role: str, token_hash: str, expires_at: datetime
    ) -> None:
        self.invitations[str(account_id)] = {
            "role": role,
            "token_hash": token_hash,
            "expires_at": expires_at.isoformat(),
        }

    def accept_invitation(self, account_id: UUID, token_hash: str, now: datetime) -> str:
        invitation = self.invitations.get(str(account_id))
        if invitation is None or invitation["token_hash"] != token_hash:
            raise RuleBroken("This invitation was already used or withdrawn.")
        if datetime.fromisoformat(invitation["expires_at"]) < now:
            raise RuleBroken("This invitation has expired; ask for a new one.")
        self._invitation_accepted(account_id, invitation["role"])
        return invitation["role"]

    @event("InvitationAccepted")
    def _invitation_accepted(self, account_id: UUID, role: str) -> None:
        del self.invitations[str(account_id)]
        self.members[str(account_id)] = role

    def withdraw_invitation(self, account_id: UUID) -> None:
        if str(account_id) not in self.invitations:
            raise NotFound("That person has no open invitation here.")
        self._invitation_withdrawn(account_id)

    @event("InvitationWithdrawn")
    def _invitation_withdrawn(self, account_id: UUID) -> None:
        del self.invitations[str(account_id)]

    def grant_role(self, account_id: UUID, role: str) -> None:
        role = checks.one_of("role", role, v.ROLES)
        if str(account_id) not in self.members:
            raise InvalidValue("account_id", "is not a member of this tenant")
        if self.members[str(account_id)] == role:
            raise RuleBroken(f"That member already has the role {role}.")
        self._require_another_owner(account_id, leaving=role != "owner")
        self._role_granted(account_id, role)

    @event("RoleGranted")
    def _role_granted(self, account_id: UUID, role: str) -> None:
        self.members[str(account_id)] = role

    def revoke_membership(self, account_id: UUID) -> None:
        if str(account_id) not in self.members:
            raise InvalidValue("account_id", "is not a member of this tenant")
        self._require_another_owner(account_id, leaving=True)
        self._role_revoked(account_id)

    @event("RoleRevoked")
    def _role_revoked(self, account_id: UUID) -> None:
        del self.members[str(account_id)]

    @property
    def time_zone(self) -> str:
        """The tenant's clock (an IANA name): a tenant registered before it had one, or
        restored from a snapshot taken then, is on the default."""
        return self.__dict__.get("_time_zone", v.DEFAULT_TIME_ZONE)

    def set_time_zone(self, name: str) -> None:
        if not isinstance(name, str) or name not in available_timezones():
            raise InvalidValue("time_zone", "is not a time zone name such as Europe/Berlin")
        if name == self.time_zone:
            raise RuleBroken(f"The tenant's time zone is already {name}.")
        self._time_zone_set(name)

    @event("TimeZoneSet")
    def _time_zone_set(self, time_zone: str) -> None:
        self._time_zone = time_zone

    @property
    def retention_years(self) -> int:
        """How many years clinical records are kept (a legal hold lasts this long)."""
        return self.__dict__.get("_retention_years", v.DEFAULT_RETENTION_YEARS)

    def set_retention_years(self, years: int) -> None:
        years = checks.integer_between("retention_years", years, 1, v.MAX_RETENTION_YEARS)
        if years == self.retention_years:
            raise RuleBroken(f"Records are kept for {years} years already.")
        self._retention_set(years)

    @event("RetentionSet")
    def _retention_set(self, years: int) -> None:
        self._retention_years = years

    # ------------------------------------------------------------------ erasure requests
    def erasure_request_of(self, account_id: UUID) -> dict[str, str] | None:
        """A person's latest request to have their data erased: its state ("open" or
        "declined"), when it was made and, once declined, the reason's code."""
        return self.__dict__.get("_erasure_requests", {}).get(str(account_id))

    def open_erasure_requests(self) -> dict[str, dict[str, str]]:
        return {a: r for a, r in self.__dict__.get("_erasure_requests", {}).items()
                if r["state"] == "open"}

    def request_erasure(self, account_id: UUID, now: datetime) -> None:
        if str(account_id) not in self.members:
            raise NotFound("You are not a member of this practice.")
        request = self.erasure_request_of(account_id)
        if request is not None and request["state"] == "open":
            raise RuleBroken("You have already asked for your data to be erased: the practice"
                             " has not answered yet.")
        self._erasure_requested(account_id, now)

    @event("ErasureRequested")
    def _erasure_requested(self, account_id: UUID, requested_at: datetime) -> None:
        requests = self.__dict__.setdefault("_erasure_requests", {})
        requests[str(account_id)] = {"state": "open", "requested_at": requested_at.isoformat()}

    def decline_erasure_request(self, account_id: UUID, reason: str) -> None:
        self.require_open_erasure_request(account_id)
        reason = checks.one_of("reason", reason, v.ERASURE_DECLINE_REASONS)
        self._erasure_request_declined(account_id, reason)

    @event("ErasureRequestDeclined")
    def _erasure_request_declined(self, account_id: UUID, reason: str) -> None:
        self._erasure_requests[str(account_id)].update(state="declined", reason=reason)

    def approve_erasure_request(self, account_id: UUID) -> None:
        """Close the request as granted: the person's data is erased with it."""
        self.require_open_erasure_request(account_id)
        self._erasure_request_approved(account_id)

    @event("ErasureRequestApproved")
    def _erasure_request_approved(self, account_id: UUID) -> None:
        del self._erasure_requests[str(account_id)]

    def require_open_erasure_request(self, account_id: UUID) -> None:
        if str(account_id) not in self.open_erasure_requests():
            raise RuleBroken("That person has no open request to erase their data.")

    def _require_another_owner(self, account_id: UUID, *, leaving: bool) -> None:
        owners = [a for a, r in self.members.items() if r == "owner"]
        if leaving and owners == [str(account_id)]:
            raise RuleBroken("A tenant keeps at least one owner.")

    def record_export(self, case_id: UUID, events: int) -> None:
        """Note that a case's record left the platform, and how much of it."""
        self._case_exported(case_id, events)

    @event("CaseExported")
    def _case_exported(self, case_id: UUID, events: int) -> None:
        pass

    def record_report(self, kind: str, run_id: UUID, case_id: UUID | None) -> None:
        """Note that a report was made: its kind and case, never a word of what it holds."""
        self._report_made(checks.one_of("kind", kind, v.REPORT_KINDS), run_id, case_id)

    def record_report_download(self, kind: str, run_id: UUID, case_id: UUID | None) -> None:
        """Note that someone took a made report's file away."""
        self._report_downloaded(checks.one_of("kind", kind, v.REPORT_KINDS), run_id, case_id)

    @dataclass(frozen=True)
    class ReportMade(MendAggregate.Event):
        class_version = 1
        kind: str
        run_id: UUID
        case_id: UUID | None

    @event(ReportMade)
    def _report_made(self, kind: str, run_id: UUID, case_id: UUID | None) -> None:
        pass

    @dataclass(frozen=True)
    class ReportDownloaded(MendAggregate.Event):
        class_version = 1
        kind: str
        run_id: UUID
        case_id: UUID | None

    @event(ReportDownloaded)
    def _report_downloaded(self, kind: str, run_id: UUID, case_id: UUID | None) -> None:
        pass

    def record_tenant_export(self) -> None:
        """Note that the tenant's whole history was taken out, to move it to another Mend."""
        self._tenant_exported()

    @dataclass(frozen=True)
    class TenantExported(MendAggregate.Event):
        class_version = 1

    @event(TenantExported)
    def _tenant_exported(self) -> None:
        pass

    def add_founding_owner(self, account_id: UUID) -> None:
        if self.members:
            raise RuleBroken("Only a new tenant gets a founding owner.")
        self._role_granted(account_id, "owner")


class Account(MendAggregate):
    """A person, known by email, who may belong to several tenants."""

    @classmethod
    def register(cls, *, email: str, name: str, password_hash: str | None) -> Account:
        return cls(
            email=normalise_email(email),
            name=checks.text("name", name, max_length=v.SHORT_MAX),
            password_hash=password_hash,
        )

    @event("AccountRegistered")
    def __init__(self, email: str, name: str, password_hash: str | None) -> None:
        self.email = email
        self.name = name
        self.password_hash = password_hash
        self.tenant_ids: list[str] = []
        self.tokens: dict[str, str] = {}  # token_id -> str(tenant_id), active tokens only
        self.credentials_version = 0
        self.ended_sessions: dict[str, str] = {}  # session id -> when it was signed out

    def change_password(self, password_hash: str) -> None:
        self._password_changed(password_hash)

    @event("PasswordChanged")
    def _password_changed(self, password_hash: str) -> None:
        self.password_hash = password_hash
        self.credentials_version += 1

    def sign_in(self, session_id: str, via: str) -> None:
        """Record a successful sign-in (a browser session or a token issued)."""
        self._signed_in(session_id, via)

    @event("SignedIn")
    def _signed_in(self, session_id: str, via: str) -> None:
        pass

    def fail_sign_in(self, via: str, address: str) -> None:
        """Record a wrong password given for this account, for the owners of its tenants."""
        self._sign_in_failed(
            via,
            checks.text("address", address, max_length=64, required=False),
            list(self.tenant_ids),
        )

    @event("SignInFailed")
    def _sign_in_failed(self, via: str, address: str, tenant_ids: list[str]) -> None:
        pass

    def end_session(self, session_id: str, now: datetime, keep_for: timedelta) -> None:
        """Sign one session out for good: its cookie, replayed, is refused from now on.

        Sessions older than ``keep_for`` (the absolute session lifetime) are dead anyway,
        so their records are dropped to keep the account small.
        """
        self._session_ended(session_id, now, keep_for.total_seconds())

    @event("SessionEnded")
    def _session_ended(self, session_id: str, occurred_at: datetime, keep_seconds: float) -> None:
        cutoff = (occurred_at - timedelta(seconds=keep_seconds)).isoformat()
        self.ended_sessions = {s: t for s, t in self.ended_sessions.items() if t >= cutoff}
        self.ended_sessions[session_id] = occurred_at.isoformat()

    def sign_out_everywhere(self) -> None:
        self._signed_out_everywhere()

    @event("SignedOutEverywhere")
    def _signed_out_everywhere(self) -> None:
        self.credentials_version += 1

    def rename(self, name: str) -> None:
        name = checks.text("name", name, max_length=200)
        if name != self.name:
            self._renamed(name)

    @event("AccountRenamed")
    def _renamed(self, name: str) -> None:
        self.name = name

    @property
    def is_erased(self) -> bool:
        return self.__dict__.get("erased", False)

    def erase(self, reason: str) -> None:
        """Erase the account's own data: its name, email and password are sealed with the
        person's key, which goes next; the account can no longer sign in."""
        if self.is_erased:
            raise RuleBroken("This person's data was erased already.")
        self._account_erased(checks.one_of("reason", reason, v.ERASURE_REASONS))

    @event("AccountErased")
    def _account_erased(self, reason: str) -> None:
        self.erased = True
        self.name = ERASED
        self.email = ERASED
        self.password_hash = None
        self.credentials_version += 1
        self.tokens = {}

    def join(self, tenant_id: UUID) -> None:
        if str(tenant_id) not in self.tenant_ids:
            self._tenant_joined(tenant_id)

    @event("TenantJoined")
    def _tenant_joined(self, tenant_id: UUID) -> None:
        self.tenant_ids.append(str(tenant_id))

    def leave(self, tenant_id: UUID) -> None:
        if str(tenant_id) in self.tenant_ids:
            self._tenant_left(tenant_id)

    @event("TenantLeft")
    def _tenant_left(self, tenant_id: UUID) -> None:
        self.tenant_ids.remove(str(tenant_id))
        self.tokens = {t: ten for t, ten in self.tokens.items() if ten != str(tenant_id)}

    def issue_token(self, token_id: UUID, tenant_id: UUID, label: str) -> None:
        if str(tenant_id) not in self.tenant_ids:
            raise InvalidValue("tenant", "is not a tenant of this account")
        self._token_issued(token_id, tenant_id, checks.text("label", label, required=False))

    @event("ApiTokenIssued")
    def _token_issued(self, token_id: UUID, tenant_id: UUID, label: str) -> None:
        self.tokens[str(token_id)] = str(tenant_id)

    def revoke_token(self, token_id: UUID) -> None:
        if str(token_id) not in self.tokens:
            raise InvalidValue("token_id", "is not an active token of this account")
        self._token_revoked(token_id)

    @event("ApiTokenRevoked")
    def _token_revoked(self, token_id: UUID) -> None:
        del self.tokens[str(token_id)]


def normalise_email(email: object) -> str:
    email = checks.text("email", email, max_length=254).strip().lower()
    local, _, domain = email.partition("@")
    if not local or "." not in domain or " " in email:
        raise InvalidValue("email", "must be an email address")
    return email


class Index(MendAggregate):
    """Points from a unique value to the aggregate that owns it; its id is uuid5 of the value."""

    @staticmethod
    def id_for(namespace: str, value: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"/mend/{namespace}/{value}")

    @classmethod
    def create_id(cls, namespace: str, value: str, ref: UUID) -> UUID:
        return cls.id_for(namespace, value)

    @event("IndexCreated")
    def __init__(self, namespace: str, value: str, ref: UUID) -> None:
        self.ref = ref


EMAILS = "email"
SLUGS = "tenant-slug"
TOKENS = "api-token"
INVITATIONS = "invitation"

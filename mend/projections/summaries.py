"""One plain line per case event for timelines; free text is left out and shown, escaped, apart."""

from __future__ import annotations

from typing import Any


def _words(code: str) -> str:
    return code.replace("_", " ")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


_SUMMARIES = {
    "CaseOpened": lambda e: f"Case opened: {_words(e.kind)}, {_words(e.approach)}",
    "BreachDisclosed": lambda e: f"Breach disclosed: {_words(e.category)}",
    "ParticipantAdded": lambda e: "Participant added" + (f" ({e.relation})" if e.relation else ""),
    "ParticipantRemoved": lambda e: "Participant removed",
    "PractitionerAssigned": lambda e: "Practitioner assigned",
    "PractitionerUnassigned": lambda e: "Practitioner unassigned",
    "ReadinessAssessed": lambda e: (
        f"Readiness assessed: {sum(1 for a in e.answers.values() if a)}"
        f" of {len(e.answers)} items ready"
    ),
    "ApologyOffered": lambda e: "Apology offered"
    + (" — names the harm" if e.names_harm else "")
    + (", takes responsibility" if e.takes_responsibility else "")
    + (", commits to change" if e.commits_to_change else ""),
    "BoundarySet": lambda e: "Boundary set",
    "BoundaryRevised": lambda e: "Boundary revised",
    "BoundaryRetired": lambda e: "Boundary retired",
    "BoundaryCrossed": lambda e: "Boundary crossed",
    "AgreementMade": lambda e: "Agreement made",
    "CheckInRecorded": lambda e: (
        f"Check-in: trust {e.trust}/10, emotional safety {e.emotional_safety}/10,"
        f" communication {e.communication_ease}/10, {_plural(e.conflicts, 'conflict')}"
    ),
    "CheckInReminderSent": lambda e: "Check-in reminder sent",
    "SetbackRecorded": lambda e: f"Setback (severity {e.severity} of 3)",
    "RitualPracticed": lambda e: f"Ritual practiced: {_words(e.ritual)}",
    "RedFlagRaised": lambda e: f"Red flag raised: {_words(e.code)}",
    "RedFlagResolved": lambda e: "Red flag resolved",
    "StageAdvanced": lambda e: f"Stage advanced to {_words(e.stage)}",
    "MilestoneReached": lambda e: "Milestone reached",
    "SessionNoted": lambda e: "Session note",
    "JournalEntryWritten": lambda e: f"Journal entry ({e.visibility})",
    "ProgramStepCompleted": lambda e: f"Program step completed: {_words(e.step)}",
    "TrustPulseRecorded": lambda e: f"Trust pulse: {_plural(len(e.scores), 'response')}",
    "ApproachChanged": lambda e: f"Approach changed to {_words(e.approach)}",
    "CaseClosed": lambda e: f"Case closed: {e.outcome}",
    "CaseReopened": lambda e: "Case reopened",
    # Tenants and accounts: access changes are audited like case changes.
    "TenantRegistered": lambda e: f"Tenant registered: {e.name}",
    "MemberInvited": lambda e: f"Member invited as {e.role}",
    "InvitationAccepted": lambda e: f"Invitation accepted as {e.role}",
    "RoleGranted": lambda e: f"Role granted: {e.role}",
    "RoleRevoked": lambda e: "Membership revoked",
    "AccountRegistered": lambda e: "Account registered",
    "AccountRenamed": lambda e: "Account renamed",
    "PasswordChanged": lambda e: "Password changed",
    "TenantJoined": lambda e: "Joined the tenant",
    "TenantLeft": lambda e: "Left the tenant",
    "ApiTokenIssued": lambda e: "API token issued",
    "ApiTokenRevoked": lambda e: "API token revoked",
    "SignedIn": lambda e: f"Signed in ({'API token' if e.via == 'token' else 'browser'})",
    "SignInFailed": lambda e: (
        f"Failed sign-in ({'API token' if e.via == 'token' else 'browser'})"
        + (f" from {e.address}" if e.address else "")
    ),
    "CaseExported": lambda e: f"Case record exported ({e.events} events)",
    "SessionEnded": lambda e: "Signed out",
    "SignedOutEverywhere": lambda e: "Signed out everywhere",
}


def summarise(domain_event: Any) -> str:
    describe = _SUMMARIES.get(type(domain_event).__name__)
    return describe(domain_event) if describe else type(domain_event).__name__

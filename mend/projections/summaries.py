"""One plain line per case event for timelines; free text is left out and shown, escaped, apart."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mend.domain import vocabulary as v
from mend.domain.case import Case
from mend.domain.measures import lookup
from mend.domain.tenancy import Account, Tenant


def _words(code: str) -> str:
    return code.replace("_", " ")


def _said(words: dict[str, str], code: str) -> str:
    return words.get(code, _words(code))


#: A report's kind as the audit feed names it.
REPORT_WORDS = {
    "report.case_pdf": "case report (PDF)",
    "report.case_html": "case report (printable page)",
    "report.outcomes": "outcome report (PDF)",
    "csv.outcomes": "outcomes (CSV)",
    "csv.caseload": "caseload (CSV)",
}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


_SUMMARIES: dict[type, Callable[[Any], str]] = {
    Case.CaseOpened: lambda e: f"Case opened: {_words(e.kind)}, {_words(e.approach)}",
    Case.BreachDisclosed: lambda e: f"Breach disclosed: {_words(e.category)}",
    Case.ParticipantAdded: lambda e: "Participant added"
    + (f" ({e.relation})" if e.relation else ""),
    Case.ParticipantRemoved: lambda e: "Participant removed",
    Case.PractitionerAssigned: lambda e: "Practitioner assigned",
    Case.PractitionerUnassigned: lambda e: "Practitioner unassigned",
    Case.ReadinessAssessed: lambda e: (
        f"Readiness assessed: {sum(1 for a in e.answers.values() if a)}"
        f" of {len(e.answers)} items ready"
    ),
    Case.ApologyOffered: lambda e: "Apology offered"
    + (" — names the harm" if e.names_harm else "")
    + (", takes responsibility" if e.takes_responsibility else "")
    + (", commits to change" if e.commits_to_change else ""),
    Case.BoundarySet: lambda e: "Boundary set",
    Case.BoundaryRevised: lambda e: "Boundary revised",
    Case.BoundaryRetired: lambda e: "Boundary retired",
    Case.BoundaryCrossed: lambda e: "Boundary crossed",
    Case.AgreementMade: lambda e: "Agreement made",
    Case.AgreementKept: lambda e: "Agreement kept",
    Case.CheckInRecorded: lambda e: (
        f"Check-in: trust {e.trust}/10, emotional safety {e.emotional_safety}/10,"
        f" communication {e.communication_ease}/10, {_plural(e.conflicts, 'conflict')}"
    ),
    Case.CheckInReminderSent: lambda e: "Check-in reminder sent",
    Case.SetbackRecorded: lambda e: f"Setback (severity {e.severity} of 3)",
    Case.QuestionnaireAnswered: lambda e: (
        f"{lookup(e.instrument, e.version).title}: {e.total} ({e.band.lower()})"
    ),
    Case.RitualPracticed: lambda e: f"Ritual practiced: {_words(e.ritual)}",
    Case.RedFlagRaised: lambda e: f"Red flag raised: {_words(e.code)}",
    Case.RedFlagResolved: lambda e: "Red flag resolved",
    Case.StageAdvanced: lambda e: f"Stage advanced to {_words(e.stage)}",
    Case.MilestoneReached: lambda e: "Milestone reached",
    Case.SessionNoted: lambda e: "Session note",
    Case.JournalEntryWritten: lambda e: f"Journal entry ({e.visibility})",
    Case.ProgramStepCompleted: lambda e: f"Program step completed: {_words(e.step)}",
    Case.ProgramStepOwnerAssigned: lambda e: f"Program step owner assigned: {_words(e.step)}",
    Case.TrustPulseRecorded: lambda e: f"Trust pulse: {_plural(len(e.scores), 'response')}",
    Case.ApproachChanged: lambda e: f"Approach changed to {_words(e.approach)}",
    Case.CaseClosed: lambda e: f"Case closed: {e.outcome}",
    Case.CaseReopened: lambda e: "Case reopened",
    Case.EntryHeldBack: lambda e: "Entry held back from the portal"
    + (f" until {e.until:%Y-%m-%d %H:%M} UTC" if e.until else " until released"),
    Case.EntryReleased: lambda e: "Entry released to the portal",
    Case.PulseOpened: lambda e: f"Trust pulse sent to {_plural(len(e.audience), 'person')}"
    .replace("persons", "people") + f", open until {e.closes_at:%Y-%m-%d %H:%M} UTC",
    Case.PulseAnswered: lambda e: "Answered the trust pulse",
    Case.PulseClosed: lambda e: "Trust pulse closed",
    Case.LegalHoldPlaced: lambda e: f"Legal hold placed: {_said(v.HOLD_REASONS, e.reason)}",
    Case.LegalHoldLifted: lambda e: "Legal hold lifted",
    Case.CaseErased: lambda e: f"Case erased: {_said(v.ERASURE_REASONS, e.reason)}",
    Case.PersonErased: lambda e: (
        f"A person's own words erased: {_said(v.ERASURE_REASONS, e.reason)}"),
    # Tenants and accounts: access changes are audited like case changes.
    Tenant.TenantRegistered: lambda e: f"Tenant registered: {e.name}",
    Tenant.MemberInvited: lambda e: f"Member invited as {e.role}",
    Tenant.InvitationAccepted: lambda e: f"Invitation accepted as {e.role}",
    Tenant.RoleGranted: lambda e: f"Role granted: {e.role}",
    Tenant.RoleRevoked: lambda e: "Membership revoked",
    Tenant.InvitationWithdrawn: lambda e: "Invitation withdrawn",
    Tenant.TimeZoneSet: lambda e: f"Time zone set to {e.time_zone}",
    Account.AccountRegistered: lambda e: "Account registered",
    Account.AccountRenamed: lambda e: "Account renamed",
    Account.PasswordChanged: lambda e: "Password changed",
    Account.TenantJoined: lambda e: "Joined the tenant",
    Account.TenantLeft: lambda e: "Left the tenant",
    Account.ApiTokenIssued: lambda e: "API token issued",
    Account.ApiTokenRevoked: lambda e: "API token revoked",
    Account.SignedIn: lambda e: f"Signed in ({'API token' if e.via == 'token' else 'browser'})",
    Account.SignInFailed: lambda e: (
        f"Failed sign-in ({'API token' if e.via == 'token' else 'browser'})"
        + (f" from {e.address}" if e.address else "")
    ),
    Tenant.CaseExported: lambda e: f"Case record exported ({e.events} events)",
    Tenant.TenantExported: lambda e: "Whole practice exported, to move to another Mend",
    Tenant.ReportMade: lambda e: f"Report made: {REPORT_WORDS.get(e.kind, e.kind)}",
    Tenant.ReportDownloaded: lambda e: f"Report downloaded: {REPORT_WORDS.get(e.kind, e.kind)}",
    Account.SessionEnded: lambda e: "Signed out",
    Account.SignedOutEverywhere: lambda e: "Signed out everywhere",
}


def summarise(domain_event: Any) -> str:
    describe = _SUMMARIES.get(type(domain_event))
    return describe(domain_event) if describe else type(domain_event).__name__


#: Where a timeline entry's data names people: the fields that hold account ids.
SUBJECT_FIELDS = ("account_id", "participant_id", "from_id", "to_ids")


def subject_ids(data: dict[str, Any]) -> set[str]:
    found: set[str] = set()
    for name in SUBJECT_FIELDS:
        value = data.get(name)
        if isinstance(value, str):
            found.add(value)
        elif isinstance(value, list):
            found.update(v for v in value if isinstance(v, str))
    return found


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def headline(type_name: str, data: dict[str, Any], names: dict[str, str], stored: str) -> str:
    """The entry's line naming its subjects ("Sam apologised to Priya"), with the names as
    they are now; the line stored with the event where no one is named."""

    def name(field: str) -> str:
        return names.get(data.get(field) or "", "someone")

    if type_name == "participant_added":
        relation = f" ({data['relation']})" if data.get("relation") else ""
        return f"{name('account_id')} joined the case{relation}"
    if type_name == "participant_removed":
        return f"{name('account_id')} left the case"
    if type_name == "practitioner_assigned":
        return f"{name('account_id')} assigned"
    if type_name == "practitioner_unassigned":
        return f"{name('account_id')} unassigned"
    if type_name == "program_step_owner_assigned":
        return f"{name('account_id')} owns the program step {_words(data.get('step') or '')}"
    if type_name == "apology_offered":
        to = _and([names.get(i, "someone") for i in data.get("to_ids") or []] or ["someone"])
        qualities = [words for flag, words in (
            ("names_harm", "names the harm"), ("takes_responsibility", "takes responsibility"),
            ("commits_to_change", "commits to change")) if data.get(flag)]
        return f"{name('from_id')} apologised to {to}" + (
            f" — {', '.join(qualities)}" if qualities else "")
    if type_name == "check_in_recorded" and data.get("participant_id"):
        return (f"{name('participant_id')}'s check-in: trust {data['trust']}/10, emotional "
                f"safety {data['emotional_safety']}/10, communication "
                f"{data['communication_ease']}/10, {_plural(data['conflicts'], 'conflict')}")
    return stored

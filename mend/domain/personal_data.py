"""Which words of which events are personal data, and whose: the one list sealing reads.

Every field named here is stored sealed with its subject's key (``keyring``), so erasing
that subject erases the words wherever the event is kept. What is not named stays readable:
ids, versions, topics, times, scores and the closed vocabularies (kinds, stages, codes,
roles), which is why no name or free text may ever go into an id, a topic or a code.

Whose a field is:

* ``CASE`` -- the case's own key: what the case holds in common;
* ``AUTHOR`` -- the key of the person who wrote it, in this case (the event's actor);
* ``PARTICIPANT`` -- the key of the participant the event is about, in this case (a
  check-in's note is its participant's own words, whoever typed it in);
* ``ACCOUNT`` -- the key of the account the event belongs to (account data);
* ``INVITEE`` -- the key of the account invited (an email in a tenant's invitation);
* ``OWNER`` -- the key of the account an email index points to.

A test (tests/unit/test_personal_data.py) reads every stored event of the demo practice and
fails on any text field named in neither this list nor ``STRUCTURAL``: a new field must be
put in one or the other before it can be stored.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.utils import get_topic

from mend.domain import keyring
from mend.domain.case import Case
from mend.domain.tenancy import EMAILS, Account, Index, Tenant

CASE, AUTHOR, PARTICIPANT, ACCOUNT, INVITEE, OWNER = (
    "case", "author", "participant", "account", "invitee", "owner")

_C: Any = Case
_A: Any = Account
_T: Any = Tenant
_I: Any = Index

PERSONAL: dict[str, dict[str, str]] = {get_topic(cls): fields for cls, fields in (
    (_C.CaseOpened, {"title": CASE}),
    (_C.BreachDisclosed, {"summary": CASE}),
    (_C.ReadinessAssessed, {"note": CASE}),
    (_C.ApologyOffered, {"text": CASE}),
    (_C.AgreementMade, {"text": CASE}),
    (_C.AgreementKept, {"note": CASE}),
    (_C.RitualPracticed, {"note": CASE}),
    (_C.MilestoneReached, {"title": CASE, "note": CASE}),
    (_C.BoundarySet, {"text": CASE}),
    (_C.BoundaryRevised, {"text": CASE}),
    (_C.BoundaryRetired, {"note": CASE}),
    (_C.BoundaryCrossed, {"note": CASE}),
    (_C.CheckInRecorded, {"note": PARTICIPANT}),
    (_C.QuestionnaireAnswered, {"answers": PARTICIPANT}),
    (_C.SetbackRecorded, {"description": CASE}),
    (_C.RedFlagRaised, {"note": CASE}),
    (_C.RedFlagResolved, {"note": CASE}),
    (_C.SessionNoted, {"text": CASE}),
    (_C.JournalEntryWritten, {"text": AUTHOR}),
    (_C.ProgramStepCompleted, {"note": CASE, "reason": CASE}),
    (_C.PulseOpened, {"question": CASE}),
    (_C.EntryHeldBack, {"reason": CASE}),
    (_C.StageAdvanced, {"reason": CASE}),
    (_C.ApproachChanged, {"reason": CASE}),
    (_C.CaseClosed, {"note": CASE}),
    (_C.CaseReopened, {"reason": CASE}),
    (_A.AccountRegistered, {"email": ACCOUNT, "name": ACCOUNT, "password_hash": ACCOUNT}),
    (_A.PasswordChanged, {"password_hash": ACCOUNT}),
    (_A.AccountRenamed, {"name": ACCOUNT}),
    (_A.SignInFailed, {"address": ACCOUNT}),
    (_A.ApiTokenIssued, {"label": ACCOUNT}),
    (_T.MemberInvited, {"email": INVITEE}),
    (_I.IndexCreated, {"value": OWNER}),
)}

#: Text fields that are not personal: closed vocabularies, digests and session ids.
STRUCTURAL: dict[str, set[str]] = {
    "mend.domain.case:Case.CaseOpened": {"kind", "approach"},
    "mend.domain.case:Case.BreachDisclosed": {"category"},
    "mend.domain.case:Case.ParticipantAdded": {"relation"},
    "mend.domain.case:Case.RitualPracticed": {"ritual"},
    "mend.domain.case:Case.RedFlagRaised": {"code"},
    # The instrument's key, its band's label and the safety items' keys: a definition's own.
    "mend.domain.case:Case.QuestionnaireAnswered": {"instrument", "band"},
    "mend.domain.case:Case.JournalEntryWritten": {"visibility"},
    "mend.domain.case:Case.ProgramStepCompleted": {"step"},
    "mend.domain.case:Case.ProgramStepOwnerAssigned": {"step"},
    "mend.domain.case:Case.StageAdvanced": {"from_stage", "stage"},
    "mend.domain.case:Case.ApproachChanged": {"from_approach", "approach"},
    "mend.domain.case:Case.CaseClosed": {"outcome"},
    "mend.domain.tenancy:Tenant.TenantRegistered": {"name", "slug", "kind"},
    "mend.domain.tenancy:Tenant.MemberInvited": {"role", "token_hash"},
    "mend.domain.tenancy:Tenant.InvitationAccepted": {"role"},
    "mend.domain.tenancy:Tenant.RoleGranted": {"role"},
    "mend.domain.tenancy:Tenant.TimeZoneSet": {"time_zone"},
    "mend.domain.tenancy:Tenant.ErasureRequestDeclined": {"reason"},
    "mend.domain.tenancy:Tenant.ReportMade": {"kind"},
    "mend.domain.tenancy:Tenant.ReportDownloaded": {"kind"},
    "mend.domain.tenancy:Account.SignedIn": {"session_id", "via"},
    "mend.domain.tenancy:Account.SignInFailed": {"via"},
    "mend.domain.tenancy:Account.SessionEnded": {"session_id"},
    "mend.domain.tenancy:Index.IndexCreated": {"namespace"},
    "mend.domain.idempotency:CommandRecord.CommandAnswered": {"request_digest"},
    "mend.domain.case:Case.LegalHoldPlaced": {"reason"},
    "mend.domain.case:Case.CaseErased": {"reason"},
    "mend.domain.case:Case.PersonErased": {"reason"},
    "mend.domain.tenancy:Account.AccountErased": {"reason"},
}

#: Aggregates whose snapshots hold personal data, and whose key seals the whole snapshot.
SNAPSHOT_SUBJECTS = {get_topic(Case): CASE, get_topic(Account): ACCOUNT}


def subject_of(whose: str, originator_id: Any, state: dict[str, Any]) -> str | None:
    """The key subject of a field of an event with this state; None: not personal here."""
    if whose == CASE:
        return keyring.case_subject(originator_id)
    if whose == AUTHOR:
        actor = state.get("actor_id")
        return (keyring.person_in_case_subject(actor, originator_id) if actor
                else keyring.case_subject(originator_id))
    if whose == PARTICIPANT:
        person = state.get("participant_id") or state.get("actor_id")
        return (keyring.person_in_case_subject(person, originator_id) if person
                else keyring.case_subject(originator_id))
    if whose == ACCOUNT:
        return keyring.person_subject(originator_id)
    if whose == INVITEE:
        return keyring.person_subject(state["account_id"])
    if whose == OWNER:
        if state.get("namespace") != EMAILS:
            return None  # a slug, a token digest: nobody's personal data
        return keyring.person_subject(state["ref"])
    raise ValueError(f"unknown owner of personal data: {whose}")

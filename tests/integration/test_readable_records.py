"""Records a person can read: timeline lines that name people as they are called now, and
caseloads in the order their cases need attention."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from mend.domain import commands as cmd
from mend.domain.acting import acting
from mend.domain.authorization import Actor
from mend.domain.tenancy import Account
from tests.integration.conftest import make_practice


def lines(mend, viewer, case_id) -> list[str]:
    return [e.summary for e in mend.casebook.timeline(viewer, case_id)]


def test_timeline_lines_name_their_subjects_and_follow_a_rename(mend):
    practice = make_practice(mend.store, slug="readable")
    pat, (ana, leo, _) = practice.practitioner, practice.clients
    work = mend.casework
    case_id = work.open_case(pat, kind="couple", title="Ana and Leo", approach="therapy_guided",
                             breach_category="infidelity", breach_summary="An affair.").result
    work.record(pat, case_id, cmd.AddParticipant(account_id=ana.account_id, relation="partner"))
    work.record(pat, case_id, cmd.AddParticipant(account_id=leo.account_id))
    work.record(pat, case_id, cmd.OfferApology(
        from_id=leo.account_id, to_ids=[ana.account_id], text="I broke your trust.",
        names_harm=True, takes_responsibility=False, commits_to_change=True))
    work.record(ana, case_id, cmd.RecordCheckIn(trust=6, emotional_safety=5,
                                                communication_ease=4, conflicts=1))
    saved = work.record(pat, case_id, cmd.NoteSession(text="Calmer."))
    mend.wait_for_projections(saved.notification_id)

    as_ana = Actor(ana.account_id, practice.tenant_id, "client")
    assert lines(mend, as_ana, case_id)[:6] == [
        "Case opened: couple, therapy guided",
        "Breach disclosed: infidelity",
        "Pat Practitioner assigned",
        "Client 0 joined the case (partner)",
        "Client 1 joined the case",
        "Client 1 apologised to Client 0 — names the harm, commits to change",
    ]
    assert "Client 0's check-in: trust 6/10, emotional safety 5/10, communication 4/10, " \
           "1 conflict" in lines(mend, as_ana, case_id)
    opened = mend.casebook.timeline(as_ana, case_id)[0]
    assert "tenant" not in opened.data, "a client's timeline carries the tenant's id"

    account = mend.store.get(ana.account_id, Account)
    with acting(ana.account_id, practice.tenant_id):
        account.rename("Ana Lima")
    mend.wait_for_projections(mend.store.save_changes(account).notification_id)
    now = lines(mend, as_ana, case_id)
    assert "Ana Lima joined the case (partner)" in now
    assert "Client 1 apologised to Ana Lima — names the harm, commits to change" in now
    assert not [line for line in now if "Client 0" in line]


def test_a_caseload_comes_in_order_of_attention_with_its_practitioners_by_name(mend):
    practice = make_practice(mend.store, slug="attention")
    pat, owner, work = practice.practitioner, practice.owner, mend.casework
    now = datetime.now(timezone.utc)

    def opened(title: str, days_ago: int) -> str:
        return work.open_case(pat, kind="couple", title=title, approach="self_guided",
                              breach_category="dishonesty", breach_summary="Hidden money.",
                              occurred_at=now - timedelta(days=days_ago)).result

    calm = opened("Calm, checked in yesterday", 20)
    overdue = opened("Check-in overdue", 12)
    unsafe = opened("Safety flag open", 2)
    closed = opened("Closed and done", 30)
    for case_id in (calm, overdue, unsafe, closed):
        work.record(pat, case_id, cmd.AddParticipant(account_id=practice.clients[0].account_id))
    work.record(pat, calm, cmd.RecordCheckIn(participant_id=practice.clients[0].account_id,
                                             trust=7, emotional_safety=7,
                                             communication_ease=7, conflicts=0,
                                             occurred_at=now - timedelta(days=1)))
    work.record(pat, unsafe, cmd.RaiseRedFlag(code="abuse_history"))
    work.record(owner, unsafe, cmd.AssignPractitioner(account_id=owner.account_id))
    saved = work.record(pat, closed, cmd.CloseCase(outcome="released"))
    mend.wait_for_projections(saved.notification_id, case_id=closed)
    mend.wait_for_projections(saved.notification_id, case_id=unsafe)

    as_pat = Actor(pat.account_id, practice.tenant_id, "practitioner")
    rows = mend.casebook.caseload(as_pat, now=now)
    assert [row.title for row in rows] == [
        "Safety flag open", "Check-in overdue", "Calm, checked in yesterday"]
    assert [p.name for p in rows[0].practitioners] == ["Olive Owner", "Pat Practitioner"]
    assert [r.title for r in mend.casebook.caseload(as_pat, now=now,
                                                    filters={"status": "closed"})] == [
        "Closed and done"]
    second_page = mend.casebook.caseload(as_pat, now=now, limit=2, offset=2)
    assert [row.title for row in second_page] == ["Calm, checked in yesterday"]

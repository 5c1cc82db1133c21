"""The program board of a workplace case: the eight steps in order with their state in words,
each step's owner by name, the pulses; its forms complete a step and assign its owner through
the same commands as the API, and come back to the board."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from uuid import UUID

import pytest

from mend.domain import commands as cmd
from mend.domain.vocabulary import PROGRAM_STEPS
from tests.integration.web.conftest import stored

TITLES = ["Public acknowledgment", "Transparent facts", "Accountability", "Open forums",
          "External audit", "Ongoing updates", "Renewal ritual", "Trust measurement"]


@pytest.fixture(scope="module")
def new_board(app, practices):
    """Opens a workplace case in the own practice, 40 days ago: the practitioner works it and
    the client takes part (each test that changes a board gets one of its own)."""
    mend = app.extensions["mend"]
    people = practices["own"].people
    owner = people["owner"]

    def open_board(title: str) -> UUID:
        case_id = mend.casework.open_case(
            owner, kind="workplace", title=title, approach="therapy_guided",
            breach_category="data_breach", breach_summary="Pay slips went to everyone.",
            occurred_at=datetime.now(timezone.utc) - timedelta(days=40)).originator_id
        for command in (cmd.AssignPractitioner(account_id=people["practitioner"].account_id),
                        cmd.AddParticipant(account_id=people["client"].account_id,
                                           relation="team lead")):
            saved = mend.casework.record(owner, case_id, command)
        mend.wait_for_projections(saved.notification_id, 10)
        return case_id

    return open_board


@pytest.fixture(scope="module")
def worked(app, practices, new_board) -> UUID:
    """A board some way along: the first step done with its evidence, the audit taken early
    with its reason, the client owning accountability, and two pulses, one too small."""
    mend = app.extensions["mend"]
    people = practices["own"].people
    owner = people["owner"]
    case_id = new_board("Depot: the pay slips")
    march = datetime.now(timezone.utc) - timedelta(days=30)
    for command in (
        cmd.CompleteProgramStep(step="public_acknowledgment", note="Said at the all-hands.",
                                occurred_at=march),
        cmd.CompleteProgramStep(step="external_audit", reason="The regulator came early.",
                                occurred_at=march + timedelta(days=2)),
        cmd.AssignStepOwner(step="accountability", account_id=people["client"].account_id),
        cmd.RecordTrustPulse(scores=[6, 7, 8, 6, 7]),
        cmd.RecordTrustPulse(scores=[5, 6, 7, 4]),
    ):
        saved = mend.casework.record(owner, case_id, command)
    mend.wait_for_projections(saved.notification_id, 10)
    return case_id


def board(person, case_id) -> str:
    answer = person.get(f"/cases/{case_id}/program")
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    return answer.get_data(as_text=True)


def card(page: str, step: str) -> str:
    """The markup of one step's card."""
    start = page.index(f'<li id="step-{step}"')
    return page[start:page.index("</li>\n", start)]


def day(moment: datetime) -> str:
    return f"{moment.day} {moment:%B}" + ("" if moment.year == datetime.now().year
                                          else f" {moment.year}")


def test_the_board_shows_the_steps_in_order_with_their_state_owner_and_evidence(
        practices, signed_in, worked):
    page = board(signed_in("practitioner"), worked)
    titles = re.findall(r'<h3><span class="number">\d\.</span> ([^<]+)</h3>', page)
    assert titles == TITLES
    march = datetime.now(timezone.utc) - timedelta(days=30)
    first = card(page, "public_acknowledgment")
    assert f"Done on {day(march)}" in first and "Said at the all-hands." in first
    assert "Next" in card(page, "transparent_facts")
    assert "Not started" in card(page, "accountability")
    audit = card(page, "external_audit")
    assert f"Done on {day(march + timedelta(days=2))}" in audit
    assert ("Taken before Transparent facts, Accountability and Open forums: "
            "The regulator came early.") in audit
    assert "Owner: Client harbor" in card(page, "accountability")
    assert "No owner yet" in card(page, "public_acknowledgment")
    assert "1 of 8" not in page and "2 of 8 steps done" in page


def test_the_pulses_are_charted_when_published_and_counted_while_too_small(
        signed_in, worked):
    page = board(signed_in("owner"), worked)
    assert '<svg viewBox="0 0 640 240" role="img"' in page
    assert "One published pulse" in page and "mean of 6.8 on a 0 to 10 scale" in page
    assert "Mean 6.8 from 5 answers" in page
    assert "4 answers; results show when the pulse closes with at least 5" in page
    assert len(re.findall(r'<circle class="dot pulse_mean"', page)) == 1


def test_the_api_s_progress_names_each_owner_and_keeps_each_step_s_note(
        practices, signed_in, worked):
    answer = signed_in("practitioner").get(f"/api/v1/cases/{worked}/progress")
    assert answer.status_code == 200
    progress = answer.json
    assert progress["owners"] == [{
        "step": "accountability", "name": "Client harbor",
        "account_id": str(practices["own"].people["client"].account_id)}]
    assert [(c["step"], c["note"]) for c in progress["completed"]] == [
        ("public_acknowledgment", "Said at the all-hands."), ("external_audit", "")]


def test_an_owner_assigned_through_the_form_shows_by_name_and_on_the_timeline(
        app, practices, signed_in, new_board):
    case_id = new_board("Depot: the rota")
    pat = signed_in("practitioner")
    board(pat, case_id)  # the page's form token
    practitioner = practices["own"].people["practitioner"]
    answer = pat.post(f"/cases/{case_id}/program/AssignStepOwner", {
        "step": "open_forums", "account_id": str(practitioner.account_id)})
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith(f"/cases/{case_id}/program#step-open_forums")
    page = board(pat, case_id)
    assert "Open forums: owner assigned." in page
    assert "Owner: Practitioner harbor" in card(page, "open_forums")
    # The select offers the case's people, the current owner chosen.
    assert re.search(rf'<option value="{practitioner.account_id}" selected>', card(
        page, "open_forums"))
    assert "Client harbor" in card(page, "open_forums")
    timeline = app.extensions["mend"].reader.timeline(practices["own"].people["owner"],
                                                      case_id, limit=50)
    assert "Practitioner harbor owns the program step open forums" in [
        e.summary for e in timeline.events]
    # Assigning again hands the step to someone else.
    answer = pat.post(f"/cases/{case_id}/program/AssignStepOwner", {
        "step": "open_forums", "account_id": str(practices["own"].people["client"].account_id)})
    assert answer.status_code == 302
    assert "Owner: Client harbor" in card(board(pat, case_id), "open_forums")


def test_a_step_completed_through_the_form_is_done_with_its_note(signed_in, new_board):
    case_id = new_board("Depot: the lockers")
    owner = signed_in("owner")
    board(owner, case_id)
    answer = owner.post(f"/cases/{case_id}/program/CompleteProgramStep", {
        "step": "public_acknowledgment", "note": "Letter to every team, <b>signed</b>."})
    assert answer.status_code == 302
    page = board(owner, case_id)
    first = card(page, "public_acknowledgment")
    assert f"Done on {day(datetime.now(timezone.utc))}" in first
    assert "Letter to every team, &lt;b&gt;signed&lt;/b&gt;." in first
    assert "Next" in card(page, "transparent_facts")
    assert "Mark done" not in first  # a step is done once


def test_a_refused_form_comes_back_beside_its_field_and_records_nothing(
        app, practices, signed_in, new_board):
    case_id = new_board("Depot: the canteen")
    owner = signed_in("owner")
    board(owner, case_id)
    before = stored(app)
    stranger = practices["own"].people["client_off"].account_id  # not on this case
    answer = owner.post(f"/cases/{case_id}/program/AssignStepOwner", {
        "step": "accountability", "account_id": str(stranger)})
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    accountability = card(page, "accountability")
    assert '<details class="step-forms" open>' in accountability
    assert 'id="f-accountability-owner-error"' in accountability
    assert "is not a participant or practitioner of this case" in accountability
    assert "is not a participant" not in card(page, "open_forums")
    # Out of order without a reason: the reason's field says why it is needed.
    answer = owner.post(f"/cases/{case_id}/program/CompleteProgramStep", {
        "step": "renewal_ritual", "note": "Kept when refused."})
    assert answer.status_code == 422
    ritual = card(answer.get_data(as_text=True), "renewal_ritual")
    assert 'aria-invalid="true" aria-describedby="f-renewal_ritual-reason-error"' in ritual
    assert "must say why renewal_ritual comes before" in ritual
    assert "Kept when refused." in ritual
    # A step that is not one of the eight has no card: its message goes above the steps.
    answer = owner.post(f"/cases/{case_id}/program/CompleteProgramStep", {"step": "picnic"})
    assert answer.status_code == 422
    assert 'class="error-summary" role="alert"><p>Step:' in answer.get_data(as_text=True)
    assert stored(app) == before


def test_a_client_gets_no_board_and_another_practice_s_case_is_not_found(
        app, practices, signed_in, worked):
    client = signed_in("client")  # on the case, but the board is the workspace's
    answer = client.get(f"/cases/{worked}/program")
    assert (answer.status_code, answer.headers["Location"]) == (302, "/my-cases")
    # Signing in is recorded too: everyone signs in before the count that must not move.
    others = [signed_in(role, "other") for role in ("owner", "practitioner")]
    off_case = signed_in("practitioner_off")
    before = stored(app)
    for other in others:
        answer = other.get(f"/cases/{worked}/program")
        assert answer.status_code == 404
        assert "Depot" not in answer.get_data(as_text=True)
        other.get("/")
        answer = other.post(f"/cases/{worked}/program/AssignStepOwner", {
            "step": "accountability",
            "account_id": str(practices["other"].people["client"].account_id)})
        assert answer.status_code == 404
    assert off_case.get(f"/cases/{worked}/program").status_code == 404
    assert stored(app) == before


def test_only_a_workplace_case_has_a_board_and_its_case_page_links_to_it(
        practices, signed_in, worked):
    owner = signed_in("owner")
    couple = practices["own"].case_id
    assert owner.get(f"/cases/{couple}/program").status_code == 404
    assert "/program" not in owner.get(f"/cases/{couple}").get_data(as_text=True)
    page = owner.get(f"/cases/{worked}").get_data(as_text=True)
    assert f'href="/cases/{worked}/program">Open the program board</a>' in page
    # The case page's own forms include the owner's, offering the case's people.
    assert "Assign a program step&#39;s owner" in page
    assert len(PROGRAM_STEPS) == len(TITLES)

"""The portal's practice of repair: a participant fills in their own readiness checklist, taps
"we did this today" on a ritual and "we kept this today" on an agreement; the workspace shows
each person's checklist and how often each agreement was kept.

Readiness answers are shared entries like the case's other events: the partner reads them on
the timeline, but each person's own answers are what their portal's checklist shows."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from mend.domain import commands as cmd
from tests.integration.web.conftest import stored


@pytest.fixture(scope="module")
def couple(app, practices):
    """A couple's case with both partners, and an agreement made in session."""
    mend = app.extensions["mend"]
    people = practices["own"].people
    owner = people["owner"]
    case_id = mend.casework.open_case(
        owner, kind="couple", title="Berg and Adeyemi", approach="therapy_guided",
        breach_category="digital_secrecy", breach_summary="A hidden account.",
        occurred_at=datetime.now(timezone.utc) - timedelta(days=20),
    ).originator_id
    for command in (
        cmd.AssignPractitioner(account_id=people["practitioner"].account_id),
        cmd.AddParticipant(account_id=people["client"].account_id, relation="partner"),
        cmd.AddParticipant(account_id=people["client_off"].account_id, relation="partner"),
    ):
        mend.casework.record(owner, case_id, command)
    saved = mend.casework.record(owner, case_id, cmd.MakeAgreement(text="Phones in the hall "
                                                                        "after nine"))
    mend.wait_for_projections(saved.notification_id, 10)
    return {"case_id": case_id, "agreement_id": saved.result}


def page_of(person, case_id) -> str:
    answer = person.get(f"/portal/cases/{case_id}")
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def section(page: str, name: str) -> str:
    found = re.search(rf'<section aria-labelledby="{name}-h".*?</section>', page, re.S)
    assert found, name
    return found.group(0)


def test_a_client_fills_in_their_own_readiness_checklist_and_sees_their_answers(
        app, signed_in, couple):
    rosa = signed_in("client")
    case_id = couple["case_id"]
    readiness = section(page_of(rosa, case_id), "readiness")
    assert "You have not answered this checklist yet." in readiness
    assert readiness.count('type="checkbox"') == 12
    assert "I know why I want to try to rebuild" in readiness  # the item in plain words
    assert 'name="csrf_token"' in readiness

    answer = rosa.post(f"/portal/cases/{case_id}/readiness", {
        "answers": "", "answers.breach_accepted": "on", "answers.motivation_clear": "on",
        "answers.committed_to_honesty": "on", "note": "Still scared, but here."})
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"/portal/cases/{case_id}"
    page = rosa.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Your readiness answers are saved." in page
    readiness = section(page, "readiness")
    assert re.search(r"Your own answers, \d+ \w+ \d{4}: 3 of 12 ready", readiness)
    assert "Still scared, but here." in readiness
    # Filling it in again starts from the last answers.
    assert readiness.count(" checked>") == 3
    assert re.search(r'name="answers.motivation_clear" value="on" checked', readiness)

    # The partner may read the entry on the timeline, but their checklist is their own.
    partner = section(page_of(signed_in("client_off"), case_id), "readiness")
    assert "You have not answered this checklist yet." in partner
    assert " checked>" not in partner


def test_nothing_ticked_is_an_honest_answer_and_a_broken_value_is_named(app, signed_in,
                                                                         couple):
    ines = signed_in("client_off")
    case_id = couple["case_id"]
    answer = ines.post(f"/portal/cases/{case_id}/readiness", {"answers": ""})
    assert answer.status_code == 302
    page = ines.get(answer.headers["Location"]).get_data(as_text=True)
    assert re.search(r"Your own answers, .*: 0 of 12 ready", section(page, "readiness"))

    before = stored(app)
    answer = ines.post(f"/portal/cases/{case_id}/readiness",
                       {"answers": "", "answers.breach_accepted": "on", "note": "x" * 10_001})
    assert answer.status_code == 422
    readiness = section(answer.get_data(as_text=True), "readiness")
    assert 'id="readiness-note-error"' in readiness and 'aria-invalid="true"' in readiness
    assert re.search(r'name="answers.breach_accepted" value="on" checked', readiness)
    assert stored(app) == before


def test_we_did_this_today_records_the_ritual_and_shows_it_done_today(app, signed_in, couple):
    rosa = signed_in("client")
    case_id = couple["case_id"]
    rituals = section(page_of(rosa, case_id), "rituals")
    assert rituals.count("We did this today") == 6  # the couple rituals, each one tap
    assert "Gratitude note" in rituals and "gratitude_note" not in rituals.split(
        'name="ritual"')[0]
    assert "family_dinner" not in rituals
    assert re.search(r'id="ritual-gratitude_note-last">Not done yet<', rituals)

    answer = rosa.post(f"/portal/cases/{case_id}/rituals", {"ritual": "gratitude_note"})
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"/portal/cases/{case_id}"
    page = rosa.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Saved: you did this together today." in page
    assert re.search(r'id="ritual-gratitude_note-last">Last done today<',
                     section(page, "rituals"))
    # Shared: the partner sees it done too.
    assert 'id="ritual-gratitude_note-last">Last done today<' in page_of(
        signed_in("client_off"), case_id)


def test_a_ritual_that_does_not_fit_is_refused_in_words_and_records_nothing(
        app, signed_in, couple):
    rosa = signed_in("client")
    before = stored(app)
    answer = rosa.post(f"/portal/cases/{couple['case_id']}/rituals", {"ritual": "family_dinner"})
    assert answer.status_code == 422
    assert "does not fit a couple case" in answer.get_data(as_text=True)
    assert stored(app) == before


def test_we_kept_this_today_counts_the_agreement_on_both_sides(app, signed_in, couple):
    rosa = signed_in("client")
    case_id, agreement_id = couple["case_id"], couple["agreement_id"]
    agreements = section(page_of(rosa, case_id), "agreements")
    assert "Phones in the hall after nine" in agreements
    assert "Not marked as kept yet" in agreements
    path = f"/portal/cases/{case_id}/agreements/{agreement_id}/kept"
    assert f'action="{path}#agreement-{agreement_id}"' in agreements

    for _ in range(2):
        answer = rosa.post(path)
        assert answer.status_code == 302
    page = rosa.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Saved: you kept this agreement today." in page
    assert "Kept twice, last today" in section(page, "agreements")

    # The workspace shows the count, and each person's latest readiness checklist by whom.
    workspace = signed_in("practitioner").get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Kept twice, last today" in workspace
    assert re.search(r"Client harbor&#39;s own answers, [^<]*: 3 of 12 ready", workspace)


def test_an_agreement_of_another_case_is_named_as_wrong_and_nothing_is_recorded(
        app, signed_in, couple, practices):
    mend = app.extensions["mend"]
    owner = practices["own"].people["owner"]
    other = mend.casework.record(owner, practices["own"].case_id,
                                 cmd.MakeAgreement(text="Another case's promise"))
    mend.wait_for_projections(other.notification_id, 10)
    rosa = signed_in("client")
    before = stored(app)
    answer = rosa.post(f"/portal/cases/{couple['case_id']}/agreements/{other.result}/kept")
    assert answer.status_code == 422
    assert "is not an agreement of this case" in answer.get_data(as_text=True)
    assert stored(app) == before


def test_staff_viewing_as_a_client_see_the_practice_without_its_buttons(signed_in, couple,
                                                                          practices):
    rosa_id = practices["own"].people["client"].account_id
    page = signed_in("practitioner").get(
        f"/cases/{couple['case_id']}/view-as/{rosa_id}").get_data(as_text=True)
    assert "Our rituals" in page and "Our agreements" in page
    assert "We did this today" not in page and "We kept this today" not in page


def test_the_api_standing_keeps_the_latest_readiness_and_adds_each_persons(app, signed_in,
                                                                           couple, practices):
    mend = app.extensions["mend"]
    people = practices["own"].people
    saved = mend.casework.record(people["practitioner"], couple["case_id"],
                                 cmd.AssessReadiness(answers={"breach_accepted": True}))
    mend.wait_for_projections(saved.notification_id, 10)
    answer = signed_in("client").get(f"/api/v1/cases/{couple['case_id']}/standing")
    assert answer.status_code == 200
    body = answer.json
    assert body["readiness"]["actor"]["id"] == str(people["practitioner"].account_id)
    assert body["readiness"]["ready"] == 1
    whose = [r["actor"]["id"] for r in body["readiness_by_person"]]
    assert whose[0] == str(people["practitioner"].account_id)
    assert str(people["client"].account_id) in whose
    (agreement,) = body["agreements"]
    assert agreement["id"] == str(couple["agreement_id"]) and "last_kept_at" in agreement
    assert {r["ritual"] for r in body["rituals"]} <= {"gratitude_note"}
    assert body["flags"] == []  # a client's standing holds no red flag

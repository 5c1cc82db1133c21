"""Staff decide what the portal shows: an entry held back is absent from every participant's
pages, download and API answers until it is released or its release time comes, while the
person who recorded it and the staff keep seeing it."""

from __future__ import annotations

import json
import re
import time
from datetime import datetime, timedelta, timezone
from uuid import UUID

import pytest

from mend.domain import commands as cmd
from tests.integration.web.conftest import stored


@pytest.fixture(scope="module")
def case(app, practices):
    """A couple's case with both partners and a practitioner on it."""
    mend = app.extensions["mend"]
    people = practices["own"].people
    owner = people["owner"]
    case_id = mend.casework.open_case(
        owner, kind="couple", title="Berg and Moreno", approach="therapy_guided",
        breach_category="infidelity", breach_summary="An affair kept for a year.",
        occurred_at=datetime.now(timezone.utc) - timedelta(days=20),
    ).originator_id
    for command in (
        cmd.AssignPractitioner(account_id=people["practitioner"].account_id),
        cmd.AddParticipant(account_id=people["client"].account_id, relation="partner"),
        cmd.AddParticipant(account_id=people["client_off"].account_id, relation="partner"),
    ):
        saved = mend.casework.record(owner, case_id, command)
    mend.wait_for_projections(saved.notification_id, 10)
    return case_id


def record(app, practices, case_id, command, role="practitioner"):
    mend = app.extensions["mend"]
    saved = mend.casework.record(practices["own"].people[role], case_id, command)
    mend.wait_for_projections(saved.notification_id, 10)
    return saved


def entries_in(page: str) -> list[str]:
    """The ids of the timeline entries a page lists, in its order."""
    return re.findall(r'<li class="entry[^"]*" id="entry-([0-9a-f-]+)"', page)


def seen_by(person, case_id) -> tuple[str, str, str]:
    """The portal page, the download and the API timeline as this person gets them."""
    page = person.get(f"/portal/cases/{case_id}").get_data(as_text=True)
    download = person.get(f"/portal/cases/{case_id}/my-data.json").get_data(as_text=True)
    api = person.get(f"/api/v1/cases/{case_id}/timeline").get_data(as_text=True)
    return page, download, api


def test_a_held_entry_is_gone_from_the_portal_until_staff_release_it(app, practices, signed_in,
                                                                      case):
    saved = record(app, practices, case,
                   cmd.ReachMilestone(title="Milestone-held-4K1", note="They named the hurt."))
    milestone = str(saved.event_id)
    pat, rosa, sam = signed_in("practitioner"), signed_in("client"), signed_in("client_off")
    assert milestone in entries_in(seen_by(rosa, case)[0])

    staff_page = pat.get(f"/cases/{case}").get_data(as_text=True)
    assert f"/cases/{case}/record/HoldBackEntry/{milestone}" in staff_page
    answer = pat.post(f"/cases/{case}/record/HoldBackEntry/{milestone}",
                      {"until": "", "reason": "Talk it through in session first."})
    assert answer.status_code == 302

    for person in (rosa, sam):
        for body in seen_by(person, case):
            assert "Milestone-held-4K1" not in body
            assert "Talk it through in session first." not in body
    staff_page = pat.get(f"/cases/{case}").get_data(as_text=True)
    assert "Milestone-held-4K1" in staff_page
    assert "held back from the portal until released" in staff_page
    assert f"/cases/{case}/record/ReleaseEntry/{milestone}" in staff_page

    assert pat.post(f"/cases/{case}/record/ReleaseEntry/{milestone}", {}).status_code == 302
    for person in (rosa, sam):
        page, download, api = seen_by(person, case)
        assert milestone in entries_in(page) and "Milestone-held-4K1" in page
        assert "Milestone-held-4K1" in download and "Milestone-held-4K1" in api


def test_an_entry_held_until_a_time_appears_by_itself_when_the_time_comes(app, practices,
                                                                           signed_in, case):
    saved = record(app, practices, case, cmd.ReachMilestone(title="Milestone-dated-8P3"))
    until = datetime.now(timezone.utc) + timedelta(seconds=2)
    record(app, practices, case, cmd.HoldBackEntry(entry_id=saved.event_id, until=until))
    rosa = signed_in("client")
    assert "Milestone-dated-8P3" not in seen_by(rosa, case)[0]
    time.sleep(max(0.0, (until - datetime.now(timezone.utc)).total_seconds()) + 0.2)
    # Nothing ran in between: the release time alone lets it through.
    assert all("Milestone-dated-8P3" in body for body in seen_by(rosa, case))


def test_the_hold_back_form_takes_a_day_and_says_until_when(app, practices, signed_in, case):
    saved = record(app, practices, case, cmd.ReachMilestone(title="Milestone-tomorrow-2R8"))
    pat = signed_in("practitioner")
    day = (datetime.now(timezone.utc) + timedelta(days=3)).date()
    answer = pat.post(f"/cases/{case}/record/HoldBackEntry/{saved.event_id}",
                      {"until": day.isoformat(), "reason": ""})
    assert answer.status_code == 302
    staff_page = pat.get(f"/cases/{case}").get_data(as_text=True)
    shown = re.search(r'id="entry-%s".*?</li>' % saved.event_id, staff_page, re.S).group(0)
    assert "held back from the portal until" in shown and "until released" not in shown
    assert "Milestone-tomorrow-2R8" not in seen_by(signed_in("client"), case)[0]


def test_a_refused_hold_back_names_its_field_and_writes_nothing(app, practices, signed_in, case):
    saved = record(app, practices, case, cmd.ReachMilestone(title="Milestone-refused-5T0"))
    note = record(app, practices, case, cmd.NoteSession(text="For staff."))
    pat = signed_in("practitioner")
    before = stored(app)
    yesterday = (datetime.now(timezone.utc) - timedelta(days=1)).date().isoformat()
    answer = pat.post(f"/cases/{case}/record/HoldBackEntry/{saved.event_id}",
                      {"until": yesterday})
    assert answer.status_code == 422 and stored(app) == before
    page = answer.get_data(as_text=True)
    assert "must be later than now" in page and 'aria-invalid="true"' in page
    answer = pat.post(f"/cases/{case}/record/HoldBackEntry/{note.event_id}", {})
    assert answer.status_code == 422 and stored(app) == before
    assert "is not shown in the portal" in answer.get_data(as_text=True)


def test_a_participant_still_sees_their_own_shared_entry_while_it_is_held(app, practices,
                                                                          signed_in, case):
    rosa, sam = signed_in("client"), signed_in("client_off")
    assert rosa.post(f"/portal/cases/{case}/journal",
                     {"text": "Journal-shared-held-6W2", "visibility": "shared"}
                     ).status_code == 302
    mend = app.extensions["mend"]
    entry = next(e for e in mend.reader.everything_readable(practices["own"].people["client"],
                                                            case)
                 if e.data.get("text") == "Journal-shared-held-6W2")
    record(app, practices, case, cmd.HoldBackEntry(entry_id=UUID(entry.id)))
    own = rosa.get(f"/portal/cases/{case}").get_data(as_text=True)
    assert "Journal-shared-held-6W2" in own and "not shown to the others yet" in own
    assert all("Journal-shared-held-6W2" not in body for body in seen_by(sam, case))


def test_view_as_shows_what_the_participants_own_session_shows_entry_for_entry(
        app, practices, signed_in, case):
    people = practices["own"].people
    saved = record(app, practices, case, cmd.ReachMilestone(title="Milestone-view-as-3J9"))
    record(app, practices, case, cmd.HoldBackEntry(entry_id=saved.event_id))
    pat = signed_in("practitioner")
    for role in ("client", "client_off"):
        own = entries_in(signed_in(role).get(f"/portal/cases/{case}").get_data(as_text=True))
        seen = pat.get(f"/cases/{case}/view-as/{people[role].account_id}").get_data(as_text=True)
        private = {str(e.id) for e in app.extensions["mend"].reader.everything_readable(
            people[role], case) if e.visibility == "private"}
        assert entries_in(seen) == [e for e in own if e not in private]
        assert str(saved.event_id) not in own and "Milestone-view-as-3J9" not in seen


def test_the_facts_of_holding_back_never_reach_the_portal(app, practices, signed_in, case):
    body = json.loads(signed_in("client").get(f"/portal/cases/{case}/my-data.json").get_data())
    assert not {"entry_held_back", "entry_released"} & {e["type"] for e in body["events"]}
    assert "held back" not in signed_in("client_off").get(
        f"/portal/cases/{case}").get_data(as_text=True)

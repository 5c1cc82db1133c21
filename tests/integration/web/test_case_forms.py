"""The case page's forms: each posts the same typed command the API runs, and the page after
shows what was recorded; a wrong value comes back beside its field and records nothing."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.integration.web.conftest import stored


NEW_YORK = ZoneInfo("America/New_York")


def record(person, practices, name: str, data: dict) -> object:
    return person.post(f"/cases/{practices['own'].case_id}/record/{name}", data)


def case_page(person, practices) -> str:
    return person.get(f"/cases/{practices['own'].case_id}").get_data(as_text=True)


def messages(answer) -> list[str]:
    return re.findall(r'class="error[^"]*"[^>]*>\s*(?:<p>)?([^<]+)', answer.get_data(as_text=True))


def field_block(page: str, input_id: str) -> str:
    """The markup of one field: from its input to the end of its wrapper."""
    start = page.index(f'id="{input_id}"')
    return page[start:page.index("</div>", start)]


def test_a_check_in_typed_into_the_form_is_on_the_timeline_by_name(app, practices, signed_in):
    pat = signed_in("practitioner")
    client_id = str(practices["own"].people["client"].account_id)
    answer = record(pat, practices, "RecordCheckIn", {
        "trust": "7", "emotional_safety": "6", "communication_ease": "5", "conflicts": "0",
        "participant_id": client_id, "note": "Calmer week.", "occurred_at": "",
    })
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith(f"/cases/{practices['own'].case_id}#timeline")
    page = case_page(pat, practices)
    assert "Record a check-in: recorded." in page
    assert ("Client harbor&#39;s check-in: trust 7/10, emotional safety 6/10, "
            "communication 5/10, 0 conflicts") in page
    assert "Calmer week." in page


def test_a_wrong_value_comes_back_beside_its_field_with_what_was_typed(app, practices,
                                                                          signed_in):
    pat = signed_in("practitioner")
    before = stored(app)
    answer = record(pat, practices, "RecordCheckIn", {
        "trust": "11", "emotional_safety": "six", "communication_ease": "5", "conflicts": "0",
        "note": "Kept when refused.",
    })
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    trust = field_block(page, "f-RecordCheckIn-trust")
    assert 'value="11"' in trust and 'aria-invalid="true"' in trust
    assert "greater than or equal to 0 and less than or equal to 10" in trust
    assert "Not a valid integer." in field_block(page, "f-RecordCheckIn-emotional_safety")
    assert "Kept when refused." in page
    assert '<details id="form-RecordCheckIn" open>' in page
    assert 'aria-invalid' not in field_block(page, "f-RecordCheckIn-communication_ease")
    assert stored(app) == before


def test_a_rule_of_the_case_is_shown_beside_the_field_it_names(app, practices, signed_in):
    owner = signed_in("owner")
    before = stored(app)
    answer = record(owner, practices, "AdvanceStage", {"stage": "moving_forward"})
    assert answer.status_code == 422
    reason = field_block(answer.get_data(as_text=True), "f-AdvanceStage-reason")
    assert "must say why the case skips honest_conversations, restoring" in reason
    assert stored(app) == before


def test_an_apology_with_ticked_boxes_and_several_recipients_is_recorded(app, practices,
                                                                           signed_in):
    owner = signed_in("owner")
    mend = app.extensions["mend"]
    people = practices["own"].people
    # A second participant to apologise to.
    page = owner.get(f"/cases/{practices['own'].case_id}").get_data(as_text=True)
    assert "Client_Off harbor" in page  # offered to be added: a client not yet on the case
    added = record(owner, practices, "AddParticipant", {
        "account_id": str(people["client_off"].account_id), "relation": "partner"})
    assert added.status_code == 302
    answer = owner.client.post(f"/cases/{practices['own'].case_id}/record/OfferApology", data={
        "csrf_token": owner.token, "from_id": str(people["client"].account_id),
        "to_ids": [str(people["client_off"].account_id)], "text": "I hid it and I am sorry.",
        "names_harm": "on", "takes_responsibility": "on",
    })
    assert answer.status_code == 302, answer.get_data(as_text=True)[:400]
    timeline = mend.reader.timeline(people["owner"], practices["own"].case_id, limit=500)
    [entry] = [e for e in timeline.events if e.type == "apology_offered"]
    assert entry.data["names_harm"] is True and entry.data["commits_to_change"] is False
    assert entry.data["to_ids"] == [str(people["client_off"].account_id)]


def test_free_text_is_shown_as_text_wherever_it_appears(app, practices, signed_in):
    owner = signed_in("owner")
    script = '<script>alert("boundary")</script><img src=x onerror=alert(1)>'
    assert record(owner, practices, "SetBoundary", {"text": script}).status_code == 302
    noted = record(owner, practices, "NoteSession", {"text": "<b>bold</b> & done"})
    assert noted.status_code == 302
    page = case_page(owner, practices)
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#34;boundary&#34;)&lt;/script&gt;" in page
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; done" in page
    assert len(re.findall(r"<script", page)) == 0  # the pages carry no script at all


def test_a_time_typed_in_the_form_is_read_in_the_practice_s_time_zone(app, practices,
                                                                        signed_in):
    mend = app.extensions["mend"]
    owner_actor = practices["own"].people["owner"]
    mend.membership.set_time_zone(owner_actor, "America/New_York")
    # A wall-clock time in New York, to the second, after the case opened and not ahead of now.
    opened = mend.reader.case(owner_actor, practices["own"].case_id).opened_at
    time.sleep(max(0.0, (opened + timedelta(seconds=1) - datetime.now(NEW_YORK)).total_seconds()))
    typed = datetime.now(NEW_YORK).replace(microsecond=0)
    try:
        owner = signed_in("owner")
        answer = record(owner, practices, "ReachMilestone", {
            "title": "First honest dinner", "occurred_at": f"{typed:%Y-%m-%dT%H:%M:%S}"})
        assert answer.status_code == 302, messages(answer)
        timeline = mend.reader.timeline(owner_actor, practices["own"].case_id, limit=500)
        [entry] = [e for e in timeline.events if e.type == "milestone_reached"]
        assert entry.occurred_at == typed
        assert entry.occurred_at.utcoffset() == timedelta(0)  # stored in UTC
        assert f"{typed.day} {typed:%b %Y, %H:%M}" in case_page(owner, practices)
    finally:
        mend.membership.set_time_zone(owner_actor, "UTC")


def test_staff_only_forms_are_not_offered_where_the_command_is_not_open_to_the_role(
        app, practices, signed_in):
    pat = signed_in("practitioner")
    page = case_page(pat, practices)
    assert "Assign a practitioner" not in page  # supervisors and owners assign
    assert "Record a check-in" in page and "Write a session note" in page
    assert "Complete a program step" not in page  # a couple's case has no program


def test_a_practitioner_invites_a_new_client_straight_into_the_case(app, practices, signed_in):
    from tests.integration.web.conftest import Browser

    pat = signed_in("practitioner")
    invited = pat.post(f"/cases/{practices['own'].case_id}/invite", {
        "name": "Rosa Lind", "email": "rosa@example.test", "relation": "partner"})
    assert invited.status_code == 302
    page = case_page(pat, practices)
    [link] = re.findall(r"http://[^\s<]+/invitations/([\w-]+)", page)
    refused = pat.post(f"/cases/{practices['own'].case_id}/invite",
                       {"name": "No Email", "email": "not an email"})
    assert refused.status_code == 422
    assert "Not a valid email address." in field_block(refused.get_data(as_text=True), "f-email")

    rosa = Browser(app.test_client())
    rosa.get(f"/invitations/{link}")
    assert rosa.post(f"/invitations/{link}", {"password": "Rosa's long passphrase"}
                     ).headers["Location"] == "/"
    assert rosa.get("/").headers["Location"] == "/my-cases"  # a client: not the workspace
    assert "Harbor couple" in rosa.get("/my-cases", follow_redirects=True).get_data(as_text=True)
    assert "Rosa Lind (partner)" in case_page(pat, practices)


def test_a_supervisor_hands_a_case_to_another_practitioner_in_one_step(app, practices,
                                                                       signed_in):
    people, case_id = practices["own"].people, practices["own"].case_id
    pat, cole = signed_in("practitioner"), signed_in("practitioner_off")
    assert pat.get(f"/cases/{case_id}").status_code == 200
    supervisor = signed_in("supervisor")
    page = case_page(supervisor, practices)
    assert "Hand the case to another practitioner" in page
    answer = record(supervisor, practices, "ReassignCase", {
        "from_practitioner_id": str(people["practitioner"].account_id),
        "to_practitioner_id": str(people["practitioner_off"].account_id)})
    assert answer.status_code == 302, messages(answer)
    assert pat.get(f"/cases/{case_id}").status_code == 404  # no longer theirs, at once
    assert cole.get(f"/cases/{case_id}").status_code == 200
    assert "Practitioner_Off harbor" in case_page(supervisor, practices).split(
        "Practitioners</dt>")[1].split("</dd>")[0]
    # Back again, so the other tests of this module find the case as it was.
    record(supervisor, practices, "ReassignCase", {
        "from_practitioner_id": str(people["practitioner_off"].account_id),
        "to_practitioner_id": str(people["practitioner"].account_id)})


def test_a_case_opened_from_its_page_lands_on_its_case_page(app, practices, signed_in):
    pat = signed_in("practitioner")
    page = pat.get("/cases/new").get_data(as_text=True)
    assert "Open a case" in page and 'name="breach.summary"' in page
    refused = pat.post("/cases/new", {"title": "Lena & Jo", "kind": "couple",
                                      "approach": "therapy_guided", "breach.category": "nope",
                                      "breach.summary": "", "checkin_cadence_days": "0"})
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "Must be one of" in field_block(text, "f-breach-category")
    assert "Missing data for required field." in field_block(text, "f-breach-summary")
    assert "greater than or equal to 1" in field_block(text, "f-checkin_cadence_days")
    assert 'value="Lena &amp; Jo"' in text
    opened = pat.post("/cases/new", {"title": "Lena & Jo", "kind": "couple",
                                     "approach": "therapy_guided",
                                     "breach.category": "infidelity",
                                     "breach.summary": "An affair at work.",
                                     "checkin_cadence_days": "14"})
    assert opened.status_code == 302
    case_page_text = pat.get(opened.headers["Location"]).get_data(as_text=True)
    assert "<h1>Lena &amp; Jo</h1>" in case_page_text
    assert "Practitioner harbor" in case_page_text  # who opens it works it
    assert "Lena &amp; Jo" in pat.get("/").get_data(as_text=True)


def test_a_participant_is_removed_from_beside_their_name(app, practices, signed_in):
    owner = signed_in("owner")
    mend, case_id = app.extensions["mend"], practices["own"].case_id
    invitation = mend.membership.invite(practices["own"].people["owner"], email="dan@h.test",
                                        name="Dan Brother", role="client").result
    dan = mend.membership.accept_invitation(invitation.token, "Dan's long passphrase").result
    record(owner, practices, "AddParticipant", {"account_id": str(dan), "relation": "brother"})
    assert "Dan Brother (brother)" in case_page(owner, practices)
    removed = owner.post(f"/cases/{case_id}/record/RemoveParticipant/{dan}", {})
    assert removed.status_code == 302
    assert "Dan Brother (brother)" not in case_page(owner, practices)


def test_script_and_markup_typed_into_any_free_text_field_stay_text(app, practices,
                                                                      signed_in):
    """Every form's text inputs, each with its own marked script, and every place it shows."""
    from mend.platform.web.command_forms import CASE_FORMS

    owner = signed_in("owner")
    client_id = str(practices["own"].people["client"].account_id)
    filled = {"RecordCheckIn": {"trust": "5", "emotional_safety": "5",
                                "communication_ease": "5", "conflicts": "0",
                                "participant_id": client_id},
              "RecordSetback": {"severity": "1"}, "RaiseRedFlag": {"code": "gaslighting"},
              "PracticeRitual": {"ritual": "daily_checkin"},
              "AssessReadiness": {"answers.breach_accepted": "on"},
              "DiscloseBreach": {"category": "dishonesty"}}
    sent = []
    for name, form in CASE_FORMS.items():
        texts = [i.name for i in form.inputs if i.kind in ("text", "long_text")]
        if not texts or name in ("AddParticipant", "AdvanceStage", "ChangeApproach",
                                 "CloseCase", "ReopenCase", "OfferApology",
                                 "CompleteProgramStep", "OpenPulse"):
            continue
        body = dict(filled.get(name, {}))
        for field in texts:
            mark = f"x{len(sent)}"
            body[field] = f'<script>alert("{mark}")</script><b onclick=1>{mark}</b>'
            sent.append(mark)
        answer = record(owner, practices, name, body)
        assert answer.status_code == 302, (name, messages(answer))
    page = case_page(owner, practices)
    assert "<script" not in page and "<b onclick" not in page
    for mark in sent:
        assert f"&lt;script&gt;alert(&#34;{mark}&#34;)&lt;/script&gt;" in page, mark
    assert len(sent) >= 12


def test_a_workplace_case_shows_its_program_and_an_overdue_one_can_be_reminded(
        app, practices, signed_in):
    from datetime import datetime, timedelta, timezone

    from mend.domain import commands as cmd

    mend = app.extensions["mend"]
    owner_actor = practices["own"].people["owner"]
    case_id = mend.casework.open_case(
        owner_actor, kind="workplace", title="Depot trust", approach="therapy_guided",
        breach_category="data_breach", breach_summary="Files shared with everyone.",
        cadence_days=7, occurred_at=datetime.now(timezone.utc) - timedelta(days=20)).originator_id
    mend.casework.record(owner_actor, case_id, cmd.CompleteProgramStep(
        step="public_acknowledgment"))
    mend.casework.record(owner_actor, case_id, cmd.RecordTrustPulse(scores=[5, 6, 7]))
    saved = mend.casework.record(owner_actor, case_id, cmd.RecordTrustPulse(
        scores=[6, 7, 8, 6, 7]))
    mend.wait_for_projections(saved.notification_id, 10)
    owner = signed_in("owner")
    page = owner.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "The workplace program: 1 of 8 steps" in page
    assert "3 answers, hidden until there are at least 5" in page
    assert "mean 6.8 from 5 answers" in page
    assert "Send a check-in reminder" in page  # no check-in in 20 days of a weekly cadence
    answer = owner.post(f"/cases/{case_id}/remind", {})
    assert answer.status_code == 302
    page = owner.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Check-in reminder" in page

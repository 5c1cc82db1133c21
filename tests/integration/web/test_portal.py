"""The client portal as each participant uses it: landing on their case, checking in,
writing their journal, reading the shared timeline and downloading their data, and never
meeting what is for staff or for another participant alone."""

from __future__ import annotations

import json
import re
from html import unescape
from datetime import datetime, timedelta, timezone

import pytest

from mend.domain import commands as cmd
from tests.integration.web.conftest import stored

STAFF_MARKER = "Staff-only-marker-7Q2"
FLAG_MARKER = "Flag-marker-9Z4"


@pytest.fixture(scope="module")
def couple(app, practices):
    """A couple's case, opened five weeks ago on a weekly cadence (so a check-in is overdue),
    with both partners on it, a staff note and a red flag carrying markers."""
    mend = app.extensions["mend"]
    people = practices["own"].people
    owner = people["owner"]
    case_id = mend.casework.open_case(
        owner, kind="couple", title="Lind and Okafor", approach="therapy_guided",
        breach_category="dishonesty", breach_summary="Kept a second phone.",
        cadence_days=7, occurred_at=datetime.now(timezone.utc) - timedelta(days=35),
    ).originator_id
    for command in (
        cmd.AssignPractitioner(account_id=people["practitioner"].account_id),
        cmd.AddParticipant(account_id=people["client"].account_id, relation="partner"),
        cmd.AddParticipant(account_id=people["client_off"].account_id, relation="partner"),
        cmd.NoteSession(text=f"{STAFF_MARKER}: avoidance in session."),
        cmd.RaiseRedFlag(code="gaslighting", note=FLAG_MARKER),
    ):
        saved = mend.casework.record(owner, case_id, command)
    mend.wait_for_projections(saved.notification_id, 10)
    return case_id


def portal(person, case_id) -> str:
    answer = person.get(f"/portal/cases/{case_id}")
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def check_in(person, case_id, **values):
    body = {"trust": "6", "emotional_safety": "7", "communication_ease": "5", "conflicts": "1",
            "note": "", **values}
    return person.post(f"/portal/cases/{case_id}/check-in", body)


def test_a_client_with_several_cases_picks_one_and_lands_on_it(signed_in, couple, practices):
    rosa = signed_in("client")  # on the practice's case and on the couple's
    page = rosa.get("/my-cases").get_data(as_text=True)
    assert "Lind and Okafor" in page and "Harbor couple" in page
    assert f'href="/portal/cases/{couple}"' in page
    assert rosa.get("/").headers["Location"] == "/my-cases"


def test_the_overdue_check_in_comes_first_and_a_check_in_shows_on_the_page(signed_in, couple):
    rosa = signed_in("client")
    page = portal(rosa, couple)
    main = page.split('<main id="main">', 1)[1]
    assert main.lstrip().startswith('<article class="portal">')
    assert re.search(r'<article class="portal">\s*<p class="due-now"', main)
    assert "Your check-in is" in main and "overdue" in main

    answer = check_in(rosa, couple, note="We walked by the river.")
    assert answer.status_code == 302
    page = rosa.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Your check-in is saved." in page
    assert "Your shared trust score is 6.0" in page
    assert "We walked by the river." in page and "Client harbor" in page
    assert 'class="due-now"' not in page  # checked in: nothing is overdue now


def test_a_wrong_value_is_named_beside_its_field_and_nothing_is_written(app, signed_in, couple):
    rosa = signed_in("client")
    before = stored(app)
    answer = check_in(rosa, couple, trust="11", conflicts="-2", note="Kept when refused.")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422 and stored(app) == before
    assert re.search(r'id="trust-error">[^<]*less than or equal to 10\.', page)
    assert 'id="conflicts-error"' in page
    assert "Kept when refused." in page  # what was typed is kept


def test_a_private_journal_entry_reaches_its_author_only(app, signed_in, couple):
    rosa, sam = signed_in("client"), signed_in("client_off")
    assert rosa.post(f"/portal/cases/{couple}/journal",
                     {"text": "Private words for me alone.", "visibility": "private"}
                     ).status_code == 302
    assert rosa.post(f"/portal/cases/{couple}/journal",
                     {"text": "Shared words for us both.", "visibility": "shared"}
                     ).status_code == 302
    assert "Private words for me alone." in portal(rosa, couple)
    partner_page = portal(sam, couple)
    assert "Shared words for us both." in partner_page
    assert "Private words for me alone." not in partner_page
    download = sam.get(f"/portal/cases/{couple}/my-data.json").get_data(as_text=True)
    assert "Shared words for us both." in download
    assert "Private words for me alone." not in download
    staff_page = signed_in("practitioner").get(f"/cases/{couple}").get_data(as_text=True)
    assert "Private words for me alone." not in staff_page  # private means the author's


def test_the_partners_check_in_moves_the_shared_figures(signed_in, couple):
    rosa, sam = signed_in("client"), signed_in("client_off")
    before = re.search(r"Your shared trust score is ([\d.]+)", portal(sam, couple))
    assert check_in(rosa, couple, trust="2").status_code == 302
    after = re.search(r"Your shared trust score is ([\d.]+)", portal(sam, couple))
    assert after is not None and (before is None or after.group(1) != before.group(1))


def test_nothing_for_staff_reaches_any_portal_page_or_the_download(signed_in, couple):
    for role in ("client", "client_off"):
        person = signed_in(role)
        answers = [person.get(path) for path in (
            "/my-cases?all=1", f"/portal/cases/{couple}", f"/portal/cases/{couple}/my-data",
            f"/portal/cases/{couple}/my-data.json")]
        for answer in answers:
            body = answer.get_data(as_text=True)
            assert answer.status_code == 200
            assert STAFF_MARKER not in body and FLAG_MARKER not in body
            assert "gaslighting" not in body.lower()
            if answer.mimetype == "text/html":  # the download says "risk": null, as the API
                assert "risk" not in body.lower()


def test_my_data_is_a_download_of_what_the_person_may_read(signed_in, couple):
    rosa = signed_in("client")
    answer = rosa.get(f"/portal/cases/{couple}/my-data.json")
    assert answer.mimetype == "application/json"
    assert "attachment" in answer.headers["Content-Disposition"]
    body = json.loads(answer.get_data(as_text=True))
    assert body["case"]["title"] == "Lind and Okafor"
    assert body["metrics"]["risk"] is None and body["metrics"]["open_red_flags"] == []
    assert {e["visibility"] for e in body["events"]} <= {"shared", "private"}
    assert any(e["type"] == "check_in_recorded" for e in body["events"]), body["events"]


def test_a_client_cannot_open_another_case_or_the_workspace_by_its_address(signed_in, practices,
                                                                          couple):
    sam = signed_in("client_off")  # on the couple's case only
    assert sam.get(f"/portal/cases/{practices['own'].case_id}").status_code == 404
    assert sam.get(f"/portal/cases/{practices['other'].case_id}").status_code == 404
    assert sam.get(f"/cases/{couple}").headers["Location"] == "/my-cases"
    assert sam.get("/admin/members").headers["Location"] == "/my-cases"


def between(page: str, start: str, end: str) -> str:
    return page.split(start, 1)[1].split(end, 1)[0]


def test_view_as_client_shows_staff_what_that_participant_sees(signed_in, practices, couple):
    people = practices["own"].people
    pat = signed_in("practitioner")
    case_page = pat.get(f"/cases/{couple}").get_data(as_text=True)
    link = f'/cases/{couple}/view-as/{people["client"].account_id}'
    assert f'href="{link}"' in case_page
    for role in ("client_off",):  # Sam has written nothing private
        own = portal(signed_in(role), couple)
        seen = pat.get(f'/cases/{couple}/view-as/{people[role].account_id}')
        assert seen.status_code == 200
        seen = seen.get_data(as_text=True)
        assert "sees it in their portal" in seen
        for start, end in (('<section aria-labelledby="progress-h">', "</section>"),
                           ('<section aria-labelledby="timeline-h"', "</section>")):
            assert between(seen, start, end) == between(own, start, end)
        assert STAFF_MARKER not in seen and FLAG_MARKER not in seen
        assert "Save my check-in" not in seen  # nothing to record as someone else
    # Rosa's private entry is hers alone, even here; what she shared is shown.
    as_rosa = pat.get(link).get_data(as_text=True)
    assert "Shared words for us both." in as_rosa
    assert "Private words for me alone." not in as_rosa
    assert between(as_rosa, '<section aria-labelledby="progress-h">', "</section>") == between(
        portal(signed_in("client"), couple), '<section aria-labelledby="progress-h">',
        "</section>")
    # Someone who is not on the case cannot be viewed as, and staff off the case see nothing.
    assert pat.get(f'/cases/{couple}/view-as/{people["supervisor"].account_id}'
                   ).status_code == 404
    assert signed_in("practitioner_off").get(link).status_code == 404


def test_a_crawl_of_every_link_and_form_of_the_portal_never_meets_staff_only_words(
        app, signed_in, couple):
    """As each participant: every page the portal links to, every form on them sent as it
    stands (refusals included), every redirect followed; no answer holds a staff marker."""
    links = re.compile(r'href="(/[^"#]*)')
    forms = re.compile(r'<form[^>]*method="post"[^>]*action="(/[^"]+)"')
    for role in ("client", "client_off"):
        person = signed_in(role)
        seen, queue, answers = set(), ["/my-cases?all=1"], 0
        while queue:
            path = unescape(queue.pop())
            if path in seen or path.startswith(("/logout", "/static/")):
                continue
            seen.add(path)
            answer = person.get(path, follow_redirects=True)
            answers += 1
            body = answer.get_data(as_text=True)
            assert STAFF_MARKER not in body and FLAG_MARKER not in body, path
            if answer.mimetype != "text/html":
                continue
            queue += [link for link in links.findall(body) if link not in seen]
            for action in set(forms.findall(body)):
                if action.startswith(("/logout", "/switch-tenant")):
                    continue
                sent = person.client.post(unescape(action), data={"csrf_token": person.token},
                                          follow_redirects=True)
                answers += 1
                posted = sent.get_data(as_text=True)
                assert STAFF_MARKER not in posted and FLAG_MARKER not in posted, action
        assert answers > 10, seen  # the crawl reached the portal's pages and forms
        assert any(p.startswith(f"/portal/cases/{couple}") for p in seen), seen

"""Keeping and erasing records from the pages and the API: an owner erases a case behind a
confirmation page or with one call, a legal hold refuses it and says why, others are refused,
and a client's request to erase their data is declined with a reason or approved.

Each test builds a practice of its own (slug ``erasing-…``): erasing changes it for good."""

from __future__ import annotations

import itertools
from uuid import UUID

import pytest

from mend.domain.tenancy import Account
from tests.integration.web.conftest import PASSWORD, Browser, build_practice
from tests.integration.web.test_alerts_inbox import api

SERIAL = itertools.count()


@pytest.fixture
def practice(app):
    return build_practice(app, f"erasing-{next(SERIAL)}")


def sign_in(app, practice, role: str) -> Browser:
    person = Browser(app.test_client())
    person.sign_in(practice.emails[role])
    return person


def caught_up(app) -> None:
    mend = app.extensions["mend"]
    mend.runner.catch_up()
    mend.wait_for_projections(mend.store.recorder.max_notification_id(), 10)


def listed_title(app, owner: Browser, case_id: UUID) -> str:
    caught_up(app)
    cases = api(owner, "GET", "/api/v1/cases?limit=200").json["cases"]
    return [c["title"] for c in cases if c["id"] == str(case_id)][0]


def test_an_owner_erases_a_case_through_its_confirmation_page(app, practice):
    owner, case_id = sign_in(app, practice, "owner"), practice.case_id
    page = owner.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Records" in page and "Erase this case" in page
    confirm = owner.get(f"/cases/{case_id}/erase").get_data(as_text=True)
    assert "cannot be undone" in confirm and "already downloaded" in confirm
    done = owner.post(f"/cases/{case_id}/erase", {"reason": "client_request"})
    assert done.status_code == 302
    page = owner.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "This case was erased on" in page
    assert "the person asked for their data to be erased" in page
    assert "Record" not in page.split('id="timeline"')[0].split("</header>")[1]
    assert "Place a legal hold" not in page
    assert listed_title(app, owner, case_id) == "(erased)"


def test_an_owner_erases_a_case_through_the_api(app, practice):
    owner, case_id = sign_in(app, practice, "owner"), practice.case_id
    answer = api(owner, "POST", f"/api/v1/cases/{case_id}/erasure",
                 {"reason": "entered_in_error"})
    assert answer.status_code == 200, answer.json
    assert answer.json["case_ids"] == [str(case_id)]
    assert "This case was erased on" in owner.get(f"/cases/{case_id}").get_data(as_text=True)
    assert listed_title(app, owner, case_id) == "(erased)"


def test_a_practitioner_and_a_client_are_refused(app, practice):
    case_id = practice.case_id
    pat = sign_in(app, practice, "practitioner")
    assert "Erase this case" not in pat.get(f"/cases/{case_id}").get_data(as_text=True)
    assert pat.get(f"/cases/{case_id}/erase").status_code == 403
    assert pat.post(f"/cases/{case_id}/erase", {"reason": "client_request"}).status_code == 403
    assert api(pat, "POST", f"/api/v1/cases/{case_id}/erasure",
               {"reason": "client_request"}).status_code == 403
    off = sign_in(app, practice, "practitioner_off")
    assert api(off, "POST", f"/api/v1/cases/{case_id}/erasure",
               {"reason": "client_request"}).status_code == 404
    assert api(pat, "PUT", "/api/v1/settings/retention", {"years": 8}).status_code == 403
    client = practice.people["client"].account_id
    assert api(pat, "POST", f"/api/v1/people/{client}/erasure",
               {"reason": "client_request"}).status_code == 403


def test_a_legal_hold_refuses_erasure_and_says_why(app, practice):
    owner, case_id = sign_in(app, practice, "owner"), practice.case_id
    placed = owner.post(f"/cases/{case_id}/legal-hold", {"reason": "litigation"})
    assert placed.status_code == 302
    page = owner.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Under a legal hold until" in page and "legal proceedings" in page
    refused = owner.post(f"/cases/{case_id}/erase", {"reason": "client_request"})
    assert refused.status_code == 409
    assert "under a legal hold until" in refused.get_data(as_text=True)
    answer = api(owner, "POST", f"/api/v1/cases/{case_id}/erasure", {"reason": "client_request"})
    assert answer.status_code == 409 and "legal hold" in answer.json["detail"]
    assert api(owner, "DELETE", f"/api/v1/cases/{case_id}/legal-hold").status_code == 200
    assert api(owner, "POST", f"/api/v1/cases/{case_id}/legal-hold",
               {"reason": "regulator"}).status_code == 201


def test_a_bad_reason_is_refused_naming_reason(app, practice):
    owner, case_id = sign_in(app, practice, "owner"), practice.case_id
    answer = api(owner, "POST", f"/api/v1/cases/{case_id}/erasure", {"reason": "bored"})
    assert answer.status_code == 422 and "reason" in answer.json["errors"]
    page = owner.post(f"/cases/{case_id}/erase", {"reason": "bored"})
    assert page.status_code == 422 and 'id="reason-error"' in page.get_data(as_text=True)
    assert api(owner, "POST", f"/api/v1/cases/{case_id}/legal-hold",
               {"reason": "bored"}).json["errors"].keys() == {"reason"}


def test_an_owner_sets_the_retention_period_on_the_operations_page_and_the_api(app, practice):
    owner = sign_in(app, practice, "owner")
    assert "Keep clinical records for" in owner.get("/admin/operations").get_data(as_text=True)
    assert owner.post("/admin/retention", {"years": "10"}).status_code == 302
    assert 'value="10"' in owner.get("/admin/operations").get_data(as_text=True)
    assert api(owner, "PUT", "/api/v1/settings/retention", {"years": 7}).json == {"years": 7}
    assert api(owner, "PUT", "/api/v1/settings/retention",
               {"years": 0}).json["errors"].keys() == {"years"}


def test_a_client_asks_and_the_owner_declines_with_a_reason(app, practice):
    client, owner = sign_in(app, practice, "client"), sign_in(app, practice, "owner")
    page = client.get("/portal/erase-my-data").get_data(as_text=True)
    assert "you can no longer sign in" in page
    assert client.post("/portal/erase-my-data").status_code == 302
    assert "Your request is with the practice" in client.get(
        "/portal/erase-my-data").get_data(as_text=True)
    assert client.post("/portal/erase-my-data").status_code == 409  # one open at a time
    person = practice.people["client"].account_id
    listed = owner.get("/admin/erasure-requests").get_data(as_text=True)
    assert f"Client {practice.slug}" in listed
    bad = owner.post(f"/admin/erasure-requests/{person}/decline", {"reason": "nope"})
    assert bad.status_code == 422
    assert owner.post(f"/admin/erasure-requests/{person}/decline",
                      {"reason": "needed_for_safety"}).status_code == 302
    page = client.get("/portal/erase-my-data").get_data(as_text=True)
    assert "declined your request" in page and "needed to keep someone safe" in page
    assert "No open requests" in owner.get("/admin/erasure-requests").get_data(as_text=True)


def test_the_owner_approves_and_the_client_can_no_longer_sign_in(app, practice):
    client, owner = sign_in(app, practice, "client"), sign_in(app, practice, "owner")
    client.post("/portal/erase-my-data")
    person = practice.people["client"].account_id
    assert owner.post(f"/admin/erasure-requests/{person}/approve").status_code == 302
    assert app.extensions["mend"].store.get(person, Account).is_erased
    again = Browser(app.test_client())
    again.get("/login")
    refused = again.post("/login", {"email": practice.emails["client"], "password": PASSWORD})
    assert refused.status_code != 302
    assert "No open requests" in owner.get("/admin/erasure-requests").get_data(as_text=True)


def test_an_owner_erases_a_person_from_the_members_page(app, practice):
    owner = sign_in(app, practice, "owner")
    person = practice.people["client_off"].account_id
    members = owner.get("/admin/members").get_data(as_text=True)
    assert f"/admin/members/{person}/erase" in members
    assert f"/admin/members/{practice.people['owner'].account_id}/erase" not in members
    assert "cannot be undone" in owner.get(f"/admin/members/{person}/erase").get_data(
        as_text=True)
    assert owner.post(f"/admin/members/{person}/erase",
                      {"reason": "consent_withdrawn"}).status_code == 302
    assert app.extensions["mend"].store.get(person, Account).is_erased

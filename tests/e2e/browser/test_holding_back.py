"""A counselor decides what the portal shows: holding an entry back in the workspace takes it
out of the client's phone until it is released, or until the day chosen; "see the portal as"
shows the counselor the client's page entry for entry. Over the real server: the API refuses
a release time in the past by naming the field."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.api_client import ApiClient
from tests.e2e.browser.conftest import PASSWORD, PHONE, serious_violations, shoot, sign_in


@pytest.fixture(scope="module")
def owner(practice) -> ApiClient:
    return ApiClient(practice.base).as_token(practice.emails["owner"], PASSWORD)


def milestone(owner: ApiClient, case_id: str, title: str) -> str:
    answer = owner.post(f"/api/v1/cases/{case_id}/milestones", {"title": title})
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


def client_phone(browser: Browser, practice) -> Page:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    sign_in(page, practice, "client")
    page.wait_for_url(re.compile(r"/portal/cases/"))
    return page


def entry_ids(page: Page) -> list[str]:
    return page.locator("#timeline li.entry").evaluate_all("items => items.map(i => i.id)")


def test_a_held_entry_leaves_the_clients_phone_until_the_counselor_releases_it(
        browser, page, practice, owner):
    entry = milestone(owner, practice.case_id, "Milestone-browser-hold-7C5")
    mira = client_phone(browser, practice)
    expect(mira.locator("#timeline")).to_contain_text("Milestone-browser-hold-7C5")

    sign_in(page, practice, "practitioner")
    page.goto(f"{practice.base}/cases/{practice.case_id}")
    held = page.locator(f"#entry-{entry}")
    held.locator("summary", has_text="Hold back from the portal").click()
    held.get_by_label("Why (for staff)").fill("Read it together in Thursday's session.")
    held.get_by_role("button", name="Hold back").click()
    expect(page.locator(f"#entry-{entry}")).to_contain_text(
        "held back from the portal until released")
    assert serious_violations(page) == []
    shoot(page, "case-entry-held-back")

    mira.reload()
    expect(mira.locator("#timeline")).not_to_contain_text("Milestone-browser-hold-7C5")
    assert "Read it together" not in mira.content()

    # "See the portal as Mira": the same entries as Mira's own phone, in the same order.
    page.goto(f"{practice.base}/cases/{practice.case_id}")
    page.get_by_role("link", name=re.compile("see the portal as Mira")).click()
    expect(page.locator(".viewing-as")).to_be_visible()
    assert entry_ids(page) == entry_ids(mira)
    assert f"entry-{entry}" not in entry_ids(page)

    page.goto(f"{practice.base}/cases/{practice.case_id}")
    page.locator(f"#entry-{entry}").get_by_role(
        "button", name="Show it in the portal now").click()
    expect(page.locator(f"#entry-{entry}")).not_to_contain_text("held back")
    mira.reload()
    expect(mira.locator(f"#entry-{entry}")).to_contain_text("Milestone-browser-hold-7C5")
    mira.context.close()


def test_an_entry_held_until_a_time_reaches_the_phone_when_that_time_comes(browser, practice,
                                                                            owner):
    entry = milestone(owner, practice.case_id, "Milestone-browser-dated-1H6")
    until = datetime.now(timezone.utc) + timedelta(seconds=3)
    answer = owner.post(f"/api/v1/cases/{practice.case_id}/timeline/{entry}/hold-back",
                        {"until": until.isoformat()})
    assert answer.status_code == 201, answer.text
    mira = client_phone(browser, practice)
    expect(mira.locator("#timeline")).not_to_contain_text("Milestone-browser-dated-1H6")
    time.sleep(max(0.0, (until - datetime.now(timezone.utc)).total_seconds()) + 0.3)
    mira.reload()
    expect(mira.locator("#timeline")).to_contain_text("Milestone-browser-dated-1H6")
    mira.context.close()


def test_the_api_names_a_wrong_release_time_and_a_wrong_entry(practice, owner):
    entry = milestone(owner, practice.case_id, "Milestone-api-refused-4D2")
    before = owner.get(f"/api/v1/cases/{practice.case_id}/timeline", limit=500).json()
    past = owner.post(f"/api/v1/cases/{practice.case_id}/timeline/{entry}/hold-back",
                      {"until": "2020-01-01T00:00:00+00:00"})
    assert past.status_code == 422 and "until" in past.text, past.text
    note = owner.post(f"/api/v1/cases/{practice.case_id}/notes", {"text": "Staff words."})
    staff_only = owner.post(
        f"/api/v1/cases/{practice.case_id}/timeline/{note.json()['id']}/hold-back", {})
    assert staff_only.status_code == 422 and "entry_id" in staff_only.text, staff_only.text
    after = owner.get(f"/api/v1/cases/{practice.case_id}/timeline", limit=500).json()
    assert len(after["events"]) == len(before["events"]) + 1  # the note, nothing else

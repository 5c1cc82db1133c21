"""The alerts inbox and the portal's reminder settings in a real browser, against the
session's real server (its scheduler notices facts every few seconds, as in production).

At Seawall, a safety red flag on Ana and Leo's case reaches both practitioners' inboxes;
Pia acknowledges it and Cole sees that she did, then resolves it. Ana, on her phone, sets
when her check-in reminders come, is told plainly when an hour falls in her quiet hours,
pauses them and stops them. The owner's operations page says there is no job queue (the
server runs without Redis). Each page is checked with axe and photographed at both widths.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.api_client import ApiClient
from tests.e2e.browser.conftest import PASSWORD, PHONE, Practice, serious_violations, shoot, sign_in


@pytest.fixture(scope="module")
def seawall(server) -> Practice:
    api = ApiClient(server)
    found = Practice(server, case_title="Ana and Leo")
    api.sign_up("seawall", "owner@seawall.test", PASSWORD, name="Rosa Owner")
    owner = api.as_token("owner@seawall.test", PASSWORD)
    found.emails["owner"] = "owner@seawall.test"
    ids = {}
    for role, name, tenant_role in (("pia", "Pia Practitioner", "practitioner"),
                                    ("cole", "Cole Colleague", "practitioner"),
                                    ("ana", "Ana Ferreira", "client")):
        email = f"{role}@seawall.test"
        ids[role] = owner.invite_and_accept(email, name, tenant_role, PASSWORD)
        found.emails[role], found.names[role] = email, name
    opened = owner.post("/api/v1/cases", {
        "kind": "couple", "title": found.case_title, "approach": "therapy_guided",
        "breach": {"category": "dishonesty", "summary": "A hidden debt."}})
    assert opened.status_code == 201, opened.text
    found.case_id = opened.json()["case_id"]
    for path, body in (("practitioners", {"account_id": ids["pia"]}),
                       ("practitioners", {"account_id": ids["cole"]}),
                       ("participants", {"account_id": ids["ana"], "relation": "partner"})):
        assert owner.post(f"/api/v1/cases/{found.case_id}/{path}", body).status_code == 201
    flagged = owner.post(f"/api/v1/cases/{found.case_id}/red-flags", {
        "code": "others_fear_for_safety", "note": "Leo's sister called, worried."})
    assert flagged.status_code == 201, flagged.text
    return found


def wait_for_alert(page: Page, base: str) -> None:
    """The scheduler notices the red flag within seconds; the inbox shows it after."""
    page.goto(base + "/alerts")
    for _ in range(60):
        if page.locator(".alerts .what").count():
            return
        page.wait_for_timeout(500)
        page.reload()
    raise AssertionError("the alert never reached the inbox")


def test_a_safety_alert_reaches_both_practitioners_who_acknowledge_and_resolve_it(
        browser, page, seawall):
    sign_in(page, seawall, "pia")
    wait_for_alert(page, seawall.base)
    alert = page.locator(".alerts li.state-open")
    expect(alert.locator(".what")).to_have_text("A safety concern was raised")
    expect(alert.get_by_role("link", name="Ana and Leo")).to_be_visible()
    expect(page.locator("header .count")).to_contain_text("1")
    assert serious_violations(page) == []
    shoot(page, "alerts-inbox")

    alert.get_by_role("button", name="Acknowledge").click()
    expect(page.locator(".flash")).to_contain_text("Acknowledged: A safety concern")
    expect(page.locator("header .count")).to_have_count(0)

    other = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    other.set_default_timeout(15_000)
    cole = other.new_page()
    sign_in(cole, seawall, "cole")
    cole.goto(seawall.base + "/alerts")
    expect(cole.locator(".alerts .state")).to_contain_text("Acknowledged by Pia Practitioner")
    expect(cole.locator("header .count")).to_have_count(0)
    shoot(cole, "alerts-acknowledged")
    cole.get_by_role("button", name="Resolve").tap()
    expect(cole.locator(".flash")).to_contain_text("Resolved: A safety concern was raised")
    expect(cole.locator(".alerts")).to_contain_text("Nothing needs you right now.")
    shoot(cole, "alerts-empty")
    cole.get_by_role("link", name="Resolved").tap()
    expect(cole.locator(".alerts .state")).to_contain_text("Resolved by Cole Colleague")
    other.close()


def test_a_practitioner_turns_email_alerts_off_for_a_kind(page, seawall):
    sign_in(page, seawall, "cole")
    page.goto(seawall.base + "/alerts")
    page.get_by_role("link", name="Choose which alerts reach you").click()
    kind = page.locator("fieldset", has_text="The risk on a case turns high")
    kind.get_by_label("By email").uncheck()
    page.get_by_role("button", name="Save my alert settings").click()
    expect(page.locator(".flash")).to_contain_text("Your alert settings are saved.")
    expect(kind.get_by_label("By email")).not_to_be_checked()
    expect(kind.get_by_label("In my inbox")).to_be_checked()
    assert serious_violations(page) == []
    shoot(page, "alert-settings")


def test_a_client_sets_pauses_and_stops_her_reminders_on_her_phone(browser, seawall):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(15_000)
    phone = context.new_page()
    sign_in(phone, seawall, "ana")
    phone.get_by_role("link", name="Reminders: when they come, pause or stop them").tap()
    expect(phone.locator("h1")).to_have_text("Check-in reminders")
    expect(phone.locator("article")).to_contain_text(
        "who it is from, that a check-in is due, and gives a link; nothing about your case")
    phone.get_by_label("Your time zone").select_option("Europe/Lisbon")
    phone.get_by_label("The hour reminders arrive").select_option("22")
    phone.get_by_role("button", name="Save my reminder settings").tap()
    expect(phone.locator("#hour-error")).to_contain_text("Falls in your quiet hours")
    expect(phone.get_by_label("Your time zone")).to_have_value("Europe/Lisbon")  # kept
    assert serious_violations(phone) == []
    shoot(phone, "portal-reminders-refused")

    phone.get_by_label("The hour reminders arrive").select_option("19")
    phone.get_by_label("Quiet from").select_option("22")
    phone.get_by_label("Quiet until").select_option("7")
    day = date.today() + timedelta(days=14)
    phone.get_by_label("Pause reminders until").fill(day.isoformat())
    phone.get_by_role("button", name="Save my reminder settings").tap()
    expect(phone.locator(".flash")).to_contain_text("Your reminder settings are saved.")
    expect(phone.locator(".standing")).to_contain_text(
        f"they start again on {day.day} {day:%b %Y}")
    expect(phone.locator(".standing")).to_contain_text(
        "Reminders come at 19:00 (Europe/Lisbon time), never between 22:00 and 07:00.")
    assert serious_violations(phone) == []
    shoot(phone, "portal-reminders")

    phone.get_by_role("button", name="Stop reminders").tap()
    expect(phone.locator(".standing")).to_contain_text("Reminders are stopped")
    shoot(phone, "portal-reminders-stopped")
    phone.get_by_role("button", name="Start again").tap()
    expect(phone.locator(".flash")).to_contain_text("Reminders are on again.")
    context.close()


def test_the_owner_reads_the_operations_page_without_a_job_queue(page, seawall):
    sign_in(page, seawall, "owner")
    page.get_by_role("link", name="Operations").click()
    expect(page.locator("main")).to_contain_text("No job queue is set up.")
    expect(page.locator("main")).to_contain_text("Waiting to be sent")
    # The alert raised a message to each practitioner: who it was for shows, never what it
    # said or where it went.
    expect(page.locator("main")).to_contain_text("Pia Practitioner")
    expect(page.locator("main")).not_to_contain_text("@seawall.test")
    assert serious_violations(page) == []
    shoot(page, "operations")

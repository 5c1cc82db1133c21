"""A practitioner, a supervisor and an owner at work in a real browser, on a real server.

Chromium, driven by Playwright, signs in through the pages and uses the forms as a person
would; what each form records is then read on the next page, by name. axe-core checks each
page for serious or critical accessibility failures; every page is also saved as a
screenshot at desktop and phone width.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.browser.conftest import PASSWORD, serious_violations, shoot, sign_in


def open_form(page: Page, title: str) -> None:
    page.locator("summary", has_text=title).first.click()


def test_a_practitioner_records_a_session_through_the_forms_and_reads_it_back(page, practice):
    sign_in(page, practice, "practitioner")
    expect(page.get_by_role("heading", name="My open cases")).to_be_visible()
    page.get_by_role("link", name=practice.case_title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(practice.case_title)
    trust = page.locator(".figures div", has_text="Trust score").locator("dd").first
    trust_before = trust.inner_text()

    # A new client, invited by email straight into the case.
    open_form(page, "Invite a new client into this case")
    page.fill("#f-name", "Tom Partner")
    page.fill("#f-email", "tom@lakeside.test")
    page.fill("#f-relation", "partner")
    page.click("button:has-text('Invite')")
    expect(page.locator(".flash")).to_contain_text("Tom Partner is invited")
    expect(page.locator(".people")).to_contain_text("Tom Partner (partner)")

    open_form(page, "Record a check-in")
    form = page.locator("#form-RecordCheckIn")
    form.locator("select[name=participant_id]").select_option(label="Mira Client")
    form.locator("input[name=trust]").fill("9")
    form.locator("input[name=emotional_safety]").fill("8")
    form.locator("input[name=communication_ease]").fill("7")
    form.locator("input[name=conflicts]").fill("0")
    form.locator("textarea[name=note]").fill("Kept the Sunday walk.")
    form.locator("button[type=submit]").click()
    expect(page.locator(".timeline")).to_contain_text(
        "Mira Client's check-in: trust 9/10, emotional safety 8/10, communication 7/10")
    expect(trust).not_to_have_text(trust_before)

    open_form(page, "Record an apology")
    form = page.locator("#form-OfferApology")
    form.locator("select[name=from_id]").select_option(label="Mira Client")
    form.get_by_label("Tom Partner").check()
    form.locator("textarea[name=text]").fill("I lied about the trips, and I am sorry.")
    form.get_by_label("Names the harm done").check()
    form.get_by_label("Takes responsibility without excuses").check()
    form.locator("button[type=submit]").click()
    expect(page.locator(".timeline")).to_contain_text("Mira Client apologised to Tom Partner")

    open_form(page, "Set a boundary")
    page.locator("#form-SetBoundary textarea[name=text]").fill("No phones at dinner.")
    page.locator("#form-SetBoundary button[type=submit]").click()
    boundary = page.locator(".standing li", has_text="No phones at dinner.")
    expect(boundary).to_contain_text("not crossed")
    boundary.locator("summary", has_text="Revise this boundary").click()
    boundary.locator("textarea[name=text]").fill("No phones at dinner or in bed.")
    boundary.locator("button:has-text('Revise this boundary')").click()
    boundary = page.locator(".standing li", has_text="No phones at dinner or in bed.")
    crossing = boundary.locator("details", has_text="Record a crossing")
    crossing.locator("summary").click()
    crossing.locator("textarea[name=note]").fill("A call at dinner on Friday.")
    crossing.locator("button[type=submit]").click()
    expect(page.locator(".standing li", has_text="No phones at dinner or in bed.")
           ).to_contain_text("crossed 1 time")

    open_form(page, "Record a setback")
    page.locator("#form-RecordSetback input[name=severity]").fill("2")
    page.locator("#form-RecordSetback textarea[name=description]").fill("An argument about money.")
    page.locator("#form-RecordSetback button[type=submit]").click()
    expect(page.locator(".figures")).to_contain_text("1 in 30 days")

    open_form(page, "Raise a red flag")
    page.locator("#form-RaiseRedFlag select[name=code]").select_option("others_fear_for_safety")
    page.locator("#form-RaiseRedFlag button[type=submit]").click()
    expect(page.locator(".flags")).to_contain_text("Safety: Others fear for their safety")
    expect(page.locator(".figures .risk")).to_have_text("High")
    shoot(page, "case")
    assert serious_violations(page) == []
    # Every form of the page, open, checked by axe and saved as one long picture.
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    assert serious_violations(page) == []
    shoot(page, "case-every-form")


def test_opening_a_case_from_the_dashboard(page, practice):
    sign_in(page, practice, "practitioner")
    page.get_by_role("link", name="Open a case").click()
    assert serious_violations(page) == []
    shoot(page, "open-case")
    page.fill("#f-title", "Noor & Ali")
    page.select_option("#f-kind", "couple")
    page.select_option("#f-approach", "self_guided")
    page.select_option("#f-breach-category", "digital_secrecy")
    page.fill("#f-breach-summary", "A second phone, found in March.")
    page.click("button:has-text('Open the case')")
    expect(page.get_by_role("heading", level=1)).to_have_text("Noor & Ali")
    expect(page.locator(".people")).to_contain_text("Pia Practitioner")


def test_a_wrong_value_is_shown_beside_its_field_and_nothing_is_recorded(page, practice):
    sign_in(page, practice, "practitioner")
    page.get_by_role("link", name=practice.case_title).click()
    entries = page.locator(".timeline .entry").count()
    open_form(page, "Record a check-in")
    form = page.locator("#form-RecordCheckIn")
    form.locator("input[name=trust]").fill("12")
    form.locator("input[name=emotional_safety]").fill("5")
    form.locator("input[name=communication_ease]").fill("5")
    form.locator("input[name=conflicts]").fill("0")
    form.locator("textarea[name=note]").fill("Typed once, kept on refusal.")
    form.locator("button[type=submit]").click()
    form = page.locator("#form-RecordCheckIn")
    expect(form.locator("#f-RecordCheckIn-trust")).to_have_attribute("aria-invalid", "true")
    expect(form.locator("#f-RecordCheckIn-trust-error")).to_contain_text(
        "less than or equal to 10")
    expect(form.locator("input[name=trust]")).to_have_value("12")
    expect(form.locator("textarea[name=note]")).to_have_value("Typed once, kept on refusal.")
    assert page.locator(".timeline .entry").count() == entries
    shoot(page, "case-form-error")
    assert serious_violations(page) == []


def test_keyboard_only_sign_in_open_a_case_and_record_a_check_in(page, practice):
    page.goto(practice.base + "/login")
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "f-email"
    page.keyboard.type(practice.emails["practitioner"])
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(practice.base + "/")
    link = page.get_by_role("link", name=practice.case_title)
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == practice.case_title:
            break
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/cases/"))
    summary = page.locator("#form-RecordCheckIn summary")
    summary.focus()
    page.keyboard.press("Enter")  # opens the form
    for name, value in (("trust", "6"), ("emotional_safety", "6"),
                        ("communication_ease", "6"), ("conflicts", "1")):
        page.locator(f"#form-RecordCheckIn input[name={name}]").focus()
        page.keyboard.type(value)
    page.keyboard.press("Enter")  # submits from the last number field
    expect(page.locator(".flash")).to_contain_text("Record a check-in: recorded.")
    assert link is not None


def test_the_sign_in_dashboard_and_password_pages_pass_axe_and_are_saved(page, practice):
    page.goto(practice.base + "/login")
    assert serious_violations(page) == []
    shoot(page, "sign-in")
    sign_in(page, practice, "owner")
    expect(page.get_by_role("heading", name="The practice's cases")).to_be_visible()
    assert serious_violations(page) == []
    shoot(page, "dashboard")
    page.get_by_role("link", name="Password").click()
    assert serious_violations(page) == []
    shoot(page, "password")
    page.get_by_role("link", name="API tokens").click()
    page.fill("#f-label", "Reporting script")
    page.fill("#f-password", PASSWORD)
    page.click("button:has-text('Make a token')")
    expect(page.locator("code.secret")).to_be_visible()
    assert serious_violations(page) == []
    shoot(page, "tokens")

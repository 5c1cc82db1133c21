"""A supervisor and an owner running the practice in a real browser.

The supervisor filters the caseload by risk and hands a case to another practitioner; the
former practitioner's next request for it is a 404. The owner invites a member, who accepts
through the link in a browser of their own; the owner changes the member's role, then
revokes them, and the member's open page stops working on its next request.
"""

from __future__ import annotations

import re

from playwright.sync_api import Browser, expect

from tests.e2e.browser.conftest import DESKTOP, serious_violations, shoot, sign_in


def test_a_supervisor_filters_by_risk_and_hands_a_case_over(browser: Browser, practice):
    pia_context = browser.new_context(viewport=DESKTOP)
    pia = pia_context.new_page()
    sign_in(pia, practice, "practitioner")
    pia.get_by_role("link", name=practice.case_title).click()
    case_url = pia.url

    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    sign_in(page, practice, "supervisor")
    expect(page.get_by_role("heading", name="The practice's cases")).to_be_visible()
    page.select_option("#q-risk", "low")
    page.click("button:has-text('Show')")
    assert "risk=low" in page.url
    rows = page.locator("table.caseload tbody tr")
    for i in range(rows.count()):
        expect(rows.nth(i).locator(".risk")).to_have_text("Low")
    page.select_option("#q-risk", "")
    page.click("button:has-text('Show')")
    page.get_by_role("link", name=practice.case_title).click()
    page.locator("summary", has_text="Hand the case to another practitioner").click()
    form = page.locator("#form-ReassignCase")
    form.locator("select[name=from_practitioner_id]").select_option(label="Pia Practitioner")
    form.locator("select[name=to_practitioner_id]").select_option(label="Cole Colleague")
    form.locator("button[type=submit]").click()
    expect(page.locator(".people")).to_contain_text("Cole Colleague")
    expect(page.locator(".people")).not_to_contain_text("Pia Practitioner")

    answer = pia.goto(case_url)
    assert answer.status == 404
    expect(pia.get_by_role("heading", level=1)).to_have_text("Not found")
    # Hand it back, for the other tests of the session.
    page.locator("summary", has_text="Hand the case to another practitioner").click()
    form = page.locator("#form-ReassignCase")
    form.locator("select[name=from_practitioner_id]").select_option(label="Cole Colleague")
    form.locator("select[name=to_practitioner_id]").select_option(label="Pia Practitioner")
    form.locator("button[type=submit]").click()
    expect(page.locator(".people")).to_contain_text("Pia Practitioner")
    context.close()
    pia_context.close()


def test_an_owner_invites_promotes_and_revokes_a_member_whose_page_then_stops(browser, practice):
    context = browser.new_context(viewport=DESKTOP)
    owner = context.new_page()
    sign_in(owner, practice, "owner")
    owner.get_by_role("link", name="Members").click()
    owner.fill("#f-name", "Wren Newcomer")
    owner.fill("#f-email", "wren@lakeside.test")
    owner.select_option("#f-role", "practitioner")
    owner.click("button:has-text('Invite')")
    flash = owner.locator(".flash").inner_text()
    link = re.search(r"http://\S+/invitations/[\w-]+", flash).group(0)
    assert serious_violations(owner) == []
    shoot(owner, "members")

    wren_context = browser.new_context(viewport=DESKTOP)  # a browser of the member's own
    wren = wren_context.new_page()
    wren.goto(link)
    expect(wren.get_by_role("heading", level=1)).to_have_text(re.compile("Join Lakeside"))
    assert serious_violations(wren) == []
    shoot(wren, "invitation")
    wren.fill("#f-password", "Wren's own long passphrase")
    wren.click("button:has-text('Join and sign in')")
    expect(wren.get_by_role("heading", name="My open cases")).to_be_visible()
    wren.get_by_role("button", name="Sign out").click()
    wren.fill("#f-email", "wren@lakeside.test")
    wren.fill("#f-password", "Wren's own long passphrase")
    wren.click("button:has-text('Sign in')")
    expect(wren.get_by_role("heading", name="My open cases")).to_be_visible()

    owner.reload()
    row = owner.locator("table.members tr", has_text="Wren Newcomer")
    row.locator("select[name=role]").select_option("supervisor")
    row.get_by_role("button", name=re.compile("Change role")).click()
    expect(owner.locator(".flash")).to_contain_text("The role is changed")
    wren.reload()
    expect(wren.get_by_role("heading", name="The practice's cases")).to_be_visible()

    row = owner.locator("table.members tr", has_text="Wren Newcomer")
    row.get_by_role("button", name=re.compile("Revoke")).click()
    expect(owner.locator(".flash")).to_contain_text("The membership is ended")
    wren.reload()
    expect(wren.get_by_role("heading", name="Sign in to Mend")).to_be_visible()

    owner.get_by_role("link", name="Audit").click()
    expect(owner.locator("table")).to_contain_text("Membership revoked")
    assert serious_violations(owner) == []
    shoot(owner, "audit")
    owner.get_by_role("link", name="Outcomes").click()
    assert serious_violations(owner) == []
    shoot(owner, "outcomes")
    context.close()
    wren_context.close()


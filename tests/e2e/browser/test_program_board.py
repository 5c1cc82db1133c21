"""An HR practitioner working a workplace program on its board in a real browser.

From the case page she opens the board, reads where the eight steps stand, marks the next
step done with its evidence and gives a step an owner, then reads the trust pulses. The
board is checked by axe and saved at desktop and phone width.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect

from tests.e2e.api_client import ApiClient
from tests.e2e.browser.conftest import PASSWORD, PHONE, Practice, serious_violations, shoot, sign_in

CASE_TITLE = "Northwind: the leaked salary file"


@pytest.fixture(scope="module")
def northwind(server) -> Practice:
    """An organization of its own, Fairway (the server is shared with the journey's
    Northwind): an owner, the HR practitioner Dana Reyes working one workplace case, and Sam
    Ortiz taking part; the first step done, three pulses."""
    api = ApiClient(server)
    found = Practice(server, case_title=CASE_TITLE)
    api.sign_up("fairway", "owner@fairway.test", PASSWORD, name="Ola Owner",
                kind="organization")
    owner = api.as_token("owner@fairway.test", PASSWORD)
    found.emails["owner"] = "owner@fairway.test"
    ids = {}
    for role, name, tenant_role in (("practitioner", "Dana Reyes", "practitioner"),
                                    ("client", "Sam Ortiz", "client")):
        email = f"{role}@fairway.test"
        ids[role] = owner.invite_and_accept(email, name, tenant_role, PASSWORD)
        found.emails[role], found.names[role] = email, name
    now = datetime.now(timezone.utc)

    def ago(days: int) -> str:
        return (now - timedelta(days=days)).isoformat()

    opened = owner.post("/api/v1/cases", {
        "kind": "workplace", "title": CASE_TITLE, "approach": "therapy_guided",
        "breach": {"category": "data_breach",
                   "summary": "The salary spreadsheet went to the whole company."},
        "occurred_at": ago(60)})
    assert opened.status_code == 201, opened.text
    found.case_id = case = opened.json()["case_id"]
    for path, body in (
        ("practitioners", {"account_id": ids["practitioner"]}),
        ("participants", {"account_id": ids["client"], "relation": "team lead"}),
        ("program-steps", {"step": "public_acknowledgment", "occurred_at": ago(50),
                           "note": "The CEO said it at the all-hands, unscripted."}),
        ("pulses", {"scores": [3, 4, 5, 4, 3, 5], "occurred_at": ago(45)}),
        ("pulses", {"scores": [5, 6, 6, 7, 5], "occurred_at": ago(20)}),
        ("pulses", {"scores": [6, 7, 5, 8], "occurred_at": ago(3)}),
    ):
        answer = owner.post(f"/api/v1/cases/{case}/{path}", body)
        assert answer.status_code == 201, answer.text
    return found


def test_a_practitioner_works_the_program_on_its_board(page, northwind):
    sign_in(page, northwind, "practitioner")
    page.get_by_role("link", name=CASE_TITLE).click()
    page.get_by_role("link", name="Open the program board").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The workplace program")
    expect(page.locator(".meta")).to_contain_text("1 of 8 steps done")
    steps = page.locator(".board > li h3")
    expect(steps).to_have_count(8)
    expect(steps.first).to_have_text("1. Public acknowledgment")
    expect(steps.last).to_have_text("8. Trust measurement")
    first = page.locator("#step-public_acknowledgment")
    expect(first.locator(".state")).to_have_text(re.compile(r"^Done on \d+ \w+"))
    expect(first).to_contain_text("The CEO said it at the all-hands, unscripted.")
    expect(page.locator("#step-transparent_facts .state")).to_have_text("Next")
    expect(page.locator("#step-accountability .state")).to_have_text("Not started")
    expect(page.locator("#step-accountability .owner")).to_have_text("No owner yet")
    # The pulses: two with a mean, the latest one still too small to show.
    expect(page.get_by_role("img", name="Trust pulse means over time")).to_be_visible()
    expect(page.locator("svg circle.dot")).to_have_count(2)
    pulses = page.locator("table.pulses tbody tr")
    expect(pulses).to_have_count(3)
    expect(pulses.nth(0)).to_contain_text("Mean 4.0 from 6 answers")
    expect(pulses.nth(1)).to_contain_text("Mean 5.8 from 5 answers")
    expect(pulses.nth(2)).to_contain_text(
        "4 answers; results show when the pulse closes with at least 5")
    assert serious_violations(page) == []

    # Mark the next step done, with what shows it.
    facts = page.locator("#step-transparent_facts")
    facts.locator("summary").click()
    facts.get_by_label("What shows it was done").fill("The timeline of the leak, sent to all.")
    facts.get_by_role("button", name="Mark done").click()
    expect(page.locator(".flash")).to_have_text("Transparent facts: done.")
    facts = page.locator("#step-transparent_facts")
    expect(facts.locator(".state")).to_have_text(re.compile(r"^Done on "))
    expect(facts).to_contain_text("The timeline of the leak, sent to all.")
    expect(page.locator("#step-accountability .state")).to_have_text("Next")
    expect(page.locator(".meta")).to_contain_text("2 of 8 steps done")

    # Give accountability its owner: someone on the case.
    accountability = page.locator("#step-accountability")
    accountability.locator("summary").click()
    accountability.get_by_label("Owner").select_option(label="Sam Ortiz")
    accountability.get_by_role("button", name="Assign owner").click()
    expect(page.locator("#step-accountability .owner")).to_have_text("Owner: Sam Ortiz")
    assert serious_violations(page) == []
    shoot(page, "program-board")

    # Every form open, for axe and for a look at phone width.
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    assert serious_violations(page) == []
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shoot(page, "program-board-every-form")


def test_a_step_out_of_order_needs_its_reason_and_then_says_it(page, northwind):
    sign_in(page, northwind, "practitioner")
    page.goto(f"{northwind.base}/cases/{northwind.case_id}/program")
    ritual = page.locator("#step-renewal_ritual")
    ritual.locator("summary").click()
    ritual.get_by_role("button", name="Mark done").click()
    ritual = page.locator("#step-renewal_ritual")
    reason = ritual.locator("textarea[name=reason]")
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(ritual.locator(".error")).to_contain_text("must say why renewal_ritual comes before")
    assert serious_violations(page) == []
    shoot(page, "program-board-refused")
    reason.fill("The anniversary of the leak is this week.")
    ritual.get_by_role("button", name="Mark done").click()
    expect(page.locator("#step-renewal_ritual .out-of-order")).to_contain_text(
        "Taken before ")
    expect(page.locator("#step-renewal_ritual .out-of-order")).to_contain_text(
        ": The anniversary of the leak is this week.")

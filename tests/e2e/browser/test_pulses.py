"""Six employees answer an anonymous trust pulse from their phones through one-time links,
against the real server: while it is open HR sees only how many answered; once it closes the
mean and the bands show, to HR and to the employees, and never one person's score."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.api_client import ApiClient
from tests.e2e.browser.conftest import PASSWORD, PHONE, Practice, serious_violations, shoot, sign_in

SCORES = (2, 9, 7, 7, 4, 10)  # mean 6.5


@pytest.fixture(scope="module")
def depot(server) -> Practice:
    api = ApiClient(server)
    found = Practice(server, case_title="Depot: the buried safety report")
    api.sign_up("depot", "hr@depot.test", PASSWORD, name="Hana HR", kind="organization")
    owner = api.as_token("hr@depot.test", PASSWORD)
    found.emails["owner"] = "hr@depot.test"
    opened = owner.post("/api/v1/cases", {
        "kind": "workplace", "title": found.case_title, "approach": "therapy_guided",
        "breach": {"category": "misconduct", "summary": "A manager buried a safety report."}})
    assert opened.status_code == 201, opened.text
    found.case_id = opened.json()["case_id"]
    for n in range(6):
        email = f"crew{n}@depot.test"
        account = owner.invite_and_accept(email, f"Crew Member {n}", "client", PASSWORD)
        found.emails[f"crew{n}"] = email
        answer = owner.post(f"/api/v1/cases/{found.case_id}/participants",
                            {"account_id": account, "relation": "crew"})
        assert answer.status_code == 201, answer.text
    return found


def answer_on_a_phone(browser: Browser, link: str, score: int) -> Page:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(15_000)
    phone = context.new_page()
    phone.goto(link)
    phone.locator(f".scale label:has(input[value='{score}'])").tap()
    phone.get_by_role("button", name="Send my answer").tap()
    expect(phone.locator(".flash")).to_contain_text("Thank you: your answer is in.")
    return phone


def test_six_employees_answer_through_their_links_and_only_the_aggregate_shows(
        browser, page, depot):
    sign_in(page, depot, "owner")
    page.goto(f"{depot.base}/cases/{depot.case_id}")
    form = page.locator("details", has_text="Send an anonymous trust pulse")
    form.locator("summary").click()
    form.get_by_label("The question, answered 0–10").fill(
        "How much do you trust the depot's leadership?")
    closes = (datetime.now(timezone.utc) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    form.get_by_label("Answers close at").fill(closes)
    form.get_by_role("button").last.click()
    page.locator("summary", has_text="One-time links").click()
    named = dict(line.split(": ", 1) for line in page.locator(
        "details:has(code.link) li").all_inner_texts())
    assert len(named) == 6
    # Crew Member 5 answers in the portal, signed in; the others through their links.
    links = [named[f"Crew Member {n}"] for n in range(5)]

    first = None
    for n, (link, score) in enumerate(zip(links[:4], SCORES[:4])):
        phone = answer_on_a_phone(browser, link, score)
        if n == 0:
            first = phone
            assert serious_violations(phone) == []
            shoot(phone, "pulse-link-answered")
        else:
            phone.context.close()
    first.reload()
    expect(first.locator("body")).to_contain_text("You have already answered this pulse.")

    page.reload()
    pulse = page.locator(".pulse").first
    expect(pulse).to_contain_text("4 of 6 have answered")
    expect(pulse).not_to_contain_text("mean")

    crew5 = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    sign_in(crew5, depot, "crew5")
    crew5.goto(f"{depot.base}/portal/cases/{depot.case_id}")
    expect(crew5.locator("#pulses")).to_contain_text("Anonymous")
    assert serious_violations(crew5) == []
    shoot(crew5, "portal-pulse-open")
    crew5.locator("#pulses .scale label:has(input[value='10'])").tap()
    crew5.locator("#pulses").get_by_role("button", name="Send my answer").tap()
    expect(crew5.locator(".flash")).to_contain_text("your answer is in")
    answer_on_a_phone(browser, links[4], SCORES[4]).context.close()

    page.reload()
    # The click's own answer is the case page again: wait for it rather than reload over
    # a navigation still under way.
    page.get_by_role("button", name="Close this pulse now").click()
    crew5.reload()
    for seen in (page, crew5):
        expect(seen.locator(".pulse").first).to_contain_text(
            "6 people answered. The mean is 6.5 out of 10.")
        expect(seen.locator(".pulse").first).to_contain_text("4 answered 7–10 (high)")
        assert not re.search(r"2,\s*9,\s*7", seen.content())
    assert serious_violations(crew5) == []
    shoot(crew5, "portal-pulse-results")
    shoot(page, "case-pulse-results")

    owner = ApiClient(depot.base).as_token("hr@depot.test", PASSWORD)
    timeline = owner.get(f"/api/v1/cases/{depot.case_id}/timeline", limit=500).text
    assert '"score"' not in timeline and '"scores"' not in timeline
    first.context.close()
    crew5.context.close()

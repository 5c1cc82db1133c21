"""A client answers a PHQ-9 on her phone at Millbrook, a practice of its own: the form read
off the definition, one question forgotten and named, then saved, with help shown at once
after the safety question is answered."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.api_client import ApiClient
from tests.e2e.browser.conftest import PASSWORD, PHONE, serious_violations, shoot

THUMB = 44  # px: the smallest comfortable touch target


@pytest.fixture(scope="module")
def millbrook(server) -> str:
    api = ApiClient(server)
    api.sign_up("millbrook", "owner@millbrook.test", PASSWORD, name="Maren Owner")
    owner = api.as_token("owner@millbrook.test", PASSWORD)
    june = owner.invite_and_accept("june@millbrook.test", "June Client", "client", PASSWORD)
    case_id = owner.post("/api/v1/cases", {
        "kind": "couple", "title": "June & Ash", "approach": "therapy_guided",
        "breach": {"category": "dishonesty", "summary": "Debts kept hidden."}}).json()["case_id"]
    assert owner.post(f"/api/v1/cases/{case_id}/participants",
                      {"account_id": june, "relation": "partner"}).status_code == 201
    return case_id


def phone(browser: Browser) -> Page:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(15_000)
    return context.new_page()


def test_a_client_answers_a_phq9_on_her_phone(browser, server, millbrook):
    june = phone(browser)
    june.goto(server + "/login")
    june.fill("#f-email", "june@millbrook.test")
    june.fill("#f-password", PASSWORD)
    june.click("button:has-text('Sign in')")
    june.wait_for_url(re.compile(r"/portal/cases/"))

    june.locator("#questionnaires").get_by_role("link", name=re.compile("PHQ-9")).tap()
    expect(june.locator("h1")).to_contain_text("PHQ-9")
    assert serious_violations(june) == []
    assert june.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    box = june.locator("label.choice").first.bounding_box()
    assert box["height"] >= THUMB, box

    for n in range(1, 9):  # the ninth is forgotten
        june.locator(f"input[name='q{n}'][value='1']").check()
    june.get_by_role("button", name="Save my answers").tap()
    expect(june.locator("#q9-error")).to_be_visible()
    shoot(june, "portal-questionnaire-missing")

    june.locator("input[name='q9'][value='1']").check()
    june.get_by_role("button", name="Save my answers").tap()
    expect(june.locator(".flash")).to_contain_text("please do not wait for your next session")
    expect(june.locator(".flash")).to_contain_text("your answers to the")
    # Nobody works this case yet, so nobody was alerted: the page does not say otherwise.
    expect(june.locator(".flash")).to_contain_text("Please also tell your practice today.")
    assert serious_violations(june) == []
    shoot(june, "portal-questionnaire-saved")
    june.context.close()

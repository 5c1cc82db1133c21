"""The portal's practice of repair on a phone (375 × 812, touch): a client taps "We did this
today" on a ritual and "We kept this today" on an agreement, and fills in their own readiness
checklist, all with one thumb and no script."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.api_client import ApiClient
from tests.e2e.browser.conftest import PASSWORD, PHONE, serious_violations, shoot

THUMB = 44  # px: the smallest comfortable touch target


@pytest.fixture(scope="module")
def agreement(practice) -> str:
    owner = ApiClient(practice.base).as_token(practice.emails["owner"], PASSWORD)
    answer = owner.post(f"/api/v1/cases/{practice.case_id}/agreements",
                        {"text": "We put our phones in the hall after nine."})
    assert answer.status_code == 201, answer.text
    return answer.json()["agreement_id"]


def phone(browser: Browser) -> Page:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(15_000)
    return context.new_page()


def test_a_client_marks_today_and_answers_the_checklist_from_a_phone(browser, practice,
                                                                    agreement):
    mira = phone(browser)
    mira.goto(practice.base + "/login")
    mira.fill("#f-email", practice.emails["client"])
    mira.fill("#f-password", PASSWORD)
    mira.locator("button:has-text('Sign in')").tap()
    mira.wait_for_url(re.compile(r"/portal/cases/"))
    case_url = mira.url.split("#")[0]
    # Plain forms, no script: every tap below is a form post and a redirect back.
    assert mira.locator("#rituals script, #agreements script, #readiness script").count() == 0

    ritual = mira.locator("#ritual-gratitude_note")
    expect(ritual).to_contain_text("Not done yet")
    buttons = mira.locator("#rituals button, #agreements button, #readiness button")
    for i in range(buttons.count()):
        box = buttons.nth(i).bounding_box()
        assert box["width"] >= THUMB and box["height"] >= THUMB, box
    for i in range(12):
        box = mira.locator("#readiness label.choice").nth(i).bounding_box()
        assert box["height"] >= THUMB, box
    assert mira.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert serious_violations(mira) == []

    ritual.get_by_role("button", name="We did this today").tap()
    expect(mira.locator(".flash")).to_contain_text("Saved: you did this together today.")
    expect(mira.locator("#ritual-gratitude_note")).to_contain_text("Last done today")
    assert mira.url.split("#")[0] == case_url

    kept = mira.locator(f"#agreement-{agreement}")
    kept.get_by_role("button", name="We kept this today").tap()
    expect(mira.locator(".flash")).to_contain_text("Saved: you kept this agreement today.")
    expect(mira.locator(f"#agreement-{agreement}")).to_contain_text("Kept once, last today")

    form = mira.locator("#readiness form")
    for words in ("I accept that the breach happened", "I know why I want to try",
                  "We have regular check-ins planned", "I know I can leave"):
        form.locator("label.choice", has_text=words).tap()
    mira.fill("#readiness-note", "Some days more than others.")
    form.get_by_role("button", name="Save my answers").tap()
    expect(mira.locator(".flash")).to_contain_text("Your readiness answers are saved.")
    expect(mira.locator("#readiness")).to_contain_text(re.compile(
        r"Your own answers, \d+ \w+ \d{4}: 4 of 12 ready"))
    expect(mira.locator("#readiness input[type=checkbox]:checked")).to_have_count(4)
    assert serious_violations(mira) == []
    mira.locator("#rituals").scroll_into_view_if_needed()
    shoot(mira, "portal-practice")
    mira.context.close()

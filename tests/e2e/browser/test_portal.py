"""The client portal on a phone (375 × 812): each partner signs in on their own, checks in
with one thumb, keeps a private journal, and sees the other's effect on the shared figures
but never the other's private words."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.api_client import ApiClient
from tests.e2e.browser.conftest import PASSWORD, PHONE, serious_violations, shoot, sign_in

THUMB = 44  # px: the smallest comfortable touch target


@pytest.fixture(scope="module")
def partner(practice) -> str:
    """Noor, Mira's partner, on the same case with a sign-in of their own."""
    owner = ApiClient(practice.base).as_token(practice.emails["owner"], PASSWORD)
    tom = owner.invite_and_accept("noor@lakeside.test", "Noor Partner", "client", PASSWORD)
    answer = owner.post(f"/api/v1/cases/{practice.case_id}/participants",
                        {"account_id": tom, "relation": "partner"})
    assert answer.status_code == 201, answer.text
    return "noor@lakeside.test"


def phone(browser: Browser) -> Page:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(15_000)
    return context.new_page()


def sign_in_as(page: Page, base: str, email: str) -> None:
    page.goto(base + "/login")
    page.fill("#f-email", email)
    page.fill("#f-password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(re.compile(r"/portal/cases/"))


def shared_trust(page: Page) -> str:
    return page.locator(".progress-words").inner_text()


def test_two_partners_follow_their_own_progress_from_their_phones(browser, practice, partner):
    mira = phone(browser)
    sign_in_as(mira, practice.base, practice.emails["client"])
    expect(mira.get_by_role("heading", name=practice.case_title)).to_be_visible()
    assert serious_violations(mira) == []
    shoot(mira, "portal-case")

    # One thumb: every rating is a target at least 44 px square, and the page never
    # scrolls sideways at 375 px.
    for box in (mira.locator(".scale span").nth(i).bounding_box() for i in range(11)):
        assert box["width"] >= THUMB and box["height"] >= THUMB, box
    assert mira.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    for legend, value in (("trust", "8"), ("safe", "7"), ("talk", "6")):
        mira.locator("fieldset.rating", has_text=legend).locator(
            f"label:has(input[value='{value}'])").tap()
    mira.fill("#note", "We cooked together on Sunday.")
    mira.click("button:has-text('Save my check-in')")
    expect(mira.locator(".flash")).to_contain_text("Your check-in is saved.")
    expect(mira.locator("#timeline")).to_contain_text("We cooked together on Sunday.")

    mira.fill("#journal-text", "I still flinch when his phone buzzes.")
    mira.click("button:has-text('Save to my journal')")
    expect(mira.locator(".flash")).to_contain_text("Your journal entry is saved.")
    expect(mira.locator("#timeline")).to_contain_text("I still flinch when his phone buzzes.")
    expect(mira.locator("#timeline")).to_contain_text("private")
    mira_sees = shared_trust(mira)

    tom = phone(browser)
    sign_in_as(tom, practice.base, partner)
    assert shared_trust(tom) == mira_sees  # the same shared figure, Mira's check-in in it
    expect(tom.locator("#timeline")).to_contain_text("We cooked together on Sunday.")
    expect(tom.locator("body")).not_to_contain_text("I still flinch")
    assert "I still flinch" not in tom.content()

    tom.get_by_role("link", name=re.compile("My data")).click()
    assert serious_violations(tom) == []
    shoot(tom, "portal-my-data")
    tom.get_by_role("button", name="Download my data").click()  # a job makes the file
    with tom.expect_download() as download:
        tom.get_by_role("link", name="Download the file").click()
    saved = download.value.path().read_text()
    assert "We cooked together on Sunday." in saved and "I still flinch" not in saved

    tom.goto(practice.base + "/my-cases?all=1")
    assert serious_violations(tom) == []
    shoot(tom, "portal-cases")


def test_a_wrong_check_in_on_the_phone_names_the_field(browser, practice, partner):
    mira = phone(browser)
    sign_in_as(mira, practice.base, practice.emails["client"])
    mira.fill("#conflicts", "")
    mira.click("button:has-text('Save my check-in')")  # no ratings chosen
    expect(mira.locator("#trust-error")).to_be_visible()
    expect(mira.locator("#conflicts-error")).to_be_visible()
    assert serious_violations(mira) == []
    shoot(mira, "portal-check-in-refused")


def test_a_client_typing_a_staff_address_lands_back_in_the_portal(browser, practice, partner):
    tom = phone(browser)
    sign_in_as(tom, practice.base, partner)
    for path in ("/", f"/cases/{practice.case_id}", "/admin/members", "/admin/audit"):
        tom.goto(practice.base + path)
        assert "/portal/cases/" in tom.url, (path, tom.url)


def test_a_practitioner_sees_the_portal_as_a_participant_does(page, practice, partner):
    sign_in(page, practice, "practitioner")
    page.goto(f"{practice.base}/cases/{practice.case_id}")
    page.get_by_role("link", name="see the portal as Mira Client sees it").click()
    expect(page.locator(".viewing-as")).to_contain_text("as Mira Client sees it")
    expect(page.locator("#timeline")).to_contain_text("Mira Client joined the case")
    expect(page.locator("body")).not_to_contain_text("I still flinch")  # hers alone
    assert page.locator("form[action$='/check-in']").count() == 0
    assert serious_violations(page) == []
    shoot(page, "portal-view-as")

"""Exports made by jobs, in a real browser against the session's server: a client's
"Download my data" and an owner's "Move this practice to another Mend".

Each button starts a run and leads to its page, which shows the run waiting or being made
(looking again by itself, with no script) and then the file. The session's server has no
Redis, so the job runs in the request and the page offers the file at once. The practice is
Quayside, of its own slug: the server is shared with every other browser test.
"""

from __future__ import annotations

import gzip
import json

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.api_client import ApiClient
from tests.e2e.browser.conftest import PASSWORD, PHONE, Practice, serious_violations, shoot, sign_in

CASE_TITLE = "Rui & Bea"
RUI_ALONE = "I keep the letter in my coat and do not send it."
BEA_ALONE = "Bea's words for herself only."


@pytest.fixture(scope="module")
def quayside(server) -> Practice:
    """A practice with an owner and a couple, Rui and Bea, on one case; each has written a
    private journal entry, and Rui a check-in."""
    api = ApiClient(server)
    found = Practice(server, case_title=CASE_TITLE)
    api.sign_up("quayside", "owner@quayside.test", PASSWORD, name="Quinn Owner")
    owner = api.as_token("owner@quayside.test", PASSWORD)
    found.emails["owner"] = "owner@quayside.test"
    opened = owner.post("/api/v1/cases", {
        "kind": "couple", "title": CASE_TITLE, "approach": "self_guided",
        "breach": {"category": "dishonesty", "summary": "Savings spent in secret."}})
    assert opened.status_code == 201, opened.text
    found.case_id = opened.json()["case_id"]
    for key, name, words in (("rui", "Rui Costa", RUI_ALONE), ("bea", "Bea Lund", BEA_ALONE)):
        email = f"{key}@quayside.test"
        account = owner.invite_and_accept(email, name, "client", PASSWORD)
        found.emails[key], found.names[key] = email, name
        added = owner.post(f"/api/v1/cases/{found.case_id}/participants",
                           {"account_id": account, "relation": "partner"})
        assert added.status_code == 201, added.text
        person = api.as_token(email, PASSWORD)
        wrote = person.post(f"/api/v1/cases/{found.case_id}/journal",
                            {"text": words, "visibility": "private"})
        assert wrote.status_code == 201, wrote.text
    return found


def on_a_phone(browser: Browser) -> Page:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(15_000)
    return context.new_page()


def test_a_client_downloads_their_data_through_its_progress_page(browser, quayside):
    rui = on_a_phone(browser)
    sign_in(rui, quayside, "rui")
    rui.goto(f"{quayside.base}/portal/cases/{quayside.case_id}/my-data")
    rui.get_by_role("button", name="Download my data").tap()
    expect(rui.get_by_role("heading", name="Ready to download")).to_be_visible()
    assert "/my-data/" in rui.url
    assert serious_violations(rui) == []
    shoot(rui, "my-data-run")
    with rui.expect_download() as download:
        rui.get_by_role("link", name="Download the file").tap()
    made = json.loads(download.value.path().read_text())
    texts = json.dumps(made)
    assert made["case"]["title"] == CASE_TITLE
    assert RUI_ALONE in texts and BEA_ALONE not in texts

    bea = on_a_phone(browser)
    sign_in(bea, quayside, "bea")
    bea.goto(rui.url)  # Rui's run, by its address
    expect(bea.locator("h1")).to_have_text("Not found")
    rui.context.close()
    bea.context.close()


def test_an_owner_exports_the_practice_to_move_it(page, quayside):
    sign_in(page, quayside, "owner")
    page.get_by_role("link", name="Moving").click()
    expect(page.locator("h1")).to_have_text("Move this practice to another Mend")
    assert serious_violations(page) == []
    shoot(page, "moving")
    page.get_by_role("button", name="Export the whole practice").click()
    expect(page.get_by_role("heading", name="Ready to download")).to_be_visible()
    assert serious_violations(page) == []
    shoot(page, "moving-run")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the file").click()
    assert download.value.suggested_filename.startswith("mend-quayside-")
    header = json.loads(gzip.decompress(download.value.path().read_bytes()).split(b"\n")[0])
    assert header["tenant"]["slug"] == "quayside" and header["streams"]["accounts"] == 3
    page.get_by_role("link", name="Audit").click()
    expect(page.locator("body")).to_contain_text("Whole practice exported")

"""Keeping and erasing records in a real browser, at desktop width and on a 390 px phone.

At a practice of its own (slug ``erasing-…``: erasing changes a practice for good, so the
demo practices other tests use are never touched), the owner places a legal hold on a case,
is refused when she tries to erase it and told until when and why, lifts the hold and erases
the case behind its confirmation page; the case page then says it was erased and offers no
forms. A client asks from the portal to erase her data; the owner declines with a reason and
the client reads it in plain words. Each page is checked with axe, must not scroll sideways,
and is saved for a person to look at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.api_client import ApiClient
from tests.e2e.browser.conftest import (
    DESKTOP,
    PASSWORD,
    SHOTS,
    Practice,
    serious_violations,
    sign_in,
)

PHONE = {"width": 390, "height": 844}
WIDTHS = {"desktop": DESKTOP, "phone": PHONE}
CASES = {"desktop": "Lena & Omar", "phone": "Rui & Sol"}
ASKING = {"desktop": "Lena Client", "phone": "Sol Client"}


@dataclass
class Erasing(Practice):
    #: Case ids by the role of the client on it.
    cases: dict[str, str] = field(default_factory=dict)


@pytest.fixture(scope="module")
def practice(server) -> Erasing:
    """An owner, a practitioner and, for each width, a case to erase (with a client's
    check-in on it) and a client on a case of her own who asks to erase her data."""
    api = ApiClient(server)
    found = Erasing(server)
    api.sign_up("erasing-browser", "owner@erasing.test", PASSWORD, name="Edda Owner")
    owner = api.as_token("owner@erasing.test", PASSWORD)
    found.emails["owner"] = "owner@erasing.test"
    practitioner = owner.invite_and_accept("pat@erasing.test", "Pat Practitioner",
                                           "practitioner", PASSWORD)
    for width, title in CASES.items():
        for role, name, case_title in ((f"partner-{width}", f"{title} Partner", title),
                                       (f"asking-{width}", ASKING[width], f"{title}: asking")):
            email = f"{role}@erasing.test"
            person = owner.invite_and_accept(email, name, "client", PASSWORD)
            found.emails[role], found.names[role] = email, name
            found.cases[role] = _case(owner, case_title, practitioner, person)
    return found


def _case(owner: ApiClient, title: str, practitioner: str, client: str) -> str:
    opened = owner.post("/api/v1/cases", {
        "kind": "couple", "title": title, "approach": "therapy_guided",
        "breach": {"category": "dishonesty", "summary": "A loan kept secret for a year."}})
    assert opened.status_code == 201, opened.text
    case = opened.json()["case_id"]
    for path, body in (("practitioners", {"account_id": practitioner}),
                       ("participants", {"account_id": client, "relation": "partner"}),
                       ("check-ins", {"trust": 4, "emotional_safety": 5, "communication_ease": 4,
                                      "conflicts": 1, "participant_id": client})):
        answer = owner.post(f"/api/v1/cases/{case}/{path}", body)
        assert answer.status_code == 201, answer.text
    return case


@pytest.fixture(params=list(WIDTHS))
def width(request) -> str:
    return request.param


def opened(browser: Browser, width: str) -> Iterator[Page]:
    phone = width == "phone"
    context = browser.new_context(viewport=WIDTHS[width], is_mobile=phone, has_touch=phone)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def owner(browser, width) -> Iterator[Page]:
    yield from opened(browser, width)


@pytest.fixture
def client(browser, width) -> Iterator[Page]:
    yield from opened(browser, width)


def looked_at(page: Page, name: str, width: str) -> None:
    """axe finds nothing serious, nothing scrolls sideways, and the whole page is saved."""
    assert serious_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width]["width"]
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"erasure-{name}-{width}.png"), full_page=True)


def test_a_legal_hold_refuses_erasure_then_the_owner_lifts_it_and_erases_the_case(
        owner, practice, width):
    title, case = CASES[width], practice.cases[f"partner-{width}"]
    sign_in(owner, practice, "owner")
    owner.get_by_role("link", name=title, exact=True).click()
    records = owner.locator("#records")
    expect(records.get_by_role("heading", name="Records")).to_be_visible()
    expect(records).to_contain_text("No legal hold: an owner can erase this case.")
    records.get_by_text("Place a legal hold").click()
    records.screenshot(path=str(SHOTS / f"erasure-records-{width}.png"))
    records.get_by_label("Why the records must be kept").select_option("litigation")
    records.get_by_role("button", name="Place the hold").click()
    expect(owner.locator(".flash")).to_contain_text("The legal hold is placed")
    expect(records).to_contain_text("Under a legal hold until")
    expect(records).to_contain_text("the records are needed for legal proceedings")
    looked_at(owner, "case-held", width)

    records.get_by_role("link", name="Erase this case").click()
    expect(owner.get_by_role("heading", level=1)).to_have_text("Erase this case")
    owner.get_by_label("The person asked for their data to be erased").check()
    owner.get_by_role("button", name="Erase this case").click()
    refusal = owner.locator(".error-summary")
    expect(refusal).to_contain_text(re.compile(
        r"under a legal hold until \d{1,2} \w+ \d{4} \(the records are needed for legal "
        r"proceedings\): its records must be kept until then"))
    looked_at(owner, "refused", width)

    owner.get_by_role("link", name="Keep it and go back").click()
    owner.locator("#records").get_by_role("button", name="Lift the legal hold").click()
    expect(owner.locator(".flash")).to_contain_text("The legal hold is lifted.")
    owner.locator("#records").get_by_role("link", name="Erase this case").click()
    expect(owner.locator("main")).to_contain_text("It cannot be undone, by anyone.")
    expect(owner.locator("main")).to_contain_text("Copies already downloaded or printed")
    looked_at(owner, "confirm-case", width)
    owner.get_by_label("It was recorded by mistake").check()
    owner.get_by_role("button", name="Erase this case").click()

    owner.wait_for_url(re.compile(rf"/cases/{case}$"))
    expect(owner.locator(".flash")).to_contain_text("The case is erased.")
    expect(owner.locator("main")).to_contain_text(re.compile(
        r"This case was erased on \d{1,2} \w+ \d{4} \(it was recorded by mistake\)\."))
    expect(owner.locator("#records")).to_have_count(0)
    # The reason is said in words, never as its code.
    expect(owner.locator("#timeline")).not_to_contain_text("entered_in_error")
    # Nothing more can be sent: the only form left filters the timeline, and reads.
    sent = owner.locator("main form").evaluate_all(
        "forms => forms.filter(f => f.method !== 'get').map(f => f.action)")
    assert sent == []
    looked_at(owner, "case-erased", width)


def test_a_client_asks_to_erase_her_data_and_the_owner_declines_with_a_reason(
        owner, client, practice, width):
    role = f"asking-{width}"
    client.goto(practice.base + "/login")
    client.fill("#f-email", practice.emails[role])
    client.fill("#f-password", PASSWORD)
    client.click("button:has-text('Sign in')")
    client.wait_for_url(re.compile(r"/portal/"))
    # The page below sends her here first for a copy of her data, by this link's name.
    copy = "My data: download everything you can see"
    expect(client.get_by_role("link", name=copy)).to_be_visible()
    client.get_by_role("link", name="Ask to erase my data").click()
    expect(client.get_by_role("heading", level=1)).to_have_text("Ask to erase my data")
    expect(client.locator("main")).to_contain_text("After that you can no longer sign in.")
    expect(client.locator("main")).to_contain_text(f"from your case first (“{copy}”)")
    expect(client.locator("main")).to_contain_text("It cannot be undone.")
    looked_at(client, "portal-ask", width)
    client.get_by_role("button", name="Ask to erase my data").click()
    expect(client.locator(".flash")).to_contain_text("Your request is sent to the practice.")
    expect(client.locator("main")).to_contain_text("Your request is with the practice.")
    expect(client.get_by_role("button", name="Ask to erase my data")).to_have_count(0)
    looked_at(client, "portal-asked", width)

    sign_in(owner, practice, "owner")
    owner.goto(practice.base + "/admin/members")
    expect(owner.get_by_role("link", name=re.compile("Erase this person's data")).first
           ).to_be_visible()
    looked_at(owner, "members", width)
    owner.get_by_role("link", name="Clients' requests to erase their data").click()
    expect(owner.get_by_role("heading", level=1)).to_have_text("Requests to erase data")
    asked = owner.locator("section.request", has_text=ASKING[width])
    expect(asked.get_by_role("heading", name=ASKING[width])).to_be_visible()
    looked_at(owner, "requests", width)
    asked.get_by_label("Or decline, because").select_option("needed_for_safety")
    asked.get_by_role("button", name=re.compile("^Decline")).click()
    expect(owner.locator(".flash")).to_contain_text("The request is declined")
    expect(owner.locator("section.request", has_text=ASKING[width])).to_have_count(0)
    looked_at(owner, "requests-answered", width)

    client.reload()
    expect(client.locator("main")).to_contain_text(re.compile(
        r"The practice declined your request of \d{1,2} \w+ \d{4}: the records are needed "
        r"to keep someone safe\."))
    expect(client.get_by_role("button", name="Ask to erase my data")).to_be_visible()
    looked_at(client, "portal-declined", width)

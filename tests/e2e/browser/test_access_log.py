"""Who read what, in a real browser against the session's real server (PostgreSQL).

At Access Lakeside, Dr Elena Park owns the practice; Pia works Ana & Leo's case and Cole is
refused it. Elena reads the access report on her desk, filters it to Pia, sorts it by person,
and reads it again on her phone. Ana, on her phone, taps from her case to the staff who opened
it and finds Pia there, and neither herself nor Leo. Each page is checked with axe and
photographed at both widths.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.api_client import ApiClient
from tests.e2e.browser.conftest import PASSWORD, PHONE, Practice, serious_violations, shoot, sign_in


@pytest.fixture(scope="module")
def lakeside(server) -> Practice:
    api = ApiClient(server)
    found = Practice(server, case_title="Ana & Leo")
    api.sign_up("access-lakeside", "elena@access-lakeside.test", PASSWORD,
                name="Dr Elena Park")
    owner = api.as_token("elena@access-lakeside.test", PASSWORD)
    found.emails["owner"], found.names["owner"] = "elena@access-lakeside.test", "Dr Elena Park"
    ids = {}
    for role, name, tenant_role in (("pia", "Pia Practitioner", "practitioner"),
                                    ("cole", "Cole Colleague", "practitioner"),
                                    ("ana", "Ana Ferreira", "client"),
                                    ("leo", "Leo Ferreira", "client")):
        email = f"{role}@access-lakeside.test"
        ids[role] = owner.invite_and_accept(email, name, tenant_role, PASSWORD)
        found.emails[role], found.names[role] = email, name
    opened = owner.post("/api/v1/cases", {
        "kind": "couple", "title": found.case_title, "approach": "therapy_guided",
        "breach": {"category": "digital_secrecy", "summary": "A second phone."}})
    assert opened.status_code == 201, opened.text
    found.case_id = opened.json()["case_id"]
    for path, body in (("practitioners", {"account_id": ids["pia"]}),
                       ("participants", {"account_id": ids["ana"], "relation": "partner"}),
                       ("participants", {"account_id": ids["leo"], "relation": "partner"})):
        assert owner.post(f"/api/v1/cases/{found.case_id}/{path}", body).status_code == 201
    # Reads over the API: Pia's timeline and figures, Leo's own case, Cole refused.
    case = f"/api/v1/cases/{found.case_id}"
    pia, leo, cole = (api.as_token(found.emails[who], PASSWORD) for who in ("pia", "leo", "cole"))
    assert pia.get(f"{case}/timeline").status_code == 200
    assert pia.get(f"{case}/metrics").status_code == 200
    assert leo.get(f"{case}/timeline").status_code == 200
    assert cole.get(f"{case}/timeline").status_code == 404
    assert owner.get(f"{case}/metrics").status_code == 200
    return found


def test_the_owner_reads_who_read_what_filters_it_to_a_person_and_sorts_it(page: Page,
                                                                             lakeside):
    sign_in(page, lakeside, "pia")
    page.goto(f"{lakeside.base}/cases/{lakeside.case_id}")  # a page read, too
    page.context.clear_cookies()
    sign_in(page, lakeside, "owner")
    page.get_by_role("link", name="Who read what").click()
    expect(page.locator("h1")).to_have_text("Who read what")
    table = page.locator("table.access")
    expect(table).to_contain_text("Pia Practitioner viewed the timeline of Ana & Leo")
    expect(table).to_contain_text("Pia Practitioner viewed the figures of Ana & Leo")
    expect(table).to_contain_text("Pia Practitioner viewed Ana & Leo")
    expect(table).to_contain_text("Leo Ferreira viewed the timeline of Ana & Leo")
    expect(table).to_contain_text(
        "Cole Colleague tried to view the timeline of Ana & Leo and was refused")
    assert serious_violations(page) == []
    shoot(page, "access-report")

    page.get_by_label("Who").select_option(label="Pia Practitioner")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile("person="))
    who = page.locator("table.access tbody td[data-label='Who'] a").all_inner_texts()
    assert who and set(who) == {"Pia Practitioner"}
    page.get_by_role("link", name="Clear the filters").click()
    page.locator("table.access thead").get_by_role("link", name="Who").click()
    expect(page.locator("th[aria-sort='ascending']")).to_contain_text("Who")
    names = page.locator("table.access tbody td[data-label='Who'] a").all_inner_texts()
    assert names == sorted(names, key=str.lower)
    shoot(page, "access-report-by-person")


def test_the_owner_reads_the_report_on_her_phone(browser, lakeside):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(15_000)
    phone = context.new_page()
    sign_in(phone, lakeside, "owner")
    phone.goto(f"{lakeside.base}/admin/access?kind=timeline")
    expect(phone.locator("table.access")).to_contain_text("viewed the timeline of Ana & Leo")
    # The columns' headings are for wide screens; a phone sorts with the form.
    phone.get_by_label("Sort by").select_option("person")
    phone.get_by_role("button", name="Show").tap()
    expect(phone).to_have_url(re.compile("sort=person"))
    assert serious_violations(phone) == []
    shoot(phone, "access-report-phone")
    context.close()


def test_a_client_sees_who_on_staff_opened_her_case_on_her_phone(browser, lakeside):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(15_000)
    phone = context.new_page()
    sign_in(phone, lakeside, "ana")
    expect(phone.locator("h1")).to_have_text("Ana & Leo")
    phone.get_by_role("link", name="Who on staff has opened your case").tap()
    expect(phone.locator("h1")).to_have_text("Who on staff has opened your case")
    reads = phone.locator("ul.reads")
    expect(reads).to_contain_text("Pia Practitioner read your timeline")
    expect(reads).to_contain_text("Pia Practitioner looked at your figures")
    expect(reads).to_contain_text("Dr Elena Park looked at your figures")
    expect(reads).not_to_contain_text("Leo")
    expect(reads).not_to_contain_text("Ana")
    assert serious_violations(phone) == []
    shoot(phone, "portal-who-opened")
    context.close()

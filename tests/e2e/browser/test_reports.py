"""A counselor makes a case report from the case page in a real browser, follows its run and
downloads the PDF; the printable page opens in the browser under its own strict policy and
prints black on white. Each page is checked by axe and saved at desktop and phone width."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.e2e.api_client import ApiClient
from tests.e2e.browser.conftest import (
    DESKTOP,
    PASSWORD,
    SHOTS,
    Practice,
    serious_violations,
    shoot,
    sign_in,
)

CASE_TITLE = "Noor & Sami: the second phone"
SHARED = "We kept our Sunday walk, phones left at home."


@pytest.fixture(scope="module")
def harbour(server) -> Practice:
    """A practice of its own (the session's server is shared): an owner, the counselor Ada
    Lind working one couple's case of six weekly check-ins, and Noor taking part."""
    api = ApiClient(server)
    found = Practice(server, case_title=CASE_TITLE)
    api.sign_up("harbour", "owner@harbour.test", PASSWORD, name="Hana Owner")
    owner = api.as_token("owner@harbour.test", PASSWORD)
    found.emails["owner"] = "owner@harbour.test"
    ids = {}
    for role, name, tenant_role in (("practitioner", "Ada Lind", "practitioner"),
                                    ("client", "Noor Haddad", "client")):
        email = f"{role}@harbour.test"
        ids[role] = owner.invite_and_accept(email, name, tenant_role, PASSWORD)
        found.emails[role], found.names[role] = email, name
    start = datetime.now(timezone.utc) - timedelta(days=45)
    opened = owner.post("/api/v1/cases", {
        "kind": "couple", "title": CASE_TITLE, "approach": "therapy_guided",
        "breach": {"category": "digital_secrecy", "summary": "A second phone for a year."},
        "occurred_at": start.isoformat()})
    assert opened.status_code == 201, opened.text
    found.case_id = case = opened.json()["case_id"]
    steps = [("practitioners", {"account_id": ids["practitioner"]}),
             ("participants", {"account_id": ids["client"], "relation": "partner"})]
    steps += [("check-ins", {"trust": trust, "emotional_safety": trust + 1,
                             "communication_ease": trust, "conflicts": 1,
                             "participant_id": ids["client"],
                             "occurred_at": (start + timedelta(days=7 * week + 1)).isoformat()})
              for week, trust in enumerate((2, 3, 3, 5, 6, 7))]
    steps += [("journal", {"text": SHARED, "visibility": "shared"}),
              ("notes", {"text": "Staff words: Sami minimises."})]
    for path, body in steps:
        answer = owner.post(f"/api/v1/cases/{case}/{path}", body)
        assert answer.status_code == 201, answer.text
    return found


def test_a_counselor_makes_a_case_report_and_downloads_the_pdf(page, harbour, tmp_path):
    sign_in(page, harbour, "practitioner")
    page.get_by_role("link", name=CASE_TITLE).click()
    trust = page.locator(".figures div", has_text="Trust score").locator("dd").first.inner_text()
    report = page.locator("#report")
    expect(report.get_by_role("heading", name="Report")).to_be_visible()
    report.screenshot(path=str(SHOTS / "case-report-section.png"))

    report.get_by_role("button", name="Make a PDF report").click()

    page.wait_for_url(re.compile(r"/reports/[0-9a-f-]{36}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Case report (PDF)")
    expect(page.get_by_text("Your report is ready.")).to_be_visible()
    assert serious_violations(page) == []
    shoot(page, "report-ready")
    with page.expect_download() as downloading:
        page.get_by_role("link", name=re.compile(r"^Download case-report-.*\.pdf$")).click()
    download = downloading.value
    assert re.fullmatch(r"case-report-\d{4}-\d{2}-\d{2}\.pdf", download.suggested_filename)
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    saved.replace(SHOTS / "report-case.pdf")  # beside the screenshots, for a person to open

    text = "\n".join(p.extract_text() for p in PdfReader(SHOTS / "report-case.pdf").pages)
    assert CASE_TITLE in text and f"Trust score {trust}" in text
    assert "Check-ins recorded 6" in text and SHARED in text
    assert "Staff words" not in text


def test_the_printable_page_opens_under_its_own_policy_and_prints(page, harbour):
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text else None)
    sign_in(page, harbour, "practitioner")
    page.goto(f"{harbour.base}/cases/{harbour.case_id}")
    page.locator("#report").get_by_role("button", name="Make a printable page").click()
    page.wait_for_url(re.compile(r"/reports/[0-9a-f-]{36}$"))
    page.get_by_role("link", name=re.compile(r"^Open case-report-.*\.html$")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(CASE_TITLE)
    expect(page.locator(".timeline")).to_contain_text(SHARED)
    expect(page.locator("figure.chart svg")).to_be_visible()
    # Its inline style applied (allowed by its hash), and nothing refused on the way.
    assert page.locator("main.report").evaluate("m => getComputedStyle(m).maxWidth") != "none"
    assert refused == []
    assert serious_violations(page) == []
    shoot(page, "report-printable")
    page.emulate_media(media="print")
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(SHOTS / "report-printable-print.png"), full_page=True)
    page.emulate_media(media="screen")

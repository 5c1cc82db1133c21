"""Browser tests: Debian's Chromium driven by Playwright against the session's real server.

One browser for the whole session and one practice built over the API; each test gets a
fresh browser context (its own cookies), so tests do not share a sign-in. Screenshots go to
tests/screenshots/ (git-ignored) at desktop and phone width, for a person to look at.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, sync_playwright

from tests.e2e.api_client import ApiClient

CHROMIUM = os.environ.get("MEND_TEST_CHROMIUM", "/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "screenshots"
PASSWORD = "a long harbor passphrase"
DESKTOP, PHONE = {"width": 1280, "height": 900}, {"width": 375, "height": 812}


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: scripts/ensure-browser.sh installs it")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            # No sandbox as root in a container; no calls home on a closed network.
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield instance
        instance.close()


@dataclass
class Practice:
    base: str
    emails: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    case_id: str = ""
    case_title: str = "Mira & Tom"


@pytest.fixture(scope="session")
def practice(server) -> Practice:
    """A practice with an owner, a supervisor, two practitioners and a client, and one
    couple's case worked by the first practitioner, with a few weeks of check-ins."""
    api = ApiClient(server)
    found = Practice(server)
    api.sign_up("lakeside", "owner@lakeside.test", PASSWORD, name="Ines Owner")
    owner = api.as_token("owner@lakeside.test", PASSWORD)
    found.emails["owner"], found.names["owner"] = "owner@lakeside.test", "Ines Owner"
    ids = {}
    for role, name, tenant_role in (("supervisor", "Sam Supervisor", "supervisor"),
                                    ("practitioner", "Pia Practitioner", "practitioner"),
                                    ("colleague", "Cole Colleague", "practitioner"),
                                    ("client", "Mira Client", "client")):
        email = f"{role}@lakeside.test"
        ids[role] = owner.invite_and_accept(email, name, tenant_role, PASSWORD)
        found.emails[role], found.names[role] = email, name
    opened = owner.post("/api/v1/cases", {
        "kind": "couple", "title": found.case_title, "approach": "therapy_guided",
        "breach": {"category": "infidelity", "summary": "An affair of eight months."},
    })
    assert opened.status_code == 201, opened.text
    found.case_id = opened.json()["case_id"]
    for path, body in (("practitioners", {"account_id": ids["practitioner"]}),
                       ("participants", {"account_id": ids["client"], "relation": "partner"})):
        assert owner.post(f"/api/v1/cases/{found.case_id}/{path}", body).status_code == 201
    for trust in (3, 4, 4, 5):
        answer = owner.post(f"/api/v1/cases/{found.case_id}/check-ins", {
            "trust": trust, "emotional_safety": trust + 1, "communication_ease": trust,
            "conflicts": 1, "participant_id": ids["client"]})
        assert answer.status_code == 201, answer.text
    return found


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def sign_in(page: Page, practice: Practice, role: str) -> None:
    page.goto(practice.base + "/login")
    page.fill("#f-email", practice.emails[role])
    page.fill("#f-password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(lambda url: "/login" not in url)


def shoot(page: Page, name: str) -> None:
    """The page at desktop width and at phone width, whole, into tests/screenshots/."""
    SHOTS.mkdir(exist_ok=True)
    size = page.viewport_size
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(size)


def serious_violations(page: Page) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now."""
    results = Axe().run(page)
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])}×, e.g. {v['nodes'][0]['target']})"
            for v in results.response["violations"]
            if v.get("impact") in ("serious", "critical")]

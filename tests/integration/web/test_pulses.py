"""Six employees answer an anonymous pulse through their one-time links: the count is all
anyone sees while it is open, the mean and the bands once it closes with enough answers, no
page or answer ever lists the scores, and the stored events hold no account beside a score."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import datetime, timedelta, timezone
from html import unescape

import pytest

from mend.domain import commands as cmd
from mend.domain.authorization import Actor
from tests.integration.web.conftest import PASSWORD, Browser

SCORES = (2, 9, 7, 7, 4, 10)  # mean 6.5: low 1, middling 1, high 4


@pytest.fixture(scope="module")
def crew(app, practices):
    """A workplace case with six employees on it, each with a sign-in of their own."""
    mend = app.extensions["mend"]
    owner = practices["own"].people["owner"]
    case_id = mend.casework.open_case(
        owner, kind="workplace", title="Depot: the buried safety report",
        approach="therapy_guided", breach_category="misconduct",
        breach_summary="A manager buried a safety report.",
    ).originator_id
    people = []
    for n in range(6):
        invitation = mend.membership.invite(owner, email=f"crew{n}@harbor.test",
                                            name=f"Crew Member {n}", role="client").result
        account = mend.membership.accept_invitation(invitation.token, PASSWORD).result
        saved = mend.casework.record(owner, case_id, cmd.AddParticipant(account_id=account))
        people.append(Actor(account, owner.tenant_id, "client"))
    mend.wait_for_projections(saved.notification_id, 10)
    return case_id, people


def links_on(page: str) -> list[str]:
    return [unescape(link) for link in re.findall(r'<code class="link">([^<]+)</code>', page)]


def answer_by_link(app, link: str, score: int):
    person = Browser(app.test_client())
    path = link.split("://", 1)[1].split("/", 1)[1]
    assert person.get(f"/{path}").status_code == 200
    return person.post(f"/{path}", {"score": str(score)})


def test_six_employees_answer_through_their_links_and_only_the_aggregate_ever_shows(
        app, signed_in, settings, practices, crew):
    case_id, people = crew
    hr = signed_in("owner")
    closes = (datetime.now(timezone.utc) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    answer = hr.post(f"/cases/{case_id}/record/OpenPulse",
                     {"question": "How much do you trust the depot's leadership?",
                      "closes_at": closes})
    assert answer.status_code == 302, answer.get_data(as_text=True)[-2000:]
    links = links_on(hr.get(f"/cases/{case_id}").get_data(as_text=True))
    assert len(links) == 6

    for link, score in zip(links[:4], SCORES[:4]):
        page = answer_by_link(app, link, score).get_data(as_text=True)
        assert "Thank you: your answer is in." in page
    hr_page = hr.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "4 of 6 have answered" in hr_page and "The mean is" not in hr_page
    assert len(links_on(hr_page)) == 2  # who has not answered yet
    employee = Browser(app.test_client())
    employee.sign_in("crew5@harbor.test")
    portal = employee.get(f"/portal/cases/{case_id}").get_data(as_text=True)
    assert "4 of 6 have answered" in portal and "The mean is" not in portal

    again = answer_by_link(app, links[0], 0).get_data(as_text=True)
    assert "You have already answered this pulse." in again
    for link, score in zip(links[4:], SCORES[4:]):
        answer_by_link(app, link, score)
    assert "The mean is" not in hr.get(f"/cases/{case_id}").get_data(as_text=True)  # still open

    pulse_id = re.search(r"/record/ClosePulse/([0-9a-f-]+)", hr.get(
        f"/cases/{case_id}").get_data(as_text=True)).group(1)
    assert hr.post(f"/cases/{case_id}/record/ClosePulse/{pulse_id}", {}).status_code == 302
    for page in (hr.get(f"/cases/{case_id}").get_data(as_text=True),
                 employee.get(f"/portal/cases/{case_id}").get_data(as_text=True)):
        assert "6 people answered. The mean is 6.5 out of 10." in page
        assert "1 answered 0–3 (low)" in page and "4 answered 7–10 (high)" in page
        assert not re.search(r"2,\s*9,\s*7", page)  # never the list of answers
        assert "mean 6.5 from 6 answers" not in page  # shown once, not again as a paper pulse

    # No answer anyone can fetch carries a score: the staff's timeline and a download.
    timeline = app.extensions["mend"].reader.everything_readable(
        practices["own"].people["owner"], case_id)
    assert not any("score" in entry.data for entry in timeline)
    download = employee.get(f"/portal/cases/{case_id}/my-data.json").get_data(as_text=True)
    assert '"score"' not in download and "pulse_answered" not in download

    # The raw event store: no account id of the crew in any row that holds a score.
    accounts = {str(person.account_id) for person in people}
    accounts |= {person.account_id.hex for person in people}
    path = settings.database_url[len("sqlite:///"):]
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT topic, state FROM stored_events").fetchall()
    scored = [(topic, state) for topic, state in rows if b'"score"' in state]
    assert len(scored) == 6, [topic for topic, _ in scored]
    for topic, state in scored:
        assert topic.endswith("BallotBox.BallotCast")
        assert json.loads(state)["actor_id"] is None
        assert not any(account.encode() in state for account in accounts)
    answered = [state for topic, state in rows if topic.endswith("Case.PulseAnswered")]
    assert len(answered) == 6 and not any(b'"score"' in state for state in answered)


def test_below_five_answers_nobody_sees_more_than_the_count(app, signed_in, practices, crew):
    case_id, people = crew
    mend = app.extensions["mend"]
    owner = practices["own"].people["owner"]
    pulse = mend.casework.record(owner, case_id, cmd.OpenPulse(
        question="Do you feel heard?",
        closes_at=datetime.now(timezone.utc) + timedelta(days=1))).result
    for person in people[:4]:
        mend.casework.answer_pulse(person, case_id, pulse, 8)
    saved = mend.casework.record(owner, case_id, cmd.ClosePulse(pulse_id=pulse))
    mend.wait_for_projections(saved.notification_id, 10)
    page = signed_in("owner").get(f"/cases/{case_id}").get_data(as_text=True)
    assert "with 4 answers. Results are shown only when at least 5" in page
    for reader in (owner, people[1]):
        view = next(v for v in mend.reader.pulses(reader, case_id) if v.pulse_id == pulse)
        assert (view.answers, view.mean, view.bands, view.published) == (4, None, (), False)


def test_a_link_that_was_tampered_with_opens_nothing(app, crew):
    person = Browser(app.test_client())
    assert person.get("/pulse/not-a-real-link").status_code == 404

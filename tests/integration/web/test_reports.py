"""Reports from the pages and the API: a case's PDF and printable page hold what its page
shows, the CSVs hold the dashboard's and the outcomes page's rows, only those who may read a
report get it, the run's page follows the job, and every report is in the audit feed.

Without Redis (these tests) the job runs in the request; the progress test holds it back by
making the queue refuse, as a Redis that is away does.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import re
from datetime import datetime, timedelta, timezone
from html import unescape
from uuid import UUID

import pytest
from pypdf import PdfReader

from mend.domain import commands as cmd
from mend.platform.reports.content import caseload_report
from mend.platform.reports.sheets import CASELOAD_HEADER, caseload_rows
from mend.workers import reports
from tests.integration.web.conftest import PASSWORD, ROLES, stored

TITLE = "Harbor: after the move"
FORMULA_TITLE = '=HYPERLINK("http://evil.test","Open me")'
SHARED_WORDS = "We ate together on Sunday without phones."
STAFF_WORDS = "Staff only words."  # the practice's own staff note, on every practice's case
TRUSTS = (3, 4, 4, 5, 6, 6, 7)


def mend_of(app):
    return app.extensions["mend"]


def settle(app) -> None:
    mend_of(app).wait_for_projections(stored(app), 10)


@pytest.fixture(scope="module")
def harbor_case(app, practices) -> UUID:
    """A couple's case of seven weeks: a check-in a week by the client, a shared journal
    entry, a staff note; worked by the practice's practitioner."""
    mend, own = mend_of(app), practices["own"]
    owner, client = own.people["owner"], own.people["client"]
    start = datetime.now(timezone.utc) - timedelta(days=50)
    case_id = mend.casework.open_case(
        owner, kind="couple", title=TITLE, approach="therapy_guided",
        breach_category="dishonesty", breach_summary="Hid the new job for months.",
        occurred_at=start).originator_id
    for command in (cmd.AssignPractitioner(account_id=own.people["practitioner"].account_id),
                    cmd.AddParticipant(account_id=client.account_id, relation="partner")):
        mend.casework.record(owner, case_id, command)
    for week, trust in enumerate(TRUSTS):
        mend.casework.record(client, case_id, cmd.RecordCheckIn(
            trust=trust, emotional_safety=trust, communication_ease=trust - 1, conflicts=1,
            occurred_at=start + timedelta(days=7 * week + 1)))
    mend.casework.record(client, case_id, cmd.WriteJournal(text=SHARED_WORDS,
                                                          visibility="shared"))
    mend.casework.record(owner, case_id, cmd.NoteSession(text=STAFF_WORDS))
    settle(app)
    return case_id


@pytest.fixture(scope="module")
def formula_case(app, practices) -> UUID:
    """A case whose title a spreadsheet would run as a formula, on the practitioner's
    caseload; and a closed case, so the outcomes have a row to count."""
    mend, own = mend_of(app), practices["own"]
    owner = own.people["owner"]
    case_id = mend.casework.open_case(
        owner, kind="family", title=FORMULA_TITLE, approach="self_guided",
        breach_category="broken_promise", breach_summary="Missed the wedding.").originator_id
    mend.casework.record(owner, case_id, cmd.AssignPractitioner(
        account_id=own.people["practitioner"].account_id))
    closed = mend.casework.open_case(
        owner, kind="friendship", title="Old friends", approach="self_guided",
        breach_category="dishonesty", breach_summary="A borrowed car.").originator_id
    mend.casework.record(owner, closed, cmd.CloseCase(outcome="reconciled"))
    settle(app)
    return case_id


def ask_on_page(person, path: str, kind: str) -> str:
    """Post a report's button; the run's id from the page it leads to."""
    answer = person.post(path, {"kind": kind})
    assert answer.status_code == 302, answer.get_data(as_text=True)[:500]
    found = re.fullmatch(r"/reports/([0-9a-f-]{36})", answer.headers["Location"])
    assert found, answer.headers["Location"]
    return found.group(1)


def shown_figure(page: str, name: str) -> str:
    return unescape(re.search(rf"<dt>{name}</dt><dd>([^<]*)</dd>", page).group(1)).strip()


def weekly_check_ins(page: str) -> int:
    """The check-ins of the case page's weekly table, added up."""
    table = page[page.index("<th scope=\"col\">Check-ins</th>"):]
    table = table[:table.index("</tbody>")]
    return sum(int(n) for n in re.findall(r"<td>(\d+)</td><td>\d+</td></tr>", table))


def report_events(app, practices, name: str, run_id: str) -> list:
    """The practice's events of that name about that run."""
    tenant_id = practices["own"].people["owner"].tenant_id
    return [e for e in mend_of(app).store.events.get(tenant_id)
            if type(e).__name__ == name and str(e.run_id) == run_id]


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


# ---------------------------------------------------------------------- what a report holds
def test_the_pdf_report_holds_the_figures_the_case_page_shows(app, signed_in, harbor_case):
    owner = signed_in("owner")
    page = owner.get(f"/cases/{harbor_case}").get_data(as_text=True)
    assert 'value="report.case_pdf"' in page and "Make a PDF report" in page
    trust, check_ins = shown_figure(page, "Trust score"), weekly_check_ins(page)
    assert trust != "—" and check_ins == len(TRUSTS)

    run_id = ask_on_page(owner, f"/cases/{harbor_case}/reports", "report.case_pdf")
    run_page = owner.get(f"/reports/{run_id}").get_data(as_text=True)
    assert "Your report is ready." in run_page and 'http-equiv="refresh"' not in run_page
    answer = owner.client.get(f"/reports/{run_id}/file")

    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert answer.headers["Content-Disposition"].startswith("attachment; filename=")
    text = pdf_text(answer.data)
    assert TITLE in text
    assert f"Trust score {trust}" in text
    assert f"Check-ins recorded {check_ins}" in text
    assert SHARED_WORDS in text and STAFF_WORDS not in text
    assert "Trust Emotional safety Communication ease" in text  # the chart's key


def test_the_printable_page_holds_the_timeline_and_the_figures(app, signed_in, harbor_case):
    practitioner = signed_in("practitioner")
    page = practitioner.get(f"/cases/{harbor_case}").get_data(as_text=True)
    trust = shown_figure(page, "Trust score")

    run_id = ask_on_page(practitioner, f"/cases/{harbor_case}/reports", "report.case_html")
    answer = practitioner.client.get(f"/reports/{run_id}/file")

    assert answer.status_code == 200 and answer.mimetype == "text/html"
    assert answer.headers["Content-Disposition"].startswith("inline;")
    html = answer.get_data(as_text=True)
    assert shown_figure(html, "Trust score") == trust
    assert shown_figure(html, "Check-ins recorded") == str(len(TRUSTS))
    assert '<svg viewBox="0 0 640 240" role="img"' in html
    assert "<details open>" in html  # the weekly table prints with the chart
    assert '<ol class="timeline">' in html and SHARED_WORDS in html
    assert STAFF_WORDS not in html
    assert "@media print" in html and "<script" not in html and 'href="/' not in html
    # Served with the page's own style allowed by its hash, and nothing else.
    style = re.search(r"<style>(.*?)</style>", html, re.DOTALL).group(1)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    policy = answer.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and f"style-src 'sha256-{digest}'" in policy


def test_the_caseload_csv_holds_the_rows_of_the_dashboard(app, signed_in, practices,
                                                          harbor_case, formula_case):
    practitioner = signed_in("practitioner")
    assert "Download caseload (CSV)" in practitioner.get("/").get_data(as_text=True)

    run_id = ask_on_page(practitioner, "/reports", "csv.caseload")
    answer = practitioner.client.get(f"/reports/{run_id}/file")

    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(answer.data.decode("utf-8-sig"))))
    me = practices["own"].people["practitioner"]
    expected = caseload_rows(caseload_report(mend_of(app), me, lambda step: None))
    assert rows[0] == list(CASELOAD_HEADER)
    assert [tuple(row) for row in rows[1:]] == [
        tuple("'" + cell if cell.startswith("=") else cell for cell in row) for row in expected]
    titles = [row[0] for row in rows[1:]]
    assert TITLE in titles and "'" + FORMULA_TITLE in titles  # inert in a spreadsheet
    assert "Old friends" not in titles  # closed, and not hers
    mine = next(row for row in rows[1:] if row[0] == TITLE)
    assert (mine[1], mine[2], mine[6]) == ("Couple", "Aftermath", "Practitioner harbor")


def test_the_outcome_report_and_csv_hold_the_outcomes_page(app, signed_in, formula_case):
    supervisor = signed_in("supervisor")
    page = supervisor.get("/admin/outcomes").get_data(as_text=True)
    assert "Download outcome report (PDF)" in page and "Download outcomes (CSV)" in page

    pdf_run = ask_on_page(supervisor, "/reports", "report.outcomes")
    text = pdf_text(supervisor.client.get(f"/reports/{pdf_run}/file").data)
    csv_run = ask_on_page(supervisor, "/reports", "csv.outcomes")
    sheet = supervisor.client.get(f"/reports/{csv_run}/file").data.decode("utf-8-sig")

    assert "Outcomes by approach" in text and "Self-guided 1 1 100 %" in text
    rows = list(csv.reader(io.StringIO(sheet)))
    assert rows[0][:4] == ["Approach", "Closed", "Reconciled", "Success rate (%)"]
    assert ["Self-guided", "1", "1", "100"] == rows[1 + 1][:4]  # the vocabulary's order


# ---------------------------------------------------------------------- who gets a report
def test_a_client_another_practice_and_a_practitioner_off_the_case_get_no_report(
        app, signed_in, practices, harbor_case):
    owner = signed_in("owner")
    run_id = ask_on_page(owner, f"/cases/{harbor_case}/reports", "report.case_pdf")

    client = signed_in("client")
    for path in (f"/reports/{run_id}", f"/reports/{run_id}/file"):
        answer = client.client.get(path)
        assert (answer.status_code, answer.headers["Location"]) == (302, "/my-cases")
    for who, practice in (("practitioner_off", "own"), ("owner", "other")):
        for path in (f"/reports/{run_id}", f"/reports/{run_id}/file"):
            answer = signed_in(who, practice).client.get(path)
            assert answer.status_code == 404 and b"%PDF" not in answer.data
    assert signed_in("practitioner").client.get(f"/reports/{run_id}/file").data.startswith(b"%PDF")
    assert len(report_events(app, practices, "ReportDownloaded", run_id)) == 1

    tokens = {who: mend_of(app).membership.issue_token(
        practices[scope].emails[who], PASSWORD)[0]
        for who, scope in (("client", "own"), ("supervisor", "own"))}
    api = app.test_client(use_cookies=False)
    for path in (f"/api/v1/reports/{run_id}", f"/api/v1/reports/{run_id}/file"):
        refused = api.get(path, headers={"Authorization": f"Bearer {tokens['client']}"})
        assert refused.status_code == 404 and refused.mimetype == "application/problem+json"
    other = mend_of(app).membership.issue_token(practices["other"].emails["owner"], PASSWORD)[0]
    assert api.get(f"/api/v1/reports/{run_id}/file",
                   headers={"Authorization": f"Bearer {other}"}).status_code == 404
    fetched = api.get(f"/api/v1/reports/{run_id}/file",
                      headers={"Authorization": f"Bearer {tokens['supervisor']}"})
    assert fetched.status_code == 200 and fetched.data.startswith(b"%PDF")


def test_a_client_cannot_ask_for_a_report_of_their_own_case(app, signed_in, practices,
                                                             harbor_case):
    client = signed_in("client")
    answer = client.post(f"/cases/{harbor_case}/reports", {"kind": "report.case_pdf"})
    assert (answer.status_code, answer.headers["Location"]) == (302, "/my-cases")
    token = mend_of(app).membership.issue_token(practices["own"].emails["client"], PASSWORD)[0]
    refused = app.test_client(use_cookies=False).post(
        f"/api/v1/cases/{harbor_case}/reports", json={"kind": "report.case_pdf"},
        headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 403


def test_a_report_not_offered_is_refused_naming_the_field(app, signed_in, practices,
                                                          harbor_case):
    owner, practitioner = signed_in("owner"), signed_in("practitioner")
    token = mend_of(app).membership.issue_token(practices["own"].emails["owner"], PASSWORD)[0]
    tenant_id = practices["own"].people["owner"].tenant_id
    before = len(mend_of(app).runs.of(tenant_id, limit=10_000))

    page = owner.post(f"/cases/{harbor_case}/reports", {"kind": "report.everything"})
    assert page.status_code == 422 and "kind: Must be one of" in page.get_data(as_text=True)
    assert practitioner.post("/reports", {"kind": "report.outcomes"}).status_code == 403
    api = app.test_client(use_cookies=False)
    refused = api.post("/api/v1/reports", json={"kind": "report.case_pdf"},
                       headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 422 and "kind" in refused.json["errors"]
    assert len(mend_of(app).runs.of(tenant_id, limit=10_000)) == before  # nothing asked for


# ---------------------------------------------------------------------- the run and its job
@pytest.fixture
def redis_away(app, monkeypatch):
    """The queue refuses every job, as it does while Redis is away."""
    def refuse(*args, **kwargs):
        raise ConnectionError("Redis is away")

    monkeypatch.setattr(mend_of(app).jobs, "enqueue", refuse)


def test_the_run_page_shows_the_progress_then_the_link(app, signed_in, harbor_case, redis_away):
    owner = signed_in("owner")
    run_id = ask_on_page(owner, f"/cases/{harbor_case}/reports", "report.case_pdf")
    runs = mend_of(app).runs

    queued = owner.get(f"/reports/{run_id}").get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="2">' in queued
    assert "Waiting for its turn… 0 %" in queued
    runs.claim(run_id)
    runs.progress(run_id, 2, 5)
    running = owner.get(f"/reports/{run_id}").get_data(as_text=True)
    assert "Making your report… 40 %" in running and 'http-equiv="refresh"' in running
    runs.requeue(run_id)  # its worker died: the sweeper runs the job again
    assert reports.run_report(run_id).startswith("made ")

    done = owner.get(f"/reports/{run_id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in done and "Your report is ready." in done
    assert f'href="/reports/{run_id}/file"' in done


def test_a_report_job_run_twice_builds_the_report_once(app, signed_in, practices, harbor_case,
                                                       redis_away):
    owner = signed_in("owner")
    run_id = ask_on_page(owner, f"/cases/{harbor_case}/reports", "report.case_html")

    first, second = reports.run_report(run_id), reports.run_report(run_id)

    assert first.startswith("made ") and second.startswith("skipped")
    assert len(report_events(app, practices, "ReportMade", run_id)) == 1
    assert mend_of(app).runs.get(run_id).state == "done"


def test_a_report_asked_for_by_someone_who_lost_the_case_fails_in_mends_words(
        app, signed_in, practices, harbor_case, redis_away):
    own = practices["own"]
    mend = mend_of(app)
    run_id = reports.ask(mend, own.people["practitioner"], "report.case_pdf", harbor_case)
    saved = mend.casework.record(own.people["owner"], harbor_case, cmd.UnassignPractitioner(
        account_id=own.people["practitioner"].account_id))
    mend.wait_for_projections(saved.notification_id, 10)
    try:
        assert reports.run_report(run_id) == "failed: NotFound"
        page = signed_in("owner").get(f"/reports/{run_id}").get_data(as_text=True)
        assert "The case is no longer one the person who asked may read." in page
        assert TITLE not in mend.runs.get(run_id).reason
    finally:
        saved = mend.casework.record(own.people["owner"], harbor_case, cmd.AssignPractitioner(
            account_id=own.people["practitioner"].account_id))
        mend.wait_for_projections(saved.notification_id, 10)


# ---------------------------------------------------------------------- the API
def test_the_api_starts_a_report_follows_its_run_and_hands_out_its_file(app, practices,
                                                                       harbor_case):
    token = mend_of(app).membership.issue_token(practices["own"].emails["practitioner"],
                                                PASSWORD)[0]
    api = app.test_client(use_cookies=False)
    headers = {"Authorization": f"Bearer {token}"}

    asked = api.post(f"/api/v1/cases/{harbor_case}/reports", json={"kind": "report.case_pdf"},
                     headers=headers)

    assert asked.status_code == 202, asked.get_data(as_text=True)
    run = asked.json
    assert asked.headers["Location"] == f"/api/v1/reports/{run['run_id']}"
    assert (run["kind"], run["case_id"], run["state"], run["percent"]) == (
        "report.case_pdf", str(harbor_case), "done", 100)
    assert api.get(asked.headers["Location"], headers=headers).json == run
    fetched = api.get(run["file_url"], headers=headers)
    assert fetched.status_code == 200 and fetched.mimetype == "application/pdf"
    assert TITLE in pdf_text(fetched.data)


def test_the_api_answers_409_for_a_file_not_made_yet(app, practices, harbor_case, redis_away):
    token = mend_of(app).membership.issue_token(practices["own"].emails["owner"], PASSWORD)[0]
    headers = {"Authorization": f"Bearer {token}"}
    api = app.test_client(use_cookies=False)
    run = api.post("/api/v1/reports", json={"kind": "csv.caseload"}, headers=headers).json
    assert run["state"] == "queued" and run["file_url"] is None
    assert api.get(f"/api/v1/reports/{run['run_id']}/file", headers=headers).status_code == 409


# ---------------------------------------------------------------------- the audit feed
def test_making_and_downloading_a_report_is_in_the_audit_feed(app, signed_in, practices,
                                                              harbor_case):
    owner = signed_in("owner")
    run_id = ask_on_page(owner, f"/cases/{harbor_case}/reports", "report.case_pdf")
    owner.client.get(f"/reports/{run_id}/file")
    settle(app)

    feed = owner.get("/admin/audit?what=reports").get_data(as_text=True)

    assert "Report made: case report (PDF)" in feed
    assert "Report downloaded: case report (PDF)" in feed
    tenant_id = practices["own"].people["owner"].tenant_id
    [row] = [r for r in mend_of(app).store.recorder.select_events(tenant_id)
             if r.topic.endswith("ReportMade") and run_id.replace("-", "") in r.state.decode()]
    assert TITLE.encode() not in row.state and b"Hid the new job" not in row.state
    assert set(json.loads(row.state)) == {"timestamp", "actor_id", "tenant_id", "kind",
                                          "run_id", "case_id"}


# ---------------------------------------------------------------------- every role, every route
SIGN_IN, MY_CASES = "sign_in", "my_cases"
STAFF_ON_CASE = {"owner", "supervisor", "practitioner"}


def _ask_case(role, scope):
    return 302 if scope == "own" and role in STAFF_ON_CASE else 404


def _read_run(status):
    return lambda role, scope: status if scope == "own" and role in STAFF_ON_CASE else 404


ROUTES = {
    ("POST", "/cases/<uuid:case_id>/reports", "report.case_pdf"): _ask_case,
    ("POST", "/reports", "csv.caseload"): lambda role, scope: 302,
    ("POST", "/reports", "report.outcomes"):
        lambda role, scope: 302 if role in ("owner", "supervisor") else 403,
    ("GET", "/reports/<uuid:run_id>", ""): _read_run(200),
    ("GET", "/reports/<uuid:run_id>/file", ""): _read_run(200),
}


@pytest.fixture(scope="module")
def runs_of(app, practices) -> dict[str, str]:
    """A case report of each practice's own case, made by its owner."""
    mend = mend_of(app)
    return {scope: reports.ask(mend, practice.people["owner"], "report.case_pdf",
                               practice.case_id) for scope, practice in practices.items()}


def test_every_report_route_is_in_the_matrix(app):
    routes = {(method, rule.rule) for rule in app.url_map.iter_rules()
              if rule.endpoint.startswith("report_pages.")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes == {(method, rule) for method, rule, _ in ROUTES}


@pytest.mark.parametrize("scope", ["own", "other"])
@pytest.mark.parametrize("role", ("anonymous", *ROLES))
@pytest.mark.parametrize("route", sorted(ROUTES), ids=lambda r: f"{r[0]} {r[1]} {r[2]}")
def test_each_role_gets_the_report_or_the_refusal_declared(app, practices, runs_of, signed_in,
                                                           route, role, scope):
    method, rule, kind = route
    if role == "anonymous":
        expected = SIGN_IN
    elif role.startswith("client"):
        expected = MY_CASES
    else:
        expected = ROUTES[route](role, scope)
    path = (rule.replace("<uuid:case_id>", str(practices[scope].case_id))
            .replace("<uuid:run_id>", runs_of[scope]))
    person = signed_in(role)
    answer = person.client.get(path) if method == "GET" else person.post(path, {"kind": kind})
    if expected == SIGN_IN:
        assert answer.status_code == 302 and answer.headers["Location"].startswith("/login")
    elif expected == MY_CASES:
        assert (answer.status_code, answer.headers["Location"]) == (302, "/my-cases")
    else:
        assert answer.status_code == expected, answer.get_data(as_text=True)[:300]
    if expected == 404:
        assert b"couple" not in answer.data and b"%PDF" not in answer.data
    if expected == 302:
        assert answer.headers["Location"].startswith("/reports/")

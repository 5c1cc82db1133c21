"""Who read what, from the pages: a page of a case writes its row, a refusal its denied row,
a role changed in the members page its change; the owners' report reads them back in words,
filtered, sorted and paged, and nobody else's; a client's "who opened my case" lists the
staff's reads of their case and never a client's."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

import pytest

from mend.domain import commands as cmd
from tests.integration.web.conftest import Browser, build_practice, stored


@pytest.fixture(scope="module")
def practices(app):
    """Two practices; in the first, a second client takes part in the case too."""
    built = {"own": build_practice(app, "access-harbor"),
             "other": build_practice(app, "access-willow")}
    own, mend = built["own"], app.extensions["mend"]
    mend.casework.record(own.people["owner"], own.case_id,
                         cmd.AddParticipant(account_id=own.people["client_off"].account_id))
    mend.wait_for_projections(stored(app), 10)
    return built


def last(app) -> dict:
    log = app.extensions["mend"].access_log
    return vars(log.rows("SELECT seq, at_us, tenant_id, actor_id, actor_role, case_id,"
                         " subject_id, kind, action, outcome, address, request_id"
                         " FROM mend_access_log ORDER BY seq DESC LIMIT 1", {})[0])


def text(answer) -> str:
    return unescape(re.sub(r"\s+", " ", answer.get_data(as_text=True)))


def test_a_case_page_writes_a_row_of_who_read_it_and_in_which_role(app, practices, signed_in):
    own = practices["own"]
    assert signed_in("practitioner").get(f"/cases/{own.case_id}").status_code == 200
    row = last(app)
    assert (row["actor_id"], row["actor_role"], row["kind"], row["action"], row["outcome"],
            row["case_id"]) == (str(own.people["practitioner"].account_id), "practitioner",
                                "case", "view", "allowed", str(own.case_id))


def test_a_case_page_refused_is_a_denied_row(app, practices, signed_in):
    own = practices["own"]
    assert signed_in("practitioner_off").get(f"/cases/{own.case_id}").status_code == 404
    row = last(app)
    assert (row["actor_role"], row["kind"], row["outcome"]) == ("practitioner", "case",
                                                                "denied")


def test_a_role_changed_on_the_members_page_is_a_change(app, practices, signed_in):
    own = practices["own"]
    owner = signed_in("owner")
    owner.get("/admin/members")
    target = own.people["practitioner_off"].account_id
    answer = owner.post(f"/admin/members/{target}/role", {"role": "supervisor"})
    assert answer.status_code == 302
    row = last(app)
    assert (row["kind"], row["action"], row["outcome"], row["subject_id"]) == (
        "role", "change", "allowed", str(target))
    owner.post(f"/admin/members/{target}/role", {"role": "practitioner"})


def test_a_printable_report_is_a_print_and_the_client_download_an_export(
        app, practices, signed_in):
    own = practices["own"]
    practitioner = signed_in("practitioner")
    practitioner.get(f"/cases/{own.case_id}")
    asked = practitioner.post(f"/cases/{own.case_id}/reports", {"kind": "report.case_html"})
    run_page = asked.headers["Location"]
    page = practitioner.get(run_page + "/file")
    assert page.status_code == 200 and page.mimetype == "text/html"
    row = last(app)
    assert (row["kind"], row["action"], row["case_id"]) == ("report", "print",
                                                           str(own.case_id))
    client = signed_in("client")
    assert client.get(f"/portal/cases/{own.case_id}/my-data.json").status_code == 200
    row = last(app)
    assert (row["actor_role"], row["kind"], row["action"]) == ("client", "export", "export")


# ---------------------------------------------------------------------- the owners' report
def report(browser: Browser, **query) -> str:
    answer = browser.client.get("/admin/access", query_string=query)
    assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
    return text(answer)


def test_the_owners_report_says_who_read_what_and_filters_by_person_case_and_day(
        app, practices, signed_in):
    own = practices["own"]
    signed_in("practitioner").get(f"/cases/{own.case_id}")
    signed_in("supervisor").get(f"/cases/{own.case_id}")
    owner = signed_in("owner")
    page = report(owner)
    assert "Practitioner access-harbor viewed Access-Harbor couple" in page
    assert "Supervisor access-harbor viewed Access-Harbor couple" in page

    person = report(owner, person=own.people["practitioner"].account_id)
    assert "Practitioner access-harbor viewed" in person
    assert "Supervisor access-harbor viewed" not in person
    case = report(owner, case=own.case_id, action="view")
    assert "Access-Harbor couple" in case and "listed cases" not in case
    today = date.today()
    assert "viewed Access-Harbor couple" in report(owner, since=today.isoformat(),
                                                   until=today.isoformat())
    assert "Nothing recorded matches." in report(
        owner, until=(today - timedelta(days=1)).isoformat())
    assert "Nothing recorded matches." not in report(owner, outcome="denied")
    assert "Access-Willow" not in page  # another practice's reads are not here


def test_the_owners_report_sorts_by_any_column_and_pages(app, practices, signed_in):
    own = practices["own"]
    for role in ("supervisor", "practitioner", "owner"):
        signed_in(role).get(f"/cases/{own.case_id}")
    owner = signed_in("owner")
    names = re.findall(r"(Olive|Supervisor|Practitioner) access-harbor viewed",
                       report(owner, sort="person", action="view", kind="case"))
    assert names == sorted(names) and len(set(names)) == 3
    backwards = re.findall(r"(Olive|Supervisor|Practitioner) access-harbor viewed",
                           report(owner, sort="person", order="desc", action="view",
                                  kind="case"))
    assert backwards == sorted(backwards, reverse=True)
    assert 'aria-sort="ascending"' in owner.client.get(
        "/admin/access?sort=person").get_data(as_text=True)
    for _ in range(51):
        owner.client.get("/")  # a caseload list a row each
    first = report(owner, kind="caseload")
    assert "Rows 1–50 of" in first and "Next page" in first
    assert "Rows 51–" in report(owner, kind="caseload", offset=50)


def test_the_owners_report_is_refused_to_the_rest_of_the_staff_and_logged(
        app, practices, signed_in):
    supervisor = signed_in("supervisor")
    assert supervisor.client.get("/admin/access").status_code == 403
    assert (last(app)["kind"], last(app)["outcome"]) == ("access_log", "denied")
    report(signed_in("owner"))
    row = last(app)
    assert (row["kind"], row["action"], row["outcome"]) == ("access_log", "query", "allowed")


def test_the_report_works_as_a_form_without_script_and_refuses_a_bad_date(
        app, practices, signed_in):
    owner = signed_in("owner")
    page = owner.client.get("/admin/access").get_data(as_text=True)
    assert '<form method="get" action="/admin/access"' in page and "<script" not in page
    refused = owner.client.get("/admin/access", query_string={"since": "next tuesday"})
    assert refused.status_code == 422 and "Not a valid datetime" in text(refused)


# ---------------------------------------------------------------------- the portal
def test_a_client_sees_the_staff_who_opened_their_case_and_no_client(
        app, practices, signed_in):
    own = practices["own"]
    signed_in("practitioner").get(f"/cases/{own.case_id}")
    signed_in("owner").get(f"/cases/{own.case_id}/view-as/{own.people['client'].account_id}")
    other_client = signed_in("client_off")
    other_client.get(f"/portal/cases/{own.case_id}")
    client = signed_in("client")
    case_page = text(client.client.get(f"/portal/cases/{own.case_id}"))
    assert "Who on staff has opened your case" in case_page
    answer = client.client.get(f"/portal/cases/{own.case_id}/who-opened")
    assert answer.status_code == 200
    page = text(answer).split('class="plain cards reads"')[1].split("</ul>")[0]
    assert "Practitioner access-harbor opened your case" in page
    assert "Olive access-harbor opened your case" in page  # the "view as" too
    assert "Client" not in page  # neither her own reads nor the other client's
    row = last(app)
    assert (row["actor_role"], row["kind"], row["case_id"]) == ("client", "access_log",
                                                               str(own.case_id))


def test_a_client_cannot_read_who_opened_another_case(app, practices, signed_in):
    other = practices["other"]
    client = signed_in("client")
    assert client.client.get(f"/portal/cases/{other.case_id}/who-opened").status_code == 404
    assert last(app)["outcome"] in ("denied", "not_found")

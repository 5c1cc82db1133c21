"""Exports made by jobs, from the pages: a client's own data of a case ("Download my data")
and an owner's export of the whole practice ("Move this practice to another Mend").

With no Redis the job runs in the request, so the run page after the button already offers
the file; with the queue away the run stays queued and the page still answers. Who may
follow a run and take its file: the client who asked, alone; for the practice's export any
of its owners, while the rest of its staff are refused and another practice's owner finds
nothing at all.
"""

from __future__ import annotations

import gzip
import json
import re
from uuid import UUID

import pytest

from mend.domain import commands as cmd
from mend.workers import exports
from tests.integration.web.conftest import stored

ROSA_ALONE = "Rosa's private words, for her alone."
PARTNER_ALONE = "The partner's private words, for them alone."
SHARED = "Words the couple share."
RUN = re.compile(r"/(?:my-data|moving)/([0-9a-f-]{36})$")


@pytest.fixture(scope="module")
def couple(app, practices):
    """A couple's case with both of the practice's clients on it, each with a private
    journal entry of their own, and one entry they share."""
    mend = app.extensions["mend"]
    people = practices["own"].people
    owner = people["owner"]
    case_id = mend.casework.open_case(
        owner, kind="couple", title="Rosa and Sam", approach="therapy_guided",
        breach_category="dishonesty", breach_summary="A loan kept secret.",
    ).originator_id
    for command in (cmd.AssignPractitioner(account_id=people["practitioner"].account_id),
                    cmd.AddParticipant(account_id=people["client"].account_id),
                    cmd.AddParticipant(account_id=people["client_off"].account_id)):
        mend.casework.record(owner, case_id, command)
    mend.casework.record(people["client"], case_id, cmd.WriteJournal(text=ROSA_ALONE))
    mend.casework.record(people["client_off"], case_id, cmd.WriteJournal(text=PARTNER_ALONE))
    saved = mend.casework.record(people["client_off"], case_id,
                                 cmd.WriteJournal(text=SHARED, visibility="shared"))
    mend.wait_for_projections(saved.notification_id, 10)
    return case_id


def start(person, path: str) -> str:
    """Press the button; returns the run page's path the answer leads to."""
    answer = person.post(path)
    assert answer.status_code == 302, answer.get_data(as_text=True)[:300]
    assert RUN.search(answer.headers["Location"]), answer.headers["Location"]
    return answer.headers["Location"]


# ---------------------------------------------------------------------- a client's own data
def test_a_clients_export_run_gives_their_own_data_and_not_their_partners_journal(
        signed_in, couple):
    rosa = signed_in("client")
    page = rosa.get(f"/portal/cases/{couple}/my-data").get_data(as_text=True)
    assert "Download my data" in page and 'name="csrf_token"' in page
    run_page = start(rosa, f"/portal/cases/{couple}/my-data")
    answer = rosa.get(run_page)
    body = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "Ready to download" in body
    assert 'http-equiv="refresh"' not in body  # done: nothing to look again for
    download = rosa.get(f"{run_page}/file")
    assert download.mimetype == "application/json"
    assert "attachment" in download.headers["Content-Disposition"]
    made = json.loads(download.get_data(as_text=True))
    texts = json.dumps(made)
    assert ROSA_ALONE in texts and SHARED in texts and PARTNER_ALONE not in texts
    direct = json.loads(rosa.get(f"/portal/cases/{couple}/my-data.json").get_data())
    assert untimed(made) == untimed(direct)  # the portal's download, made by a job


def untimed(document: dict) -> dict:
    """A download without the moments it was taken at."""
    return {**document, "taken_at": None, "metrics": {**document["metrics"], "as_of": None}}


def test_nobody_but_the_client_who_asked_follows_or_takes_their_data(signed_in, couple, app):
    run_page = start(signed_in("client"), f"/portal/cases/{couple}/my-data")
    partner = signed_in("client_off")  # on the same case
    for path in (run_page, f"{run_page}/file"):
        assert partner.get(path).status_code == 404
    # Staff are sent to the workspace's page of the case, as on every portal page.
    owner = signed_in("owner")
    assert owner.get(run_page).status_code == 302
    other = signed_in("client", "other")
    assert other.get(run_page).status_code == 404


def test_a_case_that_is_not_theirs_starts_no_run(signed_in, practices, app):
    sam = signed_in("client_off")  # not on the practice's first case
    mend = app.extensions["mend"]
    before = mend.runs.of(practices["own"].people["owner"].tenant_id)
    answer = sam.post(f"/portal/cases/{practices['own'].case_id}/my-data")
    assert answer.status_code == 404
    assert mend.runs.of(practices["own"].people["owner"].tenant_id) == before


def test_the_page_answers_while_the_queue_is_away_and_the_run_waits_queued(
        signed_in, couple, app, monkeypatch):
    mend = app.extensions["mend"]

    def away(*args, **kwargs):
        raise ConnectionError("Redis is away")

    monkeypatch.setattr(mend.jobs, "enqueue", away)
    rosa = signed_in("client")
    run_page = start(rosa, f"/portal/cases/{couple}/my-data")
    body = rosa.get(run_page).get_data(as_text=True)
    assert "Waiting its turn" in body and '<meta http-equiv="refresh" content="2">' in body
    assert rosa.get(f"{run_page}/file").status_code == 404  # no file yet
    run_id = RUN.search(run_page).group(1)
    assert mend.runs.get(run_id).state == "queued"
    monkeypatch.undo()
    # The sweeper's job, later: the run is made once, however often its job runs.
    assert exports.run_export(run_id) == "done"
    assert exports.run_export(run_id).startswith("not queued")
    assert "Ready to download" in rosa.get(run_page).get_data(as_text=True)


# ---------------------------------------------------------------------- the whole practice
@pytest.mark.parametrize("role", ["supervisor", "practitioner"])
def test_only_an_owner_may_start_the_practices_export(signed_in, practices, app, role):
    person = signed_in(role)
    before, runs = stored(app), app.extensions["mend"].runs.of(practices["own"].people[
        "owner"].tenant_id, kind=exports.TENANT)
    assert person.get("/admin/moving").status_code == 403
    answer = person.post("/admin/moving")
    assert answer.status_code == 403 and "Only owners" in answer.get_data(as_text=True)
    assert stored(app) == before
    assert app.extensions["mend"].runs.of(practices["own"].people["owner"].tenant_id,
                                          kind=exports.TENANT) == runs


def test_an_owner_exports_the_practice_and_only_its_owners_take_the_file(
        signed_in, practices, app):
    owner = signed_in("owner")
    page = owner.get("/admin/moving").get_data(as_text=True)
    assert "Move this practice to another Mend" in page and "Export the whole practice" in page
    run_page = start(owner, "/admin/moving")
    body = owner.get(run_page).get_data(as_text=True)
    assert "Ready to download" in body and "Download the file" in body
    download = owner.client.get(f"{run_page}/file")  # bytes: not a page to read a token from
    assert download.mimetype == "application/gzip"
    header = json.loads(gzip.decompress(download.get_data()).split(b"\n", 1)[0])
    assert header["tenant"]["slug"] == "harbor" and header["streams"]["cases"] >= 1
    assert "Export asked" in owner.get("/admin/moving").get_data(as_text=True)

    for role, status in (("supervisor", 403), ("practitioner", 403)):
        person = signed_in(role)
        assert person.get(run_page).status_code == status
        assert person.get(f"{run_page}/file").status_code == status
    stranger = signed_in("owner", "other")
    for path in (run_page, f"{run_page}/file"):
        answer = stranger.get(path)
        assert answer.status_code == 404 and "harbor" not in answer.get_data(as_text=True)


def test_the_practices_export_shows_in_its_audit_feed(signed_in, practices, app):
    owner = signed_in("owner")
    start(owner, "/admin/moving")
    feed = owner.get("/admin/audit?what=exports").get_data(as_text=True)
    assert "Whole practice exported, to move to another Mend" in feed


def test_an_owner_demoted_before_the_job_ran_gets_no_file(signed_in, practices, app):
    mend = app.extensions["mend"]
    owner = practices["own"].people["owner"]
    supervisor = practices["own"].people["supervisor"]
    mend.membership.change_role(owner, supervisor.account_id, "owner")
    run_id = mend.runs.start(tenant_id=owner.tenant_id, kind=exports.TENANT,
                             requested_by=supervisor.account_id)
    mend.membership.change_role(owner, supervisor.account_id, "supervisor")
    assert exports.run_export(run_id) == "refused"
    run = mend.runs.get(run_id)
    assert run.state == "failed" and run.reason == (
        "The person who asked may not have this export now.")
    page = signed_in("owner").get(f"/admin/moving/{run_id}").get_data(as_text=True)
    assert "Could not be made" in page and "Start it again" in page


def test_a_run_of_another_kind_is_not_found_by_the_other_page(signed_in, couple, app):
    run_page = start(signed_in("client"), f"/portal/cases/{couple}/my-data")
    run_id = UUID(RUN.search(run_page).group(1))
    assert signed_in("owner").get(f"/admin/moving/{run_id}").status_code == 404

"""Who read what, on each real store: every read of a case through the API writes one row of
the access log, committed before the answer leaves; refusals and privilege changes too; the
table refuses to be changed; its chain verifies and catches a tampered row; the owners'
report filters, sorts and pages, and is logged as it is read."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from uuid import uuid4

import psycopg
import pytest
from eventsourcing.persistence import OperationalError

from mend.workers import access_sending
from mend.workers.access_chain import FIELDS
from tests.integration.conftest import PASSWORD

API = "/api/v1"
OWNER = "elena.park@access-harbor.test"
#: What a row may hold: ids, closed words, an address and a request id; no sentence.
PLAIN = re.compile(r"^[A-Za-z0-9._:-]*$")


@dataclass
class Harbor:
    owner: dict[str, str]
    tokens: dict[str, dict[str, str]]
    ids: dict[str, str]
    case_id: str


@pytest.fixture
def harbor(client, auth) -> Harbor:
    """Access Harbor: Dr Elena Park owns it; Pia works Ana & Leo's case, Cole works none;
    Ana and Leo take part in it."""
    auth.sign_up("access-harbor", OWNER, name="Dr Elena Park")
    owner = auth.token(OWNER)
    tokens, ids = {"owner": owner}, {}
    for person, name, role in (("pia", "Pia Practitioner", "practitioner"),
                               ("cole", "Cole Colleague", "practitioner"),
                               ("ana", "Ana Ferreira", "client"),
                               ("leo", "Leo Ferreira", "client")):
        email = f"{person}@access-harbor.test"
        invited = client.post(f"{API}/members", headers=owner,
                              json={"email": email, "name": name, "role": role}).json
        client.post(f"{API}/invitations/{invited['token']}/accept", json={"password": PASSWORD})
        ids[person], tokens[person] = invited["account_id"], auth.token(email)
    case_id = client.post(f"{API}/cases", headers=owner, json={
        "kind": "couple", "title": "Ana & Leo", "approach": "therapy_guided",
        "breach": {"category": "dishonesty", "summary": "A debt hidden for a year."},
    }).json["case_id"]
    for path, body in (("practitioners", {"account_id": ids["pia"]}),
                       ("participants", {"account_id": ids["ana"], "relation": "partner"}),
                       ("participants", {"account_id": ids["leo"], "relation": "partner"})):
        assert client.post(f"{API}/cases/{case_id}/{path}", headers=owner,
                           json=body).status_code == 201
    client.post(f"{API}/cases/{case_id}/check-ins", headers=tokens["ana"], json={
        "trust": 4, "emotional_safety": 5, "communication_ease": 4, "conflicts": 1,
        "note": "We talked about the loan without shouting."})
    return Harbor(owner, tokens, ids, case_id)


def rows(app) -> list[dict]:
    log = app.extensions["mend"].access_log
    return [dataclasses.asdict(r) for r in log.rows(
        f"SELECT {', '.join(FIELDS)} FROM mend_access_log ORDER BY seq", {})]


def last(app) -> dict:
    return rows(app)[-1]


def assert_plain(row: dict) -> None:
    for name, value in row.items():
        assert value is None or isinstance(value, int) or PLAIN.match(value), (name, value)


def test_a_timeline_read_writes_one_row_committed_before_the_answer(app, client, harbor):
    before = len(rows(app))
    answer = client.get(f"{API}/cases/{harbor.case_id}/timeline", headers=harbor.tokens["pia"])
    assert answer.status_code == 200
    # The answer is out: its row is in the table already, not queued somewhere.
    written = rows(app)[before:]
    assert len(written) == 1
    row = written[0]
    assert (row["actor_id"], row["actor_role"], row["kind"], row["action"], row["outcome"],
            row["case_id"]) == (harbor.ids["pia"], "practitioner", "timeline", "view",
                                "allowed", harbor.case_id)
    assert row["address"] == "127.0.0.1"
    assert row["request_id"] == answer.headers["X-Request-Id"]
    assert_plain(row)


def test_a_sane_request_id_is_kept_and_a_strange_one_replaced(app, client, harbor):
    path = f"{API}/cases/{harbor.case_id}/timeline"
    kept = client.get(path, headers={**harbor.tokens["pia"], "X-Request-Id": "lb-7f3a.91"})
    assert kept.headers["X-Request-Id"] == "lb-7f3a.91" == last(app)["request_id"]
    odd = client.get(path, headers={**harbor.tokens["pia"], "X-Request-Id": "<script> x"})
    assert re.fullmatch(r"[0-9a-f]{32}", odd.headers["X-Request-Id"])
    assert last(app)["request_id"] == odd.headers["X-Request-Id"]


def test_metrics_export_and_case_reads_each_write_their_kind(app, client, harbor):
    case = f"{API}/cases/{harbor.case_id}"
    expected = [
        (f"{case}/metrics", "ana", ("client", "metrics", "view")),
        (f"{case}/metrics/weekly", "pia", ("practitioner", "metrics", "view")),
        (case, "leo", ("client", "case", "view")),
        (f"{case}/standing", "pia", ("practitioner", "case", "view")),
        (f"{case}/export", "owner", ("owner", "export", "export")),
    ]
    for path, who, (role, kind, action) in expected:
        before = len(rows(app))
        assert client.get(path, headers=harbor.tokens[who]).status_code == 200, path
        [row] = rows(app)[before:]
        assert (row["actor_role"], row["kind"], row["action"], row["outcome"],
                row["case_id"]) == (role, kind, action, "allowed", harbor.case_id), path
        assert_plain(row)


def test_a_report_download_writes_a_row_of_its_case(app, client, harbor):
    asked = client.post(f"{API}/cases/{harbor.case_id}/reports", headers=harbor.tokens["pia"],
                        json={"kind": "report.case_pdf"})
    assert asked.status_code == 202, asked.json
    assert (last(app)["kind"], last(app)["action"]) == ("report", "query")
    before = len(rows(app))
    got = client.get(f"{API}/reports/{asked.json['run_id']}/file", headers=harbor.tokens["pia"])
    assert got.status_code == 200 and got.data.startswith(b"%PDF")
    [row] = rows(app)[before:]
    assert (row["actor_id"], row["kind"], row["action"], row["outcome"], row["case_id"]) == (
        harbor.ids["pia"], "report", "export", "allowed", harbor.case_id)


def test_a_read_refused_is_logged_as_denied_and_a_stranger_case_as_not_found(
        app, client, harbor):
    answer = client.get(f"{API}/cases/{harbor.case_id}/timeline", headers=harbor.tokens["cole"])
    assert answer.status_code == 404
    row = last(app)
    assert (row["actor_id"], row["kind"], row["outcome"], row["case_id"]) == (
        harbor.ids["cole"], "timeline", "denied", harbor.case_id)
    nowhere = str(uuid4())
    assert client.get(f"{API}/cases/{nowhere}/metrics",
                      headers=harbor.tokens["owner"]).status_code == 404
    # Not the tenant's case: the row says so, and names no id of another tenant's.
    assert (last(app)["outcome"], last(app)["case_id"]) == ("not_found", None)
    assert client.get(f"{API}/cases/{harbor.case_id}/export",
                      headers=harbor.tokens["pia"]).status_code == 403
    assert (last(app)["kind"], last(app)["outcome"]) == ("export", "denied")


def test_a_role_change_and_a_practitioner_assigned_are_logged_as_changes(app, client, harbor):
    owner = harbor.tokens["owner"]
    assert client.post(f"{API}/members/{harbor.ids['cole']}/role", headers=owner,
                       json={"role": "supervisor"}).status_code == 204
    row = last(app)
    assert (row["kind"], row["action"], row["outcome"], row["subject_id"]) == (
        "role", "change", "allowed", harbor.ids["cole"])
    assert client.post(f"{API}/cases/{harbor.case_id}/practitioners", headers=owner,
                       json={"account_id": harbor.ids["cole"]}).status_code == 201
    row = last(app)
    assert (row["kind"], row["action"], row["case_id"], row["subject_id"]) == (
        "practitioners", "change", harbor.case_id, harbor.ids["cole"])
    refused = client.post(f"{API}/members/{harbor.ids['ana']}/role",
                          headers=harbor.tokens["pia"], json={"role": "owner"})
    assert refused.status_code == 403
    assert (last(app)["kind"], last(app)["outcome"]) == ("role", "denied")


def test_joining_by_an_invitation_is_logged_as_the_new_members_change(app, client, harbor):
    invited = client.post(f"{API}/members", headers=harbor.owner, json={
        "email": "nia@access-harbor.test", "name": "Nia New", "role": "practitioner"}).json
    wrong = client.post(f"{API}/invitations/not-a-token/accept", json={"password": PASSWORD})
    assert wrong.status_code == 404
    before = len(rows(app))
    assert client.post(f"{API}/invitations/{invited['token']}/accept",
                       json={"password": PASSWORD}).status_code == 200
    [row] = rows(app)[before:]
    assert (row["kind"], row["action"], row["outcome"]) == ("membership", "change", "allowed")
    assert (row["actor_id"], row["actor_role"], row["subject_id"]) == (
        invited["account_id"], "practitioner", invited["account_id"])
    assert_plain(row)


def test_a_list_is_one_query_row_without_a_case(app, client, harbor):
    before = len(rows(app))
    assert client.get(f"{API}/caseload", headers=harbor.tokens["pia"]).status_code == 200
    [row] = rows(app)[before:]
    assert (row["kind"], row["action"], row["case_id"]) == ("caseload", "query", None)


def test_a_read_is_refused_when_its_row_cannot_be_written(app, client, harbor, monkeypatch):
    def store_away(rows):
        raise OperationalError("the views' database is not answering")

    monkeypatch.setattr(app.extensions["mend"].access_log, "append", store_away)
    # PostgreSQL's message fails in the database, as a write it refuses would.
    monkeypatch.setattr(access_sending, "MESSAGE", "SELECT mend_no_such_function({batch})")
    before = len(rows(app))
    answer = client.get(f"{API}/cases/{harbor.case_id}/timeline", headers=harbor.tokens["pia"])
    assert answer.status_code == 503
    assert answer.headers["Retry-After"]
    assert b"loan" not in answer.data and b"Ana" not in answer.data
    monkeypatch.undo()
    assert len(rows(app)) == before
    # Once the store answers again, so does Mend on the same connections, and logs the read.
    assert client.get(f"{API}/cases/{harbor.case_id}/timeline",
                      headers=harbor.tokens["pia"]).status_code == 200
    assert len(rows(app)) == before + 1


# ---------------------------------------------------------------------- the table itself
def raw_connection(settings):
    """A connection of the table's owner, straight to the database the views live in."""
    if settings.is_sqlite:
        import sqlite3

        return sqlite3.connect(settings.views_env()["SQLITE_DBNAME"])
    return psycopg.connect(settings.database_url, autocommit=True)


def test_the_table_refuses_update_delete_and_truncate_even_for_its_owner(
        app, client, harbor, settings):
    client.get(f"{API}/cases/{harbor.case_id}", headers=harbor.tokens["pia"])
    refusals = ["UPDATE mend_access_log SET outcome = 'allowed'", "DELETE FROM mend_access_log"]
    if not settings.is_sqlite:
        refusals.append("TRUNCATE mend_access_log")
    with raw_connection(settings) as conn:
        for statement in refusals:
            with pytest.raises(Exception, match="append-only"):
                conn.execute(statement)
        if settings.is_sqlite:  # REPLACE would delete the row it replaces
            with pytest.raises(Exception, match="append-only"):
                conn.execute("INSERT OR REPLACE INTO mend_access_log SELECT * FROM"
                             " mend_access_log WHERE seq = 1")
    assert len(rows(app)) > 0


def test_the_chain_verifies_and_catches_a_row_changed_behind_the_triggers(
        app, client, harbor, settings):
    for who in ("pia", "ana", "leo"):
        client.get(f"{API}/cases/{harbor.case_id}/timeline", headers=harbor.tokens[who])
    log = app.extensions["mend"].access_log
    verdict = log.verify()
    assert verdict.holds and verdict.rows == len(rows(app)) > 3
    victim = rows(app)[2]["seq"]
    with raw_connection(settings) as conn:
        # Only the owner's DDL gets past the triggers: what a web role must not be able to do.
        if settings.is_sqlite:
            conn.execute("DROP TRIGGER mend_access_log_no_update")
        else:
            conn.execute("ALTER TABLE mend_access_log DISABLE TRIGGER USER")
        conn.execute("UPDATE mend_access_log SET actor_role = 'owner' WHERE seq = ?"
                     if settings.is_sqlite else
                     "UPDATE mend_access_log SET actor_role = 'owner' WHERE seq = %s",
                     (victim,))
        if settings.is_sqlite:
            conn.commit()
    broken = log.verify()
    assert not broken.holds
    assert broken.broken.seq == victim and broken.rows == victim - 1


# ---------------------------------------------------------------------- the owners' report
def report(client, headers, **query) -> dict:
    answer = client.get(f"{API}/access-log", headers=headers, query_string=query)
    assert answer.status_code == 200, answer.json
    return answer.json


def test_the_report_filters_by_person_case_and_days_and_sorts(app, client, harbor):
    other_case = client.post(f"{API}/cases", headers=harbor.owner, json={
        "kind": "family", "title": "The Okafors", "approach": "self_guided",
        "breach": {"category": "neglect", "summary": "Missed visits."}}).json["case_id"]
    client.get(f"{API}/cases/{harbor.case_id}/timeline", headers=harbor.tokens["pia"])
    client.get(f"{API}/cases/{other_case}/timeline", headers=harbor.owner)
    owner = harbor.owner

    pia = report(client, owner, person=harbor.ids["pia"])["entries"]
    assert pia and {e["actor"]["name"] for e in pia} == {"Pia Practitioner"}
    assert pia[0]["summary"] == "Pia Practitioner viewed the timeline of Ana & Leo"
    okafors = report(client, owner, case=other_case, kind="timeline")["entries"]
    assert [e["summary"] for e in okafors] == ["Dr Elena Park viewed the timeline of The Okafors"]

    now = datetime.now(timezone.utc)
    future = (now + timedelta(minutes=5)).isoformat()
    assert report(client, owner, since=(now - timedelta(hours=1)).isoformat())["total"] > 2
    assert report(client, owner, until=(now - timedelta(hours=1)).isoformat())["total"] == 0
    assert client.get(f"{API}/access-log", headers=owner,
                      query_string={"since": future}).status_code == 422

    by_case = report(client, owner, sort="case", kind="timeline")["entries"]
    titles = [e["case"]["title"] for e in by_case]
    assert titles == sorted(titles, key=str.lower) and titles[0] == "Ana & Leo"
    oldest = report(client, owner, order="asc", limit=2)
    newest = report(client, owner, limit=2)
    assert oldest["entries"][0]["seq"] < newest["entries"][0]["seq"]
    assert oldest["next"] == 2
    assert report(client, owner, offset=oldest["next"], order="asc",
                  limit=2)["entries"][0]["seq"] > oldest["entries"][1]["seq"]


def test_the_report_is_the_owners_and_reading_it_is_logged(app, client, harbor):
    for who in ("pia", "ana"):
        answer = client.get(f"{API}/access-log", headers=harbor.tokens[who])
        assert answer.status_code == 403
        assert (last(app)["kind"], last(app)["outcome"]) == ("access_log", "denied")
    before = len(rows(app))
    report(client, harbor.owner)
    [row] = rows(app)[before:]
    assert (row["actor_role"], row["kind"], row["action"], row["outcome"]) == (
        "owner", "access_log", "query", "allowed")
    seen = report(client, harbor.owner, kind="access_log")["entries"]
    assert seen[0]["summary"] == "Dr Elena Park read the access log"
    assert "Pia Practitioner tried to read the access log and was refused" in {
        e["summary"] for e in seen}


def test_a_role_granted_as_the_readme_says_appends_but_cannot_change_or_unguard(
        postgres_settings):
    """README "Who read what": the web processes' role reads and appends, and nothing else,
    not even by turning the triggers off, which only the table's owner may."""
    from mend.bootstrap import bootstrap
    from tests.conftest import RUN_ID

    bootstrap(postgres_settings, start_runner=False).close()  # the owner makes the tables
    role = f"access_app_{RUN_ID}"
    url = postgres_settings.database_url
    with psycopg.connect(url, autocommit=True) as owner:
        owner.execute(f'CREATE ROLE "{role}" LOGIN')
        for grant in ("GRANT SELECT, INSERT ON mend_access_log TO {r}",
                      "GRANT EXECUTE ON FUNCTION mend_access_log_append(jsonb) TO {r}"):
            owner.execute(grant.format(r=f'"{role}"'))
    try:
        as_app = url.replace("postgres@", f"{role}@", 1)
        row = ('[{"at_us": 1, "tenant_id": "t", "actor_id": "a", "actor_role": "owner",'
               ' "case_id": null, "subject_id": null, "kind": "case", "action": "view",'
               ' "outcome": "allowed", "address": "", "request_id": "r"}]')
        with psycopg.connect(as_app, autocommit=True) as app_role:
            assert app_role.execute("SELECT mend_access_log_append(%s::jsonb)",
                                    (row,)).fetchone()[0] >= 1
            for statement in ("UPDATE mend_access_log SET kind = 'case'",
                              "DELETE FROM mend_access_log", "TRUNCATE mend_access_log",
                              "ALTER TABLE mend_access_log DISABLE TRIGGER USER"):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    app_role.execute(statement)
    finally:
        with psycopg.connect(url, autocommit=True) as owner:
            owner.execute(f'DROP OWNED BY "{role}"')
            owner.execute(f'DROP ROLE "{role}"')


def test_the_command_line_verifies_the_chain_and_prints_its_head(app, client, harbor):
    client.get(f"{API}/cases/{harbor.case_id}/timeline", headers=harbor.tokens["pia"])
    answer = app.test_cli_runner().invoke(args=["access", "verify"])
    assert answer.exit_code == 0, answer.output
    verdict = app.extensions["mend"].access_log.verify()
    assert answer.output.strip() == (
        f"access log: all {verdict.rows} rows hold; head {verdict.head}")

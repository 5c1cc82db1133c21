"""What owners read in /audit: failed sign-ins on their members' accounts and case exports."""

from __future__ import annotations

from dataclasses import replace

import pytest

from mend.platform import create_app
from tests.integration.conftest import Auth

RUTH = "ruth@harbor.test"
CLIENT_PASSWORD = "ana's own long passphrase"


def audit(app, client, headers) -> list[dict]:
    mend = app.extensions["mend"]
    mend.wait_for_projections(mend.store.recorder.max_notification_id())
    return client.get("/api/v1/audit", headers=headers).json["entries"]


def events_stored(app) -> int:
    return app.extensions["mend"].store.recorder.max_notification_id() or 0


def failed_sign_in(client, email: str, path: str = "/api/v1/auth/login") -> None:
    # A real server closes the response once sent; the test client closes it here.
    with client.post(path, json={"email": email, "password": "not the password"}) as answer:
        assert answer.status_code == 401
        assert answer.json["detail"] == "Wrong email or password."


def test_a_wrong_password_reaches_the_audit_of_every_tenant_the_account_is_in(app, client, auth):
    auth.sign_up("harbor", RUTH)
    auth.sign_up("northwind", RUTH)  # the same person owns a second practice
    failed_sign_in(client, "ruth@harbor.test")
    failed_sign_in(client, "RUTH@harbor.test ", "/api/v1/auth/tokens")
    for slug in ("harbor", "northwind"):
        entries = audit(app, client, auth.token(RUTH, tenant=slug))
        failures = [e for e in entries if e["type"] == "sign_in_failed"]
        assert [e["summary"] for e in failures] == [
            "Failed sign-in (API token) from 127.0.0.1",
            "Failed sign-in (browser) from 127.0.0.1",
        ]
        assert {e["actor"]["name"] for e in failures} == {"Ruth"}


def test_a_browser_sign_in_reaches_the_audit_of_every_tenant_it_may_act_in(app, client, auth):
    auth.sign_up("harbor", RUTH)
    auth.sign_up("northwind", RUTH)
    assert Auth(app.test_client()).sign_in(RUTH).status_code == 200  # another browser
    for slug in ("harbor", "northwind"):
        entries = audit(app, client, auth.token(RUTH, tenant=slug))
        assert [e["summary"] for e in entries if e["type"] == "signed_in"].count(
            "Signed in (browser)") == 1, slug


def test_a_wrong_password_for_an_unknown_email_records_nothing(app, client, auth):
    auth.sign_up("harbor", RUTH)
    before = events_stored(app)
    failed_sign_in(client, "nobody@harbor.test")
    failed_sign_in(client, "not an email at all")
    assert events_stored(app) == before


@pytest.fixture
def harbor_case(client, auth):
    """Harbor with a case whose client keeps a private journal entry and shares another."""
    auth.sign_up("harbor", RUTH)
    owner = auth.token(RUTH)
    invited = client.post("/api/v1/members", headers=owner, json={
        "email": "ana@example.test", "name": "Ana", "role": "client"}).json
    client.post(f"/api/v1/invitations/{invited['token']}/accept",
                json={"password": CLIENT_PASSWORD})
    case_id = client.post("/api/v1/cases", headers=owner, json={
        "kind": "couple", "title": "Ana", "approach": "therapy_guided",
        "breach": {"category": "dishonesty", "summary": "Hid debts for a year."},
    }).json["case_id"]
    client.post(f"/api/v1/cases/{case_id}/participants", headers=owner,
                json={"account_id": invited["account_id"]})
    ana = auth.token("ana@example.test", CLIENT_PASSWORD)
    for text, visibility in (("only mine", "private"), ("for us both", "shared")):
        assert client.post(f"/api/v1/cases/{case_id}/journal", headers=ana,
                           json={"text": text, "visibility": visibility}).status_code == 201
    client.post(f"/api/v1/cases/{case_id}/notes", headers=owner, json={"text": "Ana calm."})
    return client, owner, ana, case_id


def test_an_owner_exports_the_whole_record_and_the_export_is_audited(app, harbor_case):
    client, owner, _, case_id = harbor_case
    exported = client.get(f"/api/v1/cases/{case_id}/export", headers=owner)
    assert exported.status_code == 200
    body = exported.json
    assert body["case"]["id"] == case_id and body["case"]["title"] == "Ana"
    assert body["metrics"]["case_id"] == case_id
    texts = [e["data"].get("text") for e in body["events"]]
    assert "for us both" in texts and "Ana calm." in texts
    assert "only mine" not in texts  # a client's private journal is theirs alone
    timeline = client.get(f"/api/v1/cases/{case_id}/timeline", headers=owner).json["events"]
    assert [e["id"] for e in body["events"]] == [e["id"] for e in timeline]

    [entry] = [e for e in audit(app, client, owner) if e["type"] == "case_exported"]
    assert entry["case_id"] == case_id
    assert entry["summary"] == f"Case record exported ({len(timeline)} events)"
    assert entry["actor"]["name"] == "Ruth"


def test_only_owners_export_and_a_refused_export_records_nothing(app, auth, harbor_case):
    client, owner, ana, case_id = harbor_case
    auth.sign_up("elsewhere", "eve@elsewhere.test", name="Eve")
    stranger = auth.token("eve@elsewhere.test")
    before = events_stored(app)
    assert client.get(f"/api/v1/cases/{case_id}/export", headers=ana).status_code == 403
    assert client.get(f"/api/v1/cases/{case_id}/export", headers=stranger).status_code == 404
    assert client.get(f"/api/v1/cases/{case_id}/export").status_code == 401
    assert events_stored(app) == before


@pytest.mark.parametrize(("proxies", "address"), [(0, "127.0.0.1"), (1, "203.0.113.9")])
def test_the_audited_address_believes_only_as_many_proxies_as_configured(
        settings, proxies, address):
    app = create_app(replace(settings, trusted_proxies=proxies))
    try:
        client = app.test_client()
        auth = Auth(client)
        auth.sign_up("harbor", RUTH)
        with client.post("/api/v1/auth/login", headers={"X-Forwarded-For": "203.0.113.9"},
                         json={"email": "ruth@harbor.test", "password": "not it"}) as answer:
            assert answer.status_code == 401
        entries = audit(app, client, auth.token(RUTH))
        assert [e["summary"] for e in entries if e["type"] == "sign_in_failed"] == [
            f"Failed sign-in (browser) from {address}"]
    finally:
        app.extensions["mend"].close()

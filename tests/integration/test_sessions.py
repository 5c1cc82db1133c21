"""Browser sessions die on the server: a cookie kept and replayed later is refused."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from tests.integration.conftest import PASSWORD, Auth


@pytest.fixture
def settings(sqlite_settings):
    """Sessions live in the same store code on both; one store is enough here."""
    return sqlite_settings


@pytest.fixture
def app(app):
    Auth(app.test_client()).sign_up("harbor", "ruth@harbor.test")
    return app


def signed_in(app):
    client = app.test_client()
    answer = Auth(client).sign_in("ruth@harbor.test")
    assert answer.status_code == 200
    return client, answer.json["csrf_token"]


def cookie_of(client) -> str:
    return client.get_cookie("session").value


def replay(app, cookie: str):
    stranger = app.test_client()
    stranger.set_cookie("session", cookie)
    return stranger.get("/api/v1/cases")


def test_a_cookie_captured_before_sign_out_is_refused_afterwards(app):
    client, csrf = signed_in(app)
    captured = cookie_of(client)
    assert replay(app, captured).status_code == 200
    assert client.post("/api/v1/auth/logout").status_code == 204
    assert replay(app, captured).status_code == 401


def test_signing_in_starts_a_new_session_whatever_cookie_came_before(app):
    attacker, _ = signed_in(app)
    planted = cookie_of(attacker)
    victim = app.test_client()
    victim.set_cookie("session", planted)
    victim.post("/api/v1/auth/login", json={"email": "ruth@harbor.test", "password": PASSWORD})
    assert cookie_of(victim) != planted
    attacker.post("/api/v1/auth/logout")
    assert victim.get("/api/v1/cases").status_code == 200


def test_a_password_change_ends_every_earlier_session(app):
    laptop, laptop_csrf = signed_in(app)
    phone, _ = signed_in(app)
    captured = cookie_of(phone)
    changed = laptop.post("/api/v1/auth/password", headers={"X-CSRF-Token": laptop_csrf}, json={
        "current_password": PASSWORD, "new_password": "an even longer harbor passphrase"})
    assert changed.status_code == 204
    assert phone.get("/api/v1/cases").status_code == 401
    assert replay(app, captured).status_code == 401
    assert laptop.get("/api/v1/cases").status_code == 401


def test_sign_out_everywhere_ends_the_other_devices_too(app):
    laptop, laptop_csrf = signed_in(app)
    phone, _ = signed_in(app)
    ended = laptop.post("/api/v1/auth/logout-everywhere", headers={"X-CSRF-Token": laptop_csrf})
    assert ended.status_code == 204
    assert phone.get("/api/v1/cases").status_code == 401


def test_a_revoked_member_s_old_cookie_is_refused(app):
    owner, csrf = signed_in(app)
    invited = owner.post("/api/v1/members", headers={"X-CSRF-Token": csrf},
                         json={"email": "omar@harbor.test", "name": "Omar", "role": "supervisor"})
    app.test_client().post(f"/api/v1/invitations/{invited.json['token']}/accept",
                           json={"password": "omar's long passphrase"})
    omar = app.test_client()
    omar.post("/api/v1/auth/login", json={"email": "omar@harbor.test",
                                          "password": "omar's long passphrase"})
    captured = cookie_of(omar)
    revoked = owner.post(f"/api/v1/members/{invited.json['account_id']}/revoke",
                         headers={"X-CSRF-Token": csrf})
    assert revoked.status_code == 204
    assert replay(app, captured).status_code == 401


def test_an_idle_session_expires(app):
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(seconds=1)
    client, _ = signed_in(app)
    captured = cookie_of(client)
    time.sleep(2.1)
    assert replay(app, captured).status_code == 401


def test_a_busy_session_still_ends_at_its_absolute_limit(app):
    app.config["SESSION_ABSOLUTE"] = timedelta(seconds=2)
    client, _ = signed_in(app)
    assert client.get("/api/v1/cases").status_code == 200
    time.sleep(1.2)
    assert client.get("/api/v1/cases").status_code == 200
    time.sleep(1.2)
    assert client.get("/api/v1/cases").status_code == 401


def test_a_state_change_without_the_csrf_token_is_refused_and_records_nothing(app):
    client, _ = signed_in(app)
    store = app.extensions["mend"].store
    before = store.recorder.max_notification_id()
    refused = client.post("/api/v1/cases", json={
        "kind": "couple", "title": "Ana & Leo", "approach": "therapy_guided",
        "breach": {"category": "infidelity", "summary": "An affair."}})
    assert refused.status_code == 403
    assert store.recorder.max_notification_id() == before


def test_sessions_default_to_a_thirty_minute_idle_and_twelve_hour_absolute_limit(app):
    assert app.config["PERMANENT_SESSION_LIFETIME"] == timedelta(minutes=30)
    assert app.config["SESSION_ABSOLUTE"] == timedelta(hours=12)


def test_sign_ins_and_role_changes_reach_the_owners_audit_log(app):
    client, csrf = signed_in(app)
    invited = client.post("/api/v1/members", headers={"X-CSRF-Token": csrf},
                          json={"email": "omar@harbor.test", "name": "Omar", "role": "client"})
    app.test_client().post(f"/api/v1/invitations/{invited.json['token']}/accept",
                           json={"password": "omar's long passphrase"})
    client.post(f"/api/v1/members/{invited.json['account_id']}/role",
                headers={"X-CSRF-Token": csrf}, json={"role": "supervisor"})
    app.extensions["mend"].runner.catch_up()
    summaries = [e["summary"] for e in client.get("/api/v1/audit").json["entries"]]
    assert "Signed in (browser)" in summaries
    assert "Member invited as client" in summaries
    assert "Role granted: supervisor" in summaries


def test_a_stranger_learns_only_that_they_must_sign_in_whatever_body_they_send(app):
    stranger = app.test_client()
    answer = stranger.post("/api/v1/cases", json={"kind": "nonsense", "tenant_id": "x"})
    assert answer.status_code == 401
    assert "errors" not in answer.json and "kind" not in answer.get_data(as_text=True)
    # Public routes still validate first: there is no caller to settle.
    assert stranger.post("/api/v1/tenants", json={"slug": 7}).status_code == 422

"""The skeleton path over real HTTP: sign up, tokens, members, a case, check-ins, the timeline."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

from tests.e2e.api_client import ApiClient

PASSWORD = "a long harbor passphrase"


def test_a_practice_signs_up_invites_a_client_and_both_see_the_case_grow(server):
    anonymous = ApiClient(server)
    anonymous.sign_up("harbor", "olive@harbor.test", PASSWORD, "Olive")
    olive = anonymous.as_token("olive@harbor.test", PASSWORD)
    ana_id = olive.invite_and_accept("ana@example.com", "Ana", "client", "ana's own passphrase")
    leo_id = olive.invite_and_accept("leo@example.com", "Leo", "client", "leo's own passphrase")

    opened = olive.post("/api/v1/cases", {
        "kind": "couple", "title": "Ana & Leo", "approach": "therapy_guided",
        "breach": {"category": "infidelity", "summary": "An affair came to light in March."},
        "occurred_at": (datetime.now(timezone.utc) - timedelta(days=30)).isoformat(),
    })
    assert opened.status_code == 201, opened.text
    assert opened.json()["type"] == "case_opened"
    case_id = opened.json()["case_id"]
    for account_id, relation in ((ana_id, "partner"), (leo_id, "partner")):
        added = olive.post(f"/api/v1/cases/{case_id}/participants",
                           {"account_id": account_id, "relation": relation})
        assert added.status_code == 201, added.text

    ana = anonymous.as_token("ana@example.com", "ana's own passphrase")
    check_in = ana.post(f"/api/v1/cases/{case_id}/check-ins", {
        "trust": 3, "emotional_safety": 4, "communication_ease": 2, "conflicts": 1,
        "note": "<b>Hard</b> week",
    })
    assert check_in.status_code == 201, check_in.text
    assert check_in.json()["type"] == "check_in_recorded"
    note = olive.post(f"/api/v1/cases/{case_id}/notes", {"text": "Ana guarded; Leo defensive."})
    assert note.status_code == 201

    # Read-your-writes: the answer came only once the timeline shows the event.
    seen_by_ana = ana.get(f"/api/v1/cases/{case_id}/timeline").json()["events"]
    assert [e["type"] for e in seen_by_ana] == [
        "case_opened", "breach_disclosed", "participant_added", "participant_added",
        "check_in_recorded",
    ]
    assert seen_by_ana[-1]["actor"]["name"] == "Ana"
    assert seen_by_ana[-1]["data"]["note"] == "<b>Hard</b> week"
    seen_by_olive = olive.get(f"/api/v1/cases/{case_id}/timeline").json()["events"]
    assert seen_by_olive[-1]["type"] == "session_noted"
    assert seen_by_olive[-1]["visibility"] == "staff"


def test_bad_input_is_refused_with_the_field_named_and_nothing_recorded(server):
    anonymous = ApiClient(server)
    anonymous.sign_up("cedar", "cy@cedar.test", PASSWORD, "Cy")
    cy = anonymous.as_token("cy@cedar.test", PASSWORD)
    case_id = cy.post("/api/v1/cases", {
        "kind": "family", "title": "The Okafors", "approach": "self_guided",
        "breach": {"category": "broken_promise", "summary": "A promised visit never came."},
    }).json()["case_id"]
    before = cy.get(f"/api/v1/cases/{case_id}/timeline").json()["events"]

    out_of_range = cy.post(f"/api/v1/cases/{case_id}/check-ins", {
        "trust": 11, "emotional_safety": 4, "communication_ease": 2, "conflicts": 0})
    assert out_of_range.status_code == 422
    assert out_of_range.headers["Content-Type"] == "application/problem+json"
    assert "trust" in out_of_range.json()["errors"]

    in_the_future = cy.post(f"/api/v1/cases/{case_id}/check-ins", {
        "trust": 5, "emotional_safety": 4, "communication_ease": 2, "conflicts": 0,
        "occurred_at": (datetime.now(timezone.utc) + timedelta(days=1)).isoformat()})
    assert in_the_future.status_code == 422
    assert "occurred_at" in in_the_future.json()["errors"]

    smuggled = cy.post(f"/api/v1/cases/{case_id}/check-ins", {
        "trust": 5, "emotional_safety": 4, "communication_ease": 2, "conflicts": 0,
        "tenant_id": "00000000-0000-0000-0000-000000000000"})
    assert smuggled.status_code == 422
    assert "tenant_id" in smuggled.json()["errors"]

    not_json = cy.post(f"/api/v1/cases/{case_id}/check-ins", data="{trust: 5",
                       headers={"Content-Type": "application/json"})
    assert not_json.status_code == 400

    assert cy.get(f"/api/v1/cases/{case_id}/timeline").json()["events"] == before

    # Figures and timelines as of a future date: a guess, not a record.
    for path in ("metrics", "metrics/weekly", "timeline"):
        for field in ("as_of", "known_at"):
            future = cy.get(f"/api/v1/cases/{case_id}/{path}",
                            **{field: "9999-12-31T00:00:00+00:00"})
            assert future.status_code == 422, (path, field, future.text)
            assert field in future.json()["errors"]


def test_another_tenant_and_strangers_cannot_read_a_case(server):
    anonymous = ApiClient(server)
    anonymous.sign_up("willow", "wen@willow.test", PASSWORD, "Wen")
    anonymous.sign_up("birch", "bo@birch.test", PASSWORD, "Bo")
    wen = anonymous.as_token("wen@willow.test", PASSWORD)
    bo = anonymous.as_token("bo@birch.test", PASSWORD)
    case_id = wen.post("/api/v1/cases", {
        "kind": "friendship", "title": "Sam & Jo", "approach": "passive",
        "breach": {"category": "dishonesty", "summary": "A secret shared with others."},
    }).json()["case_id"]

    other_tenant = bo.get(f"/api/v1/cases/{case_id}/timeline")
    assert other_tenant.status_code == 404
    assert "Sam & Jo" not in other_tenant.text
    assert bo.post(f"/api/v1/cases/{case_id}/check-ins", {
        "trust": 5, "emotional_safety": 4, "communication_ease": 2, "conflicts": 0,
    }).status_code == 404
    assert anonymous.get(f"/api/v1/cases/{case_id}/timeline").status_code == 401
    assert ApiClient(server, token="mend_not-a-real-token").get(
        f"/api/v1/cases/{case_id}/timeline").status_code == 401


def test_a_browser_session_needs_its_csrf_token_to_change_anything(server):
    anonymous = ApiClient(server)
    anonymous.sign_up("alder", "al@alder.test", PASSWORD, "Al")
    browser = ApiClient(server)
    signed_in = browser.post("/api/v1/auth/login", {"email": "al@alder.test", "password": PASSWORD})
    assert signed_in.status_code == 200
    assert "HttpOnly" in signed_in.headers["Set-Cookie"]
    body = {"kind": "couple", "title": "R & T", "approach": "ai_assisted",
            "breach": {"category": "digital_secrecy", "summary": "Hidden accounts."}}

    assert browser.post("/api/v1/cases", body).status_code == 403
    browser.csrf = signed_in.json()["csrf_token"]
    assert browser.post("/api/v1/cases", body).status_code == 201
    assert browser.get("/api/v1/cases").json()["cases"][0]["title"] == "R & T"

    assert browser.post("/api/v1/auth/logout").status_code == 204
    assert browser.get("/api/v1/cases").status_code == 401


def test_health_reports_the_store_and_projection_lag(server):
    health = ApiClient(server).get("/healthz")
    assert health.status_code == 200
    assert health.json()["store"] == "ok"
    assert health.json()["projections"]["events_behind"] >= 0


def test_staff_can_remind_participants_of_an_overdue_check_in_once(server):
    anonymous = ApiClient(server)
    anonymous.sign_up("rowan", "ro@rowan.test", PASSWORD, "Ro")
    ro = anonymous.as_token("ro@rowan.test", PASSWORD)
    case_id = ro.post("/api/v1/cases", {
        "kind": "couple", "title": "Maya & Chris", "approach": "self_guided",
        "breach": {"category": "digital_secrecy", "summary": "An online affair."},
        "checkin_cadence_days": 7,
        "occurred_at": (datetime.now(timezone.utc) - timedelta(days=10)).isoformat(),
    }).json()["case_id"]

    first = ro.post(f"/api/v1/cases/{case_id}/reminders")
    again = ro.post(f"/api/v1/cases/{case_id}/reminders")

    assert first.status_code == again.status_code == 202
    assert first.json()["status"] == "done"
    assert "reminded" in first.json()["result"]
    assert "already reminded" in again.json()["result"]
    types = [e["type"] for e in ro.get(f"/api/v1/cases/{case_id}/timeline").json()["events"]]
    assert types.count("check_in_reminder_sent") == 1


def test_every_response_carries_the_security_headers(server):
    for response in (ApiClient(server).get("/healthz"), ApiClient(server).get("/api/v1/cases"),
                     ApiClient(server).get("/api/v1/openapi.json")):
        policy = response.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in policy
        assert "default-src 'self'" in policy
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["X-Frame-Options"] == "DENY"


def test_a_retried_command_with_its_idempotency_key_records_once_and_answers_the_same(server):
    anonymous = ApiClient(server)
    anonymous.sign_up("hazel", "hal@hazel.test", PASSWORD, "Hal")
    hal = anonymous.as_token("hal@hazel.test", PASSWORD)
    opening = {"kind": "couple", "title": "K & M", "approach": "therapy_guided",
               "breach": {"category": "dishonesty", "summary": "Money kept secret."}}
    key = {"Idempotency-Key": "open-k-and-m-1"}
    first_open = hal.post("/api/v1/cases", opening, headers=key)
    second_open = hal.post("/api/v1/cases", opening, headers=key)
    assert first_open.status_code == second_open.status_code == 201
    assert first_open.json() == second_open.json()
    case_id = first_open.json()["case_id"]
    assert [c["id"] for c in hal.get("/api/v1/cases").json()["cases"]] == [case_id]

    check_in = {"trust": 4, "emotional_safety": 5, "communication_ease": 3, "conflicts": 2}
    retry = {"Idempotency-Key": "k-m-check-in-7"}
    answers = [hal.post(f"/api/v1/cases/{case_id}/check-ins", check_in, headers=retry)
               for _ in range(3)]
    assert {a.status_code for a in answers} == {201}
    assert answers[0].json() == answers[1].json() == answers[2].json()
    types = [e["type"] for e in hal.get(f"/api/v1/cases/{case_id}/timeline").json()["events"]]
    assert types.count("check_in_recorded") == 1

    reused = hal.post(f"/api/v1/cases/{case_id}/check-ins", {**check_in, "trust": 9},
                      headers=retry)
    assert reused.status_code == 422
    assert "Idempotency-Key" in reused.json()["errors"]


def test_revoking_a_member_or_a_token_takes_effect_on_the_next_request(server):
    anonymous = ApiClient(server)
    anonymous.sign_up("linden", "lin@linden.test", PASSWORD, "Lin")
    lin = anonymous.as_token("lin@linden.test", PASSWORD)
    pia_id = lin.invite_and_accept("pia@linden.test", "Pia", "client", "pia's long passphrase")
    pia = anonymous.as_token("pia@linden.test", "pia's long passphrase")
    browser = ApiClient(server)
    browser.post("/api/v1/auth/login", {"email": "pia@linden.test",
                                        "password": "pia's long passphrase"})
    assert pia.get("/api/v1/cases").status_code == 200
    assert browser.get("/api/v1/cases").status_code == 200

    promoted = lin.post(f"/api/v1/members/{pia_id}/role", {"role": "practitioner"})
    assert promoted.status_code == 204
    assert pia.get("/api/v1/caseload").status_code == 200  # a client would get 403

    assert lin.post(f"/api/v1/members/{pia_id}/revoke").status_code == 204
    assert pia.get("/api/v1/cases").status_code == 401
    assert browser.get("/api/v1/cases").status_code == 401
    members = {m["email"] for m in lin.get("/api/v1/members").json()["members"]}
    assert "pia@linden.test" not in members

    second = anonymous.as_token("lin@linden.test", PASSWORD)
    listed = [t["token_id"] for t in lin.get("/api/v1/auth/tokens").json()["tokens"]]
    assert len(listed) == 2
    issued = anonymous.post("/api/v1/auth/tokens", {"email": "lin@linden.test",
                                                    "password": PASSWORD}).json()
    own_id, laptop = issued["token_id"], ApiClient(server, issued["token"])
    assert laptop.get("/api/v1/cases").status_code == 200
    assert lin.post(f"/api/v1/auth/tokens/{own_id}/revoke").status_code == 204
    assert laptop.get("/api/v1/cases").status_code == 401
    assert second.get("/api/v1/cases").status_code == 200
    assert lin.post(f"/api/v1/auth/tokens/{own_id}/revoke").status_code == 404


def test_the_api_documentation_page_needs_nothing_from_the_internet(server):
    page = ApiClient(server).get("/api/v1/docs")
    assert page.status_code == 200
    assert "http://" not in page.text and "https://" not in page.text
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "docs.js"):
        served = ApiClient(server).get(f"/api/v1/docs/assets/{asset}")
        assert served.status_code == 200, asset
        assert len(served.content) > 100
    assert ApiClient(server).get("/api/v1/docs/assets/index.html").status_code == 404
    spec = ApiClient(server).get("/api/v1/openapi.json").json()
    assert "/api/v1/cases/{case_id}/check-ins" in spec["paths"]


def test_bodies_too_large_or_not_json_are_refused_before_anything_is_recorded(server):
    anonymous = ApiClient(server)
    anonymous.sign_up("aspen", "ash@aspen.test", PASSWORD, "Ash")
    ash = anonymous.as_token("ash@aspen.test", PASSWORD)
    case_id = ash.post("/api/v1/cases", {
        "kind": "couple", "title": "N & P", "approach": "passive",
        "breach": {"category": "neglect", "summary": "Years of absence."}}).json()["case_id"]
    before = ash.get(f"/api/v1/cases/{case_id}/timeline").json()["events"]

    # A server may close the connection after refusing a body it will not read (RFC 9110
    # 15.5.14), so the oversized request goes on a connection of its own.
    huge = ApiClient(server, ash.token).post(f"/api/v1/cases/{case_id}/notes",
                                             {"text": "x" * 300_000})
    assert huge.status_code == 413
    assert huge.headers["Content-Type"] == "application/problem+json"
    form = ash.post(f"/api/v1/cases/{case_id}/notes", data="text=hello",
                    headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert form.status_code == 415
    wrong_type = ash.post(f"/api/v1/cases/{case_id}/setbacks",
                          {"severity": "bad", "description": "Slammed a door."})
    assert wrong_type.status_code == 422
    assert "severity" in wrong_type.json()["errors"]
    unknown_enum = ash.post(f"/api/v1/cases/{case_id}/red-flags", {"code": "mild_annoyance"})
    assert unknown_enum.status_code == 422
    assert "code" in unknown_enum.json()["errors"]

    assert ash.get(f"/api/v1/cases/{case_id}/timeline").json()["events"] == before


def test_a_wrong_password_is_answered_alike_and_then_shows_in_the_owners_audit(server):
    anonymous = ApiClient(server)
    anonymous.sign_up("juniper", "ada@juniper.test", PASSWORD, "Ada")
    for email in ("ada@juniper.test", "nobody@juniper.test"):
        wrong = anonymous.post("/api/v1/auth/login", {"email": email, "password": "guess guess"})
        assert wrong.status_code == 401
        assert wrong.json()["detail"] == "Wrong email or password."
    ada = anonymous.as_token("ada@juniper.test", PASSWORD)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        entries = ada.get("/api/v1/audit").json()["entries"]
        failures = [e["summary"] for e in entries if e["type"] == "sign_in_failed"]
        if failures:
            break
        time.sleep(0.1)
    assert failures == ["Failed sign-in (browser) from 127.0.0.1"]


def test_the_api_document_names_the_idempotency_key_and_each_created_id_where_it_is_made(server):
    document = ApiClient(server).get("/api/v1/openapi.json").json()
    schemas = document["components"]["schemas"]

    def answer_fields(operation: dict) -> set[str]:
        ref = operation["responses"]["201"]["content"]["application/json"]["schema"]["$ref"]
        return set(schemas[ref.rsplit("/", 1)[-1]]["properties"])

    created = {}
    for path, item in document["paths"].items():
        post = item.get("post")
        # A reminder records itself at most once per due check-in; asking for a report
        # records nothing but a run, so asking twice makes a second copy, never a new fact.
        if not post or not path.startswith("/api/v1/cases") or path.endswith(
                ("/reminders", "/reports")):
            continue
        headers = {p["name"] for p in post.get("parameters", []) if p["in"] == "header"}
        assert "Idempotency-Key" in headers, path
        if "201" in post["responses"]:
            created[path] = answer_fields(post) & {"boundary_id", "flag_id", "agreement_id"}
    assert {path: ids for path, ids in created.items() if ids} == {
        "/api/v1/cases/{case_id}/boundaries": {"boundary_id"},
        "/api/v1/cases/{case_id}/red-flags": {"flag_id"},
        "/api/v1/cases/{case_id}/agreements": {"agreement_id"},
    }

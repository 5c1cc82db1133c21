"""Bodies and methods a careless or hostile client sends, answered over a real server."""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit

from tests.e2e.api_client import ApiClient

PASSWORD = "a passphrase for hostile bodies"


def owner(server: str, slug: str) -> ApiClient:
    anonymous = ApiClient(server)
    anonymous.sign_up(slug, f"owner@{slug}.test", PASSWORD)
    return anonymous.as_token(f"owner@{slug}.test", PASSWORD)


def test_a_json_body_nested_a_thousand_deep_is_a_400_and_the_server_carries_on(server):
    client = owner(server, "deep-nesting")
    body = "[" * 1000 + "]" * 1000
    answer = client.http.post(f"{server}/api/v1/cases", data=body, timeout=10, headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {client.token}"})
    assert answer.status_code == 400, answer.text
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert "nested too deeply" in answer.json()["detail"]
    assert client.get("/api/v1/cases").status_code == 200


def test_a_body_over_the_limit_sent_in_chunks_is_a_413(server):
    client = owner(server, "chunked-body")
    address = urlsplit(server)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    chunk = b'{"title": "' + b"x" * 64 * 1024

    def chunks():
        for _ in range(6):  # 384 KiB against a 256 KiB limit, length never announced
            yield chunk
        yield b'"}'

    connection.request("POST", "/api/v1/cases", body=chunks(), encode_chunked=True, headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {client.token}",
        "Transfer-Encoding": "chunked"})
    answer = connection.getresponse()
    assert answer.status == 413, answer.read()[:300]
    connection.close()


def test_a_method_a_route_does_not_take_is_a_405_that_says_which_it_does(server):
    client = owner(server, "wrong-method")
    answer = client.http.delete(f"{server}/api/v1/cases", timeout=10,
                                headers={"Authorization": f"Bearer {client.token}"})
    assert answer.status_code == 405
    assert set(answer.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
    answer = client.http.put(f"{server}/healthz", timeout=10)
    assert answer.status_code == 405 and "GET" in answer.headers["Allow"]


def test_a_command_whose_fields_are_all_optional_takes_no_body_and_the_document_says_so(server):
    client = owner(server, "no-body")
    document = client.get("/api/v1/openapi.json").json()["paths"]
    reopen = document["/api/v1/cases/{case_id}/reopen"]["post"]["requestBody"]
    checkin = document["/api/v1/cases/{case_id}/check-ins"]["post"]["requestBody"]
    assert reopen.get("required", False) is False and checkin["required"] is True
    case_id = client.post("/api/v1/cases", {
        "kind": "couple", "title": "No body", "approach": "self_guided",
        "breach": {"category": "other", "summary": "Small things."}}).json()["case_id"]
    assert client.post(f"/api/v1/cases/{case_id}/close", {"outcome": "released"}).status_code == 201
    answer = client.http.post(f"{server}/api/v1/cases/{case_id}/reopen", timeout=10,
                              headers={"Authorization": f"Bearer {client.token}"})
    assert answer.status_code == 201, answer.text


def test_a_timeline_asked_for_an_unknown_event_type_or_a_cursor_past_any_position_is_a_422(
        server):
    client = owner(server, "odd-queries")
    case_id = client.post("/api/v1/cases", {
        "kind": "couple", "title": "Odd queries", "approach": "self_guided",
        "breach": {"category": "other", "summary": "Small things."}}).json()["case_id"]
    timeline = f"/api/v1/cases/{case_id}/timeline"
    assert client.get(timeline, type="check_in_recorded").status_code == 200
    unknown = client.get(timeline, type="checkin")
    assert unknown.status_code == 422 and "type" in str(unknown.json()["errors"])
    huge = client.get(timeline, after="9" * 30 + "-1")
    assert huge.status_code == 422 and "after" in huge.json()["errors"]

"""Answering a questionnaire over the API: scored, the person's own, refused naming the item."""

from __future__ import annotations

import pytest

from tests.integration.conftest import PASSWORD

API = "/api/v1"
CALM_GAD7 = {f"q{n}": 0 for n in range(1, 8)}


@pytest.fixture
def couple(client, auth) -> dict:
    """Dr Rhea Quill's practice: Ana and Leo on one couple case."""
    auth.sign_up("quill-practice", "rhea@quill.test", name="Dr Rhea Quill")
    owner = auth.token("rhea@quill.test")
    people = {"owner": owner}
    ids = {}
    for person in ("ana", "leo"):
        invited = client.post(f"{API}/members", headers=owner, json={
            "email": f"{person}@quill.test", "name": person.title(), "role": "client"}).json
        client.post(f"{API}/invitations/{invited['token']}/accept", json={"password": PASSWORD})
        people[person], ids[person] = auth.token(f"{person}@quill.test"), invited["account_id"]
    case_id = client.post(f"{API}/cases", headers=owner, json={
        "kind": "couple", "title": "Ana & Leo", "approach": "therapy_guided",
        "breach": {"category": "dishonesty", "summary": "A second phone."}}).json["case_id"]
    for person in ("ana", "leo"):
        assert client.post(f"{API}/cases/{case_id}/participants", headers=owner, json={
            "account_id": ids[person], "relation": "partner"}).status_code == 201
    return {"tokens": people, "ids": ids, "case": f"{API}/cases/{case_id}"}


def types_seen(client, couple, who: str) -> list[str]:
    answer = client.get(f"{couple['case']}/timeline", headers=couple["tokens"][who])
    return [e["type"] for e in answer.json["events"]]


def test_a_client_answers_and_only_staff_read_it_on_the_timeline(client, couple):
    answer = client.post(f"{couple['case']}/questionnaires", headers=couple["tokens"]["ana"],
                         json={"instrument": "gad7", "answers": {**CALM_GAD7, "q1": 3}})
    assert answer.status_code == 201, answer.json
    assert answer.json["type"] == "questionnaire_answered"

    assert "questionnaire_answered" in types_seen(client, couple, "owner")
    assert "questionnaire_answered" not in types_seen(client, couple, "leo")
    owner_view = client.get(f"{couple['case']}/timeline", headers=couple["tokens"]["owner"])
    [entry] = [e for e in owner_view.json["events"] if e["type"] == "questionnaire_answered"]
    assert entry["summary"] == "GAD-7: 3 (minimal)"


def test_a_wrong_answer_is_a_422_naming_the_item_and_records_nothing(client, couple):
    before = types_seen(client, couple, "owner")
    wrong = client.post(f"{couple['case']}/questionnaires", headers=couple["tokens"]["ana"],
                        json={"instrument": "phq9", "answers": {f"q{n}": 1 for n in range(1, 9)}})
    assert wrong.status_code == 422
    assert "q9" in wrong.json["errors"], wrong.json
    unknown = client.post(f"{couple['case']}/questionnaires", headers=couple["tokens"]["ana"],
                          json={"instrument": "ors", "answers": CALM_GAD7})
    assert unknown.status_code == 422 and "instrument" in str(unknown.json["errors"])
    assert types_seen(client, couple, "owner") == before


def test_a_client_cannot_answer_for_their_partner(client, couple):
    refused = client.post(f"{couple['case']}/questionnaires", headers=couple["tokens"]["ana"],
                          json={"instrument": "gad7", "answers": CALM_GAD7,
                                "participant_id": couple["ids"]["leo"]})
    assert refused.status_code == 403

"""The timeline's filters on the case page and over the API: by person, by who may read an
entry, and latest first or as it happened."""

from __future__ import annotations

import re

from tests.integration.web.conftest import PASSWORD


def entries(page: str) -> list[str]:
    return re.findall(r'<p class="what">([^<]+)</p>', page)


def test_the_case_page_filters_its_timeline(app, practices, signed_in):
    owner = signed_in("owner")
    own = practices["own"]
    client_id = own.people["client"].account_id
    base = f"/cases/{own.case_id}"
    newest = entries(owner.get(base).get_data(as_text=True))
    oldest = entries(owner.get(f"{base}?order=oldest").get_data(as_text=True))
    assert oldest[0].startswith("Case opened") and newest[-1] == oldest[0]
    assert newest == list(reversed(oldest))
    staff = entries(owner.get(f"{base}?visibility=staff").get_data(as_text=True))
    assert staff == ["Session note"]
    theirs = entries(owner.get(f"{base}?person={client_id}").get_data(as_text=True))
    assert theirs == ["Client harbor joined the case (partner)"]
    refused = owner.get(f"{base}?visibility=everyone").get_data(as_text=True)
    assert "Visibility: Must be one of" in refused


def test_the_api_timeline_takes_the_same_filters(app, practices):
    from tests.integration.conftest import issue_token

    client = app.test_client()
    own = practices["own"]
    headers = issue_token(client, own.emails["owner"], PASSWORD)
    path = f"/api/v1/cases/{own.case_id}/timeline"
    newest = client.get(path, headers=headers, query_string={"order": "newest"}).json
    oldest = client.get(path, headers=headers).json
    assert [e["id"] for e in newest["events"]] == [e["id"] for e in reversed(oldest["events"])]
    staff = client.get(path, headers=headers, query_string={"visibility": "staff"}).json
    assert {e["type"] for e in staff["events"]} == {"session_noted"}
    bad = client.get(path, headers=headers, query_string={"order": "sideways"})
    assert bad.status_code == 422 and "order" in bad.json["errors"]

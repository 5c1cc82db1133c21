"""What every read route must never show: staff notes, red flags and other people's private
journals to clients, risk to clients, another tenant's anything.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest

from tests.integration.conftest import API
from tests.integration.reading.world import (
    ELSEWHERE,
    FLAG_WORDS,
    PRIVATE_OF,
    SECRETS_OF_STAFF,
    STAFF_TYPES,
    UTC,
    World,
    audit_pages,
    timeline_pages,
)


def assert_a_client_may_read(world: World, who: str, events: list[dict], raw: bytes) -> None:
    me = str(world.actors[who].account_id)
    for e in events:
        assert e["type"] not in STAFF_TYPES, e
        assert e["visibility"] in ("shared", "private"), e
        if e["visibility"] == "private":
            assert e["actor"]["id"] == me, e
    others = [w for person, words in PRIVATE_OF.items() if person != who for w in words]
    for word in (*SECRETS_OF_STAFF, *others, *FLAG_WORDS, *ELSEWHERE):
        assert word.encode() not in raw, word


def home_queries(world: World) -> list[dict[str, Any]]:
    d = world.day
    return [
        {},
        {"as_of": d(3)},
        {"as_of": d(6.5)},
        {"as_of": d(10.5)},
        {"as_of": d(12.5)},
        {"known_at": world.home_known},
        {"as_of": d(8.5), "known_at": world.home_known},
        {"type": ["session_noted", "red_flag_raised", "red_flag_resolved"]},
        {"type": ["journal_entry_written"]},
        {"type": ["check_in_recorded", "session_noted"]},
        {"as_of": d(12.5), "type": ["journal_entry_written", "red_flag_raised"]},
    ]


@pytest.mark.parametrize("who", ["ana", "leo"])
def test_a_client_never_receives_staff_records_or_another_persons_private_journal(world, who):
    case_id = world.cases["home"]
    mine = PRIVATE_OF[who]
    everything = timeline_pages(world, who, case_id, limit=500)
    assert sorted(
        e["data"]["text"]
        for e in everything
        if e["type"] == "journal_entry_written" and e["visibility"] == "private"
    ) == sorted(mine)
    assert "ANA-SHARED-JOURNAL" in json.dumps(everything)
    for query in home_queries(world):
        whole = world.get(who, f"/cases/{case_id}/timeline", limit=500, **query)
        assert whole.status_code == 200, whole.json
        assert_a_client_may_read(world, who, whole.json["events"], whole.data)
        for limit in (1, 3):
            paged = timeline_pages(world, who, case_id, limit=limit, **query)
            assert paged == whole.json["events"], (query, limit)
    only_staff = world.get(
        who,
        f"/cases/{case_id}/timeline",
        type=["session_noted", "red_flag_raised", "red_flag_resolved"],
    )
    assert only_staff.json["events"] == []


@pytest.mark.parametrize(
    "who, own", [("pat", "PAT-PRIVATE-JOURNAL"), ("owner", "OLIVE-PRIVATE-JOURNAL")]
)
def test_staff_read_staff_records_but_no_one_elses_private_journal(world, who, own):
    case_id = world.cases["home"]
    for query in home_queries(world):
        events = timeline_pages(world, who, case_id, limit=2, **query)
        private = [e for e in events if e["visibility"] == "private"]
        assert all(e["actor"]["id"] == str(world.actors[who].account_id) for e in private)
    events = timeline_pages(world, who, case_id, limit=500)
    texts = json.dumps(events)
    assert own in texts and "STAFF-NOTE-SECRET" in texts and "LATE-STAFF-NOTE" in texts
    for person, words in PRIVATE_OF.items():
        if person != who:
            assert not any(w in texts for w in words), person
    assert [e["summary"] for e in events if e["type"] == "red_flag_raised"] == [
        "Red flag raised: abuse history",
        "Red flag raised: gaslighting",
    ]


def test_clients_get_figures_but_no_risk_reasons_or_red_flags(world):
    case_id = world.cases["home"]
    for query in (
        {},
        {"as_of": world.day(10.5)},
        {"as_of": world.day(13), "known_at": world.home_known},
    ):
        staff = world.get("pat", f"/cases/{case_id}/metrics", **query).json
        if query:  # while the safety flag was open (as it happened, or as it was recorded)
            assert staff["risk"] == "high" and staff["open_red_flags"] == ["abuse_history"]
            assert "safety_red_flag:abuse_history" in staff["risk_reasons"]
        for who in ("ana", "leo"):
            answer = world.get(who, f"/cases/{case_id}/metrics", **query)
            assert answer.status_code == 200
            m = answer.json
            assert (m["risk"], m["risk_reasons"], m["open_red_flags"]) == (None, [], [])
            assert m["trust_score"] == staff["trust_score"]  # the figures themselves are theirs
            assert m["baseline"] == staff["baseline"]
            for word in (*FLAG_WORDS, "safety_red_flag", "no_checkin_2_periods", "trust_drop"):
                assert word.encode() not in answer.data, word
            weekly = world.get(who, f"/cases/{case_id}/metrics/weekly", **query)
            assert weekly.status_code == 200 and weekly.json["weeks"]
            assert {w["risk"] for w in weekly.json["weeks"]} == {None}
            for word in FLAG_WORDS:
                assert word.encode() not in weekly.data
    staff_weeks = world.get("pat", f"/cases/{case_id}/metrics/weekly").json["weeks"]
    assert None not in {w["risk"] for w in staff_weeks}
    # the safety flag was resolved, back-dated to day 20: now the risk comes from elsewhere
    assert world.get("pat", f"/cases/{case_id}/metrics").json["open_red_flags"] == []


@pytest.mark.parametrize(
    "who, path, status",
    [
        *[
            (who, path, 403)
            for who in ("ana", "maya")
            for path in ("/caseload", "/analytics/outcomes", "/audit")
        ],
        ("pat", "/audit", 403),
        ("quinn", "/audit", 403),
        ("sky", "/audit", 403),
        ("pat", "/analytics/outcomes", 403),
        ("owner", "/audit", 200),
        ("owner", "/caseload", 200),
        ("sky", "/analytics/outcomes", 200),
        ("pat", "/caseload", 200),
    ],
)
def test_tenant_wide_reads_are_refused_to_those_without_the_role(world, who, path, status):
    answer = world.get(who, path)
    assert answer.status_code == status, answer.json
    if status == 403:
        assert answer.headers["Content-Type"] == "application/problem+json"
        assert set(answer.json) <= {"type", "title", "status", "detail"}
        for word in ("Home front", "Ana and Leo", *SECRETS_OF_STAFF):
            assert word.encode() not in answer.data


def test_a_practitioners_caseload_holds_only_their_assigned_cases(world):
    c = world.cases

    def ids(who: str, **query: Any) -> set[str]:
        """Open and closed: a caseload shows closed cases only when asked."""
        found = set()
        for status in ("open", "closed"):
            answer = world.get(who, "/caseload", status=status, **query)
            assert answer.status_code == 200, answer.json
            found |= {row["id"] for row in answer.json["cases"]}
        return found

    assert ids("pat") == {str(c["ana_leo"]), str(c["home"])}
    assert ids("quinn") == {str(c["family"])}  # the workplace case was Quinn's only for a moment
    assert ids("sky") == {str(v) for v in c.values()}
    assert ids("owner", practitioner=world.actors["pat"].account_id) == ids("pat")
    assert ids("sky", practitioner=world.actors["quinn"].account_id) == ids("quinn")
    assert ids("pat", practitioner=world.actors["pat"].account_id) == ids("pat")
    assert (
        world.get("pat", "/caseload", practitioner=world.actors["quinn"].account_id).status_code
        == 403
    )
    assert ids("pat", risk="high") <= ids("pat")
    listed = world.get("pat", "/cases").json["cases"]
    assert {row["id"] for row in listed} == ids("pat")
    assert {row["id"] for row in world.get("ana", "/cases").json["cases"]} == {
        str(c["ana_leo"]),
        str(c["home"]),
    }
    # and a case they are not on does not exist for them
    for who, case in (("pat", "maya"), ("quinn", "home"), ("ana", "maya"), ("maya", "home")):
        assert world.get(who, f"/cases/{c[case]}/timeline").status_code == 404


def case_read_routes(world: World) -> list[str]:
    rules = [
        r.rule
        for r in world.app.url_map.iter_rules()
        if "GET" in r.methods and "<uuid:case_id>" in r.rule
    ]
    assert {r.replace(API, "") for r in rules} >= {
        "/cases/<uuid:case_id>",
        "/cases/<uuid:case_id>/timeline",
        "/cases/<uuid:case_id>/metrics",
        "/cases/<uuid:case_id>/metrics/weekly",
        "/cases/<uuid:case_id>/progress",
    }
    return [r.replace(API, "") for r in rules]


def test_another_tenants_cases_do_not_exist_on_any_case_read_route(world):
    now = datetime.now(UTC)
    queries = ({}, {"as_of": now}, {"known_at": now}, {"as_of": now, "known_at": now})
    theirs = [world.elsewhere["couple"], world.elsewhere["works"]]
    ours = [world.cases["home"], world.cases["work"], world.cases["ana_leo"]]
    for route in case_read_routes(world):
        for who, case_ids, words in (
            ("owner", theirs, ELSEWHERE),
            ("sky", theirs, ELSEWHERE),
            ("ana", theirs, ELSEWHERE),
            (
                "other_owner",
                ours,
                ("Home front", "Northwind", "Ana and Leo", *SECRETS_OF_STAFF, "ANA-SHARED-JOURNAL"),
            ),
        ):
            for case_id in case_ids:
                for query in queries:
                    answer = world.get(who, route.replace("<uuid:case_id>", str(case_id)), **query)
                    assert answer.status_code == 404, (who, route, query, answer.json)
                    assert answer.headers["Content-Type"] == "application/problem+json"
                    for word in words:
                        assert word.encode() not in answer.data, (route, word)
    # they are there for their own tenant
    assert world.get("other_owner", f"/cases/{theirs[0]}").json["title"] == "ELSEWHERE-TITLE"


def test_tenant_wide_answers_hold_only_the_tenants_own_rows(world):
    ours = {str(v) for v in world.cases.values()}
    for who, path in (
        ("owner", "/audit"),
        ("owner", "/caseload"),
        ("sky", "/caseload"),
        ("sky", "/analytics/outcomes"),
        ("owner", "/cases"),
    ):
        answer = world.get(who, path, limit=200)
        assert answer.status_code == 200, (path, answer.json)
        for word in ELSEWHERE:
            assert word.encode() not in answer.data, (path, word)
    audit, raw = audit_pages(world, "owner")
    assert {e["case_id"] for e in audit if e["case_id"]} == ours
    theirs, raw = audit_pages(world, "other_owner")
    assert {e["case_id"] for e in theirs if e["case_id"]} == {
        str(v) for v in world.elsewhere.values()
    }
    for word in ("Home front", "Northwind", "Ana and Leo", "Quinn", "Sky"):
        assert word.encode() not in raw, word

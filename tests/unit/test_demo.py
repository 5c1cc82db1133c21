"""The demo seed: two tenants, every role, every kind of case, months of history, once only."""

from __future__ import annotations

import time
from collections import Counter
from datetime import timedelta
from uuid import UUID

import pytest

from mend.bootstrap import bootstrap
from mend.config import Settings
from mend.domain.authorization import Actor
from mend.domain.case import Case
from mend.domain.tenancy import SLUGS, Tenant
from mend.demo import DEMO_PASSWORD, DEMO_PEOPLE, seed_demo


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo")
    mend = bootstrap(Settings(database_url=f"sqlite:///{path}/m.sqlite"), start_runner=False)
    started = time.monotonic()
    credentials = seed_demo(mend)
    elapsed = time.monotonic() - started
    mend.runner.catch_up()
    yield mend, credentials, elapsed
    mend.close()


def actor(mend, email, slug="harbor"):
    account = mend.membership.authenticate(email, DEMO_PASSWORD)
    return mend.membership.actor_for(account.id, slug)


def viewer_of(a):
    return Actor(a.account_id, a.tenant_id, a.role)


def cases_by_title(mend, a):
    return {row.title: row for row in mend.casebook.cases(viewer_of(a))}


def test_seed_is_quick_and_returns_every_credential(seeded):
    _, credentials, elapsed = seeded
    assert elapsed < 20
    assert len(credentials) == len(DEMO_PEOPLE)
    assert len({email for email, _, _ in credentials}) == len(credentials)
    roles = Counter(role for _, role, _ in credentials)
    assert roles["owner"] == 2 and roles["supervisor"] == 1
    assert roles["practitioner"] >= 3 and roles["client"] >= 8
    for _, _, password in credentials:
        assert len(password) >= 10


def test_every_credential_signs_in(seeded):
    mend, credentials, _ = seeded
    for email, role, password in credentials:
        account = mend.membership.authenticate(email, password)
        roles = {r for _, r in mend.membership.tenants_of(account)}
        assert role in roles


def test_tenants_and_roles(seeded):
    mend, _, _ = seeded
    harbor = mend.store.get(mend.store.lookup(SLUGS, "harbor"), Tenant)
    northwind = mend.store.get(mend.store.lookup(SLUGS, "northwind"), Tenant)
    assert (harbor.name, harbor.kind) == ("Harbor Counseling", "practice")
    assert (northwind.name, northwind.kind) == ("Northwind Logistics", "organization")
    assert not harbor.invitations and not northwind.invitations
    harbor_roles = Counter(harbor.members.values())
    assert harbor_roles["owner"] == 1 and harbor_roles["supervisor"] == 1
    assert harbor_roles["practitioner"] == 2 and harbor_roles["client"] >= 8
    # The Harbor supervisor is also Northwind's external facilitator: one account, two tenants.
    omar = actor(mend, "omar.haddad@harbor.example")
    assert omar.role == "supervisor"
    assert actor(mend, "omar.haddad@harbor.example", "northwind").role == "practitioner"


def test_owner_sees_every_case_with_its_kind_and_history(seeded):
    mend, _, _ = seeded
    owner = actor(mend, "ruth.calder@harbor.example")
    rows = cases_by_title(mend, owner)
    assert {title: row.kind for title, row in rows.items()} == {
        "Ana & Leo": "couple", "Maya & Chris": "couple", "Priya & Sam": "couple",
        "The Okafor family": "family", "Jess & Amara": "friendship",
    }
    assert (rows["Ana & Leo"].status, rows["Ana & Leo"].outcome) == ("closed", "reconciled")
    assert (rows["Maya & Chris"].status, rows["Maya & Chris"].outcome) == ("closed", "released")
    assert rows["The Okafor family"].stage == "restoring"
    assert rows["Priya & Sam"].stage == "aftermath"
    assert rows["Ana & Leo"].closed_approach == "therapy_guided"

    ana_leo = mend.casebook.timeline(viewer_of(owner), rows["Ana & Leo"].id, limit=1000)
    types = Counter(e.type for e in ana_leo)
    assert types["check_in_recorded"] >= 60
    for kind in ("apology_offered", "boundary_set", "agreement_made", "stage_advanced",
                 "milestone_reached", "session_noted", "journal_entry_written",
                 "setback_recorded", "ritual_practiced", "case_closed"):
        assert types[kind] >= 1, kind
    times = [e.occurred_at for e in ana_leo]
    assert times == sorted(times)
    assert times[-1] - times[0] > timedelta(days=290)
    assert all(t <= e.recorded_at for t, e in zip(times, ana_leo))
    # Trust rises across the ten months.
    trust = [e.data["trust"] for e in ana_leo if e.type == "check_in_recorded"]
    assert sum(trust[:6]) / 6 + 3 <= sum(trust[-6:]) / 6

    maya_chris = mend.casebook.timeline(viewer_of(owner), rows["Maya & Chris"].id, limit=1000)
    flags = [e.data["code"] for e in maya_chris if e.type == "red_flag_raised"]
    assert "defensive_about_devices" in flags
    assert sum(e.type == "setback_recorded" for e in maya_chris) >= 4

    family = mend.casebook.timeline(viewer_of(owner), rows["The Okafor family"].id, limit=1000)
    rituals = {e.data["ritual"] for e in family if e.type == "ritual_practiced"}
    assert {"family_dinner", "regret_circle"} <= rituals


def test_case_state_agrees_with_the_domain(seeded):
    mend, _, _ = seeded
    owner = actor(mend, "ruth.calder@harbor.example")
    for row in mend.casebook.cases(viewer_of(owner)):
        case = mend.casework.get_case(owner, UUID(row.id))
        assert isinstance(case, Case)
        assert (case.kind, case.stage, case.status) == (row.kind, row.stage, row.status)
        assert len(case.participants) >= 2 and case.practitioners


def test_workplace_case_in_the_organization(seeded):
    mend, _, _ = seeded
    karen = actor(mend, "karen.liu@northwind.example", "northwind")
    rows = cases_by_title(mend, karen)
    assert list(rows) == ["Depot staff data exposure"]
    row = rows["Depot staff data exposure"]
    assert row.kind == "workplace"
    events = mend.casebook.timeline(viewer_of(karen), row.id, limit=1000)
    steps = [e.data["step"] for e in events if e.type == "program_step_completed"]
    assert len(steps) >= 4 and steps[0] == "public_acknowledgment"
    pulses = [e.data for e in events if e.type == "trust_pulse_recorded"]
    assert [p["responses"] for p in pulses][0] == 3 and not pulses[0]["published"]
    assert all(p["responses"] >= 5 and p["published"] for p in pulses[1:])
    assert len(pulses) >= 3
    # Tenants never see each other's cases.
    harbor_owner = actor(mend, "ruth.calder@harbor.example")
    assert "Depot staff data exposure" not in cases_by_title(mend, harbor_owner)


def test_a_client_sees_only_their_own_case_and_not_others_private_entries(seeded):
    mend, _, _ = seeded
    ana = actor(mend, "ana.ferreira@example.com")
    rows = mend.casebook.cases(viewer_of(ana))
    assert [r.title for r in rows] == ["Ana & Leo"]
    events = mend.casebook.timeline(viewer_of(ana), rows[0].id, limit=1000)
    assert events
    assert all(e.visibility == "shared" or e.actor_id == str(ana.account_id) for e in events)
    assert not any(e.type == "session_noted" for e in events)
    assert any(e.type == "journal_entry_written" and e.visibility == "private" for e in events)

    nia = actor(mend, "nia.okafor@example.com")
    assert [r.title for r in mend.casebook.cases(viewer_of(nia))] == ["The Okafor family"]
    lena = actor(mend, "lena.fischer@example.com", "northwind")
    assert [r.title for r in mend.casebook.cases(viewer_of(lena))] == [
        "Depot staff data exposure"
    ]


def test_a_practitioner_sees_only_their_caseload(seeded):
    mend, _, _ = seeded
    elena = actor(mend, "elena.park@harbor.example")
    assert set(cases_by_title(mend, elena)) == {"Ana & Leo", "Jess & Amara"}
    david = actor(mend, "david.mensah@harbor.example")
    assert set(cases_by_title(mend, david)) == {
        "Maya & Chris", "Priya & Sam", "The Okafor family"
    }


def test_seeding_again_changes_nothing(seeded):
    mend, _, _ = seeded
    before = mend.store.recorder.max_notification_id()
    assert before
    assert seed_demo(mend) == []
    assert mend.store.recorder.max_notification_id() == before


def test_the_caseload_shows_what_a_practice_must_notice(seeded):
    """Open cases at every risk level, an overdue check-in, a safety flag open, and a
    boundary crossed this week: the dashboard has something to sort by attention."""
    from datetime import datetime, timezone

    from mend.projections.freshness import refresh_stale_metrics

    mend, _, _ = seeded
    refresh_stale_metrics(mend.casebook, mend.casebook.current_generation())
    ruth = actor(mend, "ruth.calder@harbor.example")
    now = datetime.now(timezone.utc)
    rows = mend.reader.caseload(viewer_of(ruth), limit=50).cases
    assert {row.risk for row in rows} == {"high", "medium", "low"}
    assert rows[0].risk == "high"  # attention first
    assert any(row.next_checkin_due and row.next_checkin_due < now for row in rows)
    assert any(reason.startswith("safety_red_flag:") for row in rows for reason in row.risk_reasons)
    crossings = [
        e for row in rows
        for e in mend.reader.timeline(viewer_of(ruth), UUID(row.id), limit=500,
                                      types=["boundary_crossed"]).events
        if now - e.occurred_at < timedelta(days=7)
    ]
    assert crossings


def test_check_in_notes_do_not_repeat_within_a_case(seeded):
    mend, _, _ = seeded
    ruth = actor(mend, "ruth.calder@harbor.example")
    for row in mend.casebook.cases(viewer_of(ruth)):
        notes = [e.data["note"] for e in mend.reader.timeline(
            viewer_of(ruth), UUID(row.id), limit=500, types=["check_in_recorded"]).events
            if e.data.get("note")]
        assert len(notes) == len(set(notes)), row.title


def test_every_start_prints_the_demo_sign_ins(tmp_path):
    from mend.platform import create_app

    app = create_app(Settings(database_url=f"sqlite:///{tmp_path}/m.sqlite"))
    try:
        runs = [app.test_cli_runner().invoke(args=["demo", "seed"]) for _ in range(2)]
    finally:
        app.extensions["mend"].close()
    for run in runs:
        assert run.exit_code == 0, (run.output, run.exception)
        assert "ruth.calder@harbor.example" in run.output and DEMO_PASSWORD in run.output
        assert "/login" in run.output
    assert "earlier start" in runs[1].output

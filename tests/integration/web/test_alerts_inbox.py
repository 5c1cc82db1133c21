"""The alerts inbox: an alert on a case reaches every practitioner on it; one of them
acknowledging it clears it for all; resolving takes it off the list; a client, a practitioner
not on the case and another practice can neither see nor act on it; and a member who turns
their inbox off for a kind of alert no longer finds that kind listed.

Alerts are raised through their real causes (a safety red flag recorded on the case, then
the notices follower) or through ``raise_alert`` as the tick does for missed check-ins; on
SQLite and on PostgreSQL.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from uuid import uuid4

import pytest

from mend.config import Settings
from mend.domain import commands as cmd
from mend.domain.authorization import Actor
from mend.workers.alerting import raise_alert
from mend.workers.ledger import now_us
from mend.workers.notices import follow
from mend.workers.preferences import Preferences
from tests.integration.web.conftest import PASSWORD, Browser

OPEN_COUNT = re.compile(r'class="count">(\d+)<span class="visually-hidden"> open')


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def settings(request, tmp_path_factory, pg_databases):
    if request.param == "sqlite":
        return Settings(database_url=f"sqlite:///{tmp_path_factory.mktemp('alerts')}/m.sqlite")
    return Settings(database_url=pg_databases())


@pytest.fixture(scope="module")
def ward(app, practices):
    """Ana and Leo's case at Harbor, worked by two practitioners: Harbor's practitioner and
    Noor Haddad; Ana Ferreira takes part."""
    mend = app.extensions["mend"]
    harbor = practices["own"]
    owner = harbor.people["owner"]

    def join(email: str, name: str, role: str) -> Actor:
        invitation = mend.membership.invite(owner, email=email, name=name, role=role).result
        account = mend.membership.accept_invitation(invitation.token, PASSWORD).result
        return Actor(account, owner.tenant_id, role)

    noor = join("noor@harbor.test", "Noor Haddad", "practitioner")
    ana = join("ana@harbor.test", "Ana Ferreira", "client")
    case_id = mend.casework.open_case(
        owner, kind="couple", title="Ana and Leo", approach="therapy_guided",
        breach_category="dishonesty", breach_summary="A hidden debt.").originator_id
    for command in (cmd.AssignPractitioner(account_id=harbor.people["practitioner"].account_id),
                    cmd.AssignPractitioner(account_id=noor.account_id),
                    cmd.AddParticipant(account_id=ana.account_id, relation="partner")):
        saved = mend.casework.record(owner, case_id, command)
    mend.wait_for_projections(saved.notification_id, 10)
    follow(mend, datetime.now(timezone.utc))  # the setting-up is noticed and done with
    return {"case_id": case_id, "noor": noor, "ana": ana}


def raise_missed(app, ward, practices) -> str:
    """Two missed check-ins of Ana's, as the tick raises them: a cause of their own each."""
    mend = app.extensions["mend"]
    harbor = practices["own"]
    with mend.ledger.transaction() as cursor:
        raised = raise_alert(
            cursor, Preferences(mend.ledger), tenant_id=str(harbor.people["owner"].tenant_id),
            case_id=str(ward["case_id"]), kind="missed_check_ins", cause=str(uuid4()),
            practitioners=[str(harbor.people["practitioner"].account_id),
                           str(ward["noor"].account_id)],
            practice="Harbor Counselling", case_link="http://mend.test/", now_us=now_us(),
            person_id=str(ward["ana"].account_id))
    return raised.alert_id


def raise_safety_flag(app, ward) -> None:
    """A safety red flag recorded on the case, noticed by the follower."""
    mend = app.extensions["mend"]
    saved = mend.casework.record(ward["noor"], ward["case_id"], cmd.RaiseRedFlag(
        code="abuse_history", note="Leo said he is afraid at home."))
    mend.wait_for_projections(saved.notification_id, 10)
    follow(mend, datetime.now(timezone.utc))


def noor_signed_in(app) -> Browser:
    person = Browser(app.test_client())
    person.sign_in("noor@harbor.test")
    return person


def api(person: Browser, method: str, path: str, json=None):
    """The JSON API from a signed-in browser: its session cookie and X-CSRF-Token."""
    with person.client.session_transaction() as session:
        token = session.get("csrf", "")
    return person.client.open(path, method=method, json=json,
                              headers={"X-CSRF-Token": token})


def open_count(person: Browser) -> int:
    return api(person, "GET", "/api/v1/alerts").json["open"]


def state_of(app, alert_id: str) -> str:
    [row] = app.extensions["mend"].ledger.rows(
        "SELECT state FROM mend_alerts WHERE alert_id = :a", {"a": alert_id})
    return row["state"]


def test_a_safety_flag_reaches_both_practitioners_and_one_acknowledging_clears_it_for_both(
        app, practices, ward, signed_in):
    raise_safety_flag(app, ward)
    pat, noor = signed_in("practitioner"), noor_signed_in(app)
    for person in (pat, noor):
        page = person.get("/alerts").get_data(as_text=True)
        assert "A safety concern was raised" in page and "Ana and Leo" in page
        assert f'href="/cases/{ward["case_id"]}"' in page
        assert OPEN_COUNT.search(page).group(1) == str(open_count(person))
        assert open_count(person) >= 1
    before = open_count(noor)
    [alert] = [a for a in api(noor, "GET", "/api/v1/alerts").json["alerts"]
               if a["kind"] == "safety_flag"]

    answer = pat.post(f"/alerts/{alert['id']}/acknowledge", {"next": "/alerts"})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/alerts")
    flashed = pat.get("/alerts").get_data(as_text=True)
    assert "Acknowledged: A safety concern was raised" in flashed
    assert open_count(noor) == before - 1 and open_count(pat) == before - 1
    noor_page = noor.get("/alerts").get_data(as_text=True)
    assert "Acknowledged by Practitioner harbor" in noor_page

    again = noor.post(f"/alerts/{alert['id']}/acknowledge")
    assert again.status_code == 302
    assert "had already seen to this one" in noor.get("/alerts").get_data(as_text=True)
    assert noor.post(f"/alerts/{alert['id']}/resolve").status_code == 302
    assert state_of(app, alert["id"]) == "resolved"
    assert alert["id"] not in {a["id"] for a in api(pat, "GET", "/api/v1/alerts").json["alerts"]}
    resolved = pat.get("/alerts?show=resolved").get_data(as_text=True)
    assert "Resolved by Noor Haddad" in resolved


def test_missed_check_ins_name_the_client_and_the_api_says_when_nothing_changed(
        app, practices, ward):
    alert_id = raise_missed(app, ward, practices)
    noor = noor_signed_in(app)
    page = noor.get("/alerts").get_data(as_text=True)
    assert "Two check-ins missed in a row — Ana Ferreira" in page
    listed = api(noor, "GET", "/api/v1/alerts").json["alerts"]
    [mine] = [a for a in listed if a["id"] == alert_id]
    assert mine["person"]["name"] == "Ana Ferreira" and mine["state"] == "open"
    assert listed[0]["state"] == "open"  # open ones first

    first = api(noor, "POST", f"/api/v1/alerts/{alert_id}/acknowledge")
    assert first.status_code == 200 and first.json["changed"] is True
    assert first.json["alert"]["acknowledged_by"]["name"] == "Noor Haddad"
    second = api(noor, "POST", f"/api/v1/alerts/{alert_id}/acknowledge")
    assert second.status_code == 200 and second.json["changed"] is False
    done = api(noor, "POST", f"/api/v1/alerts/{alert_id}/resolve")
    assert done.json["alert"]["state"] == "resolved" and done.json["changed"] is True


def test_clients_other_practitioners_and_other_practices_neither_see_nor_act(
        app, practices, ward, signed_in):
    alert_id = raise_missed(app, ward, practices)
    ana = Browser(app.test_client())
    ana.sign_in("ana@harbor.test")
    assert ana.get("/alerts").headers["Location"].endswith("/my-cases")
    assert ana.post(f"/alerts/{alert_id}/acknowledge").headers["Location"].endswith(
        "/my-cases")
    assert api(ana, "GET", "/api/v1/alerts").status_code == 403
    assert api(ana, "POST", f"/api/v1/alerts/{alert_id}/resolve").status_code == 403

    off_case, stranger = signed_in("practitioner_off"), signed_in("owner", "other")
    for person in (off_case, stranger):
        assert alert_id not in person.get("/alerts?scope=mine").get_data(as_text=True)
        assert person.post(f"/alerts/{alert_id}/acknowledge").status_code == 404
        assert person.post(f"/alerts/{alert_id}/resolve").status_code == 404
        assert api(person, "POST", f"/api/v1/alerts/{alert_id}/resolve").status_code == 404
        assert not api(person, "GET", "/api/v1/alerts").json["alerts"]
    everyone = api(stranger, "GET", "/api/v1/alerts?scope=practice").json["alerts"]
    assert alert_id not in {a["id"] for a in everyone}
    assert state_of(app, alert_id) == "open"  # nothing refused wrote anything


def test_owners_see_the_whole_practice_with_a_filter_and_practitioners_may_not(
        app, practices, ward, signed_in):
    alert_id = raise_missed(app, ward, practices)
    owner = signed_in("owner")
    assert alert_id not in {a["id"] for a in api(owner, "GET", "/api/v1/alerts").json["alerts"]}
    practice = owner.get("/alerts?scope=practice").get_data(as_text=True)
    assert "Two check-ins missed in a row — Ana Ferreira" in practice
    assert "The whole practice" in practice
    pat = signed_in("practitioner")
    assert pat.get("/alerts?scope=practice").status_code == 403
    assert api(pat, "GET", "/api/v1/alerts?scope=practice").status_code == 403
    refused = pat.get("/alerts?show=everything")
    assert refused.status_code == 422 and "show" in refused.get_data(as_text=True)
    assert owner.post(f"/alerts/{alert_id}/resolve").status_code == 302
    assert state_of(app, alert_id) == "resolved"


def test_a_member_whose_inbox_is_off_for_a_kind_no_longer_finds_it_listed(
        app, practices, ward, signed_in):
    noor = noor_signed_in(app)
    settings_page = noor.get("/settings/alerts").get_data(as_text=True)
    assert "A client misses two check-ins in a row" in settings_page
    form = {f"{kind}.{channel}": "on"
            for kind in ("safety_flag", "risk_high", "missed_check_ins", "boundary_crossed")
            for channel in ("by_email", "in_inbox")}
    del form["missed_check_ins.in_inbox"]
    assert noor.post("/settings/alerts", form).status_code == 302
    saved = noor.get("/settings/alerts").get_data(as_text=True)
    assert "Your alert settings are saved" in saved
    assert 'name="missed_check_ins.in_inbox" value="on" >' in saved  # shown unticked
    assert 'name="missed_check_ins.by_email" value="on" checked' in saved
    chosen = api(noor, "GET", "/api/v1/me/alert-settings").json["alerts"]
    assert {"kind": "missed_check_ins", "by_email": True, "in_inbox": False} in chosen

    alert_id = raise_missed(app, ward, practices)
    assert alert_id not in {a["id"] for a in api(noor, "GET", "/api/v1/alerts").json["alerts"]}
    pat = signed_in("practitioner")
    assert alert_id in {a["id"] for a in api(pat, "GET", "/api/v1/alerts").json["alerts"]}

    back_on = api(noor, "PUT", "/api/v1/me/alert-settings", {"alerts": [
        {"kind": "missed_check_ins", "by_email": True, "in_inbox": True}]})
    assert back_on.status_code == 200
    wrong = api(noor, "PUT", "/api/v1/me/alert-settings", {"alerts": [
        {"kind": "weather", "by_email": True, "in_inbox": True}]})
    assert wrong.status_code == 422 and "alerts.0.kind" in wrong.json["errors"]
    assert api(signed_in("client"), "GET", "/api/v1/me/alert-settings").status_code == 403


def test_with_nothing_open_the_inbox_says_so_calmly(app, practices, signed_in):
    page = signed_in("supervisor").get("/alerts").get_data(as_text=True)
    assert "Nothing needs you right now." in page
    assert not OPEN_COUNT.search(page)

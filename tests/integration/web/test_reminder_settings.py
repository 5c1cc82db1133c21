"""A client sets their check-in reminders in the portal: their time zone (the practice's
until they choose), the hour, quiet hours, a pause until a day, stop and start again. A bad
time zone, an hour inside the quiet hours or a pause in the past is refused beside its field
with a 4xx, and nothing is saved; on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from mend.config import Settings
from mend.workers.preferences import Preferences

FORM = {"time_zone": "Europe/Lisbon", "hour": "19", "quiet_from": "22", "quiet_to": "7",
        "paused_until": ""}


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def settings(request, tmp_path_factory, pg_databases):
    if request.param == "sqlite":
        return Settings(database_url=f"sqlite:///{tmp_path_factory.mktemp('remind')}/m.sqlite")
    return Settings(database_url=pg_databases())


def saved_row(app, practices, role: str = "client") -> dict | None:
    rows = app.extensions["mend"].ledger.rows(
        "SELECT * FROM mend_reminder_settings WHERE account_id = :a",
        {"a": str(practices["own"].people[role].account_id)})
    return rows[0] if rows else None


def test_the_portal_case_page_links_to_the_reminders_and_they_start_at_the_practice_zone(
        app, practices, signed_in):
    client = signed_in("client")
    case = client.get(f"/portal/cases/{practices['own'].case_id}").get_data(as_text=True)
    assert 'href="/portal/reminders"' in case
    page = client.get("/portal/reminders").get_data(as_text=True)
    zone = app.extensions["mend"].membership.time_zone_of(practices["own"].people["owner"]
                                                         .tenant_id).key
    assert f'<option value="{zone}" selected>' in page
    assert ("A reminder says who it is from, that a check-in is due, and gives a link; "
            "nothing about your case.") in page
    assert "Reminders come at 18:00" in page and "never between 21:00 and 08:00" in page
    assert saved_row(app, practices) is None  # looking saves nothing


@pytest.mark.parametrize("change, field, words", [
    ({"time_zone": "Mars/Olympus_Mons"}, "time_zone", "must be a time zone"),
    ({"time_zone": "Europe"}, "time_zone", "must be a time zone"),  # a folder, not a zone
    ({"hour": "23"}, "hour", "falls in your quiet hours"),
    ({"hour": "25"}, "hour", "must be an hour from 0 to 23"),
    ({"quiet_to": "noon"}, "quiet_to", "Not a valid integer"),
    ({"paused_until": "2001-01-01"}, "paused_until", "must be a day after today"),
    ({"paused_until": "someday"}, "paused_until", "Not a valid date"),
])
def test_a_bad_value_is_refused_beside_its_field_and_nothing_is_saved(
        app, practices, signed_in, change, field, words):
    client = signed_in("client_off")
    before = saved_row(app, practices, "client_off")
    answer = client.post("/portal/reminders", {**FORM, **change})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert f'id="{field}-error">{words[:1].upper()}{words[1:]}' in page
    assert f'id="f-{field}" name="{field}"' in page and 'aria-invalid="true"' in page
    assert saved_row(app, practices, "client_off") == before


def test_the_form_saves_and_a_pause_runs_until_the_start_of_the_day_chosen(
        app, practices, signed_in):
    client = signed_in("client")
    answer = client.post("/portal/reminders", FORM)
    assert answer.status_code == 302
    page = client.get("/portal/reminders").get_data(as_text=True)
    assert "Your reminder settings are saved." in page
    assert "Reminders come at 19:00 (Europe/Lisbon time), never between 22:00 and 07:00." in page
    row = saved_row(app, practices)
    assert (row["time_zone"], row["hour"], row["quiet_from"], row["quiet_to"]) == (
        "Europe/Lisbon", 19, 22, 7)

    day = date.today() + timedelta(days=10)
    assert client.post("/portal/reminders", {**FORM, "paused_until": day.isoformat()}
                       ).status_code == 302
    page = client.get("/portal/reminders").get_data(as_text=True)
    assert f"they start again on {day.day} {day:%b %Y}" in page
    assert f'value="{day.isoformat()}"' in page
    settings = Preferences(app.extensions["mend"].ledger).reminders_of(
        practices["own"].people["client"].account_id)
    assert settings.paused_until.astimezone(settings.zone()).replace(tzinfo=None) == (
        datetime(day.year, day.month, day.day))
    assert settings.paused_at(datetime.now(timezone.utc))


def test_stop_and_start_again(app, practices, signed_in):
    client = signed_in("client")
    client.post("/portal/reminders", {**FORM, "paused_until": (
        date.today() + timedelta(days=3)).isoformat()})
    assert client.post("/portal/reminders/stop").status_code == 302
    page = client.get("/portal/reminders").get_data(as_text=True)
    assert "Reminders are stopped" in page and "Start again" in page
    assert "Save my reminder settings" not in page
    assert saved_row(app, practices)["stopped"] == 1

    assert client.post("/portal/reminders/start").status_code == 302
    page = client.get("/portal/reminders").get_data(as_text=True)
    assert "Reminders are on again." in page and "Stop reminders" in page
    row = saved_row(app, practices)
    assert row["stopped"] == 0 and row["paused_until_us"] is None
    assert row["hour"] == 19  # the timing chosen before stays


def test_the_api_reads_and_sets_the_same_settings(app, practices, signed_in):
    client = signed_in("supervisor")
    with client.client.session_transaction() as session:
        headers = {"X-CSRF-Token": session["csrf"]}
    http = client.client
    first = http.get("/api/v1/me/reminders").json
    assert first["chosen"] is False and first["hour"] == 18
    body = {"time_zone": "America/Toronto", "hour": 8, "quiet_from": 22, "quiet_to": 6}
    answer = http.put("/api/v1/me/reminders", json=body, headers=headers)
    assert answer.status_code == 200, answer.json
    assert answer.json | body == answer.json and answer.json["chosen"] is True
    refused = http.put("/api/v1/me/reminders", json={**body, "hour": 23}, headers=headers)
    assert refused.status_code == 422 and list(refused.json["errors"]) == ["hour"]
    assert http.get("/api/v1/me/reminders").json["hour"] == 8
    unknown = http.put("/api/v1/me/reminders", json={**body, "tenant": "x"}, headers=headers)
    assert unknown.status_code == 422 and "tenant" in unknown.json["errors"]

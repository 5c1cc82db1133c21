"""Alerts and reminders as the tick and the notices follower write them, on each real store.

The clock is the tick's argument: every test says what time it is. Messages are read back
from the outbox, where delivery (tested against a real SMTP server in test_delivery.py)
takes them from.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from uuid import UUID
from zoneinfo import ZoneInfo

from mend.bootstrap import Mend
from mend.domain import commands as cmd
from mend.domain.authorization import Actor
from mend.workers.notices import follow
from mend.workers.preferences import AlertChoice, Preferences
from mend.workers.tick import run_tick
from tests.integration.conftest import make_practice

UTC = timezone.utc
NOW = datetime.now(UTC).replace(microsecond=0)


class World:
    def __init__(self, mend: Mend, slug: str, clients: int = 3):
        self.mend = mend
        self.practice = make_practice(mend.store, slug=slug, clients=clients)
        p = self.practice
        invitation = p.membership.invite(p.owner, email=f"sam@{slug}.example",
                                         name="Sam Second", role="practitioner").result
        sam = p.membership.accept_invitation(invitation.token, "sam-long-password").result
        self.second = Actor(sam, p.tenant_id, "practitioner")
        self.preferences = Preferences(mend.ledger)

    def open_case(self, opened: datetime, clients: list[Actor], cadence: int = 7) -> UUID:
        p = self.practice
        case_id = p.casework.open_case(
            p.owner, kind="couple", title="After the move", approach="therapy_guided",
            breach_category="dishonesty", breach_summary="Kept the new job secret.",
            cadence_days=cadence, occurred_at=opened).result
        for staff in (p.practitioner, self.second):
            p.casework.record(p.owner, case_id, cmd.AssignPractitioner(
                account_id=staff.account_id, occurred_at=opened))
        for client in clients:
            p.casework.record(p.owner, case_id, cmd.AddParticipant(
                account_id=client.account_id, occurred_at=opened))
        return case_id

    def messages(self, kind_prefix: str = "") -> list[dict]:
        return self.mend.ledger.rows(
            "SELECT message_id, kind, recipient_id, subject, body, created_us, tenant_id"
            " FROM mend_outbox WHERE tenant_id = :t AND kind LIKE :k ORDER BY created_us",
            {"t": str(self.practice.tenant_id), "k": kind_prefix + "%"})

    def alerts(self) -> list[dict]:
        return self.mend.ledger.rows(
            "SELECT alert_id, kind, person_id, state FROM mend_alerts WHERE tenant_id = :t",
            {"t": str(self.practice.tenant_id)})

    def inbox(self, account_id: UUID) -> list[str]:
        return [row["alert_id"] for row in self.mend.ledger.rows(
            "SELECT alert_id FROM mend_alert_recipients WHERE account_id = :a",
            {"a": str(account_id)})]


def test_a_safety_red_flag_alerts_every_practitioner_on_the_case_once(mend):
    world = World(mend, "shoreline")
    p = world.practice
    case_id = world.open_case(NOW - timedelta(days=1), p.clients[:2])
    p.casework.record(p.practitioner, case_id, cmd.RaiseRedFlag(
        code="others_fear_for_safety", note="Her sister called the practice, frightened."))
    p.casework.record(p.practitioner, case_id, cmd.RaiseRedFlag(code="refuses_responsibility"))

    first = follow(mend, NOW)
    again = follow(mend, NOW + timedelta(minutes=1))

    [alert] = world.alerts()
    assert alert["kind"] == "safety_flag" and alert["state"] == "open"
    assert again == []
    messages = world.messages("alert.")
    assert sorted(m["message_id"] for m in messages) == sorted(first)
    assert {m["recipient_id"] for m in messages} == {
        str(p.practitioner.account_id), str(world.second.account_id)}
    for staff in (p.practitioner, world.second):
        assert world.inbox(staff.account_id) == [alert["alert_id"]]
    for message in messages:  # nothing of the case travels: no note, no title, no names
        assert "sister" not in message["body"] and "After the move" not in message["body"]
        assert message["subject"] == "Repair Practice: a safety concern was raised"
        assert f"/cases/{case_id}" in message["body"]


def test_a_safety_answer_on_a_questionnaire_alerts_every_practitioner_at_once(mend):
    world = World(mend, "questionnaire-safety")
    p = world.practice
    case_id = world.open_case(NOW - timedelta(days=1), p.clients[:2])
    calm = {f"q{n}": 0 for n in range(1, 10)}
    ana, leo = p.clients[:2]
    p.casework.record(leo, case_id, cmd.AnswerQuestionnaire(instrument="phq9", answers=calm))
    p.casework.record(ana, case_id, cmd.AnswerQuestionnaire(
        instrument="phq9", answers={**calm, "q2": 2, "q9": 1}))

    first = follow(mend, NOW)

    [alert] = world.alerts()  # Leo's answers raise nothing; Ana's item 9 does
    assert (alert["kind"], alert["person_id"]) == ("safety_flag", str(ana.account_id))
    messages = world.messages("alert.")
    assert sorted(m["message_id"] for m in messages) == sorted(first)
    assert {m["recipient_id"] for m in messages} == {
        str(p.practitioner.account_id), str(world.second.account_id)}
    for message in messages:  # the email says a concern, never the question or the answer
        assert message["subject"] == "Repair Practice: a safety concern was raised"
        assert "PHQ" not in message["body"] and "hurting" not in message["body"]


def test_each_member_chooses_how_an_alert_reaches_them(mend):
    world = World(mend, "tidewater")
    p = world.practice
    world.preferences.set_alerts(p.tenant_id, world.second.account_id, [
        AlertChoice("boundary_crossed", by_email=False, in_inbox=True)])
    world.preferences.set_alerts(p.tenant_id, p.practitioner.account_id, [
        AlertChoice("boundary_crossed", by_email=True, in_inbox=False)])
    case_id = world.open_case(NOW - timedelta(days=1), p.clients[:1])
    boundary = p.casework.record(p.practitioner, case_id, cmd.SetBoundary(
        text="No phone calls after ten")).result
    p.casework.record(p.practitioner, case_id, cmd.RecordBoundaryCrossed(boundary_id=boundary))

    follow(mend, NOW)

    [message] = world.messages("alert.")
    assert message["recipient_id"] == str(p.practitioner.account_id)
    [alert] = world.alerts()
    assert world.inbox(world.second.account_id) == [alert["alert_id"]]
    assert world.inbox(p.practitioner.account_id) == []


def test_facts_recorded_long_ago_alert_no_one(mend):
    """An import or a first start on an old store: the follower reads days-old facts."""
    world = World(mend, "oldtown")
    p = world.practice
    case_id = world.open_case(NOW - timedelta(days=3), p.clients[:1])
    p.casework.record(p.practitioner, case_id, cmd.RaiseRedFlag(code="abuse_history"))

    follow(mend, NOW + timedelta(days=2))

    assert world.alerts() == [] and world.messages() == []


def test_reminders_arrive_at_each_persons_hour_in_their_own_time_zone(mend):
    world = World(mend, "three-zones")
    p = world.practice
    lisbon, new_york, tokyo = p.clients
    chosen = {lisbon: ("Europe/Lisbon", 9), new_york: ("America/New_York", 19),
              tokyo: ("Asia/Tokyo", 8)}
    for person, (zone, hour) in chosen.items():
        world.preferences.set_reminders(person.account_id, time_zone=zone, hour=hour,
                                        quiet_from=22, quiet_to=7)
    due = (NOW + timedelta(days=2)).replace(hour=12, minute=0, second=0)
    case_id = world.open_case(due - timedelta(days=7), p.clients)

    sent_at: dict[str, datetime] = {}
    hour = due - timedelta(hours=2)
    while hour <= due + timedelta(hours=36):
        run_tick(mend, hour)
        for message in world.messages("reminder."):
            sent_at.setdefault(message["recipient_id"], hour)
        hour += timedelta(minutes=30)

    for person, (zone, chosen_hour) in chosen.items():
        local = sent_at[str(person.account_id)].astimezone(ZoneInfo(zone))
        assert (local.hour, local.minute) == (chosen_hour, 0), (zone, local)
        assert due <= sent_at[str(person.account_id)] < due + timedelta(days=1)
    messages = world.messages("reminder.")
    assert len(messages) == 3  # each once, though 77 ticks saw them due
    for message in messages:
        assert message["subject"] == "Repair Practice: your check-in is due"
        assert f"/portal/cases/{case_id}" in message["body"]
        assert "/portal/reminders" in message["body"]
        assert "secret" not in message["body"] and "After the move" not in message["body"]
    print(f"\nreminders: sent {len(messages)}, duplicates 0, lost {3 - len(sent_at)}")


def test_a_reminder_never_comes_in_quiet_hours(mend):
    world = World(mend, "night-owl")
    p = world.practice
    person = p.clients[0]
    world.preferences.set_reminders(person.account_id, time_zone="Europe/Lisbon", hour=20,
                                    quiet_from=21, quiet_to=8)
    # Due at 22:30 Lisbon, after the day's hour: nothing until 20:00 the next day, and a
    # scheduler that was down at 20:00 does not make up for it in the night.
    due = (NOW + timedelta(days=2)).replace(hour=22, minute=30, second=0)
    world.open_case(due - timedelta(days=7), [person])

    for hours in (0, 1.5, 4, 9.5, 14):
        run_tick(mend, due + timedelta(hours=hours))
    assert world.messages("reminder.") == []
    run_tick(mend, due + timedelta(hours=23, minutes=30))  # 22:00 the next day: quiet
    assert world.messages("reminder.") == []
    run_tick(mend, due + timedelta(hours=33, minutes=30))  # 08:00 two days on: quiet ends
    assert len(world.messages("reminder.")) == 1


def test_paused_or_stopped_reminders_stay_away_until_resumed(mend):
    world = World(mend, "pauses")
    p = world.practice
    paused, stopped = p.clients[:2]
    due = (NOW + timedelta(days=2)).replace(hour=12, minute=0, second=0)
    for person in (paused, stopped):
        world.preferences.set_reminders(person.account_id, time_zone="UTC", hour=13,
                                        quiet_from=22, quiet_to=7,
                                        paused_until=due + timedelta(days=3)
                                        if person is paused else None,
                                        stopped=person is stopped)
    world.open_case(due - timedelta(days=7), [paused, stopped])

    run_tick(mend, due + timedelta(hours=1))
    run_tick(mend, due + timedelta(days=1, hours=1))
    assert world.messages("reminder.") == []

    run_tick(mend, due + timedelta(days=3, hours=1))  # the pause is over; still stopped
    [message] = world.messages("reminder.")
    assert message["recipient_id"] == str(paused.account_id)

    world.preferences.set_reminders(stopped.account_id, time_zone="UTC", hour=13,
                                    quiet_from=22, quiet_to=7, stopped=False)
    run_tick(mend, due + timedelta(days=3, hours=2))
    assert len(world.messages("reminder.")) == 2


def test_a_check_in_moves_the_next_reminder_a_cadence_on(mend):
    world = World(mend, "keeps-up")
    p = world.practice
    person = p.clients[0]
    due = (NOW + timedelta(days=2)).replace(hour=12, minute=0, second=0)
    case_id = world.open_case(due - timedelta(days=7), [person])
    world.mend.casework.record(person, case_id, cmd.RecordCheckIn(
        participant_id=person.account_id, trust=6, emotional_safety=6, communication_ease=5,
        conflicts=0))

    run_tick(mend, due + timedelta(hours=8))  # the old due date: checked in since

    assert world.messages("reminder.") == []


def test_two_schedulers_and_a_doubled_tick_send_each_reminder_once(mend):
    world = World(mend, "doubled")
    p = world.practice
    due = (NOW + timedelta(days=2)).replace(hour=12, minute=0, second=0)
    world.open_case(due - timedelta(days=7), p.clients)
    moment = due + timedelta(hours=7)  # after 18:00 in the practice's zone (UTC)

    errors: list[BaseException] = []

    def tick() -> None:
        try:
            run_tick(mend, moment)
        except BaseException as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    threads = [threading.Thread(target=tick) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run_tick(mend, moment)

    assert errors == []
    messages = world.messages("reminder.")
    recipients = [m["recipient_id"] for m in messages]
    assert sorted(recipients) == sorted(str(c.account_id) for c in p.clients)
    doubles = len(recipients) - len(set(recipients))
    print(f"\ndoubled tick: sent {len(messages)}, duplicates {doubles},"
          f" lost {len(p.clients) - len(set(recipients))}")


def test_a_client_who_misses_two_check_ins_alerts_both_practitioners(mend):
    world = World(mend, "missed-twice")
    p = world.practice
    quiet, keeper = p.clients[:2]
    opened = NOW - timedelta(days=15)
    case_id = world.open_case(opened, [quiet, keeper])
    for days in (5, 12):
        world.mend.casework.record(keeper, case_id, cmd.RecordCheckIn(
            participant_id=keeper.account_id, trust=6, emotional_safety=6,
            communication_ease=5, conflicts=0, occurred_at=opened + timedelta(days=days)))

    run_tick(mend, NOW)
    run_tick(mend, NOW + timedelta(hours=1))

    [alert] = [a for a in world.alerts() if a["kind"] == "missed_check_ins"]
    assert alert["person_id"] == str(quiet.account_id)
    for staff in (p.practitioner, world.second):
        assert alert["alert_id"] in world.inbox(staff.account_id)
    assert {m["recipient_id"] for m in world.messages("alert.missed")} == {
        str(p.practitioner.account_id), str(world.second.account_id)}


def test_a_risk_that_turns_high_alerts_once(mend):
    world = World(mend, "risk-turns")
    p = world.practice
    case_id = world.open_case(NOW - timedelta(days=2), p.clients[:1])
    mend.wait_for_projections(mend.store.recorder.max_notification_id(), case_id=case_id)
    run_tick(mend, NOW)  # first sight of the case: noted, not alerted
    for n in range(3):
        saved = p.casework.record(p.practitioner, case_id, cmd.RecordSetback(
            severity=3, description=f"Setback {n}"))
    mend.wait_for_projections(saved.notification_id, case_id=case_id)

    run_tick(mend, NOW + timedelta(minutes=1))
    run_tick(mend, NOW + timedelta(minutes=2))

    assert [a["kind"] for a in world.alerts()] == ["risk_high"]

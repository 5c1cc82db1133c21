"""Routes for what each signed-in person chooses for themselves: when check-in reminders
reach them (anyone), and which alerts reach them and how (staff, per practice)."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from mend.platform import schemas as s
from mend.platform.auth import current_actor, mend
from mend.workers.personal_settings import PersonalSettings, Reminders
from mend.workers.preferences import AlertChoice, Preferences

bp = Blueprint("me", __name__, url_prefix="/api/v1", description="Your own settings")


def personal_settings() -> PersonalSettings:
    return PersonalSettings(Preferences(mend().ledger), mend().membership)


def reminders_body(found: Reminders) -> dict[str, Any]:
    settings = found.settings
    return {"time_zone": settings.time_zone, "hour": settings.hour,
            "quiet_from": settings.quiet_from, "quiet_to": settings.quiet_to,
            "paused_until": found.paused_until, "stopped": settings.stopped,
            "chosen": settings.chosen, "practice_time_zone": found.practice_zone}


def alerts_body(choices: list[AlertChoice]) -> dict[str, Any]:
    return {"alerts": [{"kind": c.kind, "by_email": c.by_email, "in_inbox": c.in_inbox}
                       for c in choices]}


@bp.route("/me/reminders", methods=["GET"])
@bp.response(200, s.RemindersSchema)
def reminders():
    """Your check-in reminders: time zone, hour, quiet hours, pause and stop. Someone who
    never chose gets 18:00 in the practice's time zone, quiet from 21:00 to 08:00."""
    return reminders_body(personal_settings().reminders(current_actor()))


@bp.route("/me/reminders", methods=["PUT"])
@bp.arguments(s.ReminderChoiceSchema)
@bp.response(200, s.RemindersSchema)
def choose_reminders(body):
    """Set your reminders (all of them at once); a reminder holds who it is from, that a
    check-in is due, and a link, never anything about the case."""
    return reminders_body(personal_settings().choose_reminders(current_actor(), **body))


@bp.route("/me/alert-settings", methods=["GET"])
@bp.response(200, s.AlertSettingsSchema)
def alert_settings():
    """Which alerts reach you in this practice, by email and in your inbox (staff)."""
    return alerts_body(personal_settings().alerts(current_actor()))


@bp.route("/me/alert-settings", methods=["PUT"])
@bp.arguments(s.AlertSettingsSchema)
@bp.response(200, s.AlertSettingsSchema)
def choose_alert_settings(body):
    """Choose, per kind of alert, whether it reaches you by email and in your inbox (staff)."""
    choices = [AlertChoice(c["kind"], c["by_email"], c["in_inbox"]) for c in body["alerts"]]
    return alerts_body(personal_settings().choose_alerts(current_actor(), choices))

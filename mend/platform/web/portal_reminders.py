"""The portal's reminder settings: when check-in reminders reach a person, and pausing or
stopping them. The form loads through the API's schema and saves through the same
PersonalSettings the API uses; a refused value comes back beside its field, nothing saved.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, request, url_for

from mend.platform import schemas as s
from mend.platform.api.me import personal_settings
from mend.platform.forms import load_form
from mend.platform.web import words
from mend.platform.web.pages import REFUSALS, actor, refusal, render, signed_in, time_zone
from mend.platform.web.portal import bp
from mend.workers.personal_settings import Reminders
from mend.workers.preferences import time_zones

#: What the page says a reminder holds, so a person knows what others may glimpse.
WHAT_IT_SAYS = ("A reminder says who it is from, that a check-in is due, and gives a link; "
                "nothing about your case.")


def hour_label(hour: int) -> str:
    return f"{hour:02d}:00"


def standing(found: Reminders) -> str:
    """Where the person's reminders stand, in one sentence."""
    settings = found.settings
    if settings.stopped:
        return "Reminders are stopped: you get none until you start them again."
    quiet = (f", never between {hour_label(settings.quiet_from)} and "
             f"{hour_label(settings.quiet_to)}" if settings.quiet_from != settings.quiet_to
             else "")
    line = f"Reminders come at {hour_label(settings.hour)} ({settings.time_zone} time){quiet}."
    if found.paused_until:
        return (f"Reminders are paused: they start again on "
                f"{words.local(found.paused_until, settings.zone())}. " + line)
    return line


def _page(found: Reminders, status: int = 200, values: dict[str, Any] | None = None,
          errors: dict[str, list[str]] | None = None) -> Any:
    settings = found.settings
    kept = {"time_zone": settings.time_zone, "hour": str(settings.hour),
            "quiet_from": str(settings.quiet_from), "quiet_to": str(settings.quiet_to),
            "paused_until": found.paused_until.isoformat() if found.paused_until else ""}
    return render("web/portal/reminders.html", status, found=found, settings=settings,
                  values={**kept, **(values or {})}, errors=errors or {},
                  zones=time_zones(), hours=[(str(h), hour_label(h)) for h in range(24)],
                  standing=standing(found), what_it_says=WHAT_IT_SAYS)


@bp.route("/portal/reminders")
@signed_in
def reminders():
    return _page(personal_settings().reminders(actor()))


@bp.route("/portal/reminders", methods=["POST"])
@signed_in
def save_reminders():
    me, chosen = actor(), personal_settings()
    values = {k: v for k, v in request.form.items() if k != "csrf_token"}
    try:
        body = load_form(s.ReminderChoiceSchema(), request.form, time_zone())
        # This form sets the timing; "Stop reminders" and "Start again" are buttons of their
        # own, so saving leaves reminders stopped or not as they were.
        chosen.choose_reminders(me, **{**body, "stopped": None})
    except REFUSALS as error:
        status, errors = refusal(error)
        return _page(chosen.reminders(me), status, values, errors)
    flash("Your reminder settings are saved.")
    return redirect(url_for("portal.reminders"))


@bp.route("/portal/reminders/stop", methods=["POST"])
@signed_in
def stop_reminders():
    personal_settings().stop_reminders(actor())
    flash("Reminders are stopped. You can start them again here at any time.")
    return redirect(url_for("portal.reminders"))


@bp.route("/portal/reminders/start", methods=["POST"])
@signed_in
def start_reminders():
    personal_settings().start_reminders(actor())
    flash("Reminders are on again.")
    return redirect(url_for("portal.reminders"))

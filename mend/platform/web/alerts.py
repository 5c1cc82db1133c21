"""The alerts inbox of the workspace and each member's alert settings.

The inbox lists what reached the member, open first, each in a plain line with its case;
Acknowledge and Resolve post and come back. Supervisors and owners may look at the whole
practice's alerts too. Who sees and may act on which alert is the inbox's rule
(mend.workers.inbox); this module words it and renders it.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import marshmallow as ma
from eventsourcing.persistence import InterfaceError, OperationalError
from flask import flash, redirect, request, url_for
from flask_login import current_user

from mend.domain.errors import InvalidValue, NotAuthenticated
from mend.platform import schemas as s
from mend.platform.api.alerts import inbox
from mend.platform.api.me import personal_settings
from mend.platform.forms import form_errors
from mend.platform.web.pages import actor, pages_blueprint, render, safe_next, staff_only
from mend.workers.inbox import Alert
from mend.workers.preferences import AlertChoice

bp = pages_blueprint("alert_pages", __name__)

#: What each alert says in the inbox; the person it is about follows a dash.
SAYS = {
    "safety_flag": "A safety concern was raised",
    "risk_high": "Risk turned high",
    "missed_check_ins": "Two check-ins missed in a row",
    "boundary_crossed": "A boundary was crossed",
}
#: Each kind of alert on the settings page, as a thing that happens.
WHEN = {
    "safety_flag": "A safety red flag is raised, or a safety question answered, on a case",
    "risk_high": "The risk on a case turns high",
    "missed_check_ins": "A client misses two check-ins in a row",
    "boundary_crossed": "A boundary is crossed on a case",
}
CHANNELS = (("in_inbox", "In my inbox"), ("by_email", "By email"))


def says(alert: Alert) -> str:
    line = SAYS.get(alert.kind, "Something needs you")
    return f"{line} — {alert.person_name}" if alert.person_name else line


@bp.app_context_processor
def alerts_waiting() -> dict[str, Any]:
    """The open count beside "Alerts" in the header, for staff."""
    if not current_user.is_authenticated:
        return {}
    try:
        me = actor()
        return {"alerts_open": inbox().open_count(me)} if me.is_staff else {}
    except (NotAuthenticated, OperationalError, InterfaceError):
        return {}  # signed out, or the views are away: the header shows no count


# ---------------------------------------------------------------------- the inbox
@bp.route("/alerts")
@staff_only
def inbox_page():
    me = actor()
    args = {k: v for k, v in request.args.items() if k in ("scope", "show") and v}
    try:
        query = s.AlertQuerySchema().load(args)
    except ma.ValidationError as error:
        return render("web/alerts.html", 422, alerts=[], errors=form_errors(error),
                      query={"scope": "mine", "show": "unresolved"},
                      is_overseer=me.oversees_tenant)
    alerts = inbox().alerts(me, scope=query["scope"], shown=query["show"])
    return render("web/alerts.html", alerts=[(a, says(a)) for a in alerts], errors={},
                  query=query, is_overseer=me.oversees_tenant)


def _back() -> Any:
    return redirect(safe_next(request.form.get("next"), url_for("alert_pages.inbox_page")))


@bp.route("/alerts/<uuid:alert_id>/acknowledge", methods=["POST"])
@staff_only
def acknowledge(alert_id: UUID):
    alert, changed = inbox().acknowledge(actor(), alert_id)
    if changed:
        flash(f"Acknowledged: {says(alert)}. It no longer counts as open for anyone.")
    else:
        flash(f"{alert.acknowledged_by or 'A colleague'} had already seen to this one.")
    return _back()


@bp.route("/alerts/<uuid:alert_id>/resolve", methods=["POST"])
@staff_only
def resolve(alert_id: UUID):
    alert, changed = inbox().resolve(actor(), alert_id)
    if changed:
        flash(f"Resolved: {says(alert)}.")
    else:
        flash(f"{alert.resolved_by or 'A colleague'} had already resolved this one.")
    return _back()


# ---------------------------------------------------------------------- alert settings
@bp.route("/settings/alerts")
@staff_only
def settings():
    return _settings_page(personal_settings().alerts(actor()))


def _settings_page(choices: list[AlertChoice], status: int = 200,
                   errors: dict[str, list[str]] | None = None) -> Any:
    rows = [(c, WHEN.get(c.kind, c.kind)) for c in choices]
    return render("web/alert_settings.html", status, rows=rows, channels=CHANNELS,
                  errors=errors or {})


@bp.route("/settings/alerts", methods=["POST"])
@staff_only
def save_settings():
    me, kinds = actor(), [c.kind for c in personal_settings().alerts(actor())]
    # One checkbox per kind and channel, named "kind.channel"; unticked ones are not sent.
    sent = {"alerts": [{"kind": kind, **{channel: f"{kind}.{channel}" in request.form
                                         for channel, _ in CHANNELS}} for kind in kinds]}
    try:
        body = s.AlertSettingsSchema().load(sent)
        personal_settings().choose_alerts(
            me, [AlertChoice(c["kind"], c["by_email"], c["in_inbox"]) for c in body["alerts"]])
    except ma.ValidationError as error:
        return _settings_page(personal_settings().alerts(me), 422, form_errors(error))
    except InvalidValue as error:
        return _settings_page(personal_settings().alerts(me), 422,
                              {error.field: [error.message]})
    flash("Your alert settings are saved. They apply to alerts raised from now on.")
    return redirect(url_for("alert_pages.settings"))

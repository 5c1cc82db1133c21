"""Routes for the alerts inbox: the caller's alerts (or the practice's, for supervisors and
owners), and acknowledging and resolving one. A client is refused (403) whatever id they
send; another practice's alert, or one on a case the caller is not on, is a 404."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from mend.platform import schemas as s
from mend.platform.auth import current_actor, mend
from mend.workers.inbox import Alert, Inbox

bp = Blueprint("alerts", __name__, url_prefix="/api/v1", description="Alerts inbox")


def inbox() -> Inbox:
    return Inbox(mend().ledger, mend().casework)


def _named(account_id: str | None, name: str) -> dict[str, Any] | None:
    return {"id": account_id, "name": name} if account_id else None


def alert_body(alert: Alert) -> dict[str, Any]:
    return {
        "id": alert.id, "kind": alert.kind, "state": alert.state,
        "case": {"id": alert.case_id, "title": alert.case_title},
        "person": _named(alert.person_id, alert.person_name), "raised_at": alert.raised_at,
        "acknowledged_by": _named(alert.acknowledged_by_id, alert.acknowledged_by),
        "acknowledged_at": alert.acknowledged_at,
        "resolved_by": _named(alert.resolved_by_id, alert.resolved_by),
        "resolved_at": alert.resolved_at,
    }


@bp.route("/alerts", methods=["GET"])
@bp.arguments(s.AlertQuerySchema, location="query")
@bp.response(200, s.AlertListSchema)
def list_alerts(query):
    """Alerts, open ones first, then acknowledged, newest first (staff).

    `scope=practice` lists every alert of the practice (supervisors and owners); `show=resolved`
    lists the resolved ones instead. `open` counts the open alerts of the caller's own inbox.
    """
    me, found = current_actor(), inbox()
    alerts = found.alerts(me, scope=query["scope"], shown=query["show"], limit=query["limit"])
    return {"alerts": [alert_body(a) for a in alerts], "open": found.open_count(me)}


@bp.route("/alerts/<uuid:alert_id>/acknowledge", methods=["POST"])
@bp.response(200, s.AlertActedSchema)
def acknowledge(alert_id):
    """Say that you have seen it: it stops counting as open for everyone it reached."""
    alert, changed = inbox().acknowledge(current_actor(), alert_id)
    return {"alert": alert_body(alert), "changed": changed}


@bp.route("/alerts/<uuid:alert_id>/resolve", methods=["POST"])
@bp.response(200, s.AlertActedSchema)
def resolve(alert_id):
    """Say that it is dealt with: it leaves everyone's list of unresolved alerts."""
    alert, changed = inbox().resolve(current_actor(), alert_id)
    return {"alert": alert_body(alert), "changed": changed}

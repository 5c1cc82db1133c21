"""GET /healthz (is the store answering, is Redis, how far behind are the projections) and /."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, jsonify

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)

#: How far behind the oldest unprojected event may be before the platform reports itself
#: degraded (a write waits at most 2 s for the views to show it).
PROJECTIONS_STALE_SECONDS = 10.0


@bp.get("/")
def index():
    """Where to go from the root: the web pages come later; the API is here now."""
    return jsonify({
        "name": "Mend",
        "api": "/api/v1",
        "openapi": "/api/v1/openapi.json",
        "docs": "/api/v1/docs",
        "sign_in": {"browser": "POST /api/v1/auth/login", "api_client": "POST /api/v1/auth/tokens"},
        "health": "/healthz",
    })


@bp.get("/healthz")
def healthz():
    mend = current_app.extensions["mend"]
    report = {"status": "ok", "store": "ok", "redis": "not configured", "projections": {}}
    try:
        report["projections"] = lag = mend.runner.lag()
        if lag["seconds_behind"] > PROJECTIONS_STALE_SECONDS:
            # Pages and caseloads show old figures and writes answer before they are seen:
            # worth an operator's attention, not a restart of the web processes.
            report["status"] = "degraded"
    except Exception:  # the store or the views are unreachable: say so, never a 500
        log.exception("health check: store or views unreachable")
        report.update(status="unavailable", store="unreachable")
    redis_ok = mend.jobs.redis_ok()
    if redis_ok is not None:
        report["redis"] = "ok" if redis_ok else "unreachable"
        if not redis_ok:
            report["status"] = "degraded"
    code = 503 if report["status"] == "unavailable" else 200
    return jsonify(report), code

"""GET /healthz (is the store answering, is Redis, how far behind are the projections) and /."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor, TimeoutError as FutureTimeout

from flask import Blueprint, current_app, jsonify

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)

#: How far behind the oldest unprojected event may be before the platform reports itself
#: degraded (a write waits at most 2 s for the views to show it).
PROJECTIONS_STALE_SECONDS = 10.0

#: The longest /healthz takes to answer; a load balancer's probe gives up soon after.
HEALTH_TIMEOUT_SECONDS = 0.8

# Checks that outlive their request (a hung connect) pile up here, never in request threads;
# a few are enough since each ends by the store's own connect timeout.
_checks = ThreadPoolExecutor(max_workers=4, thread_name_prefix="healthz")


def _store_and_lag(mend) -> dict:
    mend.store.recorder.max_notification_id()  # the store itself answers, not a cache
    return mend.runner.lag()


@bp.get("/healthz")
def healthz():
    mend = current_app.extensions["mend"]
    report = {"status": "ok", "store": "ok", "redis": "not configured", "projections": {}}
    # A store that is down can hold a connection attempt for seconds: the check runs aside
    # and the answer goes out within HEALTH_TIMEOUT_SECONDS whatever the store does.
    check = _checks.submit(_store_and_lag, mend)
    try:
        report["projections"] = lag = check.result(timeout=HEALTH_TIMEOUT_SECONDS)
        if lag["seconds_behind"] > PROJECTIONS_STALE_SECONDS:
            # Pages and caseloads show old figures and writes answer before they are seen:
            # worth an operator's attention, not a restart of the web processes.
            report["status"] = "degraded"
    except FutureTimeout:
        log.warning("health check: the store did not answer within %ss", HEALTH_TIMEOUT_SECONDS)
        report.update(status="unavailable", store="not answering")
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

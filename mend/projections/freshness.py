"""Keeps the caseload's stored metrics fresh: after new events, and as days pass.

Trust score, risk and the next check-in due depend on "now" as much as on events, so the
case directory stores them with the day they were computed for, and the runner recomputes
the cases whose events or day moved on. Each recomputation is a pure function of the case's
stored events, so doing it twice is harmless; a case touched again while it was being
recomputed stays stale (``fresh_seq`` records which event the figures saw).
"""

from __future__ import annotations

import logging
import json
from datetime import datetime, timedelta, timezone
from typing import Any
from uuid import UUID

from mend.projections.case_metrics import facts_of_case
from mend.projections.casebook import Casebook
from mend.projections.metrics import compute_metrics, outcome_summary
from mend.projections.queries import to_us
from mend.projections.tables import names

log = logging.getLogger(__name__)

REFRESH_BATCH = 200
#: The caseload shows how the trust score moved over this span.
TRUST_CHANGE_SPAN = timedelta(days=28)


def refresh_stale_metrics(view: Casebook, generation: int, now: datetime | None = None, *,
                          new_day: bool = True) -> int:
    """Recompute the stored metrics of stale cases; returns how many were refreshed.

    ``new_day=False`` looks only at cases with new events: what a request waiting for its
    own write needs, without taking on the nightly recomputation of every open case.
    """
    now = now or datetime.now(timezone.utc)
    day = now.date().isoformat()
    refreshed = 0
    while True:
        stale = view.stale_cases(names(generation), day if new_day else None, REFRESH_BATCH)
        if not stale:
            return refreshed
        rows = [_metrics_row(view, r, now, day, names(generation)) for r in stale]
        view.write_metrics(rows, generation)
        refreshed += len(rows)
        if len(stale) < REFRESH_BATCH:
            return refreshed


def _metrics_row(view: Casebook, stale: Any, now: datetime, day: str,
                 generation_prefix: str) -> dict[str, Any]:
    # The figures of the generation being refreshed come from that generation's own rows:
    # during a rebuild the served one may not hold the case yet, or hold other events of it.
    facts = facts_of_case(view, UUID(stale["tenant_id"]), UUID(stale["case_id"]),
                          generation_prefix)
    metrics = compute_metrics(facts, now)
    outcome = outcome_summary(facts, now)
    change = None
    if now - TRUST_CHANGE_SPAN >= facts.opened_at and metrics.trust_score is not None:
        earlier = compute_metrics(facts, now - TRUST_CHANGE_SPAN).trust_score
        if earlier is not None:
            change = round(metrics.trust_score - earlier, 2)
    return {
        "case_id": stale["case_id"], "seen": stale["touched_seq"], "day": day,
        "risk": metrics.risk, "trust_score": metrics.trust_score,
        "next_due": to_us(metrics.next_checkin_due) if metrics.next_checkin_due else None,
        "closed_approach": outcome.approach if outcome.closed else None,
        "months_to_change": outcome.months_to_significant_change,
        "risk_reasons": json.dumps(metrics.risk_reasons), "trust_change": change,
    }

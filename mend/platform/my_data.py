"""What a participant's own download of a case holds: the same file from the portal's page
and from the job that makes it (``export.client``)."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime, timezone
from uuid import UUID

from mend.domain.authorization import Actor
from mend.platform import schemas as s
from mend.projections.reader import Reader


def client_data(reader: Reader, me: Actor, case_id: UUID) -> bytes:
    """Everything this person may read of the case, as JSON: the case, its figures as they
    see them, and every timeline entry they may read (their own private ones too)."""
    detail = reader.case(me, case_id)
    figures = reader.figures(me, case_id)
    body = {
        "taken_at": datetime.now(timezone.utc).isoformat(),
        "case": s.CaseDetailSchema().dump(detail),
        "metrics": s.MetricsSchema().dump({"case_id": case_id, **asdict(figures.metrics)}),
        "events": s.TimelineEventSchema(many=True).dump(reader.everything_readable(me, case_id)),
    }
    return json.dumps(body, indent=2, ensure_ascii=False).encode("utf8")

"""Reading the answers to a message sent to PostgreSQL without waiting for them (the access
log's rows, delivery's "sent" marks): each result of its statements, as they arrive."""

from __future__ import annotations

import select
import time
from typing import Any


def results_within(pgconn: Any, seconds: float) -> list[Any] | None:
    """Every result of the message last sent on ``pgconn``; None if they did not all arrive
    within ``seconds`` (the connection is then mid-answer, not to be lent again)."""
    deadline = time.monotonic() + seconds
    while pgconn.is_busy():
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([pgconn.socket], [], [], left)[0]:
            return None
        pgconn.consume_input()
    results = []
    while (result := pgconn.get_result()) is not None:
        results.append(result)
    return results

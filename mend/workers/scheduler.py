"""The scheduler: one loop that notices new facts, enqueues a tick each minute and sweeps up
what a lost job left behind, and once a day (UTC) a signed statement of the history's head.
`python -m mend.workers.scheduler`, or a thread of the web process in the embedded default.

It is a loop of Mend's own rather than rq's cron: the tick needs its minute as an argument
(its job id and every key it writes derive from it, which is what makes a doubled tick
harmless), it must be enqueued with the JSON serializer, and the same loop has to keep
noticing facts while Redis is away, since that needs PostgreSQL only. Running two schedulers
is safe, and keeps ticking when one host is down.
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from mend.workers.delivery import deliver
from mend.workers.history_statements import enqueue_daily_statement
from mend.workers.notices import follow
from mend.workers.outbox import Outbox
from mend.workers.queue import LONG_JOB_TIMEOUT
from mend.workers.tick import enqueue_deliveries, tick

log = logging.getLogger(__name__)

#: Seconds between two looks at the log for new facts.
FOLLOW_SECONDS = 2.0


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def sweep(mend: Any, now: datetime) -> int:
    """Queue again every message and run whose job was lost; returns how many."""
    at, stamp, now_us = now.isoformat(), int(now.timestamp()), int(now.timestamp() * 1e6)
    box = Outbox(mend.ledger)
    due = box.due(now_us)
    count = mend.jobs.enqueue_many(deliver, [(f"mail-{m}-{stamp}", (m, at)) for m in due])
    box.swept(due, now_us)
    for run_id, kind in mend.runs.stale_kinds():
        function = _run_job(kind)
        if function is not None:
            mend.jobs.enqueue(function, run_id, job_id=f"run-{run_id}-{stamp}",
                              timeout=LONG_JOB_TIMEOUT)
            count += 1
    return count


def _run_job(kind: str) -> Callable[[str], str] | None:
    family = kind.split(".", 1)[0]
    try:
        if family in ("report", "csv"):
            from mend.workers.reports import run_report
            return run_report
        if family == "export":
            from mend.workers.exports import run_export
            return run_export
    except ImportError:
        return None
    return None


class Scheduler:
    def __init__(self, mend: Any, clock: Callable[[], datetime] = _utcnow,
                 tick_seconds: int | None = None):
        self.mend = mend
        self.clock = clock
        self.tick_seconds = tick_seconds or mend.settings.tick_seconds
        self._last_tick: int | None = None
        #: The day whose statement of the history's head this scheduler enqueued last.
        self._statement_day: str | None = None
        #: Messages noticed while the queue was away, enqueued as soon as it answers again.
        self._unqueued: list[str] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def step(self) -> None:
        """One turn: notice facts (PostgreSQL only), then what needs the queue."""
        now = self.clock()
        queued: list[str] = []
        try:
            queued = follow(self.mend, now)
        except Exception:  # the store away: try again next turn, nothing is lost
            log.warning("scheduler: could not read new facts; retrying", exc_info=True)
        # Kept in memory up to a point; beyond it the sweep finds them once they are overdue.
        self._unqueued = (self._unqueued + queued)[-10_000:]
        try:
            enqueue_deliveries(self.mend, self._unqueued)
            self._unqueued = []
            slot = int(now.timestamp()) // self.tick_seconds
            if slot != self._last_tick:
                at = datetime.fromtimestamp(slot * self.tick_seconds, timezone.utc).isoformat()
                self.mend.jobs.enqueue(tick, at, job_id=f"tick-{slot * self.tick_seconds}")
                self._last_tick = slot
            sweep(self.mend, now)
        except Exception:  # Redis (or the store) away: the outbox keeps what was noticed
            log.warning("scheduler: could not queue jobs; the outbox keeps them", exc_info=True)
        try:
            self._statement_day = enqueue_daily_statement(self.mend, now, self._statement_day)
        except Exception:  # tried again next turn
            log.warning("scheduler: could not queue the history statement", exc_info=True)

    def run(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            self.step()
            self._stop.wait(max(0.0, FOLLOW_SECONDS - (time.monotonic() - started)))

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name="scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)


def main(argv: list[str] | None = None) -> int:
    from mend.workers.context import current

    parser = argparse.ArgumentParser(prog="python -m mend.workers.scheduler")
    parser.add_argument("--once", action="store_true", help="one turn, then exit")
    parser.add_argument("--at", help="the time of that turn (ISO 8601), for tests and replays")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    mend = current()
    clock = (lambda: datetime.fromisoformat(args.at)) if args.at else _utcnow
    scheduler = Scheduler(mend, clock)
    if args.once:
        scheduler.step()
        return 0
    log.info("scheduler: ticking every %s s on %s", scheduler.tick_seconds,
             mend.jobs.queue_name if mend.jobs.uses_redis else "this process")
    try:
        scheduler.run()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())

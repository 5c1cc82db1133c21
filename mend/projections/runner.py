"""Follows the store's notification log and applies events to a view in batches.

Each batch of events and its tracking position are committed in one transaction, so a runner
killed at any instant resumes from the last committed position and never applies an event
twice. Notification ids follow commit order in both stores (SQLite has one writer; the
PostgreSQL recorder locks the table for every insert), so reading past the position is safe.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from eventsourcing.persistence import IntegrityError, Tracking

from mend.domain.store import MendStore
from mend.projections.casebook_projection import CasebookProjection

log = logging.getLogger(__name__)

BATCH_SIZE = 500


class ProjectionRunner:
    def __init__(
        self,
        store: MendStore,
        view: Any,
        *,
        poll_interval: float | None = None,
        batch_size: int = BATCH_SIZE,
    ):
        self.store = store
        self.view = view
        self.projection = CasebookProjection()
        # PostgreSQL wakes the runner by NOTIFY, so it polls only as a fallback; SQLite polls.
        listens = hasattr(store.recorder, "channel_name")
        self.poll_interval = poll_interval or (0.5 if listens else 0.05)
        self.batch_size = batch_size
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def position(self) -> int:
        return self.view.max_tracking_id(self.store.name) or 0

    def run_once(self) -> int:
        """Apply the next batch of new events; return how many were read."""
        notifications = self.store.recorder.select_notifications(
            start=self.position, limit=self.batch_size, inclusive_of_start=False
        )
        if not notifications:
            return 0
        changes = []
        for notification in notifications:
            domain_event = self.store.mapper.to_domain_event(notification)
            changes += self.projection.changes_for(domain_event, notification.id)
        self.view.apply(changes, Tracking(self.store.name, notifications[-1].id))
        return len(notifications)

    def catch_up(self) -> None:
        while self.run_once():
            pass

    def run_forever(self) -> None:
        while not self._stop.is_set():
            try:
                if self.run_once():
                    continue
            except IntegrityError:
                # Another runner committed this batch first; its tracking row says so.
                continue
            except Exception:  # a bad batch is retried, never skipped
                log.exception("projection batch failed; retrying")
                time.sleep(1.0)
            self._wake.wait(self.poll_interval)
            self._wake.clear()

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run_forever, name="projections", daemon=True)
        self._thread.start()
        if hasattr(self.store.recorder, "channel_name"):
            threading.Thread(target=self._listen, name="projections-listen", daemon=True).start()

    def _listen(self) -> None:
        """On PostgreSQL, wake on the store's NOTIFY instead of waiting for the next poll."""
        from psycopg.sql import SQL, Identifier

        recorder = self.store.recorder
        while not self._stop.is_set():
            try:
                with recorder.datastore.get_connection() as conn:
                    conn.execute(SQL("LISTEN {0}").format(Identifier(recorder.channel_name)))
                    while not self._stop.is_set():
                        for _ in conn.notifies(timeout=0.5, stop_after=1):
                            self._wake.set()
            except Exception:  # a lost connection: polling carries on; listen again shortly
                log.warning("projections: LISTEN connection lost; retrying", exc_info=True)
                self._stop.wait(1.0)

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout=5)

    def lag(self) -> dict[str, Any]:
        head = self.store.recorder.max_notification_id() or 0
        return {"position": self.position, "head": head, "events_behind": head - self.position}

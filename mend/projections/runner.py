"""Follows the store's notification log and applies events to the casebook in batches.

Each batch of events and its tracking position are committed in one transaction, so a runner
killed at any instant resumes from the last committed position and never applies an event
twice. Notification ids follow commit order in both stores (SQLite has one writer; the
PostgreSQL recorder locks the table for every insert), so reading past the position is safe.
On PostgreSQL the runner wakes on the store's NOTIFY; on SQLite it polls.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from eventsourcing.persistence import IntegrityError, Tracking

from mend.domain.store import MendStore
from mend.projections.casebook import Casebook
from mend.projections.casebook_projection import CasebookProjection
from mend.projections.freshness import refresh_stale_metrics

log = logging.getLogger(__name__)

BATCH_SIZE = 500


class ProjectionRunner:
    def __init__(
        self,
        store: MendStore,
        view: Casebook,
        *,
        poll_interval: float | None = None,
        batch_size: int = BATCH_SIZE,
        generation: int | None = None,
    ):
        self.store = store
        self.view = view
        self.projection = CasebookProjection()
        # PostgreSQL wakes the runner by NOTIFY, so it polls only as a fallback; SQLite polls.
        listens = hasattr(store.recorder, "channel_name")
        self.poll_interval = poll_interval or (0.5 if listens else 0.05)
        self.batch_size = batch_size
        #: None follows whichever generation is being served; a number pins one (rebuilds).
        self.generation = generation
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._listener: threading.Thread | None = None

    def _generation(self) -> int:
        return self.generation if self.generation is not None else self.view.current_generation()

    @property
    def position(self) -> int:
        return self.view.position(self._generation())

    def run_once(self) -> int:
        """Apply the next batch of new events; return how many were read."""
        generation = self._generation()
        notifications = self.store.recorder.select_notifications(
            start=self.view.position(generation), limit=self.batch_size,
            inclusive_of_start=False,
        )
        if not notifications:
            return 0
        batch = [(self.store.mapper.to_domain_event(n), n.id) for n in notifications]
        changes = self.projection.changes_for_batch(batch)
        tracking = Tracking(self.view.tracking_name(generation), notifications[-1].id)
        self.view.apply(changes, tracking, generation)
        return len(notifications)

    def catch_up(self) -> None:
        while True:
            try:
                if not self.run_once():
                    break
            except IntegrityError:
                continue  # the runner thread committed this batch first; go on from there
        refresh_stale_metrics(self.view, self._generation())

    def run_forever(self) -> None:
        while not self._stop.is_set():
            try:
                if self.run_once() == self.batch_size:
                    continue
                refresh_stale_metrics(self.view, self._generation())
            except IntegrityError:
                # Another runner committed this batch first; its tracking row says so.
                continue
            except Exception:  # a bad batch is retried, never skipped
                log.exception("projection batch failed; retrying")
                self._stop.wait(1.0)
            self._wake.wait(self.poll_interval)
            self._wake.clear()

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run_forever, name="projections", daemon=True)
        self._thread.start()
        if hasattr(self.store.recorder, "channel_name"):
            self._listener = threading.Thread(target=self._listen, name="projections-listen",
                                              daemon=True)
            self._listener.start()

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
        # The listener wakes every half second to see the stop; its connection must be back
        # in the pool before the store closes, or closing it reads as a lost connection.
        if self._listener is not None:
            self._listener.join(timeout=2)

    def lag(self) -> dict[str, Any]:
        head = self.store.recorder.max_notification_id() or 0
        position = self.position
        behind_s = 0.0
        if position < head:
            pending = self.store.recorder.select_notifications(
                start=position, limit=1, inclusive_of_start=False
            )
            if pending:
                oldest = self.store.mapper.to_domain_event(pending[0])
                behind_s = max(0.0, time.time() - oldest.timestamp.timestamp())
        return {"position": position, "head": head, "events_behind": head - position,
                "seconds_behind": round(behind_s, 3),
                "generation": self.view.current_generation()}


def rebuild(store: MendStore, view: Casebook, *, grace_seconds: float = 2.0) -> int:
    """Replay every event into a fresh generation of tables and swap it in; returns it.

    The served generation keeps answering (and the live runner keeps feeding it) until the
    new one has caught up; then one row update makes readers and runners switch, and the
    old tables are dropped after a grace period for queries still reading them.
    """
    old = view.current_generation()
    new = old + 1
    view.drop_generation(new)  # leftovers of an interrupted rebuild
    view.create_generation(new)
    runner = ProjectionRunner(store, view, generation=new, batch_size=BATCH_SIZE)
    runner.catch_up()
    view.promote(new)
    # Whatever arrived while promoting. Live runners now follow the new generation too and
    # may commit a batch first: that batch is then refused here whole, and the next starts
    # from the position they reached.
    while True:
        try:
            runner.catch_up()
            break
        except IntegrityError:
            continue
    time.sleep(grace_seconds)
    view.drop_generation(old)
    return new

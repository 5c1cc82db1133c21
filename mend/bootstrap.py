"""The composition root: builds the store, services, views, runner and job queue from settings.

Nothing connects at import time; everything is built here, once per process.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from uuid import UUID

import psycopg
from eventsourcing.persistence import InfrastructureFactory
from eventsourcing.utils import Environment

from mend.config import Settings
from mend.domain.casework import Casework
from mend.domain.membership import Membership
from mend.domain.store import MendStore
from mend.projections.casebook import Casebook, PostgresCasebook, SQLiteCasebook
from mend.projections.reader import Reader
from mend.projections.runner import ProjectionRunner
from mend.workers.access_log import AccessLog
from mend.workers.ledger import Ledger
from mend.workers.queue import Jobs
from mend.workers.runs import Runs


@dataclass
class Mend:
    settings: Settings
    store: MendStore
    casework: Casework
    membership: Membership
    casebook: Casebook
    reader: Reader
    runner: ProjectionRunner
    jobs: Jobs
    #: The operations tables: outbox, alerts, reminder settings, report runs.
    ledger: Ledger
    runs: Runs
    #: Who read what: every read of a case record and every change of a privilege.
    access_log: AccessLog

    def wait_for_projections(self, notification_id: int | None, timeout: float = 5.0,
                             case_id: UUID | None = None) -> None:
        """Read-your-writes: return once the views have applied this notification and, given
        a case, once the caseload's figures of that case have caught up with it too (the
        runner recomputes them right after its batch)."""
        if notification_id is None:
            return
        self.runner.wake()
        deadline, pause = time.monotonic() + timeout, 0.001

        def caught_up() -> bool:
            if not self.casebook.caught_up_with(notification_id):
                return False
            return case_id is None or self.casebook.figures_fresh(case_id)

        # The library's own wait starts at 100 ms; a page after a form post cannot wait that.
        while not caught_up():
            if time.monotonic() > deadline:
                raise TimeoutError(f"projections did not reach {notification_id}")
            time.sleep(pause)
            pause = min(pause * 1.5, 0.005)

    def close(self) -> None:
        self.runner.stop()
        self.jobs.close()
        self.casebook.datastore.close()
        self.store.close()


def build_casebook(settings: Settings) -> Casebook:
    factory = InfrastructureFactory.construct(Environment("MendViews", settings.views_env()))
    view_class = SQLiteCasebook if settings.is_sqlite else PostgresCasebook
    return factory.tracking_recorder(view_class)


#: The advisory lock held while a process creates its tables: any fixed number no other
#: part of the database uses.
SCHEMA_LOCK = 0x6D656E64


@contextmanager
def creating_tables_alone(settings: Settings) -> Iterator[None]:
    """One process at a time makes sure the PostgreSQL tables and functions exist.

    Web workers, the projections runner and the job worker start together (gunicorn boots
    its workers at once) and each creates what is missing. ``CREATE OR REPLACE FUNCTION`` and
    ``CREATE TABLE IF NOT EXISTS`` are not safe against themselves: two at once fail with
    "tuple concurrently updated" or a duplicate catalog key, and a worker dies at boot.
    """
    if settings.is_sqlite:
        yield
        return
    env = settings.store_env()
    with psycopg.connect(
        dbname=env["POSTGRES_DBNAME"], host=env["POSTGRES_HOST"], port=env["POSTGRES_PORT"],
        user=env["POSTGRES_USER"], password=env["POSTGRES_PASSWORD"], autocommit=True,
    ) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (SCHEMA_LOCK,))
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (SCHEMA_LOCK,))


def bootstrap(settings: Settings, *, start_runner: bool | None = None) -> Mend:
    with creating_tables_alone(settings):
        store = MendStore(env=settings.store_env())
        casebook = build_casebook(settings)
        ledger = Ledger(casebook)
        ledger.create_tables()
        access_log = AccessLog(casebook)
        access_log.create_tables()
    runner = ProjectionRunner(store, casebook)
    casework = Casework(store)
    mend = Mend(
        settings=settings,
        store=store,
        casework=casework,
        membership=Membership(store),
        casebook=casebook,
        reader=Reader(casework, casebook),
        runner=runner,
        jobs=Jobs(settings),
        ledger=ledger,
        runs=Runs(ledger),
        access_log=access_log,
    )
    if start_runner if start_runner is not None else settings.projections == "inline":
        runner.start()
    return mend

"""A delivery's "sent" mark goes to PostgreSQL without the delivery waiting for it, and is
never lost: a mark the database did not take is made again before the next delivery."""

from __future__ import annotations

import time
from collections.abc import Iterator

import psycopg
import pytest

from mend.bootstrap import Mend, bootstrap
from mend.workers.ledger import now_us
from mend.workers.marks_in_flight import MarksInFlight
from mend.workers.outbox import Outbox
from tests.integration.test_delivery import safety_alert

pytestmark = pytest.mark.postgres


@pytest.fixture
def app(postgres_settings) -> Iterator[Mend]:
    instance = bootstrap(postgres_settings, start_runner=False)
    yield instance
    instance.close()


def state_seen_elsewhere(url: str, message_id: str) -> str:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT state FROM mend_outbox WHERE message_id = %s",
                            [message_id]).fetchone()[0]


def test_a_sent_mark_is_committed_while_its_answer_is_still_unread(app, postgres_settings):
    _, queued = safety_alert(app, "inflight")
    box, marks = Outbox(app.ledger), MarksInFlight(app.ledger)
    assert box.claim(queued[0], now_us()) is not None

    box.sent(queued[0], "pat@inflight.example", now_us(), marks)
    deadline = time.monotonic() + 5
    while state_seen_elsewhere(postgres_settings.database_url, queued[0]) != "sent":
        assert time.monotonic() < deadline, "the mark never reached the database"
        time.sleep(0.01)

    marks.settle()
    assert box.counts()["sent"] == 1 and box.counts()["queued"] == 1


def test_a_mark_the_database_dropped_is_made_again_before_the_next_delivery(
        app, postgres_settings):
    _, queued = safety_alert(app, "dropped-mark")
    box, marks = Outbox(app.ledger), MarksInFlight(app.ledger)
    assert box.claim(queued[0], now_us()) is not None
    url = postgres_settings.database_url

    with psycopg.connect(url) as holder:  # holds the row, so the mark waits on its lock
        holder.execute("SELECT 1 FROM mend_outbox WHERE message_id = %s FOR UPDATE",
                       [queued[0]])
        box.sent(queued[0], "pat@dropped-mark.example", now_us(), marks)
        mark_pid = marks._conn.info.backend_pid
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", [mark_pid])
        holder.rollback()
    assert state_seen_elsewhere(url, queued[0]) == "sending"  # the mark died with its session

    marks.settle()  # what the next delivery does first
    assert state_seen_elsewhere(url, queued[0]) == "sent"
    assert box.counts()["sent"] == 1

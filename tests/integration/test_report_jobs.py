"""The report job on a real rq worker over Redis, on each real store: asked for in one
process, made in another (`python -m mend.workers.worker --burst`), read back from the run."""

from __future__ import annotations

import dataclasses
import io
import os
import subprocess
import sys
import zlib
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
import redis
from pypdf import PdfReader

from mend.bootstrap import Mend, bootstrap
from mend.config import Settings
from mend.domain import commands as cmd
from mend.domain.authorization import Actor
from mend.workers import reports
from tests.conftest import REDIS_URL

TITLE = "Ana and Leo: the hidden debt"


@pytest.fixture
def redis_settings(settings, redis_prefix) -> Settings:
    return dataclasses.replace(settings, redis_url=REDIS_URL, redis_prefix=redis_prefix)


@pytest.fixture
def mend(redis_settings) -> Iterator[Mend]:
    """A Mend queueing on Redis, its views following the store (the prefix fixture deletes
    its rq keys afterwards)."""
    instance = bootstrap(redis_settings, start_runner=True)
    yield instance
    instance.close()


def a_worked_case(mend: Mend) -> tuple[Actor, object]:
    """A practice's owner and a couple's case of four weekly check-ins."""
    tenant_id, owner_id = mend.membership.sign_up(
        name="Harbour Counselling", slug="harbour", kind="practice",
        owner_email="owner@harbour.test", owner_password="a long harbour passphrase",
        owner_name="Olive Owner").result
    owner = Actor(owner_id, tenant_id, "owner")
    start = datetime.now(timezone.utc) - timedelta(days=30)
    case_id = mend.casework.open_case(
        owner, kind="couple", title=TITLE, approach="therapy_guided",
        breach_category="dishonesty", breach_summary="A loan kept secret for a year.",
        occurred_at=start).originator_id
    for week, trust in enumerate((3, 4, 6, 7)):
        saved = mend.casework.record(owner, case_id, cmd.RecordCheckIn(
            trust=trust, emotional_safety=5, communication_ease=5, conflicts=0,
            occurred_at=start + timedelta(days=7 * week + 1)))
    mend.wait_for_projections(saved.notification_id, 10, case_id=case_id)
    return owner, case_id


def run_worker(settings: Settings) -> subprocess.CompletedProcess:
    """A real worker process, configured only by its environment, until the queue is empty."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEND_")}
    env.update(DATABASE_URL=settings.database_url, REDIS_URL=settings.redis_url,
               MEND_REDIS_PREFIX=settings.redis_prefix)
    finished = subprocess.run([sys.executable, "-m", "mend.workers.worker", "--burst"],
                              env=env, capture_output=True, text=True, timeout=120,
                              check=False)
    assert finished.returncode == 0, finished.stderr
    return finished


@pytest.mark.redis
def test_a_worker_makes_the_report_a_request_asked_for(mend, redis_settings):
    owner, case_id = a_worked_case(mend)

    run_id = reports.ask(mend, owner, "report.case_pdf", case_id)

    assert mend.runs.get(run_id).state == "queued"  # nothing is made in the request
    job_key = f"rq:job:{redis_settings.redis_prefix}-report-{run_id}"
    with redis.Redis.from_url(REDIS_URL) as client:
        queued = zlib.decompress(client.hget(job_key, "data"))
    assert run_id.encode() in queued and TITLE.encode() not in queued  # only the run's id

    run_worker(redis_settings)

    run = mend.runs.get(run_id)
    assert (run.state, run.percent, run.content_type) == ("done", 100, "application/pdf")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(
        mend.runs.content(run_id, owner.tenant_id))).pages)
    assert TITLE in text and "Check-ins recorded 4" in text
    with redis.Redis.from_url(REDIS_URL) as client:
        assert client.hget(job_key, "status") == b"finished"
    made = [e for e in mend.store.events.get(owner.tenant_id)
            if type(e).__name__ == "ReportMade" and str(e.run_id) == run_id]
    assert len(made) == 1 and made[0].actor_id == owner.account_id


@pytest.mark.redis
def test_a_job_queued_twice_makes_its_report_once(mend, redis_settings):
    owner, case_id = a_worked_case(mend)
    run_id = reports.ask(mend, owner, "report.case_html", case_id)
    mend.jobs.enqueue(reports.run_report, run_id, job_id=f"sweep-{run_id}")  # too early

    run_worker(redis_settings)

    assert mend.runs.get(run_id).state == "done"
    made = [e for e in mend.store.events.get(owner.tenant_id)
            if type(e).__name__ == "ReportMade" and str(e.run_id) == run_id]
    assert len(made) == 1

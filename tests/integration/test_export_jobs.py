"""The export jobs on a real rq worker over Redis: a run is queued by its id alone, the worker
makes its file once however often the job runs, and a client's file holds their own data."""

from __future__ import annotations

import dataclasses
import gzip
import json
from collections.abc import Iterator

import pytest

from mend.bootstrap import Mend, bootstrap
from mend.config import Settings
from mend.domain import commands as cmd
from mend.workers import exports
from mend.workers.queue import LONG_JOB_TIMEOUT
from tests.conftest import REDIS_URL
from tests.integration.conftest import Practice, make_practice
from tests.integration.test_jobs import run_worker

ANA_ALONE = "Ana's own words, kept private."
LEO_ALONE = "Leo's own words, kept private."


@pytest.fixture
def redis_settings(postgres_settings, redis_prefix) -> Settings:
    return dataclasses.replace(postgres_settings, redis_url=REDIS_URL, redis_prefix=redis_prefix)


@pytest.fixture
def app(redis_settings) -> Iterator[Mend]:
    instance = bootstrap(redis_settings, start_runner=False)
    yield instance
    instance.close()


@pytest.fixture
def practice(app) -> Practice:
    return make_practice(app.store, slug="quay-practice", clients=2)


def couple(app: Mend, practice: Practice):
    """Ana and Leo on one case, each with a private journal entry."""
    owner, (ana, leo) = practice.owner, practice.clients
    case_id = app.casework.open_case(
        owner, kind="couple", title="Ana and Leo", approach="therapy_guided",
        breach_category="infidelity", breach_summary="An affair of a year.").originator_id
    for person in (ana, leo):
        app.casework.record(owner, case_id, cmd.AddParticipant(account_id=person.account_id))
    app.casework.record(ana, case_id, cmd.WriteJournal(text=ANA_ALONE))
    app.casework.record(leo, case_id, cmd.WriteJournal(text=LEO_ALONE))
    app.runner.catch_up()
    return case_id


@pytest.mark.redis
def test_a_worker_makes_the_practices_export_once_however_often_its_job_runs(
        app, practice, redis_settings):
    run_id = exports.start_tenant_export(app, practice.owner)
    assert app.runs.get(run_id).state == "queued"  # queued on Redis, not run here
    again = app.jobs.enqueue(exports.run_export, run_id, timeout=LONG_JOB_TIMEOUT)  # a sweep
    run_worker(redis_settings)
    again.refresh()
    assert again.return_value().startswith("not queued: made")

    run = app.runs.get(run_id)
    assert (run.state, run.percent, run.content_type) == ("done", 100, "application/gzip")
    content = app.runs.content(run_id, practice.tenant_id)
    header = json.loads(gzip.decompress(content).split(b"\n", 1)[0])
    assert header["tenant"]["slug"] == "quay-practice" and header["streams"]["accounts"] == 4
    audited = [e for e in app.store.events.get(practice.tenant_id)
               if type(e).__name__ == "TenantExported"]
    assert len(audited) == 1 and audited[0].actor_id == practice.owner.account_id


@pytest.mark.redis
def test_a_worker_makes_a_clients_own_data_without_their_partners_journal(
        app, practice, redis_settings):
    case_id = couple(app, practice)
    ana = practice.clients[0]
    run_id = exports.start_client_export(app, ana, case_id)
    run_worker(redis_settings)

    run = app.runs.get(run_id)
    assert (run.state, run.file_name) == ("done", f"mend-{case_id}.json")
    text = app.runs.content(run_id, practice.tenant_id).decode()
    assert ANA_ALONE in text and LEO_ALONE not in text
    assert json.loads(text)["case"]["title"] == "Ana and Leo"

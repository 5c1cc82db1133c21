"""The owners' operations page: the job queue on a real Redis (counts, a failed job in one
line, the workers) and the practice's outbox (counts by state, the latest messages, never a
body or an address). Other roles are refused; with Redis away or never configured the page
still renders and says so; on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import uuid
from uuid import uuid4

import pytest

from mend.config import Settings
from mend.workers.alerting import raise_alert
from mend.workers.ledger import now_us
from mend.workers.preferences import Preferences
from mend.workers.queue import Jobs
from tests.conftest import REDIS_URL, RUN_ID

SECRET_LINE = "could not reach ana@harbor.test about case 5f0c9a52-3f0e-4a43-9a57-0d9bb5f1c0de"


def fails_loudly(case_id: str) -> None:
    """A job that fails with personal words in its message, and a traceback under it."""
    raise ValueError(SECRET_LINE)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def settings(request, tmp_path_factory, pg_databases):
    """Each store with a Redis key prefix of its own, whose keys are deleted afterwards."""
    import redis

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('operations')}/m.sqlite"
    else:
        url = pg_databases()
    prefix = f"mendtest-{RUN_ID}-{uuid.uuid4().hex[:6]}"
    yield Settings(database_url=url, redis_url=REDIS_URL, redis_prefix=prefix)
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"*{prefix}*"):
        client.delete(key)
    client.close()


@pytest.fixture(scope="module")
def failed_job(app):
    """One job run by a real rq worker (in this process) that fails."""
    from rq import SimpleWorker
    from rq.serializers import JSONSerializer

    jobs = app.extensions["mend"].jobs
    job = jobs.enqueue(fails_loudly, str(uuid4()), job_id=f"failing-{uuid4().hex[:8]}")
    worker = SimpleWorker([jobs.queue], connection=jobs.queue.connection,
                          serializer=JSONSerializer, name=f"{jobs.settings.redis_prefix}-w1")
    worker.work(burst=True)
    return job.id


@pytest.fixture(scope="module")
def messages(app, practices):
    """A safety alert on Harbor's case: a message queued for its practitioner."""
    mend = app.extensions["mend"]
    harbor = practices["own"]
    with mend.ledger.transaction() as cursor:
        raise_alert(cursor, Preferences(mend.ledger),
                    tenant_id=str(harbor.people["owner"].tenant_id),
                    case_id=str(harbor.case_id), kind="safety_flag", cause=str(uuid4()),
                    practitioners=[str(harbor.people["practitioner"].account_id)],
                    practice="Harbor Counselling", case_link="http://mend.test/case",
                    now_us=now_us())


def test_the_owner_sees_the_queue_and_the_outbox_in_words(
        app, practices, signed_in, failed_job, messages):
    answer = signed_in("owner").get("/admin/operations")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert "The job queue is answering." in page
    for label in ("Waiting to run", "Running now", "Failed", "Scheduled for later",
                  "Waiting for another job", "Finished (kept a day)"):
        assert f"<dt>{label}</dt>" in page
    assert "<dt>Failed</dt><dd>1</dd>" in page
    assert failed_job in page and "fails_loudly" in page
    assert "ValueError: could not reach … about case …" in page
    assert "ana@harbor.test" not in page and "Traceback" not in page
    assert "5f0c9a52" not in page  # the job's arguments and ids in its message stay out

    assert "<dt>Waiting to be sent</dt><dd>1</dd>" in page
    assert "Alert: a safety concern was raised" in page and "Practitioner harbor" in page
    assert "Open it in Mend" not in page and "@harbor.test" not in page  # no body, no address
    assert "No worker is running" in page


def test_a_running_worker_is_listed_by_name_and_state(app, signed_in):
    from rq import Worker
    from rq.serializers import JSONSerializer

    jobs = app.extensions["mend"].jobs
    worker = Worker([jobs.queue], connection=jobs.queue.connection, serializer=JSONSerializer,
                    name=f"{jobs.settings.redis_prefix}-w2")
    worker.register_birth()
    worker.set_state("idle")
    try:
        page = signed_in("owner").get("/admin/operations").get_data(as_text=True)
        assert f"{jobs.settings.redis_prefix}-w2" in page and "Idle" in page
    finally:
        worker.register_death()


def test_the_outbox_shows_the_practices_own_messages_only(app, signed_in, messages):
    page = signed_in("owner", "other").get("/admin/operations").get_data(as_text=True)
    assert "<dt>Waiting to be sent</dt><dd>0</dd>" in page
    assert "No message has been sent yet." in page and "Practitioner harbor" not in page


@pytest.mark.parametrize("role, status", [("supervisor", 403), ("practitioner", 403),
                                          ("client", 302), ("anonymous", 302)])
def test_only_owners_open_the_operations_page(signed_in, role, status):
    answer = signed_in(role).get("/admin/operations")
    assert answer.status_code == status
    if status == 403:
        assert "Only owners may" in answer.get_data(as_text=True)


def test_the_page_renders_with_redis_away_or_not_configured(app, signed_in, monkeypatch,
                                                            messages):
    mend = app.extensions["mend"]
    owner = signed_in("owner")
    away = Jobs(Settings(database_url=mend.settings.database_url,
                         redis_url="redis://127.0.0.1:1/0"))
    monkeypatch.setattr(mend, "jobs", away)
    page = owner.get("/admin/operations")
    assert page.status_code == 200
    assert "The job queue is not answering." in page.get_data(as_text=True)
    assert "<dt>Waiting to be sent</dt><dd>1</dd>" in page.get_data(as_text=True)
    away.close()

    monkeypatch.setattr(mend, "jobs", Jobs(Settings(database_url=mend.settings.database_url)))
    page = owner.get("/admin/operations")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "No job queue is set up." in text
    assert "Redis is not configured" in text and "Waiting to be sent" in text
    assert 'href="/admin/operations"' in text  # the owner's admin nav links to it

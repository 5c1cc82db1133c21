"""The API while its PostgreSQL is down: quick, honest answers, and a safe retry afterwards.

A server of its own (gunicorn, projections inline) on a private PostgreSQL that the test
crashes and starts again; the shared PostgreSQL is never touched.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.api_client import ApiClient
from tests.e2e.conftest import BIN, ROOT, free_port, wait_healthy
from tests.e2e.private_postgres import PrivatePostgres

PASSWORD = "a passphrase for the outage"
#: The longest a request may take while the store is down: the store library tries a lost
#: connection ten times, each waiting at most the 1 s connect timeout.
OUTAGE_ANSWER_SECONDS = 20


@pytest.fixture(scope="module")
def outage() -> Iterator[tuple[str, PrivatePostgres]]:
    database = PrivatePostgres(Path(tempfile.mkdtemp(prefix="mend-pg-")), free_port())
    database.create()
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database.url, "MEND_PROJECTIONS": "inline",
           "SECRET_KEY": "outage-secret-key-for-this-run", "MEND_PUBLIC_URL":
           f"http://127.0.0.1:{port}"}
    env.pop("REDIS_URL", None)
    log = open(database.directory / "web.log", "w")
    web = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", "1", "--threads", "4", "--timeout", "120",
         "--bind", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, web)
        yield base, database
    finally:
        web.terminate()
        try:
            web.wait(timeout=10)
        except subprocess.TimeoutExpired:
            web.kill()
        database.destroy()


def slow_client(client: ApiClient) -> ApiClient:
    """The same caller with a long read timeout, so the test measures the server's wait."""
    patient = ApiClient(client.base_url, client.token)
    patient.timeout = 120
    return patient


def timed(call):
    started = time.monotonic()
    answer = call()
    return answer, time.monotonic() - started


def test_a_store_outage_is_a_quick_503_and_a_retry_with_the_same_key_records_once(outage):
    base, database = outage
    anonymous = ApiClient(base)
    anonymous.sign_up("outage", "olga@outage.test", PASSWORD, "Olga")
    olga = anonymous.as_token("olga@outage.test", PASSWORD)
    case_id = olga.post("/api/v1/cases", {
        "kind": "couple", "title": "Through the outage", "approach": "therapy_guided",
        "breach": {"category": "dishonesty", "summary": "A hidden account."}}).json()["case_id"]
    check_in = {"trust": 4, "emotional_safety": 5, "communication_ease": 3, "conflicts": 1}
    key = {"Idempotency-Key": "outage-check-in-1"}

    olga = slow_client(olga)
    database.crash()
    try:
        health, took = timed(lambda: slow_client(ApiClient(base)).get("/healthz"))
        assert health.status_code == 503 and health.json()["status"] == "unavailable"
        assert took < 1.5, f"/healthz took {took:.1f}s while the store was down"

        write, took = timed(lambda: olga.post(f"/api/v1/cases/{case_id}/check-ins", check_in,
                                               headers=key))
        assert write.status_code == 503, write.text
        assert write.headers["Retry-After"].isdigit()
        assert write.headers["Content-Type"] == "application/problem+json"
        assert "Idempotency-Key" in write.json()["detail"]
        assert took < OUTAGE_ANSWER_SECONDS, f"a write waited {took:.1f}s"

        read, took = timed(lambda: olga.get(f"/api/v1/cases/{case_id}/timeline"))
        assert read.status_code == 503 and "Retry-After" in read.headers
        assert "Idempotency-Key" not in read.json()["detail"]
    finally:
        database.start()
        database.wait_ready()

    deadline = time.monotonic() + 60
    while ApiClient(base).get("/healthz").status_code != 200:
        assert time.monotonic() < deadline, "the server did not recover from the outage"
        time.sleep(0.5)
    answers = [olga.post(f"/api/v1/cases/{case_id}/check-ins", check_in, headers=key)
               for _ in range(2)]
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].json() == answers[1].json()
    timeline = olga.get(f"/api/v1/cases/{case_id}/timeline")
    assert timeline.status_code == 200, timeline.text
    types = [e["type"] for e in timeline.json()["events"]]
    assert types.count("check_in_recorded") == 1

"""Fixtures shared by every test: settings per store, a fresh PostgreSQL database per run."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest

from mend.bootstrap import Mend, bootstrap
from mend.config import Settings

PG_ADMIN_URL = os.environ.get("MEND_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("MEND_TEST_REDIS", "redis://127.0.0.1:6379/0")
#: Every run gets its own Redis key prefix and PostgreSQL databases, and removes them after.
RUN_ID = uuid.uuid4().hex[:10]


@pytest.fixture(scope="session")
def pg_databases() -> Iterator[callable]:
    """A factory of fresh PostgreSQL databases, all dropped when the session ends."""
    created: list[str] = []

    def new_database() -> str:
        name = f"mend_test_{RUN_ID}_{len(created)}"
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name

    yield new_database
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        for name in created:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def sqlite_settings(tmp_path) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path}/mend.sqlite")


@pytest.fixture
def postgres_settings(pg_databases) -> Settings:
    return Settings(database_url=pg_databases())


@pytest.fixture(params=["sqlite", "postgres"])
def settings(request) -> Settings:
    """Settings for each real store in turn."""
    return request.getfixturevalue(f"{request.param}_settings")


@pytest.fixture
def mend(settings) -> Iterator[Mend]:
    """A whole Mend on a real store, with the projection runner following it."""
    instance = bootstrap(settings, start_runner=True)
    yield instance
    instance.close()


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A Redis key prefix of this test's own; its keys are deleted afterwards."""
    import redis

    prefix = f"mendtest-{RUN_ID}-{uuid.uuid4().hex[:6]}"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"*{prefix}*"):
        client.delete(key)
    # rq's shared sets name every queue and worker: drop the members of this test's too.
    for key in ("rq:queues", "rq:workers"):
        for member in client.smembers(key):
            if prefix in member.decode():
                client.srem(key, member)
    client.close()

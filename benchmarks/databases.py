"""The benchmarks' throwaway databases: each run writes into its own and drops it after."""

from __future__ import annotations

import os
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg

from mend.config import Settings

ADMIN_URL = os.environ.get("MEND_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def connect(url: str, **kwargs: Any) -> psycopg.Connection:
    """psycopg.connect, waiting a while when the server is out of connection slots (it may be
    shared with test suites that take many)."""
    deadline = time.monotonic() + 120
    while True:
        try:
            return psycopg.connect(url, **kwargs)
        except psycopg.OperationalError as error:
            if "too many clients" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.5)


@contextmanager
def fresh_database(label: str, kind: str = "postgres") -> Iterator[Settings]:
    """Settings on a fresh PostgreSQL database (dropped afterwards) or a temporary SQLite file."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="mend-bench-") as folder:
            yield Settings(database_url=f"sqlite:///{folder}/bench.sqlite")
        return
    name = f"mend_bench_{label}_{uuid.uuid4().hex[:8]}"
    with connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield Settings(database_url=ADMIN_URL.rsplit("/", 1)[0] + "/" + name)
    finally:
        with connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

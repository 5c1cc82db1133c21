"""A real Mend server on loopback: gunicorn with two workers, a projections process, PostgreSQL."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            if requests.get(url + "/healthz", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError("server did not become healthy")


def wait_following(log: Path, process: subprocess.Popen, timeout: float = 120) -> None:
    """The web workers answer before the projections runner has started: until it follows
    the store, every write would wait out its read-your-writes timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"projections exited with {process.returncode}: "
                               + log.read_text()[-2000:])
        if "following the event store" in log.read_text():
            return
        time.sleep(0.2)
    raise RuntimeError("the projections runner did not start")


@pytest.fixture(scope="session")
def server(pg_databases, tmp_path_factory) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": pg_databases(),
        "SECRET_KEY": "e2e-secret-key-for-this-run-only",
        "MEND_PROJECTIONS": "external",
        "MEND_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "PYTHONUNBUFFERED": "1",  # the projections log tells when the runner is following
    }
    env.pop("REDIS_URL", None)
    logs = tmp_path_factory.mktemp("server")
    # Create the store and view tables once, before several processes start at the same time.
    subprocess.run([str(BIN / "flask"), "--app", "wsgi", "projections", "catch-up"], cwd=ROOT,
                   env=env, check=True, capture_output=True)
    projections = subprocess.Popen(
        [str(BIN / "flask"), "--app", "wsgi", "projections", "run"], cwd=ROOT, env=env,
        stdout=open(logs / "projections.log", "w"), stderr=subprocess.STDOUT,
    )
    web = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", "2", "--threads", "4", "--bind",
         f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT, env=env, stdout=open(logs / "web.log", "w"), stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, web)
        wait_following(logs / "projections.log", projections)
        yield base
    finally:
        for process in (web, projections):
            process.terminate()
        for process in (web, projections):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()

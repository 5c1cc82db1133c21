"""A PostgreSQL server of a test's own, on its own port, that the test may stop and start.

Fault tests never touch the shared server. PostgreSQL refuses to run as root, so the
cluster belongs to an unprivileged system user created here when it is missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import psycopg

PG_BIN = Path(os.environ.get("MEND_PG_BIN", "/usr/lib/postgresql/15/bin"))
OWNER = "mendpg"


def _as_owner(*command: str) -> list[str]:
    if os.geteuid() != 0:
        return list(command)
    return ["runuser", "-u", OWNER, "--", *command]


def _ensure_owner() -> None:
    if os.geteuid() != 0:
        return
    if subprocess.run(["id", OWNER], capture_output=True).returncode != 0:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                        OWNER], check=True)


class PrivatePostgres:
    def __init__(self, directory: Path, port: int):
        self.directory, self.port = directory, port
        self.data = directory / "data"
        self.url = f"postgresql://postgres@127.0.0.1:{port}/mend"

    def create(self) -> None:
        _ensure_owner()
        self.directory.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.directory, OWNER)
        subprocess.run(_as_owner(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres",
                                 "-A", "trust", "--no-sync"),
                       check=True, capture_output=True)
        self.start()
        with psycopg.connect(self.url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute("CREATE DATABASE mend")

    def start(self) -> None:
        subprocess.run(_as_owner(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.directory / "log"),
            "-w", "-o", f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 "
                        "-c fsync=off", "start",
        ), check=True, capture_output=True)

    def crash(self) -> None:
        """Stop at once, as a crash would: connections drop, nothing is shut down cleanly."""
        subprocess.run(_as_owner(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                                 "-w", "stop"), check=True, capture_output=True)

    def destroy(self) -> None:
        subprocess.run(_as_owner(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                                 "stop"), capture_output=True)
        shutil.rmtree(self.directory, ignore_errors=True)

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                psycopg.connect(self.url, connect_timeout=1).close()
                return
            except psycopg.OperationalError:
                time.sleep(0.2)
        raise RuntimeError("the private PostgreSQL did not come back")

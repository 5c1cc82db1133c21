"""How fast the HTTP API records check-ins and serves timelines, next to its two ceilings.

    python benchmarks/api.py [--duration 10] [--warmup 2] [--connections 8] [--clients 2]
        [--cases 16] [--history 20] [--save-threads 8]

One run, on PostgreSQL (fresh databases created here and dropped afterwards, from the admin
URL in MEND_BENCH_POSTGRES, default postgresql://postgres@127.0.0.1:5432/test), five phases,
each --warmup seconds not counted and then --duration seconds (about 90 s in all by default):

1. the write ceiling: a bare ``eventsourcing`` Application (the library's PostgreSQL recorder,
   the store's pool settings from Settings.store_env()) saving one event per save from
   --save-threads threads, each on its own aggregate kept in memory. Every save takes the
   event store's table lock and commits (fsync'd at the server's default durability), so
   that loop, not Flask, bounds how many writes per second any web process can answer.
   It runs on the same psycopg as the app, so a faster driver raises both sides.
2. the read ceilings: a bare Flask app (``bare_app`` below: a 40-byte JSON answer, and one
   the size of a timeline page, serialised per request) served by
   gunicorn with exactly the settings Mend is served with (2 workers of 4 threads each, the
   defaults for everything else) and loaded by exactly the same client.
3. Mend as deployed (``gunicorn --workers 2 --threads 4 wsgi:app``, MEND_PROJECTIONS=external, with
   ``flask --app wsgi projections run`` as its own process, no Redis: jobs in-process and
   sign-in limits in memory, as in the end-to-end tests; the rest of this environment is
   passed on). Set up over HTTP: one practice, an owner, --cases cases, each with its own
   client (invited, accepted, a bearer token signed in once: sign-in is argon2 and rate
   limited), each case given --history check-ins by its client. Then:
   * GET /api/v1/cases/{id}/timeline by the case's client: the default page, which then
     holds the whole timeline (opening, breach, participant and the history, ~--history+3
     entries); closed loop.
   * POST /api/v1/cases/{id}/check-ins by the case's client; closed loop: the peak rate.
     A command answers only once the projections show its event and the case's caseload
     figures (read-your-writes: the request polls the view, from 1 ms growing to 5 ms; see
     Mend.wait_for_projections), so this is the real cost
     of a check-in as a client sees it, projection lag included.
   * the same POSTs open loop at half that peak rate: requests are sent on a fixed schedule
     and each latency runs from its scheduled time, not from when a connection was free,
     so a stall counts for every request it delays (no coordinated omission).
   Connection c of --connections posts to and reads the cases i with i % connections == c,
   so two requests in flight never write the same case (as with independent clients; each
   request still loads the case, checks access and saves it, as a real one does).

The load generator is this script: --clients processes, the connections split between them,
each connection a thread with its own http.client connection, kept alive between requests
(gunicorn's threaded workers keep connections open), for Mend and for the bare app alike. The client shares the machine's CPUs with the server and
PostgreSQL; the tables show how much CPU the client used (1.0 = one core) and how busy the
whole machine was, so a saturated client or machine is visible. Gunicorn also reads
GUNICORN_CMD_ARGS from the environment, which both servers inherit: other settings (say
GUNICORN_CMD_ARGS="--threads 8") are then compared on equal terms.

Threads, not more processes: a command spends most of its time waiting (its save's commit,
then the projections' commit), and a thread that waits leaves the CPU to the others.

The GET timeline phase runs in --access-rounds alternating rounds against two Mend servers on
the same database: one as shipped, writing an access-log row for every read, and one started
with MEND_ACCESS_LOG=off (a setting only this benchmark uses; production refuses it), so the
log's cost is measured in the same run, on the same data, each side as often first as second.

Targets: GET timeline >= 40 % of the bare Flask rate for an answer of the same size (its
ratio to the 40-byte answer is printed too); GET timeline with the access log at least
ACCESS_LOG_TARGET of its rate without; POST check-in >= 60 % of the bare save loop's rate,
and p99 < 50 ms at half its own peak rate. The exit status is 0 only when all four are met
and no request failed.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import math
import multiprocessing
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from flask import Flask

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.databases import ADMIN_URL, fresh_database  # noqa: E402
from mend.config import Settings  # noqa: E402

BIN = Path(sys.executable).parent
WORKERS = "2"
THREADS = "4"

GET_TARGET = 0.40  # of the bare Flask rate
POST_TARGET = 0.60  # of the bare save loop's rate
HALF_RATE_P99_TARGET_MS = 50.0
#: GET timeline with the access log / without it: "no worse", within the rounds' own spread.
ACCESS_LOG_TARGET = 0.95

CHECK_IN = {"trust": 3, "emotional_safety": 4, "communication_ease": 2, "conflicts": 1}
PASSWORD = "a long benchmark passphrase"


def log(message: str) -> None:
    print(f"  [{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    rank = math.ceil(p / 100 * len(sorted_values)) - 1  # nearest rank
    return sorted_values[max(0, min(len(sorted_values) - 1, rank))]


# ---------------------------------------------------------------------- the read ceiling
def bare_app() -> Flask:
    """The least a Flask JSON endpoint can be; gunicorn serves ``benchmarks.api:bare_app()``."""
    app = Flask("bare")

    @app.get("/bare")
    def bare() -> dict[str, Any]:
        return {"status": "ok", "events": [], "next": None}

    # A timeline-shaped answer of about the size Mend's timeline page is (23 entries of
    # ~480 bytes), serialised on every request as Mend's is: the same bytes, none of the work.
    sized = {"case_id": str(uuid4()), "next": None, "events": [{
        "id": str(uuid4()), "type": "check_in_recorded",
        "occurred_at": "2026-11-02T21:14:03.120000+00:00",
        "recorded_at": "2026-11-02T21:14:03.130000+00:00",
        "actor": {"id": str(uuid4()), "name": "Client 7"}, "visibility": "shared",
        "summary": "Client 7's check-in: trust 6/10, emotional safety 5/10, communication "
                   "4/10, 1 conflict",
        "data": {"participant_id": str(uuid4()), "trust": 6, "emotional_safety": 5,
                 "communication_ease": 4, "conflicts": 1, "note": "A calmer week at home."},
    } for _ in range(23)]}

    @app.get("/bare-timeline")
    def bare_timeline() -> dict[str, Any]:
        return sized

    return app


# ---------------------------------------------------------------------- the write ceiling
class Counter(Aggregate):
    """The least an aggregate can be that records the fields of a check-in."""

    def __init__(self) -> None:
        self.count = 0

    @event("CheckInRecorded")
    def record(self, trust: int, emotional_safety: int, communication_ease: int,
               conflicts: int, occurred_at: datetime) -> None:
        self.count += 1


class BareSaves(Application[UUID]):
    name = "BareSaves"


@dataclass
class Measured:
    """What one phase produced over its measured window."""

    seconds: float
    latencies: list[float]  # ms, sorted
    errors: int = 0
    error_sample: str = ""
    client_cpu: float | None = None  # CPU seconds per second of the client processes
    machine_busy: float | None = None  # share of all CPUs busy during the window
    body_bytes: float | None = None  # mean size of an answer

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    @property
    def p50(self) -> float:
        return percentile(self.latencies, 50)

    @property
    def p99(self) -> float:
        return percentile(self.latencies, 99)


def bare_save_loop(settings: Settings, threads: int, warmup: float, duration: float) -> Measured:
    app = BareSaves(env=settings.store_env())
    try:
        counters = [Counter() for _ in range(threads)]
        app.save(*counters)
        start = time.monotonic() + 0.2
        measure_from, stop_at = start + warmup, start + warmup + duration
        latencies: list[list[float]] = [[] for _ in range(threads)]

        def saving(n: int) -> None:
            counter, mine = counters[n], latencies[n]
            time.sleep(max(0.0, start - time.monotonic()))
            while (began := time.monotonic()) < stop_at:
                counter.record(occurred_at=datetime.now(timezone.utc), **CHECK_IN)
                app.save(counter)
                if began >= measure_from:
                    mine.append((time.monotonic() - began) * 1000)

        busy = MachineBusy(measure_from, stop_at)
        workers = [threading.Thread(target=saving, args=(n,)) for n in range(threads)]
        for worker in workers:
            worker.start()
        busy.measure()
        for worker in workers:
            worker.join()
        return Measured(duration, sorted(itertools.chain(*latencies)),
                        machine_busy=busy.share)
    finally:
        app.close()


class MachineBusy:
    """The share of all CPUs busy between two instants, from /proc/stat (None elsewhere)."""

    def __init__(self, start: float, stop: float):
        self.start, self.stop = start, stop
        self.share: float | None = None

    @staticmethod
    def _times() -> tuple[int, int] | None:
        try:
            fields = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
        except OSError:
            return None
        idle = fields[3] + fields[4]  # idle + iowait
        return sum(fields[:8]) - idle, sum(fields[:8])

    def measure(self) -> None:
        time.sleep(max(0.0, self.start - time.monotonic()))
        before = self._times()
        time.sleep(max(0.0, self.stop - time.monotonic()))
        after = self._times()
        if before and after and after[1] > before[1]:
            self.share = (after[0] - before[0]) / (after[1] - before[1])


# ---------------------------------------------------------------------- databases
# ---------------------------------------------------------------------- servers
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running(command: list[str], env: dict[str, str],
            log_path: Path) -> Iterator[subprocess.Popen]:
    """A child process, stopped (SIGTERM, then SIGKILL) however the block ends."""
    with open(log_path, "w") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def gunicorn(target: str, port: int, env: dict[str, str],
             logs: Path) -> Any:  # a context manager of the server's Popen
    """The same gunicorn settings for the bare app and for Mend: the ones Mend ships with."""
    command = [str(BIN / "gunicorn"), "--workers", WORKERS, "--threads", THREADS,
               "--bind", f"127.0.0.1:{port}", target]
    return running(command, env, logs / f"gunicorn-{port}.log")


def wait_answering(port: int, path: str, process: subprocess.Popen, log_path: Path,
                   timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n"
                               + log_path.read_text()[-3000:])
        try:
            if call(port, "GET", path, timeout=5)[0] == 200:
                return
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server did not answer on {path}:\n" + log_path.read_text()[-3000:])


def call(port: int, method: str, path: str, body: Any = None, token: str | None = None,
         timeout: float = 30) -> tuple[int, Any]:
    """One request for the setup, on its own connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        conn.request(method, path, None if body is None else json.dumps(body), headers)
        response = conn.getresponse()
        data = response.read()
        return response.status, json.loads(data) if data else None
    finally:
        conn.close()


def expect(answer: tuple[int, Any], status: int) -> Any:
    if answer[0] != status:
        raise RuntimeError(f"expected {status}, got {answer[0]}: {answer[1]}")
    return answer[1]


# ---------------------------------------------------------------------- Mend's tenant
@dataclass
class Seat:
    """One case and the client who checks in on it."""

    case_id: str
    token: str


def set_up_practice(port: int, cases: int, history: int) -> list[Seat]:
    expect(call(port, "POST", "/api/v1/tenants", {
        "name": "Bench Practice", "slug": "bench", "kind": "practice",
        "owner": {"email": "owner@bench.example", "password": PASSWORD, "name": "Owner"},
    }), 201)
    owner = expect(call(port, "POST", "/api/v1/auth/tokens",
                        {"email": "owner@bench.example", "password": PASSWORD}), 201)["token"]

    def seat(n: int) -> Seat:
        email = f"client{n}@bench.example"
        invitation = expect(call(port, "POST", "/api/v1/members",
                                 {"email": email, "name": f"Client {n}", "role": "client"},
                                 owner), 201)["token"]
        account_id = expect(call(port, "POST", f"/api/v1/invitations/{invitation}/accept",
                                 {"password": PASSWORD}), 200)["account_id"]
        token = expect(call(port, "POST", "/api/v1/auth/tokens",
                            {"email": email, "password": PASSWORD}), 201)["token"]
        case_id = expect(call(port, "POST", "/api/v1/cases", {
            "kind": "couple", "title": f"Bench case {n}", "approach": "self_guided",
            "breach": {"category": "dishonesty", "summary": "For the benchmark."},
        }, owner), 201)["case_id"]
        expect(call(port, "POST", f"/api/v1/cases/{case_id}/participants",
                    {"account_id": account_id, "relation": "partner"}, owner), 201)
        for _ in range(history):
            expect(call(port, "POST", f"/api/v1/cases/{case_id}/check-ins", CHECK_IN, token),
                   201)
        return Seat(case_id, token)

    # Invitations all change the tenant and are retried when they collide; a few at a time.
    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(seat, range(cases)))


# ---------------------------------------------------------------------- the load generator
@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: bytes | None
    headers: dict[str, str]
    status: int  # the answer expected


@dataclass(frozen=True)
class Schedule:
    """When a phase starts, counts and stops (time.monotonic(), one clock for all processes
    on Linux), and the total rate of an open loop (None: closed loop)."""

    start: float
    measure_from: float
    stop: float
    rate: float | None = None


def load(port: int, plans: list[list[Request]], clients: int, schedule: Schedule) -> Measured:
    """Run the plans (one per connection) from `clients` processes; merge what they saw."""
    clients = min(clients, len(plans))
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    processes = [
        context.Process(target=client_process,
                        args=(port, plans[p::clients], p, clients, schedule, results))
        for p in range(clients)
    ]
    busy = MachineBusy(schedule.measure_from, schedule.stop)
    try:
        for process in processes:
            process.start()
        busy.measure()
        parts = [results.get(timeout=schedule.stop - time.monotonic() + 60)
                 for _ in processes]
        for process in processes:
            process.join()
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
                process.join()
    latencies = sorted(itertools.chain(*(part["latencies"] for part in parts)))
    answered = sum(part["answered"] for part in parts)
    if not answered:
        sample = next((part["error_sample"] for part in parts if part["error_sample"]), "")
        raise RuntimeError(f"no request was answered as expected, e.g.: {sample}")
    return Measured(
        seconds=schedule.stop - schedule.measure_from,
        latencies=latencies,
        errors=sum(part["errors"] for part in parts),
        error_sample=next((part["error_sample"] for part in parts if part["error_sample"]), ""),
        client_cpu=sum(part["cpu"] for part in parts) / (schedule.stop - schedule.start),
        machine_busy=busy.share,
        body_bytes=sum(part["bytes"] for part in parts) / answered if answered else None,
    )


def client_process(port: int, plans: list[list[Request]], index: int, clients: int,
                   schedule: Schedule, results: Any) -> None:
    """One client process: a thread per connection, closed loop or on a shared schedule."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops us, and tidily
    cpu_before = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
    tickets = itertools.count()  # next() on a count is atomic under the GIL
    # This process sends every clients-th request of the whole schedule (open loop).
    interval = clients / schedule.rate if schedule.rate else 0.0
    first = schedule.start + (index / schedule.rate if schedule.rate else 0.0)
    parts: list[dict[str, Any]] = []

    def connection(plan: list[Request]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        seen = {"latencies": [], "errors": 0, "error_sample": "", "answered": 0, "bytes": 0}
        requests = itertools.cycle(plan)
        time.sleep(max(0.0, schedule.start - time.monotonic()))
        while True:
            if schedule.rate:
                due = first + next(tickets) * interval
                if due >= schedule.stop:
                    break
                time.sleep(max(0.0, due - time.monotonic()))
            else:
                due = time.monotonic()
                if due >= schedule.stop:
                    break
            request = next(requests)
            try:
                conn.request(request.method, request.path, request.body, request.headers)
                response = conn.getresponse()
                body = response.read()
                ok, problem = response.status == request.status, body[:300]
            except (OSError, http.client.HTTPException) as error:
                conn.close()
                ok, problem, body = False, repr(error).encode(), b""
            done = time.monotonic()
            if due < schedule.measure_from:
                continue
            if ok:
                seen["latencies"].append((done - due) * 1000)
                seen["answered"] += 1
                seen["bytes"] += len(body)
            else:
                seen["errors"] += 1
                seen["error_sample"] = seen["error_sample"] or problem.decode(errors="replace")
        conn.close()
        parts.append(seen)

    threads = [threading.Thread(target=connection, args=(plan,)) for plan in plans]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put({
        "latencies": list(itertools.chain(*(part["latencies"] for part in parts))),
        "errors": sum(part["errors"] for part in parts),
        "error_sample": next((part["error_sample"] for part in parts if part["error_sample"]),
                             ""),
        "answered": sum(part["answered"] for part in parts),
        "bytes": sum(part["bytes"] for part in parts),
        "cpu": sum(resource.getrusage(resource.RUSAGE_SELF)[:2]) - cpu_before,
    })


def plans_for(seats: list[Seat], connections: int, request_for: Any) -> list[list[Request]]:
    """Connection c works on the seats i with i % connections == c (with fewer seats than
    connections, connection c takes seat c % seats)."""
    plans = []
    for c in range(connections):
        mine = seats[c::connections] or [seats[c % len(seats)]]
        plans.append([request_for(seat) for seat in mine])
    return plans


def bearer(seat: Seat, json_body: bool = False) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {seat.token}"}
    if json_body:
        headers["Content-Type"] = "application/json"
    return headers


# ---------------------------------------------------------------------- the run
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=10.0, help="measured s per phase")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured s per phase")
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections")
    parser.add_argument("--clients", type=int, default=2, help="load generator processes")
    parser.add_argument("--cases", type=int, default=16, help="cases, one client each")
    parser.add_argument("--history", type=int, default=20, help="check-ins per case at setup")
    parser.add_argument("--save-threads", type=int, default=8, help="bare save loop threads")
    parser.add_argument("--access-rounds", type=int, default=2,
                        help="GET timeline rounds with the access log on and off, alternating")
    args = parser.parse_args()
    # A SIGTERM unwinds like Ctrl-C does: servers stopped, databases dropped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    def schedule(rate: float | None = None) -> Schedule:
        start = time.monotonic() + 0.3
        return Schedule(start, start + args.warmup, start + args.warmup + args.duration, rate)

    print(f"PostgreSQL at {ADMIN_URL.rsplit('@', 1)[-1]}; {os.cpu_count()} CPUs; "
          f"Python {sys.version.split()[0]}; gunicorn --workers {WORKERS} --threads {THREADS} "
          f"{os.environ.get('GUNICORN_CMD_ARGS') or ''}; "
          f"{args.connections} connections from {args.clients} client process(es); "
          f"{args.warmup:g} s warm-up + {args.duration:g} s per phase", flush=True)
    # The server, PostgreSQL and the client share the machine; anything else running skews
    # every figure (the ceilings too), so say how busy it was before we started.
    before = MachineBusy(time.monotonic(), time.monotonic() + 1.0)
    before.measure()
    if before.share is not None:
        print(f"machine busy before the run: {before.share:.0%}"
              + ("  (other work is running: figures will be low and noisy)"
                 if before.share > 0.10 else ""), flush=True)

    with fresh_database("saves") as settings:
        log(f"bare save loop, {args.save_threads} threads")
        saves = bare_save_loop(settings, args.save_threads, args.warmup, args.duration)

    with ExitStack() as stack:
        logs = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="mend-bench-")))

        log("bare Flask on gunicorn")
        port = free_port()
        bare_env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
        with gunicorn("benchmarks.api:bare_app()", port, bare_env, logs) as server:
            wait_answering(port, "/bare", server, logs / f"gunicorn-{port}.log")
            bare_plans = [[Request("GET", "/bare", None, {}, 200)]] * args.connections
            bare = load(port, bare_plans, args.clients, schedule())
            log("bare Flask on gunicorn, a timeline-sized answer")
            sized_plans = [[Request("GET", "/bare-timeline", None, {}, 200)]] * args.connections
            bare_sized = load(port, sized_plans, args.clients, schedule())

        settings = stack.enter_context(fresh_database("api"))
        port = free_port()
        env = {
            **bare_env,
            "DATABASE_URL": settings.database_url,
            "SECRET_KEY": "benchmark-secret-key-for-this-run-only",
            "MEND_PROJECTIONS": "external",
            "MEND_PUBLIC_URL": f"http://127.0.0.1:{port}",
        }
        log("Mend: projections catch-up, projections run, gunicorn")
        # The store's and views' tables, once, before several processes race to create them.
        subprocess.run([str(BIN / "flask"), "--app", "wsgi", "projections", "catch-up"],
                       cwd=ROOT, env=env, check=True, capture_output=True)
        projections_log = logs / "projections.log"
        projections = stack.enter_context(running(
            [str(BIN / "flask"), "--app", "wsgi", "projections", "run"], env, projections_log))
        server = stack.enter_context(gunicorn("wsgi:app", port, env, logs))
        web_log = logs / f"gunicorn-{port}.log"
        wait_answering(port, "/healthz", server, web_log)
        # The same Mend on the same database, scheduler and all, but writing no access log:
        # the baseline of the log's cost.
        unlogged_port = free_port()
        unlogged = stack.enter_context(gunicorn("wsgi:app", unlogged_port, {
            **env, "MEND_ACCESS_LOG": "off"}, logs))
        wait_answering(unlogged_port, "/healthz", unlogged,
                       logs / f"gunicorn-{unlogged_port}.log")
        log(f"Mend: setting up {args.cases} cases with {args.history} check-ins each")
        seats = set_up_practice(port, args.cases, args.history)
        # The figures mean something only if the views follow: with the projections down or
        # failing, timelines would be empty (cheap) and every write would wait out its 2 s.
        shown = expect(call(port, "GET", f"/api/v1/cases/{seats[0].case_id}/timeline",
                            token=seats[0].token), 200)["events"]
        if sum(e["type"] == "check_in_recorded" for e in shown) != args.history:
            raise RuntimeError("the timeline does not show the check-ins recorded; projections:\n"
                               + projections_log.read_text()[-3000:])

        # Commands that gave up waiting for the views (2 s) say so in the log; count them.
        def lag_warnings() -> int:
            return web_log.read_text().count("projections lag")

        lagged_in_setup = lag_warnings()
        read_plans = plans_for(seats, args.connections, lambda seat: Request(
            "GET", f"/api/v1/cases/{seat.case_id}/timeline", None, bearer(seat), 200))
        rounds: dict[str, list[Measured]] = {"on": [], "off": []}
        for n in range(args.access_rounds):
            for side in (("on", "off") if n % 2 == 0 else ("off", "on")):
                log(f"Mend: GET timeline, closed loop, access log {side} (round {n + 1})")
                rounds[side].append(load(port if side == "on" else unlogged_port,
                                         read_plans, args.clients, schedule()))
        reads, reads_unlogged = merged(rounds["on"]), merged(rounds["off"])

        check_in = json.dumps(CHECK_IN).encode()
        post_plans = plans_for(seats, args.connections, lambda seat: Request(
            "POST", f"/api/v1/cases/{seat.case_id}/check-ins", check_in,
            bearer(seat, json_body=True), 201,
        ))
        log("Mend: POST check-ins, closed loop")
        writes = load(port, post_plans, args.clients, schedule())
        half_rate = writes.rate / 2
        log(f"Mend: POST check-ins, open loop at {half_rate:.0f}/s")
        paced = load(port, post_plans, args.clients, schedule(half_rate))
        lagging = (lagged_in_setup, lag_warnings() - lagged_in_setup)
        if projections.poll() is not None:
            raise RuntimeError("the projections process stopped during the run:\n"
                               + projections_log.read_text()[-3000:])

    return report(args, saves, bare, bare_sized, reads, writes, paced, half_rate, lagging,
                  reads_unlogged, rounds)


def merged(parts: list[Measured]) -> Measured:
    """Several rounds of one phase as one: every answer over all their measured seconds."""
    return Measured(
        seconds=sum(m.seconds for m in parts),
        latencies=sorted(itertools.chain(*(m.latencies for m in parts))),
        errors=sum(m.errors for m in parts),
        error_sample=next((m.error_sample for m in parts if m.error_sample), ""),
        client_cpu=sum(m.client_cpu or 0 for m in parts) / len(parts),
        machine_busy=(sum(m.machine_busy for m in parts) / len(parts)
                      if all(m.machine_busy is not None for m in parts) else None),
        body_bytes=parts[0].body_bytes)


def report(args: argparse.Namespace, saves: Measured, bare: Measured, bare_sized: Measured,
           reads: Measured,
           writes: Measured, paced: Measured, half_rate: float,
           lagging: tuple[int, int], reads_unlogged: Measured,
           rounds: dict[str, list[Measured]]) -> int:
    print("\nper s: answers (saves) per second; latencies in ms, closed loops from sending, "
          "the paced loop\nfrom the scheduled time; client CPU: cores the load generator "
          "used; machine: share of all\nCPUs busy; bytes: mean answer body")
    print(f"\n{'':<52} {'per s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} "
          f"{'client CPU':>10} {'machine':>8} {'bytes':>6}")
    rows = [
        (f"bare save loop, {args.save_threads} threads (write ceiling)", saves),
        ("bare Flask GET on gunicorn (read ceiling)", bare),
        ("bare Flask GET, a timeline-sized answer", bare_sized),
        ("GET  /api/v1/cases/{id}/timeline, closed loop", reads),
        ("GET  …/timeline, closed loop, access log off", reads_unlogged),
        ("POST /api/v1/cases/{id}/check-ins, closed loop", writes),
        (f"POST /api/v1/cases/{{id}}/check-ins, paced at {half_rate:.0f}/s", paced),
    ]
    for label, m in rows:
        busy = f"{m.machine_busy:.0%}" if m.machine_busy is not None else "-"
        size = f"{m.body_bytes:.0f}" if m.body_bytes is not None else "-"
        client = f"{m.client_cpu:.2f}" if m.client_cpu is not None else "-"
        print(f"{label:<52} {m.rate:>8.0f} {m.p50:>8.1f} {m.p99:>8.1f} {m.errors:>7} "
              f"{client:>10} {busy:>8} {size:>6}")
    for label, m in rows:
        if m.errors:
            print(f"  {label}: {m.errors} errors, e.g. {m.error_sample}")
    if any(lagging):
        print(f"  commands that answered before the views showed their event (after waiting "
              f"2 s): {lagging[0]} during the setup, {lagging[1]} during the measured phases")

    get_ratio = reads.rate / bare.rate
    logged_ratio = reads.rate / reads_unlogged.rate
    print("\nGET timeline per round (req/s): access log on "
          + ", ".join(f"{m.rate:.0f}" for m in rounds["on"]) + "; off "
          + ", ".join(f"{m.rate:.0f}" for m in rounds["off"]))
    sized_ratio = reads.rate / bare_sized.rate
    post_ratio = writes.rate / saves.rate
    results = {
        f"GET timeline / bare Flask of the same size = {sized_ratio:.0%} "
        f"(target >= {GET_TARGET:.0%})": sized_ratio >= GET_TARGET,
        f"POST check-in / bare save loop = {post_ratio:.0%} (target >= {POST_TARGET:.0%})":
            post_ratio >= POST_TARGET,
        f"POST check-in p99 at half its peak rate = {paced.p99:.1f} ms "
        f"(target < {HALF_RATE_P99_TARGET_MS:.0f} ms)": paced.p99 < HALF_RATE_P99_TARGET_MS,
        f"GET timeline with the access log / without, same run = {logged_ratio:.0%} "
        f"({reads.rate:.0f} vs {reads_unlogged.rate:.0f} req/s, p99 {reads.p99:.1f} vs "
        f"{reads_unlogged.p99:.1f} ms; target >= {ACCESS_LOG_TARGET:.0%})":
            logged_ratio >= ACCESS_LOG_TARGET,
    }
    print()
    print(f"RATIO GET timeline / bare Flask of 40 bytes = {get_ratio:.0%} (no target)")
    for line, met in results.items():
        print(f"RESULT {line}: {verdict(met)}")
    errors = sum(m.errors for _, m in rows)
    return 0 if all(results.values()) and not errors else 1


if __name__ == "__main__":
    sys.exit(main())

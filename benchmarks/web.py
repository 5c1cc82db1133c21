"""How fast the pages render: the case page of a long case and a busy practitioner's
dashboard, beside a bare Flask app rendering a page of the same size.

    python benchmarks/web.py [--cases 10000] [--assigned 200] [--events 2000]
        [--requests 200] [--database postgres|sqlite]

One run, on a fresh PostgreSQL database (MEND_BENCH_POSTGRES, as benchmarks/api.py) unless
``--database sqlite``. Set-up, through the application services as the pages' own commands
run: one practice with an owner, a practitioner and a client; --cases cases in the tenant,
--assigned of them assigned to the practitioner; one of those with --events check-ins
over the two years before now (so its case page folds them all: figures, the weekly chart,
the standing). The projections catch up and the caseload figures are computed once, as the
runner does.

Then, in this process with Flask's test client (so both sides are timed the same way, from
the request to the last byte of the answer, without a network in between), --requests of
each, after 20 not counted:

* GET /cases/<id> of the long case, signed in as the practitioner;
* GET / (the dashboard: the first page of the practitioner's 200 cases, with its counts);
* a bare Flask app rendering a Jinja page of the same size (rows of escaped text).

Each line prints p50 and p95 in ms, the rate, the page's size, and the ratio of its rate to
the bare render's. Targets: both pages p95 < 100 ms and at least 30 % of the bare render's
rate; each page at most 150 KB and referring to no other origin. The exit status is 0 only
when all are met.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from flask import Flask, render_template_string

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.databases import fresh_database  # noqa: E402
from mend.domain import commands as cmd  # noqa: E402
from mend.domain.authorization import Actor  # noqa: E402
from mend.platform import create_app  # noqa: E402
from mend.projections.freshness import refresh_stale_metrics  # noqa: E402

P95_TARGET_MS = 100.0
RATE_TARGET = 0.30
SIZE_LIMIT = 150 * 1024
PASSWORD = "a long benchmark passphrase"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
OTHER_ORIGIN = re.compile(r'(?:src|href|action)="(?:https?:)?//', re.I)


def log(message: str) -> None:
    print(f"  [{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))]


def timed(client, path: str, warmup: int, requests: int) -> tuple[list[float], bytes]:
    for _ in range(warmup):
        client.get(path)
    times, body = [], b""
    for _ in range(requests):
        started = time.perf_counter()
        answer = client.get(path)
        body = answer.get_data()
        times.append(time.perf_counter() - started)
        assert answer.status_code == 200, (path, answer.status_code)
    return times, body


def bare_app(size: int) -> Flask:
    """A Jinja page of about ``size`` bytes: a table of escaped text, rendered per request."""
    app = Flask("bare")
    # Each rendered row is about 90 bytes: as many as the page being compared holds.
    rows = [f"Entry {i}: a calmer week & a walk <together>" for i in range(max(1, size // 90))]
    page = ("<!doctype html><html><head><title>Bare</title></head><body><table>"
            "{% for r in rows %}<tr><th>{{ r }}</th><td>6.5</td><td>5.9</td></tr>{% endfor %}"
            "</table></body></html>")

    @app.get("/page")
    def render() -> str:
        return render_template_string(page, rows=rows)

    return app


def build(app: Flask, cases: int, assigned: int, events: int) -> tuple[str, str]:
    """The practice; returns the long case's id and the practitioner's email."""
    mend = app.extensions["mend"]
    membership, casework = mend.membership, mend.casework
    tenant_id, owner_id = membership.sign_up(
        name="Bench Practice", slug="bench", kind="practice", owner_email="owner@bench.test",
        owner_password=PASSWORD, owner_name="Olive Owner").result
    owner = Actor(owner_id, tenant_id, "owner")
    ids = {}
    for role, name in (("practitioner", "Pat Practitioner"), ("client", "Cleo Client")):
        invitation = membership.invite(owner, email=f"{role}@bench.test", name=name,
                                       role=role).result
        ids[role] = membership.accept_invitation(invitation.token, PASSWORD).result
    began = datetime.now(timezone.utc) - timedelta(days=730)
    started = time.monotonic()
    case_ids = []
    for n in range(cases):
        case_ids.append(casework.open_case(
            owner, kind="couple", title=f"Case {n:05d}", approach="therapy_guided",
            breach_category="dishonesty", breach_summary=f"Breach {n}.",
            occurred_at=began + timedelta(minutes=n)).originator_id)
        if n % 1000 == 999:
            log(f"{n + 1} cases opened ({time.monotonic() - started:.0f} s)")
    for case_id in case_ids[:assigned]:
        casework.record(owner, case_id, cmd.AssignPractitioner(account_id=ids["practitioner"]))
    long_case = case_ids[0]
    casework.record(owner, long_case, cmd.AddParticipant(account_id=ids["client"],
                                                        relation="partner"))
    casework.record(owner, long_case, cmd.SetBoundary(text="No phones at dinner."))
    step = timedelta(days=720) / max(1, events)
    for i in range(events):
        casework.record(owner, long_case, cmd.RecordCheckIn(
            participant_id=ids["client"], trust=3 + (i * 7) % 6, emotional_safety=5,
            communication_ease=4 + i % 4, conflicts=i % 3, note=f"Week note {i}.",
            occurred_at=began + timedelta(days=1) + step * i))
    log(f"recorded; projecting {mend.store.recorder.max_notification_id()} events")
    mend.runner.catch_up()
    refresh_stale_metrics(mend.casebook, mend.casebook.current_generation())
    log(f"set up in {time.monotonic() - started:.0f} s")
    return str(long_case), "practitioner@bench.test"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--assigned", type=int, default=200)
    parser.add_argument("--events", type=int, default=2_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database", choices=("postgres", "sqlite"), default="postgres")
    args = parser.parse_args()

    with fresh_database("web", args.database) as settings:
        app = create_app(settings)
        try:
            long_case, email = build(app, args.cases, args.assigned, args.events)
            client = app.test_client()
            token = CSRF.search(client.get("/login").get_data(as_text=True)).group(1)
            signed = client.post("/login", data={"email": email, "password": PASSWORD,
                                                 "csrf_token": token})
            assert signed.status_code == 302, signed.status_code
            results = {}
            for label, path in (("case page", f"/cases/{long_case}"), ("dashboard", "/")):
                log(f"timing {label}")
                results[label] = timed(client, path, 20, args.requests)
        finally:
            app.extensions["mend"].close()

    failed = False
    print(f"\n{args.cases} cases, {args.assigned} assigned to the practitioner, a case of "
          f"{args.events} check-ins; {args.requests} requests each; {args.database}\n")
    print(f"{'page':<44}{'p50 ms':>9}{'p95 ms':>9}{'per s':>9}{'KB':>8}{'vs bare':>9}")
    for label, (times, body) in results.items():
        bare = bare_app(len(body)).test_client()
        bare_times, bare_body = timed(bare, "/page", 20, args.requests)
        rate, bare_rate = 1 / statistics.mean(times), 1 / statistics.mean(bare_times)
        p95 = percentile(times, 95) * 1000
        ratio = rate / bare_rate
        print(f"{'GET ' + label:<44}{percentile(times, 50) * 1000:>9.1f}{p95:>9.1f}"
              f"{rate:>9.0f}{len(body) / 1024:>8.1f}{ratio:>8.0%}")
        print(f"{'  bare Flask, a Jinja page of that size':<44}"
              f"{percentile(bare_times, 50) * 1000:>9.1f}{percentile(bare_times, 95) * 1000:>9.1f}"
              f"{bare_rate:>9.0f}{len(bare_body) / 1024:>8.1f}")
        checks = {
            f"{label} p95 = {p95:.1f} ms (target < {P95_TARGET_MS:.0f} ms)": p95 < P95_TARGET_MS,
            f"{label} rate = {ratio:.0%} of the bare render (target >= {RATE_TARGET:.0%})":
                ratio >= RATE_TARGET,
            f"{label} size = {len(body) / 1024:.1f} KB (limit 150 KB)": len(body) <= SIZE_LIMIT,
            f"{label} refers to no other origin": not OTHER_ORIGIN.search(body.decode()),
        }
        for line, met in checks.items():
            print(f"RESULT {line}: {'met' if met else 'NOT met'}")
            failed |= not met
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""Rebuilding the casebook while it serves: a fresh generation replaces the old one in one step.

A web app with its inline runner serves a tenant's timelines, caseloads and audit feed while
another thread keeps recording; ``rebuild`` replays every event into the next generation and
swaps it in. The new generation must equal, table by table and row by row, one built from
scratch by a second rebuild once the writing stopped; the old tables must be gone; unchanged
cases must read exactly as before; nothing may be missing or doubled.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import InfrastructureFactory
from eventsourcing.utils import Environment

from mend.bootstrap import Mend
from mend.config import Settings
from mend.domain import commands as cmd
from mend.domain.store import MendStore
from mend.domain.ballots import BallotBox
from mend.domain.tenancy import Index
from mend.platform import create_app
from mend.projections.casebook import PostgresCasebook, SQLiteCasebook
from mend.projections.runner import ProjectionRunner, rebuild
from mend.projections.tables import table_names
from tests.integration.conftest import API, Practice, issue_token, make_practice, record_pulse
from tests.integration.test_projection_runner import (
    assert_same_tables, case_events, generation_rows, grow,
)

ROOT = Path(__file__).resolve().parents[2]
UTC = timezone.utc


# ---------------------------------------------------------------------- recording
def record_case(practice: Practice, n: int, began: datetime) -> UUID:
    """A case of the practitioner's with clients, staff notes, private journals, red flags
    and back-dated records; every time sits half a day off any window's edge."""
    work, pat, (cleo, dan) = practice.casework, practice.practitioner, practice.clients
    day = lambda d: began + timedelta(days=d + 0.5)  # noqa: E731
    case_id = work.open_case(
        pat, kind="couple" if n % 2 else "family", title=f"Case {n}",
        approach=("therapy_guided", "self_guided", "ai_assisted")[n % 3],
        breach_category="dishonesty", breach_summary=f"Breach {n}", occurred_at=day(0),
    ).originator_id
    for client in (cleo, dan):
        work.record(
            pat,
            case_id,
            cmd.AddParticipant(
                account_id=client.account_id, relation="partner", occurred_at=day(0)
            ),
        )
    for d in range(1, 20, 3):
        work.record(
            cleo,
            case_id,
            cmd.RecordCheckIn(
                trust=(d + n) % 11,
                emotional_safety=5,
                communication_ease=4,
                conflicts=d % 3,
                occurred_at=day(d),
            ),
        )
        work.record(
            dan,
            case_id,
            cmd.RecordCheckIn(
                trust=(2 * d + n) % 11,
                emotional_safety=6,
                communication_ease=5,
                conflicts=1,
                occurred_at=day(d),
            ),
        )
    work.record(
        cleo, case_id, cmd.WriteJournal(text=f"Cleo's own thoughts {n}", occurred_at=day(2))
    )
    shared = work.record(
        dan,
        case_id,
        cmd.WriteJournal(text=f"Dan, to all {n}", visibility="shared", occurred_at=day(3)),
    )
    # Held back from the portal: for good on one case, until a day on the next.
    work.record(pat, case_id, cmd.HoldBackEntry(
        entry_id=shared.event_id, until=None if n % 2 else datetime.now(UTC) + timedelta(days=9)))
    work.record(pat, case_id, cmd.NoteSession(text=f"Staff note {n}", occurred_at=day(4)))
    flag = work.record(
        pat, case_id, cmd.RaiseRedFlag(code="ongoing_secrecy", occurred_at=day(5))
    ).result
    if n % 2:
        work.record(pat, case_id, cmd.ResolveRedFlag(flag_id=flag, occurred_at=day(8)))
    work.record(
        pat,
        case_id,
        cmd.RecordSetback(severity=1 + n % 3, description="A slip", occurred_at=day(9)),
    )
    work.record(pat, case_id, cmd.ReachMilestone(title="Looked back", occurred_at=day(1)))  # late
    if n % 3 == 0:
        work.record(
            pat, case_id, cmd.RemoveParticipant(account_id=dan.account_id, occurred_at=day(19))
        )
        work.record(
            pat,
            case_id,
            cmd.CloseCase(outcome="reconciled" if n else "released", occurred_at=day(20)),
        )
    return case_id


class Writer(threading.Thread):
    """Keeps recording on a busy case, and now and then opens another, until stopped."""

    def __init__(self, practice: Practice, busy: UUID):
        super().__init__(name="writer", daemon=True)
        self.practice, self.busy = practice, busy
        self.stopping = threading.Event()
        self.written = 0
        self.opened: list[UUID] = []
        self.error: BaseException | None = None

    def run(self) -> None:
        work, pat, cleo = (
            self.practice.casework,
            self.practice.practitioner,
            self.practice.clients[0],
        )
        try:
            while not self.stopping.is_set():
                i = self.written
                if i % 25 == 24:
                    self.opened.append(
                        work.open_case(
                            pat,
                            kind="friendship",
                            title=f"Opened while rebuilding {i}",
                            approach="passive",
                            breach_category="other",
                            breach_summary="New.",
                        ).originator_id
                    )
                elif i % 3:
                    work.record(
                        cleo,
                        self.busy,
                        cmd.RecordCheckIn(
                            trust=i % 11, emotional_safety=4, communication_ease=4, conflicts=0
                        ),
                    )
                else:
                    work.record(pat, self.busy, cmd.NoteSession(text=f"Busy note {i}"))
                self.written += 1
        except BaseException as error:  # reported by the test
            self.error = error


# ---------------------------------------------------------------------- reading
def get(app: Any, token: dict[str, str], path: str, **query: Any) -> Any:
    answer = app.test_client().get(
        API + path,
        headers=token,
        query_string={
            k: v.isoformat() if isinstance(v, datetime) else v
            for k, v in query.items()
            if v is not None
        },
    )
    assert answer.status_code == 200, (path, answer.json)
    return answer.json


def answers(
    app: Any, tokens: dict[str, dict], still: list[UUID], head: int, as_of: datetime
) -> dict[str, Any]:
    """What staff and clients read of the cases no one is writing to, and of the audit feed
    up to ``head``: timelines (paged), metrics, weekly series, caseloads, outcomes."""
    read: dict[str, Any] = {}
    for case_id in still:
        for who, token in tokens.items():
            pages, after = [], None
            while True:
                page = get(app, token, f"/cases/{case_id}/timeline", limit=60, after=after)
                pages.append(page)
                if (after := page["next"]) is None:
                    break
            read[f"timeline {case_id} {who}"] = pages
            read[f"metrics {case_id} {who}"] = get(
                app, token, f"/cases/{case_id}/metrics", as_of=as_of
            )
            read[f"weekly {case_id} {who}"] = get(
                app, token, f"/cases/{case_id}/metrics/weekly", as_of=as_of
            )
    names = {str(c) for c in still}
    for who in ("owner", "pat"):
        rows = get(app, tokens[who], "/caseload", limit=200)["cases"]
        read[f"caseload {who}"] = [row for row in rows if row["id"] in names]
    read["outcomes"] = get(app, tokens["owner"], "/analytics/outcomes")
    read["audit"] = audit_until(app, tokens["owner"], head)
    return read


def audit_until(app: Any, token: dict[str, str], head: int) -> list[dict]:
    """The tenant's audit entries recorded up to the notification ``head``, newest first."""
    entries, before = [], head + 1
    while before is not None:
        page = get(app, token, "/audit", limit=500, before=before)
        entries += page["entries"]
        before = page["next"]
    return entries


def existing_tables(view: Any, generation: int) -> list[str]:
    wanted = table_names(generation)
    if isinstance(view, SQLiteCasebook):
        rows = view._rows("SELECT name FROM sqlite_master WHERE type = 'table'", {})
        found = {r["name"] for r in rows}
    else:
        rows = view._rows("SELECT tablename FROM pg_tables", {})
        found = {r["tablename"] for r in rows}
    return [t for t in wanted if t in found]


def activity_expected(store: Any) -> list[tuple[str, int]]:
    """(tenant, notification id) of every event the activity feed must hold once: all but
    the indexes' and the ballot boxes' (a score's place in the feed would sit beside the
    mark of who answered)."""
    found, start = [], 0
    while page := store.recorder.select_notifications(
        start=start, limit=1000, inclusive_of_start=False
    ):
        for n in page:
            e = store.mapper.to_domain_event(n)
            if getattr(e, "tenant_id", None) is not None and not isinstance(
                    e, (Index.Event, BallotBox.Event)):
                found.append((str(e.tenant_id), n.id))
        start = page[-1].id
    return sorted(found)


def activity_rows(view: Any) -> list[tuple[str, int]]:
    rows = view._rows(f"SELECT tenant_id, position FROM {view.prefix()}activity", {})
    return sorted((r["tenant_id"], r["position"]) for r in rows)


def timeline_rows(view: Any) -> list[tuple[int, str, str]]:
    rows = view._rows(
        f"SELECT position, case_id, event_id FROM {view.prefix()}timeline ORDER BY position", {}
    )
    return [(r["position"], r["case_id"], r["event_id"]) for r in rows]


# ---------------------------------------------------------------------- the test
@pytest.fixture
def served(settings: Settings) -> Iterator[tuple[Any, Mend]]:
    app = create_app(settings)
    app.testing = True
    yield app, app.extensions["mend"]
    app.extensions["mend"].close()


def test_a_rebuild_while_serving_and_recording_swaps_in_an_identical_generation(served):
    app, mend = served
    practice = make_practice(mend.store, slug="rebuilding", clients=2)
    began = datetime.now(UTC).replace(microsecond=0) - timedelta(days=40)
    still = [record_case(practice, n, began) for n in range(6)]
    record_pulse(mend.store, "rebuilding-depot")
    grow(mend.store, practice.owner, still[1], 1200, per_save=100)  # a long history to replay
    busy = practice.casework.open_case(
        practice.practitioner,
        kind="couple",
        title="Busy",
        approach="self_guided",
        breach_category="neglect",
        breach_summary="Busy.",
    ).originator_id
    practice.casework.record(
        practice.practitioner, busy, cmd.AddParticipant(account_id=practice.clients[0].account_id)
    )
    client = app.test_client()
    tokens = {
        "owner": issue_token(client, "owner@rebuilding.example", "owner-long-password"),
        "pat": issue_token(client, "pat@rebuilding.example", "practitioner-long-password"),
        "cleo": issue_token(client, "client0@rebuilding.example", "client-long-password"),
    }
    head = mend.store.recorder.max_notification_id()
    mend.wait_for_projections(head, 30)
    as_of = datetime.now(UTC)
    before = answers(app, tokens, still, head, as_of)
    old = mend.casebook.current_generation()
    assert existing_tables(mend.casebook, old) == table_names(old)

    writer = Writer(practice, busy)
    writer.start()
    try:
        deadline = time.monotonic() + 10
        while writer.written < 20 and writer.error is None and time.monotonic() < deadline:
            time.sleep(0.01)
        written_before = writer.written
        new = rebuild(mend.store, mend.casebook, grace_seconds=0)
        written_during = writer.written - written_before
        time.sleep(0.3)  # and more after the swap
    finally:
        writer.stopping.set()
        writer.join(timeout=30)
    assert writer.error is None, writer.error
    assert written_during > 0, "nothing was recorded while the rebuild ran"

    # The served generation moved on and the old one's tables and tracking are gone.
    assert new == old + 1 == mend.casebook.current_generation()
    assert existing_tables(mend.casebook, old) == []
    assert mend.casebook.max_tracking_id(mend.casebook.tracking_name(old)) is None
    last = mend.store.recorder.max_notification_id()
    mend.wait_for_projections(last, 30)
    assert app.test_client().get("/healthz").json["projections"]["generation"] == new

    # Nothing missing, nothing doubled, in log order.
    assert timeline_rows(mend.casebook) == case_events(mend.store)
    assert activity_rows(mend.casebook) == activity_expected(mend.store)
    busy_timeline, after = [], None
    while True:  # every page of it
        page = get(app, tokens["owner"], f"/cases/{busy}/timeline", limit=500, after=after)
        busy_timeline += page["events"]
        if not (after := page["next"]):
            break
    # opened, breach, practitioner, participant, then what the writer wrote
    assert len(busy_timeline) == 4 + writer.written - len(writer.opened)
    assert len({e["id"] for e in busy_timeline}) == len(busy_timeline)
    caseload = {row["id"] for status in ("open", "closed")
                for row in get(app, tokens["pat"], "/caseload", limit=200, status=status)["cases"]}
    assert caseload == {str(c) for c in [*still, busy, *writer.opened]}

    # Unchanged cases read exactly as before; the audit feed up to then is the same.
    assert answers(app, tokens, still, head, as_of) == before

    # Row by row, the generation built while serving equals one built from scratch by a
    # second rebuild once the writing stopped (stored metrics recomputed on one clock).
    mend.runner.stop()  # nothing else writes from here on
    now = datetime.now(UTC)
    built_while_serving = generation_rows(mend.casebook, new, now)
    again = rebuild(mend.store, mend.casebook, grace_seconds=0)
    assert again == new + 1 == mend.casebook.current_generation()
    assert existing_tables(mend.casebook, new) == []
    assert_same_tables(built_while_serving, generation_rows(mend.casebook, again, now))
    assert answers(app, tokens, still, head, as_of) == before


#: The CLI test's own connections: the CLI process opens full pools of its own.
SMALL_POOL = {"POSTGRES_POOL_SIZE": "2", "POSTGRES_MAX_OVERFLOW": "2"}


def test_the_cli_rebuilds_and_prints_the_generation(settings: Settings):
    store = MendStore(env={**settings.store_env(), **SMALL_POOL})
    view = InfrastructureFactory.construct(
        Environment("MendViews", {**settings.views_env(), **SMALL_POOL})
    ).tracking_recorder(SQLiteCasebook if settings.is_sqlite else PostgresCasebook)
    try:
        practice = make_practice(store, slug="cli", clients=2)
        cases = [record_case(practice, n, datetime.now(UTC) - timedelta(days=30)) for n in range(2)]
        cases.append(record_pulse(store, "cli-depot"))
        ProjectionRunner(store, view).catch_up()
        generation = view.current_generation()
        now = datetime.now(UTC)
        before = generation_rows(view, generation, now)
        assert {r["case_id"] for r in before["cases"]} == {str(c) for c in cases}

        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("MEND_") and k not in ("REDIS_URL", "SECRET_KEY")
        }
        env["DATABASE_URL"] = settings.database_url
        done = subprocess.run(
            [
                str(Path(sys.executable).parent / "flask"),
                "--app",
                "wsgi",
                "projections",
                "rebuild",
                "--grace",
                "0",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        printed = re.search(r"casebook rebuilt as generation (\d+)", done.stdout)
        assert printed, done.stdout
        assert int(printed.group(1)) == generation + 1 == view.current_generation()
        assert existing_tables(view, generation) == []
        assert_same_tables(generation_rows(view, generation + 1, now), before)
    finally:
        view.datastore.close()
        store.close()

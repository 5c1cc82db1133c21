"""`flask --app wsgi history statement` and `history verify` on the real stores, and the
scheduler's one statement a day: what they print, what they write, their exit status."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from flask import Flask

from mend.config import Settings
from mend.platform import create_app
from mend.projections.history.chain import link
from mend.projections.history.statements import read_statement
from mend.projections.history.walk import walk
from mend.workers.scheduler import Scheduler
from tests.integration.conftest import make_practice
from tests.integration.test_history_chain import SEED, RawTables, record_case


@pytest.fixture
def keyed(settings: Settings, tmp_path: Path) -> Settings:
    return dataclasses.replace(settings, history_signing_key=SEED,
                               history_statements=str(tmp_path / "statements"))


@pytest.fixture
def history_app(keyed: Settings) -> Iterator[Flask]:
    """The platform (no scheduler) with a case recorded through its store."""
    app = create_app(keyed)
    app.testing = True
    record_case(make_practice(app.extensions["mend"].store))
    yield app
    app.extensions["mend"].close()


def history(app: Flask, *args: str) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["history", *args])
    return result.exit_code, result.output


def test_verify_of_a_whole_store_says_all_events_hold_and_exits_zero(history_app, keyed):
    events = len(RawTables(keyed).ids())
    status, output = history(history_app, "verify")
    assert status == 0, output
    assert f"history: all {events} events hold (up to notification id" in output


def test_verify_names_the_first_broken_link_and_exits_one(history_app, keyed):
    raw = RawTables(keyed)
    at = raw.ids()[4]
    row = raw.stored_row(at)
    raw.flip_a_byte(at)

    status, output = history(history_app, "verify")
    assert status == 1
    lines = output.splitlines()
    assert lines[0] == (f"history: BROKEN at notification id {at}: the stored event no longer"
                        " gives the link stored for it")
    assert f"version {row.originator_version}, topic {row.topic}" in lines[1]
    expected = link(raw.link_of(raw.ids()[3]), raw.stored_row(at))
    assert lines[2] == f"  expected: {expected.hex()}"
    assert lines[3] == f"  found:    {raw.link_of(at).hex()}"
    assert raw.link_of(at) != expected
    assert lines[4] == f"  the 4 events before it hold (up to notification id {raw.ids()[3]})"


def test_a_statement_then_a_cut_tail_fails_verify_with_the_statement_only(
        history_app, keyed, tmp_path):
    kept = tmp_path / "kept.json"
    status, output = history(history_app, "statement", "--out", str(kept))
    assert status == 0, output
    statement = read_statement(kept)
    assert statement.signature_holds()
    assert f"written to {kept}" in output
    status, output = history(history_app, "verify", "--statement", str(kept))
    assert status == 0 and "statement: holds" in output, output

    RawTables(keyed).cut_after(RawTables(keyed).ids()[-3])

    status, output = history(history_app, "verify")
    assert status == 0 and "events hold" in output
    status, output = history(history_app, "verify", "--statement", str(kept))
    assert status == 1
    assert "events hold" in output
    assert "statement: FAILS: the store has been cut below it" in output


def test_verify_requires_the_key_given_to_have_signed_the_statement(history_app, tmp_path):
    kept = tmp_path / "kept.json"
    history(history_app, "statement", "--out", str(kept))
    status, output = history(history_app, "verify", "--statement", str(kept),
                             "--public-key", "00" * 32)
    assert status == 1 and "not by the key given" in output
    own = read_statement(kept).public_key
    assert history(history_app, "verify", "--statement", str(kept), "--public-key", own)[0] == 0


def test_a_file_that_is_no_statement_is_refused(history_app, tmp_path):
    junk = tmp_path / "junk.json"
    junk.write_text(json.dumps({"hello": "world"}))
    status, output = history(history_app, "verify", "--statement", str(junk))
    assert status == 1 and "not a statement" in output


def test_statement_prints_a_signed_statement_of_the_head(history_app, keyed):
    status, output = history(history_app, "statement")
    assert status == 0
    fields = json.loads(output)
    raw = RawTables(keyed)
    assert fields["last_notification_id"] == raw.ids()[-1]
    assert fields["head_hash"] == raw.link_of(raw.ids()[-1]).hex()
    assert fields["events"] == len(raw.ids())


def test_production_without_a_signing_key_refuses_to_sign_but_verifies(history_app):
    mend = history_app.extensions["mend"]
    mend.settings = dataclasses.replace(mend.settings, environment="production",
                                        history_signing_key=None)
    status, output = history(history_app, "statement")
    assert status == 1 and "MEND_HISTORY_SIGNING_KEY is not set" in output
    assert history(history_app, "verify")[0] == 0


def test_two_schedulers_write_one_statement_a_day_and_each_holds(history_app, keyed):
    mend = history_app.extensions["mend"]
    now = [datetime.now(timezone.utc)]
    schedulers = [Scheduler(mend, clock=lambda: now[0]) for _ in range(2)]
    for scheduler in schedulers * 2:
        scheduler.step()
    folder = Path(keyed.history_statements)
    assert [p.name for p in folder.iterdir()] == [f"statement-{now[0].date()}.json"]

    record_case(make_practice(mend.store, slug="next-day-practice"), check_ins=1)
    now[0] += timedelta(days=1)
    for scheduler in schedulers:
        scheduler.step()
    files = sorted(folder.iterdir())
    assert len(files) == 2
    first, second = (read_statement(f) for f in files)
    assert second.events > first.events
    assert all(walk(mend.store.recorder, s).holds for s in (first, second))

"""The history chain's encoding, its signed statements and their key, without a database."""

from __future__ import annotations

import hashlib
import json
import logging
import stat
import struct
from datetime import datetime, timezone
from types import SimpleNamespace
from uuid import UUID

import pytest

from mend.config import ConfigurationError, Settings
from mend.projections.history.chain import H0, StoredRow, link
from mend.projections.history.statements import (
    SigningKeyMissing,
    Statement,
    StatementUnreadable,
    key_from_seed,
    make_statement,
    public_key_hex,
    signing_key,
)
from mend.workers.history_statements import enqueue_daily_statement, write_daily_statement

SEED = "bWVuZC10ZXN0cy1oaXN0b3J5LXNpZ25pbmcta2V5ISE="
CASE = UUID("0d5c7a52-8a0e-4a57-9a51-2f1c3b6e9d10")
TOPIC = "mend.domain.case:Case.CheckInRecorded"


class Head:
    """A recorder's chain head, as the statements read it."""

    def __init__(self, last: int = 41, head: bytes = b"\x07" * 32, events: int = 40):
        self.values = (last, head, events)

    def history_head(self) -> tuple[int, bytes, int]:
        return self.values


def test_the_first_link_is_the_documented_hash_of_h0_and_the_fields():
    row = StoredRow(1, CASE, 3, TOPIC, b"\x00sealed bytes")
    originator, topic = str(CASE).encode(), TOPIC.encode()
    by_hand = hashlib.sha256(
        hashlib.sha256(b"Mend history chain, version 1").digest()
        + struct.pack(">q", 1) + struct.pack(">I", 36) + originator + struct.pack(">q", 3)
        + struct.pack(">I", len(topic)) + topic + hashlib.sha256(b"\x00sealed bytes").digest()
    ).digest()
    assert link(H0, row) == by_hand
    assert H0.hex() == "47eb9f017106d8d83a4013603f7d6dc4a14dceb7cc199b66fd61b2e3a2351aca"


def test_a_uuid_stored_as_hex_text_links_as_the_uuid_itself():
    assert link(H0, StoredRow(9, CASE.hex, 1, TOPIC, b"s")) == link(
        H0, StoredRow(9, CASE, 1, TOPIC, b"s"))


def test_bytes_moved_between_the_id_and_the_topic_give_another_link():
    assert link(H0, StoredRow(1, "ab", 1, "c", b"")) != link(H0, StoredRow(1, "a", 1, "bc", b""))


@pytest.mark.parametrize("field, value", [
    ("notification_id", 2), ("originator_version", 4), ("topic", TOPIC + "x"),
    ("state", b"\x01sealed bytes"),
])
def test_every_field_is_in_the_link(field, value):
    row = StoredRow(1, CASE, 3, TOPIC, b"\x00sealed bytes")
    assert link(H0, row._replace(**{field: value})) != link(H0, row)
    assert link(b"\x01" * 32, row) != link(H0, row)


def test_a_statement_round_trips_through_its_json_and_its_signature_holds():
    made = make_statement(Head(), "postgresql://db:5432/mend", key_from_seed(SEED),
                          datetime(2030, 3, 4, 0, 0, 2, tzinfo=timezone.utc))
    assert (made.last_notification_id, made.events, made.head_hash) == (41, 40, "07" * 32)
    assert made.made_at == "2030-03-04T00:00:02Z"
    again = Statement.from_json(made.to_json())
    assert again == made and again.signature_holds()


@pytest.mark.parametrize("field, value", [
    ("last_notification_id", 40), ("head_hash", "08" * 32), ("events", 41),
    ("store", "postgresql://elsewhere:5432/mend"), ("made_at", "2031-01-01T00:00:00Z"),
])
def test_a_statement_altered_after_signing_does_not_hold(field, value):
    fields = json.loads(make_statement(Head(), "s", key_from_seed(SEED)).to_json())
    fields[field] = value
    assert not Statement.from_json(json.dumps(fields)).signature_holds()


def test_a_statement_signed_by_another_key_than_it_names_does_not_hold():
    other = make_statement(Head(), "s", key_from_seed("A" * 43 + "="))
    fields = json.loads(make_statement(Head(), "s", key_from_seed(SEED)).to_json())
    fields["signature"] = other.signature
    assert not Statement.from_json(json.dumps(fields)).signature_holds()


@pytest.mark.parametrize("text", [
    "not json", "[]", '{"statement": "mend-history-head"}',
    json.dumps({"statement": "other", "version": 1, "store": "s", "last_notification_id": 1,
                "head_hash": "", "events": 1, "made_at": "", "public_key": "",
                "signature": ""}),
    json.dumps({"statement": "mend-history-head", "version": 1, "store": "s",
                "last_notification_id": "1", "head_hash": "", "events": 1, "made_at": "",
                "public_key": "", "signature": ""}),
])
def test_a_document_that_is_no_statement_is_unreadable(text):
    with pytest.raises(StatementUnreadable):
        Statement.from_json(text)


def test_production_without_a_key_refuses_to_sign(tmp_path):
    with pytest.raises(SigningKeyMissing, match="MEND_HISTORY_SIGNING_KEY"):
        signing_key(None, production=True, development_key=tmp_path / "k")
    assert not (tmp_path / "k").exists()


def test_development_without_a_key_makes_one_of_its_own_keeps_it_and_says_so(tmp_path, caplog):
    path = tmp_path / "var" / "history-signing.key"
    with caplog.at_level(logging.WARNING):
        first = signing_key(None, production=False, development_key=path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "MEND_HISTORY_SIGNING_KEY is unset" in caplog.text and str(path) in caplog.text
    again = signing_key(None, production=False, development_key=path)
    assert public_key_hex(again) == public_key_hex(first)


def test_a_configured_key_is_used_in_either_mode(tmp_path):
    expected = public_key_hex(key_from_seed(SEED))
    for production in (True, False):
        key = signing_key(SEED, production=production, development_key=tmp_path / "k")
        assert public_key_hex(key) == expected
    assert not (tmp_path / "k").exists()


@pytest.mark.parametrize("value", ["not base64!", "c2hvcnQ="])
def test_a_signing_key_that_is_not_a_32_byte_seed_is_refused_at_start(value):
    with pytest.raises(ConfigurationError, match="MEND_HISTORY_SIGNING_KEY"):
        Settings.from_env({"MEND_HISTORY_SIGNING_KEY": value})


def test_the_history_settings_come_from_the_environment():
    settings = Settings.from_env({"MEND_HISTORY_SIGNING_KEY": SEED,
                                  "MEND_HISTORY_STATEMENTS": "/srv/statements"})
    assert (settings.history_signing_key, settings.history_statements) == (
        SEED, "/srv/statements")
    assert SEED not in repr(settings)
    assert Settings.from_env({}).history_statements == "var/statements"


@pytest.mark.parametrize("url, recorder", [
    ("sqlite:///var/x.sqlite", "chained_sqlite:ChainedSQLiteRecorder"),
    ("postgresql://u@h:5432/db", "chained_postgres:ChainedPostgresRecorder"),
])
def test_the_store_is_configured_with_the_chained_recorder_of_its_kind(url, recorder, tmp_path,
                                                                       monkeypatch):
    monkeypatch.chdir(tmp_path)  # a SQLite store makes its folder
    env = Settings(database_url=url).store_env()
    assert env["APPLICATION_RECORDER_TOPIC"] == f"mend.projections.history.{recorder}"


class Jobs:
    def __init__(self):
        self.enqueued: list[tuple[str, tuple[str, ...]]] = []

    def enqueue(self, job, *args, job_id=None, **_):
        self.enqueued.append((job_id, args))


def test_the_daily_statement_is_enqueued_once_a_day_under_the_days_job_id():
    mend = SimpleNamespace(jobs=Jobs())
    day = None
    for hour in (0, 1, 23):
        day = enqueue_daily_statement(mend, datetime(2030, 3, 4, hour, tzinfo=timezone.utc), day)
    day = enqueue_daily_statement(mend, datetime(2030, 3, 5, tzinfo=timezone.utc), day)
    assert mend.jobs.enqueued == [("history-statement-2030-03-04", ("2030-03-04",)),
                                  ("history-statement-2030-03-05", ("2030-03-05",))]


def fake_mend(tmp_path, **settings) -> SimpleNamespace:
    settings = Settings(history_statements=str(tmp_path / "out"), **settings)
    return SimpleNamespace(settings=settings, store=SimpleNamespace(recorder=Head()))


def test_the_days_statement_is_written_once_whoever_runs_the_job(tmp_path):
    mend = fake_mend(tmp_path, history_signing_key=SEED)
    assert write_daily_statement(mend, "2030-03-04").endswith(": 40 events")
    path = tmp_path / "out" / "statement-2030-03-04.json"
    written = path.read_text()
    mend.store.recorder = Head(last=99, events=98)
    assert write_daily_statement(mend, "2030-03-04").endswith("was written already")
    assert path.read_text() == written
    assert [p.name for p in (tmp_path / "out").iterdir()] == [path.name]
    assert Statement.from_json(written).signature_holds()


def test_without_a_key_in_production_the_day_has_no_statement_and_the_job_says_why(tmp_path):
    mend = fake_mend(tmp_path, environment="production")
    assert write_daily_statement(mend, "2030-03-04").startswith("not signed: ")
    assert not (tmp_path / "out").exists()

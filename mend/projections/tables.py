"""The casebook's tables and write statements, written once for SQLite and PostgreSQL.

Every table name starts with a generation prefix (``mend_g3_``): a rebuild fills the next
generation while the current one keeps serving, then one row update swaps them. Statements
use ``{p}`` for that prefix and ``:name`` parameters. Times are microseconds since the
epoch (BIGINT): they order the same in both stores, unlike text under a collation.
"""

from __future__ import annotations

import re

#: Columns added to a table after generations of it were already made: (table, column, its
#: declaration). Opening a generation adds what it lacks and has every case's stored figures
#: recomputed, so a running installation gains them without a rebuild.
ADDED_COLUMNS = (
    ("cases", "risk_reasons", "TEXT NOT NULL DEFAULT '[]'"),
    ("cases", "trust_change", "DOUBLE PRECISION"),
)

TABLES = (
    """CREATE TABLE IF NOT EXISTS {p}timeline (
        event_id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL,
        case_id TEXT NOT NULL,
        position BIGINT NOT NULL,
        type TEXT NOT NULL,
        occurred_us BIGINT NOT NULL,
        recorded_us BIGINT NOT NULL,
        actor_id TEXT,
        visibility TEXT NOT NULL,
        summary TEXT NOT NULL,
        data TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS {p}timeline_by_case"
    " ON {p}timeline (tenant_id, case_id, occurred_us, position)",
    # The metrics fold a case's events in recording order; this index serves that read.
    "CREATE INDEX IF NOT EXISTS {p}timeline_by_position ON {p}timeline (case_id, position)",
    """CREATE TABLE IF NOT EXISTS {p}cases (
        case_id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL,
        title TEXT NOT NULL,
        kind TEXT NOT NULL,
        approach TEXT NOT NULL,
        stage TEXT NOT NULL,
        status TEXT NOT NULL,
        outcome TEXT,
        opened_us BIGINT NOT NULL,
        last_activity_us BIGINT NOT NULL,
        touched_seq BIGINT NOT NULL DEFAULT 0,
        fresh_seq BIGINT NOT NULL DEFAULT 0,
        metrics_day TEXT NOT NULL DEFAULT '',
        risk TEXT,
        trust_score DOUBLE PRECISION,
        next_checkin_due_us BIGINT,
        closed_approach TEXT,
        months_to_change DOUBLE PRECISION,
        risk_reasons TEXT NOT NULL DEFAULT '[]',
        trust_change DOUBLE PRECISION)""",
    "CREATE INDEX IF NOT EXISTS {p}cases_by_tenant ON {p}cases (tenant_id, case_id)",
    # Finds the few cases whose stored figures lag their events without scanning them all.
    "CREATE INDEX IF NOT EXISTS {p}cases_stale ON {p}cases (case_id)"
    " WHERE fresh_seq < touched_seq",
    """CREATE TABLE IF NOT EXISTS {p}case_people (
        case_id TEXT NOT NULL,
        account_id TEXT NOT NULL,
        part TEXT NOT NULL,
        relation TEXT NOT NULL,
        PRIMARY KEY (case_id, account_id, part))""",
    # case_id last: a caseload page reads one person's cases in case_id order, up to its limit.
    "CREATE INDEX IF NOT EXISTS {p}case_people_by_account"
    " ON {p}case_people (account_id, part, case_id)",
    """CREATE TABLE IF NOT EXISTS {p}accounts (
        account_id TEXT PRIMARY KEY,
        name TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS {p}activity (
        tenant_id TEXT NOT NULL,
        position BIGINT NOT NULL,
        recorded_us BIGINT NOT NULL,
        occurred_us BIGINT,
        actor_id TEXT,
        type TEXT NOT NULL,
        case_id TEXT,
        summary TEXT NOT NULL,
        PRIMARY KEY (tenant_id, position))""",
    # Entries held back from the portal: until_us NULL holds until released.
    """CREATE TABLE IF NOT EXISTS {p}holds (
        event_id TEXT PRIMARY KEY,
        case_id TEXT NOT NULL,
        until_us BIGINT)""",
    # How many answers of each score a pulse has: a tally, so not even the order of the
    # answers is kept. Read only through the reader, which shows it once the pulse is over.
    """CREATE TABLE IF NOT EXISTS {p}pulse_tally (
        tenant_id TEXT NOT NULL,
        box_id TEXT NOT NULL,
        score INTEGER NOT NULL,
        answers INTEGER NOT NULL,
        PRIMARY KEY (box_id, score))""",
)

STATEMENTS = {
    "timeline": (
        "INSERT INTO {p}timeline VALUES (:event_id, :tenant_id, :case_id, :position, :type,"
        " :occurred_us, :recorded_us, :actor_id, :visibility, :summary, :data)"
    ),
    "case_opened": (
        "INSERT INTO {p}cases (case_id, tenant_id, title, kind, approach, stage, status,"
        " opened_us, last_activity_us) VALUES (:case_id, :tenant_id, :title, :kind, :approach,"
        " :stage, 'open', :occurred_us, :occurred_us)"
    ),
    "case_touched": (
        "UPDATE {p}cases SET touched_seq = :position,"
        " last_activity_us = CASE WHEN last_activity_us < :occurred_us"
        " THEN :occurred_us ELSE last_activity_us END WHERE case_id = :case_id"
    ),
    "case_stage": "UPDATE {p}cases SET stage = :stage WHERE case_id = :case_id",
    "case_approach": "UPDATE {p}cases SET approach = :approach WHERE case_id = :case_id",
    "case_status": (
        "UPDATE {p}cases SET status = :status, outcome = :outcome WHERE case_id = :case_id"
    ),
    "person_added": (
        "INSERT INTO {p}case_people VALUES (:case_id, :account_id, :part, :relation)"
    ),
    "person_removed": (
        "DELETE FROM {p}case_people"
        " WHERE case_id = :case_id AND account_id = :account_id AND part = :part"
    ),
    "account_named": "INSERT INTO {p}accounts VALUES (:account_id, :name)",
    "account_renamed": "UPDATE {p}accounts SET name = :name WHERE account_id = :account_id",
    "activity": (
        "INSERT INTO {p}activity VALUES (:tenant_id, :position, :recorded_us, :occurred_us,"
        " :actor_id, :type, :case_id, :summary)"
    ),
    "entry_held": (
        "INSERT INTO {p}holds VALUES (:event_id, :case_id, :until_us)"
        " ON CONFLICT (event_id) DO UPDATE SET until_us = excluded.until_us"
    ),
    "entry_released": "DELETE FROM {p}holds WHERE event_id = :event_id",
    "ballot_cast": (
        "INSERT INTO {p}pulse_tally VALUES (:tenant_id, :box_id, :score, 1)"
        " ON CONFLICT (box_id, score) DO UPDATE SET answers = {p}pulse_tally.answers + 1"
    ),
    "metrics": (
        "UPDATE {p}cases SET fresh_seq = :seen, metrics_day = :day, risk = :risk,"
        " trust_score = :trust_score, next_checkin_due_us = :next_due,"
        " closed_approach = :closed_approach, months_to_change = :months_to_change,"
        " risk_reasons = :risk_reasons, trust_change = :trust_change"
        " WHERE case_id = :case_id"
    ),
}


#: Inserts that only ever append rows to a table that no other statement of a batch reads or
#: changes (the holds refer to timeline rows by id but never touch them): a batch may write
#: all of them at once, ahead of its other statements, with the same outcome. Each maps to
#: its table and columns; every parameter is named after its column.
APPENDS = {
    name: (name, tuple(re.findall(r"(?<!:):([a-z_0-9]+)", STATEMENTS[name])))
    for name in ("timeline", "activity")
}


def names(generation: int) -> str:
    return f"mend_g{generation}_"


def table_names(generation: int) -> list[str]:
    prefix = names(generation)
    return [
        prefix + table
        for table in ("timeline", "cases", "case_people", "accounts", "activity", "holds",
                      "pulse_tally")
    ]

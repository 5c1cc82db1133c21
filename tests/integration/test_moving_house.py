"""Moving house: the demo's tenants leave a Mend as files of their whole history and arrive in
empty Mends, which rebuild the same read models from them, row by row.

The source is the demo seeded on PostgreSQL with its events encrypted. Both tenants go to a
fresh PostgreSQL with another cipher key, Harbor first, so that Omar, who works in both,
arrives with Harbor and is kept when Northwind follows; Harbor alone goes to SQLite with no
cipher at all. Once each runner has caught up, every read-model table is compared for the
tenant, the stored figures first recomputed on both sides with one clock (they follow the
clock as well as the events).

What legitimately differs: the notification positions of the new log (``timeline.position``,
``activity.position``, ``cases.touched_seq`` and ``fresh_seq``), since the other tenants'
events are not in it; rows are compared without them, in their order where the order is the
history's own. The activity feed of a tenant that arrives after a person it shares with
another tenant holds the same rows, but that person's events came with the first tenant, so
they sit earlier in its order: it is compared as a set of rows there.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from dataclasses import dataclass
from io import BytesIO
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.cipher import AESCipher

from mend.bootstrap import Mend, bootstrap
from mend.config import Settings
from mend.demo import DEMO_PASSWORD, DEMO_PEOPLE, HARBOR, NORTHWIND, seed_demo
from mend.domain import commands as cmd
from mend.domain.authorization import Actor
from mend.domain.store import MendStore
from mend.domain.tenancy import SLUGS, Tenant
from mend.projections.freshness import refresh_stale_metrics
from mend.projections.tables import names
from mend.workers.exports import ImportRefused, export_tenant, import_tenant
from mend.workers.tenant_import import Imported

#: Columns that hold positions in a store's own log.
POSITIONS = {"position", "touched_seq", "fresh_seq"}
#: Each table of a tenant: how its rows are chosen and put in a stable order.
TABLES = {
    "timeline": ("tenant_id = :t", "position"),
    "cases": ("tenant_id = :t", "case_id"),
    "case_people": ("case_id IN (SELECT case_id FROM {p}cases WHERE tenant_id = :t)",
                    "case_id, account_id, part"),
    "activity": ("tenant_id = :t", "position"),
    "holds": ("case_id IN (SELECT case_id FROM {p}cases WHERE tenant_id = :t)", "event_id"),
    "pulse_tally": ("tenant_id = :t", "box_id, score"),
}


# ---------------------------------------------------------------------- the moves
@dataclass
class Source:
    mend: Mend
    #: The file of each tenant, by slug.
    files: dict[str, bytes]

    @property
    def store(self) -> MendStore:
        return self.mend.store


@dataclass
class Target:
    mend: Mend
    #: What each import said, by slug, in the order they were imported.
    imported: dict[str, Imported]


@pytest.fixture(scope="module")
def source(pg_databases) -> Iterator[Source]:
    """The demo on PostgreSQL, encrypted, and the file of each of its tenants."""
    settings = Settings(database_url=pg_databases(), cipher_key=AESCipher.create_key(32))
    mend = bootstrap(settings, start_runner=False)
    seed_demo(mend)
    mend.runner.catch_up()
    hold_back_entries(mend)
    files = {}
    for spec in (HARBOR, NORTHWIND):
        out = BytesIO()
        export_tenant(mend, mend.store.lookup(SLUGS, spec["slug"]), out)
        files[spec["slug"]] = out.getvalue()
    mend.runner.catch_up()
    yield Source(mend, files)
    mend.close()


def moved_into(settings: Settings, source: Source, slugs: tuple[str, ...]) -> Target:
    mend = bootstrap(settings, start_runner=False)
    target = Target(mend, {slug: import_tenant(mend, source.files[slug]) for slug in slugs})
    mend.runner.catch_up()
    return target


@pytest.fixture(scope="module")
def postgres_target(source, pg_databases) -> Iterator[Target]:
    settings = Settings(database_url=pg_databases(), cipher_key=AESCipher.create_key(32))
    target = moved_into(settings, source, ("harbor", "northwind"))
    yield target
    target.mend.close()


@pytest.fixture(scope="module")
def sqlite_target(source, tmp_path_factory) -> Iterator[Target]:
    path = tmp_path_factory.mktemp("moved") / "mend.sqlite"
    target = moved_into(Settings(database_url=f"sqlite:///{path}"), source, ("harbor",))
    yield target
    target.mend.close()


MOVES = [("postgres_target", "harbor"), ("postgres_target", "northwind"),
         ("sqlite_target", "harbor")]


@pytest.fixture(params=MOVES, ids=lambda move: f"{move[1]}-to-{move[0].split('_')[0]}")
def move(request, source) -> tuple[Source, Target, str]:
    target_name, slug = request.param
    return source, request.getfixturevalue(target_name), slug


def hold_back_entries(mend: Mend) -> None:
    """The demo holds nothing back from the portal: Harbor's owner holds back the two latest
    shared entries of an open case, one until released and one until tomorrow."""
    owner = owner_of(mend, mend.store.lookup(SLUGS, "harbor"))
    case = next(c for c in mend.reader.cases(owner, limit=200).cases if c.status == "open")
    case_id = UUID(str(case.id))
    entries = mend.reader.timeline(owner, case_id, visibility="shared", newest_first=True,
                                   limit=2).events
    for entry, until in zip(entries, (None, datetime.now(timezone.utc) + timedelta(days=1))):
        mend.casework.record(owner, case_id, cmd.HoldBackEntry(entry_id=UUID(entry.id),
                                                               until=until))


# ---------------------------------------------------------------------- reading both sides
def tenant_rows(mend: Mend, tenant_id: UUID, now: datetime) -> dict[str, list[dict]]:
    """Every row of the tenant in every table, positions left out, figures as of ``now``."""
    view = mend.casebook
    generation = view.current_generation()
    prefix = names(generation)
    view._run([(f"UPDATE {prefix}cases SET fresh_seq = -1 WHERE tenant_id = :t",
                {"t": str(tenant_id)})])
    refresh_stale_metrics(view, generation, now, new_day=False)
    found = {}
    for table, (where, order) in TABLES.items():
        rows = view._rows(f"SELECT * FROM {prefix}{table} WHERE {where.format(p=prefix)}"
                          f" ORDER BY {order}", {"t": str(tenant_id)})
        found[table] = [{k: v for k, v in dict(r).items() if k not in POSITIONS} for r in rows]
    return found


def account_rows(mend: Mend, account_ids: set[str]) -> list[dict]:
    rows = mend.casebook._rows(f"SELECT * FROM {mend.casebook.prefix()}accounts"
                               " ORDER BY account_id", {})
    return [dict(r) for r in rows if r["account_id"] in account_ids]


def moved_accounts(data: bytes) -> set[str]:
    """The accounts a file carries."""
    body = gzip.decompress(data).split(b"\n")[1:]
    return {json.loads(line)["id"] for line in body
            if line and b'"topic":"mend.domain.tenancy:Account.AccountRegistered"' in line}


def owner_of(mend: Mend, tenant_id: UUID) -> Actor:
    tenant = mend.store.get(tenant_id, Tenant)
    owner = next(a for a, role in tenant.members.items() if role == "owner")
    return Actor(UUID(owner), tenant_id, "owner")


def stored_events(mend: Mend) -> int:
    return mend.store.recorder.max_notification_id() or 0


# ---------------------------------------------------------------------- the same views
def test_the_moved_tenant_has_the_same_read_models_row_by_row(move):
    source, target, slug = move
    tenant_id = source.store.lookup(SLUGS, slug)
    now = datetime.now(timezone.utc)
    want = tenant_rows(source.mend, tenant_id, now)
    got = tenant_rows(target.mend, tenant_id, now)
    kept_someone = target.imported[slug].kept_accounts > 0
    for table, rows in want.items():
        mine = got[table]
        if table == "activity" and kept_someone:
            rows, mine = (sorted(r, key=lambda row: json.dumps(row, sort_keys=True))
                          for r in (rows, mine))
        assert len(mine) == len(rows), f"{table}: {len(mine)} rows, not {len(rows)}"
        for number, (theirs, ours) in enumerate(zip(rows, mine)):
            assert ours == theirs, f"{table}, row {number}"
    assert want["timeline"] and want["cases"] and want["case_people"] and want["activity"]
    accounts = moved_accounts(source.files[slug])
    assert account_rows(target.mend, accounts) == account_rows(source.mend, accounts)
    assert len(account_rows(target.mend, accounts)) == len(accounts) > 0


@pytest.mark.parametrize("slug, table", [("harbor", "holds"), ("northwind", "pulse_tally")])
def test_the_tables_only_one_tenant_fills_are_compared_full(source, postgres_target, slug,
                                                            table):
    """Harbor holds entries back (added here), Northwind's workplace case has pulses."""
    tenant_id = source.store.lookup(SLUGS, slug)
    now = datetime.now(timezone.utc)
    rows = tenant_rows(postgres_target.mend, tenant_id, now)[table]
    assert rows and rows == tenant_rows(source.mend, tenant_id, now)[table]


def test_the_figures_and_outcomes_read_the_same(move):
    source, target, slug = move
    tenant_id = source.store.lookup(SLUGS, slug)
    owner = owner_of(source.mend, tenant_id)
    assert owner == owner_of(target.mend, tenant_id)
    assert target.mend.reader.outcomes(owner) == source.mend.reader.outcomes(owner)
    now = datetime.now(timezone.utc)
    cases = source.mend.reader.cases(owner, limit=200).cases
    assert cases and [c.id for c in target.mend.reader.cases(owner, limit=200).cases] == [
        c.id for c in cases]
    for case_id in (UUID(str(c.id)) for c in cases):
        assert (target.mend.reader.figures(owner, case_id, as_of=now)
                == source.mend.reader.figures(owner, case_id, as_of=now))
        assert target.mend.reader.case(owner, case_id) == source.mend.reader.case(owner, case_id)


def test_the_export_is_in_the_audit_feed_on_both_sides(move):
    source, target, slug = move
    tenant_id = source.store.lookup(SLUGS, slug)
    owner = owner_of(source.mend, tenant_id)
    for mend in (source.mend, target.mend):
        entries, _ = mend.reader.audit(owner, types=("tenant_exported",))
        assert [e.summary for e in entries] == [
            "Whole practice exported, to move to another Mend"]


# ---------------------------------------------------------------------- people
@pytest.mark.parametrize("target_name", ["postgres_target", "sqlite_target"])
def test_people_sign_in_on_the_new_mend_with_their_old_passwords(request, target_name):
    target = request.getfixturevalue(target_name)
    for person in DEMO_PEOPLE:
        if person.tenant not in target.imported:
            continue
        account = target.mend.membership.authenticate(person.email, DEMO_PASSWORD)
        actor = target.mend.membership.actor_for(account.id, person.tenant)
        assert actor.role == person.role, person.key


def test_a_person_whose_other_tenant_stayed_behind_signs_in_to_the_one_that_moved(
        sqlite_target):
    """Omar works at Harbor and at Northwind; only Harbor moved to SQLite."""
    from mend.platform import create_app

    app = create_app(sqlite_target.mend.settings)
    try:
        answer = app.test_client().post("/api/v1/auth/login", json={
            "email": "omar.haddad@harbor.example", "password": DEMO_PASSWORD})
        assert answer.status_code == 200, answer.json
        assert [t["slug"] for t in answer.json["tenants"]] == ["harbor"]
    finally:
        app.extensions["mend"].close()


def test_a_person_of_two_tenants_that_both_moved_is_one_account_in_both(postgres_target):
    assert postgres_target.imported["harbor"].kept_accounts == 0
    assert postgres_target.imported["northwind"].kept_accounts == 1  # Omar
    membership = postgres_target.mend.membership
    account = membership.authenticate("omar.haddad@harbor.example", DEMO_PASSWORD)
    roles = {t.slug: role for t, role in membership.tenants_of(account)}
    assert roles == {"harbor": "supervisor", "northwind": "practitioner"}


def test_the_events_are_encrypted_with_the_new_mends_own_key(source, postgres_target):
    tenant_id = source.store.lookup(SLUGS, "harbor")
    store = postgres_target.mend.store
    [first] = store.recorder.select_events(tenant_id, limit=1)
    assert b"Harbor Counseling" not in first.state
    assert store.mapper.to_domain_event(first).name == "Harbor Counseling"
    assert b"Harbor Counseling" in gzip.decompress(source.files["harbor"])  # the file: clear


# ---------------------------------------------------------------------- refusals
def test_importing_twice_is_refused_and_writes_nothing(source, postgres_target):
    before = stored_events(postgres_target.mend)
    with pytest.raises(ImportRefused, match="already holds the practice 'harbor'"):
        import_tenant(postgres_target.mend, source.files["harbor"])
    assert stored_events(postgres_target.mend) == before


def damaged(data: bytes) -> bytes:
    """The file with one score changed and its header left as it was."""
    head, body = gzip.decompress(data).split(b"\n", 1)
    assert b'"trust":2,' in body
    return gzip.compress(head + b"\n" + body.replace(b'"trust":2,', b'"trust":9,', 1))


@pytest.mark.parametrize("spoil, words", [
    (damaged, "do not match its checksum"),
    (lambda data: data[: len(data) // 2], "cut short"),
    (lambda data: gzip.compress(b'{"format":"something else"}\n'), "not a Mend tenant export"),
], ids=["altered", "truncated", "another-format"])
def test_a_damaged_file_is_refused_and_writes_nothing(source, tmp_path, spoil, words):
    mend = bootstrap(Settings(database_url=f"sqlite:///{tmp_path}/mend.sqlite"),
                     start_runner=False)
    try:
        with pytest.raises(ImportRefused, match=words):
            import_tenant(mend, spoil(source.files["harbor"]))
        assert stored_events(mend) == 0
    finally:
        mend.close()


@pytest.mark.parametrize("taken, words", [
    ({"slug": "harbor", "owner_email": "someone@else.example"}, "slug 'harbor' is taken"),
    ({"slug": "elsewhere", "owner_email": "ruth.calder@harbor.example"},
     "belongs to another account here"),
], ids=["slug", "email"])
def test_a_mend_where_the_slug_or_an_email_is_taken_refuses_and_writes_nothing(
        source, tmp_path, taken, words):
    mend = bootstrap(Settings(database_url=f"sqlite:///{tmp_path}/mend.sqlite"),
                     start_runner=False)
    try:
        mend.membership.sign_up(name="Elsewhere", kind="practice", owner_name="Someone",
                                owner_password="a long enough passphrase", **taken)
        before = stored_events(mend)
        with pytest.raises(ImportRefused, match=words):
            import_tenant(mend, source.files["harbor"])
        assert stored_events(mend) == before
    finally:
        mend.close()


def test_the_file_says_what_it_holds(source):
    header: dict[str, Any] = json.loads(gzip.decompress(source.files["harbor"]).split(b"\n")[0])
    assert header["format"] == "mend-tenant-history" and header["version"] == 1
    assert header["tenant"]["slug"] == "harbor"
    assert header["streams"] == {"tenants": 1, "cases": 5, "ballot_boxes": 0, "accounts": 15,
                                 "indexes": 30}
    assert len(header["body_sha256"]) == 64

"""After an erasure, the demo practice's read models are rebuilt: the erased case's words are
in no view row and no file of either store, and every other row is the row it was before.
Report files made before the erasure are gone; the words of the other cases are not."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from uuid import UUID

import psycopg
import pytest

from mend.bootstrap import Mend, bootstrap
from mend.demo import DEMO_PASSWORD, HARBOR, seed_demo
from mend.domain.erasure import Erasure
from mend.workers import context
from mend.workers.erasure_aftermath import after_erasure
from tests.integration.test_moving_house import tenant_rows

#: Words of the demo's "Ana & Leo" case (its title, its breach, a check-in note, a boundary).
ERASED_WORDS = ("Ana & Leo", "four-month affair", "Good talk tonight", "Leo answered before")
OWNER = "ruth.calder@harbor.example"


@pytest.fixture
def demo(settings) -> Mend:
    mend = bootstrap(settings, start_runner=False)
    context.install(mend)
    seed_demo(mend)
    mend.runner.catch_up()
    yield mend
    context.install(None)
    mend.close()


def view_bytes(mend: Mend) -> bytes:
    """Every value of every table of the views' database, and its files on SQLite."""
    settings = mend.settings
    if settings.is_sqlite:
        path = Path(settings.views_env()["SQLITE_DBNAME"])
        return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
    chunks = []
    with psycopg.connect(settings.database_url) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")]
        for table in tables:
            for row in conn.execute(f'SELECT * FROM "{table}"'):
                chunks += [str(v).encode() if not isinstance(v, (bytes, memoryview))
                           else bytes(v) for v in row if v is not None]
    return b"\n".join(chunks)


def test_the_views_are_rebuilt_without_the_erased_words_and_otherwise_the_same(demo):
    owner_account = demo.membership.authenticate(OWNER, DEMO_PASSWORD)
    owner = demo.membership.actor_for(owner_account.id, HARBOR["slug"])
    cases = {r["title"]: r["case_id"] for r in demo.casebook._rows(
        f"SELECT case_id, title FROM {demo.casebook.prefix()}cases WHERE tenant_id = :t",
        {"t": str(owner.tenant_id)})}
    erased = UUID(cases["Ana & Leo"])
    now = datetime.now(timezone.utc)
    demo.ledger.run([(
        "INSERT INTO mend_runs (run_id, tenant_id, kind, subject_id, requested_by, state,"
        " content, created_us) VALUES ('r1', :t, 'report.case', :c, :o, 'done', :blob, 1)",
        {"t": str(owner.tenant_id), "c": str(erased), "o": str(owner.account_id),
         "blob": b"Ana & Leo: a report quoting the case"})])
    assert all(w.encode() in view_bytes(demo) for w in ERASED_WORDS)  # the check can fail
    before = tenant_rows(demo, owner.tenant_id, now)

    shredded = Erasure(demo.store).erase_case(owner, erased, "client_request")
    after_erasure(demo, shredded)  # no Redis here: the clearing-up runs at once
    demo.runner.catch_up()

    found = [w for w in ERASED_WORDS if w.encode() in view_bytes(demo)]
    assert found == [], f"erased words still in the views: {found}"
    after = tenant_rows(demo, owner.tenant_id, now)
    for table, rows in before.items():
        kept = [r for r in rows if r.get("case_id") != str(erased)]
        remade = [r for r in after[table] if r.get("case_id") != str(erased)]
        if table == "activity":  # the erasure itself is a new entry of the feed
            remade = [r for r in remade if r.get("type") != "case_erased"]
        assert remade == kept, f"{table} changed beyond the erased case"
    case_rows = [r for r in after["cases"] if r["case_id"] == str(erased)]
    assert [(r["title"], r["status"]) for r in case_rows] == [("(erased)", "erased")]
    assert demo.ledger.rows("SELECT run_id FROM mend_runs") == []


#: Ana's own words (journal entries) and her name; the case's own words stay.
ANA_WORDS = ("I keep replaying the night I found the receipts",
             "Three weeks without checking anything", "ana.ferreira@example.com")
LEO_WORDS = ("She doesn't believe my apologies",)


def test_erasing_a_person_removes_their_words_and_name_from_the_views_only(demo):
    owner_account = demo.membership.authenticate(OWNER, DEMO_PASSWORD)
    owner = demo.membership.actor_for(owner_account.id, HARBOR["slug"])
    ana = demo.membership.authenticate("ana.ferreira@example.com", DEMO_PASSWORD)
    cases = [UUID(r["case_id"]) for r in demo.casebook._rows(
        f"SELECT case_id FROM {demo.casebook.prefix()}case_people WHERE account_id = :a",
        {"a": str(ana.id)})]
    assert cases
    assert all(w.encode() in view_bytes(demo) for w in ANA_WORDS[:2])  # the check can fail
    names_before = {r["account_id"]: r["name"] for r in demo.casebook._rows(
        f"SELECT account_id, name FROM {demo.casebook.prefix()}accounts", {})}

    shredded = Erasure(demo.store).erase_person(owner, ana.id, "client_request", cases)
    after_erasure(demo, shredded)
    demo.runner.catch_up()

    raw = view_bytes(demo)
    assert [w for w in ANA_WORDS if w.encode() in raw] == []
    assert all(w.encode() in raw for w in (*LEO_WORDS, "Ana & Leo", "four-month affair"))
    names_after = {r["account_id"]: r["name"] for r in demo.casebook._rows(
        f"SELECT account_id, name FROM {demo.casebook.prefix()}accounts", {})}
    assert names_after.pop(str(ana.id)) == "(erased)"
    names_before.pop(str(ana.id))
    assert names_after == names_before
    with pytest.raises(Exception):
        demo.membership.authenticate("ana.ferreira@example.com", DEMO_PASSWORD)
